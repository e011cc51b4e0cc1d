"""Serving the app: HTTP mode behind gunicorn (the Procfile's `web:`), Socket Mode as a worker (`worker:`).

HTTP mode embeds gunicorn (`gunicorn.app.base.BaseApplication`) rather than naming a module on gunicorn's command
line, so configuration is read and checked, and `auth.test` called, once in `rcodebot serve` before gunicorn
starts: a mistake is one line and a non-zero exit, never a worker boot loop with tracebacks. It runs one worker
process with threads (gthread) by default: the event_id dedupe memory and the rate limits then live in that
process. `--workers N` runs N processes, and needs RCODEBOT_REDIS_URL so that they share that state
(`bot.stores.shared`): otherwise a Slack retry landing in another process would get a second reply.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.errors import SlackApiError

from bot import metrics
from bot.core.errors import ConfigError
from bot.logs import REQUEST
from bot.slack.screen import Screen, screened

log = logging.getLogger("rcodebot.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
HTTP_THREADS = 32

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class HealthCheckedApp:
    """The WSGI app: `POST /slack/events` goes to Bolt, `GET /healthz` answers 200.

    The Bolt app (listeners, `auth.test`) is complete before gunicorn binds the port, so anything that can answer
    /healthz is ready to serve Slack.
    """

    def __init__(self, app: App, screen: Screen | None = None) -> None:
        self.bolt = SlackRequestHandler(app, path=EVENTS_PATH)
        self.screen = screen
        flow = app.oauth_flow
        #: With OAuth (many workspaces): Bolt's `GET /slack/install` and `GET /slack/oauth_redirect`.
        self.oauth_paths = frozenset({flow.install_path, flow.redirect_uri_path}) if flow is not None else frozenset()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        REQUEST.set(None)  # gunicorn reuses its threads: a line logged before Bolt names no earlier request
        path = environ.get("PATH_INFO") or "/"
        if path == HEALTH_PATH:
            if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
                return _plain(start_response, "405 Method Not Allowed", b"use GET\n", [("Allow", "GET, HEAD")])
            return _plain(start_response, "200 OK", b"ok\n")
        if path in self.oauth_paths:
            return self.bolt(environ, start_response)
        if path == METRICS_PATH and metrics.enabled():
            if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
                return _plain(start_response, "405 Method Not Allowed", b"use GET\n", [("Allow", "GET, HEAD")])
            data, content_type = metrics.exposition()
            start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(data)))])
            return [data]
        if path != EVENTS_PATH:
            return _plain(start_response, "404 Not Found", b"not found: Slack requests go to /slack/events\n")
        started = time.monotonic()
        try:
            if self.screen is not None and environ.get("REQUEST_METHOD") == "POST":
                return list(screened(self.screen, environ, start_response, self.bolt))
            return list(self.bolt(environ, start_response))
        finally:
            metrics.ack(time.monotonic() - started)


def _plain(
    start_response: StartResponse, status: str, body: bytes, extra: list[tuple[str, str]] | None = None
) -> list[bytes]:
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))), *(extra or [])]
    start_response(status, headers)
    return [body]


def gunicorn_options(host: str, port: int, log_level: str = "info", workers: int = 1, grace: float = 15.0) -> dict[str, Any]:
    """Gunicorn settings for the bot (one process with threads, or several sharing Redis; see the module docstring)."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": HTTP_THREADS,
        "timeout": 30,
        # On SIGTERM a worker stops accepting, answers what it has, and exits once the acked work (lazy listeners:
        # probes, posting replies) is done; after `grace` seconds the arbiter kills what is left.
        "graceful_timeout": math.ceil(grace),
        "keepalive": 5,
        "proc_name": "rcodebot",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": log_level.lower(),
        "preload_app": True,
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
    }


def run_http(wsgi: WsgiApp, *, host: str, port: int, log_level: str = "info", workers: int = 1, grace: float = 15.0) -> int:
    """Serve `wsgi` with gunicorn until SIGTERM/SIGINT; returns gunicorn's exit status."""
    from gunicorn.app.base import BaseApplication

    options = {k: v for k, v in gunicorn_options(host, port, log_level, workers, grace).items() if v is not None}

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)
            if logging.getLogger().handlers:
                self.cfg.set("logger_class", _root_logger_class())
            if workers > 1 and metrics.enabled():
                self.cfg.set("child_exit", _forget_worker_metrics)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25: no runtime control socket needed
                self.cfg.set("control_socket_disable", True)

        def load(self) -> WsgiApp:
            return wsgi

    try:
        _Server().run()
    except SystemExit as exit_:
        return int(exit_.code) if isinstance(exit_.code, int) else 1
    return 0


def _forget_worker_metrics(server: Any, worker: Any) -> None:
    """gunicorn's child_exit hook: a worker that exited no longer counts in the live gauges (multiprocess mode)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def _root_logger_class() -> type:
    """gunicorn's logger, sending its lines through the root logger (`bot.logs`: redacted, JSON when asked)
    instead of its own stderr handlers."""
    from gunicorn.glogging import Logger

    class RootLogger(Logger):  # type: ignore[misc]
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                for handler in list(log.handlers):
                    log.removeHandler(handler)
                log.propagate = True

    return RootLogger


def run_socket_mode(app: App, app_token: str, *, stop: threading.Event | None = None, grace: float = 15.0) -> int:
    """Connect to Slack over Socket Mode and run until SIGTERM/SIGINT (or `stop` is set)."""
    stop = stop or threading.Event()
    handler = SocketModeHandler(app, app_token=app_token)

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.info("signal %s: closing the Socket Mode connection", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    # A rejected app token fails here, in apps.connections.open: one line and exit 4 like every other setting,
    # not an "unexpected error" after the SDK's own log line. (Later drops are reconnected by the SDK.)
    client_logger = handler.client.logger
    level = client_logger.level
    client_logger.setLevel(logging.CRITICAL)
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except SlackApiError as err:
        raise ConfigError(problem=f"Slack rejected SLACK_APP_TOKEN: {err.response.get('error')}") from None
    finally:
        client_logger.setLevel(level)
    log.info("Socket Mode started: connected, or reconnecting until Slack answers")
    try:
        stop.wait()
    finally:
        handler.close()  # type: ignore[no-untyped-call]
        _finish_acked_work(app, grace)
    return 0


def _finish_acked_work(app: App, grace: float) -> None:
    """Wait up to `grace` seconds for the lazy listeners already started (probes, replies) to finish."""
    executor = getattr(app.listener_runner, "listener_executor", None)
    if executor is None:
        return
    done = threading.Event()

    def _shutdown() -> None:
        executor.shutdown(wait=True)
        done.set()

    threading.Thread(target=_shutdown, name="rcodebot-grace", daemon=True).start()
    if not done.wait(grace):
        log.warning("stopping with work still running after %s s (RCODEBOT_GRACE_SECONDS): it is cut off", grace)
        os._exit(0)
