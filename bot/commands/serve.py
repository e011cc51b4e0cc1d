"""`rcodebot serve`: run the Slack app (Socket Mode with SLACK_APP_TOKEN, HTTP otherwise). Owned by the Slack work."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.cli import Context


def add_parser(sub: Any) -> None:
    """Declare `serve` and its options."""
    parser: argparse.ArgumentParser = sub.add_parser("serve", help="run the Slack app (Socket Mode or HTTP)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--socket", dest="mode", action="store_const", const="socket", help="force Socket Mode")
    mode.add_argument("--http", dest="mode", action="store_const", const="http", help="force HTTP mode")
    parser.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    parser.set_defaults(run=lambda ctx: serve(ctx, mode=ctx.args.mode, port=ctx.args.port))


def serve(ctx: Context, *, mode: str | None, port: int | None) -> int:
    """Start the Slack app; returns when it stops."""
    from bot.core.errors import ConfigError

    raise ConfigError(problem="the Slack app is not built yet")
