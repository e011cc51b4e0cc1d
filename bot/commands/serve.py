"""`rcodebot serve`: run the Slack app (Socket Mode with SLACK_APP_TOKEN, HTTP otherwise).

Configuration is checked before anything starts, so a missing token or secret is one line and exit status 4
(`bot/cli.py` maps `ConfigError`), never a traceback.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from bot.commands.context import Context
from bot.core.errors import ConfigError

DEFAULT_HOST = "0.0.0.0"


def add_parser(sub: Any) -> None:
    """Declare `serve` and its options."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="run the Slack app (Socket Mode or HTTP)",
        description="Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, HTTP mode (POST /slack/events, "
        "GET /healthz) otherwise.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--socket", dest="mode", action="store_const", const="socket", help="force Socket Mode")
    mode.add_argument("--http", dest="mode", action="store_const", const="http", help="force HTTP mode")
    parser.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"HTTP address to listen on (default: {DEFAULT_HOST})")
    parser.set_defaults(run=lambda ctx: serve(ctx, mode=ctx.args.mode, port=ctx.args.port, host=ctx.args.host))


def choose_mode(mode: str | None, *, has_app_token: bool) -> str:
    """`--socket`/`--http` win; otherwise Socket Mode exactly when an app-level token is configured."""
    if mode in ("socket", "http"):
        return mode
    return "socket" if has_app_token else "http"


def serve(ctx: Context, *, mode: str | None, port: int | None, host: str = DEFAULT_HOST) -> int:
    """Start the Slack app; returns when it stops."""
    settings = ctx.settings
    chosen = choose_mode(mode, has_app_token=bool(settings.app_token))
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(problem=f"--port {port} is not a TCP port (1-65535)")
    from bot import logs

    formatter = logs.configure(
        settings.log_format,
        settings.log_level,
        ctx.env.stderr,
        secrets=[settings.bot_token, settings.signing_secret, settings.app_token],
    )
    if chosen == "http":
        return _serve_http(ctx, host=host, port=port, formatter=formatter)
    from bot.slack import build_app, server

    app = build_app(settings, ctx.knowledge, mode=chosen)
    assert settings.app_token is not None  # build_app checked it
    return server.run_socket_mode(app, settings.app_token)


def _serve_http(ctx: Context, *, host: str, port: int | None, formatter: logging.Formatter) -> int:
    """HTTP mode under gunicorn, counting metrics in multiprocess mode (any worker can answer /metrics)."""
    from bot import metrics

    path, made = metrics.prepare_multiprocess()  # before the app is built: every metric is created after this
    try:
        return _run_http(ctx, host=host, port=port, formatter=formatter)
    finally:
        if made:
            metrics.end_multiprocess(path)


def _run_http(ctx: Context, *, host: str, port: int | None, formatter: logging.Formatter) -> int:
    settings = ctx.settings
    from bot.slack import build_app, server

    app = build_app(settings, ctx.knowledge, mode="http")
    from bot.slack.screen import Screen

    assert settings.signing_secret is not None  # build_app checked it for HTTP mode
    screen = Screen(
        settings.signing_secret,
        max_body=settings.max_body_bytes,
        timeout=settings.body_timeout,
        readers=server.HTTP_THREADS // 2,
    )
    wsgi = server.HealthCheckedApp(app, screen)
    return server.run_http(wsgi, host=host, port=port or settings.port, log_level=settings.log_level, formatter=formatter)
