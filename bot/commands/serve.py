"""`rcodebot serve`: run the Slack app (Socket Mode with SLACK_APP_TOKEN, HTTP otherwise).

Configuration is checked before anything starts, so a missing token or secret is one line and exit status 4
(`bot/cli.py` maps `ConfigError`), never a traceback.
"""

from __future__ import annotations

import argparse
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
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="HTTP worker processes (default 1; more than one needs RCODEBOT_REDIS_URL, so that they share state)",
    )
    parser.set_defaults(
        run=lambda ctx: serve(ctx, mode=ctx.args.mode, port=ctx.args.port, host=ctx.args.host, workers=ctx.args.workers)
    )


def choose_mode(mode: str | None, *, has_app_token: bool) -> str:
    """`--socket`/`--http` win; otherwise Socket Mode exactly when an app-level token is configured."""
    if mode in ("socket", "http"):
        return mode
    return "socket" if has_app_token else "http"


def serve(ctx: Context, *, mode: str | None, port: int | None, host: str = DEFAULT_HOST, workers: int = 1) -> int:
    """Start the Slack app; returns when it stops."""
    settings = ctx.settings
    chosen = choose_mode(mode, has_app_token=bool(settings.app_token))
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(problem=f"--port {port} is not a TCP port (1-65535)")
    if not 1 <= workers <= 64:
        raise ConfigError(problem=f"--workers {workers} is not between 1 and 64")
    if workers > 1 and settings.redis_url is None:
        raise ConfigError(
            problem=f"--workers {workers} needs Redis: set RCODEBOT_REDIS_URL (e.g. redis://localhost:6379/0) so the "
            "workers share deduplication and allowances"
        )
    from bot import logs

    logs.configure(
        level=settings.log_level,
        form=settings.log_format,
        stream=ctx.env.stderr,
        secrets=(settings.bot_token, settings.signing_secret, settings.app_token),
    )
    from bot import metrics

    metrics.enable(multiprocess=chosen == "http" and workers > 1)  # before anything imports prometheus_client
    from bot.slack import build_app, server

    app = build_app(settings, ctx.knowledge, mode=chosen)
    if chosen == "socket":
        assert settings.app_token is not None  # build_app checked it
        return server.run_socket_mode(app, settings.app_token, grace=settings.grace_seconds)
    from bot.slack.screen import Screen

    assert settings.signing_secret is not None  # build_app checked it for HTTP mode
    screen = Screen(
        settings.signing_secret,
        max_body=settings.max_body_bytes,
        timeout=settings.body_timeout,
        readers=server.HTTP_THREADS // 2,
    )
    wsgi = server.HealthCheckedApp(app, screen)
    try:
        return server.run_http(
            wsgi,
            host=host,
            port=port or settings.port,
            log_level=settings.log_level,
            workers=workers,
            grace=settings.grace_seconds,
        )
    finally:
        metrics.cleanup()
