"""The terminal front end: `rcodebot rcode|dnscheck|explain|shell|serve`.

`main(argv, env)` takes its whole I/O environment as arguments (httpie's `Environment`), so tests run it
in-process with StringIO streams and a dict environment. It holds the one place where a `BotError` becomes a
message and an exit status; anything else is a bug, reported in one line (`--traceback` shows it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot import __version__
from bot.commands.context import Context, Environment, ExitStatus, Runner
from bot.core.errors import BotError, ConfigError, KnowledgeError, UsageError

__all__ = ["Context", "Environment", "ExitStatus", "main"]


def _build_parser() -> argparse.ArgumentParser:
    # Subcommand modules are imported here, not at module level, so a broken optional part (e.g. Slack) cannot
    # stop `rcodebot rcode` from working.
    from bot.commands import dnscheck, explain, rcode, serve, shell

    parser = argparse.ArgumentParser(
        prog="rcodebot",
        description="Explain DNS response codes, read dig output and find the cause of DNS failures.",
        epilog="With no command: serves Slack when SLACK_BOT_TOKEN or SLACK_APP_TOKEN is set, else opens the chat shell.",
    )
    parser.add_argument("--version", action="version", version=f"rcodebot {__version__}")
    parser.add_argument("--traceback", action="store_true", help="show the Python traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (rcode, dnscheck, explain, shell, serve):
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run the CLI and return the exit status."""
    env = env or Environment()
    parser = _build_parser()
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int) else ExitStatus.USAGE
    ctx = Context(env, args)
    runner: Runner | None = getattr(args, "run", None)
    if runner is None:
        from bot.commands import default

        runner = default.run
    try:
        return int(runner(ctx))
    except KeyboardInterrupt:
        env.stderr.write("\n")
        return ExitStatus.INTERRUPTED
    except (ConfigError, KnowledgeError) as err:
        env.stderr.write(f"rcodebot: {err}\n")
        return ExitStatus.CONFIG
    except UsageError as err:
        env.stderr.write(f"rcodebot: {err}\n")
        return ExitStatus.USAGE
    except BotError as err:
        env.stderr.write(f"rcodebot: {err}\n")
        return ExitStatus.ERROR
    except Exception as err:
        if getattr(args, "traceback", False):
            raise
        env.stderr.write(f"rcodebot: unexpected error: {type(err).__name__}: {err} (run with --traceback for details)\n")
        return ExitStatus.ERROR
