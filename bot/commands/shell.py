"""`rcodebot shell`: the local chat shell (also what `rcodebot` runs when no Slack token is configured)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands.context import Context


def add_parser(sub: Any) -> None:
    """Declare `shell`."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "shell", help="chat with rcodebot in the terminal, as in Slack (/rcode, /dnscheck, pasted dig output)"
    )
    parser.set_defaults(run=lambda ctx: start(ctx, hint_slack=False))


def start(ctx: Context, *, hint_slack: bool) -> int:
    """Run the chat shell on the context's streams until end of input."""
    from bot import shell

    ctx.knowledge  # noqa: B018 - load (and validate) the knowledge file before the first prompt
    interactive = ctx.env.stdin_isatty
    if interactive:
        try:
            import readline  # noqa: F401 - line editing and history for input()
        except ImportError:  # pragma: no cover - platforms without readline
            pass
        ctx.env.stdout.write(shell.BANNER + "\n")
    if hint_slack:
        ctx.env.stderr.write(shell.SLACK_HINT + "\n")
    session = shell.Shell(lambda: ctx.knowledge, ctx.settings, ctx.env.stdout, ctx.env.stderr)
    read_line, more_ready = shell.stream_reader(
        ctx.env.stdin, prompt=shell.PROMPT if interactive else None, out=ctx.env.stdout
    )
    return session.serve(shell.messages(read_line, more_ready))
