"""One module per CLI subcommand: `add_parser(subparsers)` declares it, `run(ctx) -> int` runs it."""
