"""Building the Bolt app: the Web API client (injectable base URL, 429 retries), middleware and listeners.

Choices that matter in production:
- `WebClient(base_url=settings.api_url)` passed as `App(client=...)`: slack_sdk reads no environment variable for
  its base URL, and this is what lets enterprise gateways, GovSlack and the tests' fake Slack work.
- `process_before_response=True`: an ack function runs in the request's own thread and its answer is the HTTP
  response, so the ack never waits on a busy executor (the default runs acks in the same small pool as lazy
  work, where a few slow probes would delay every ack past Slack's 3 seconds). Everything slow is a lazy
  listener, run in a dedicated pool after the ack. It also guarantees that an ack has finished before its lazy
  half starts, which the /dnscheck and button listeners rely on.
- Deduplication on `event_id` in a global middleware (Bolt has none, and its retry header is no signal).
"""

from __future__ import annotations

import logging
import re
import time
import urllib.error
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.middleware import Middleware
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot import metrics
from bot.core.codes.knowledge import Knowledge
from bot.core.errors import ConfigError
from bot.core.ratelimit import Clock
from bot.logs import REQUEST, ContextExecutor, request_ids
from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.listeners import register_listeners
from bot.slack.reporting import describe
from bot.slack.responder import retry_handlers
from bot.stores.shared import SharedState

if TYPE_CHECKING:  # bot.slack.oauth loads SQLAlchemy: only OAuth mode imports it at run time
    from bot.slack.oauth import Revocations

log = logging.getLogger("rcodebot.slack")

#: Threads for lazy work (probes, posting replies). More than the live checks that may run and wait at once
#: (RCODEBOT_MAX_PROBES + RCODEBOT_MAX_WAITING_PROBES, 8 + 24 by default), so cheap replies always find a thread.
LAZY_WORKERS = 48
WEB_API_TIMEOUT = 10


class CountingClient(WebClient):
    """The Web API client, counting replies posted and Slack's errors by method (`bot.metrics`)."""

    REPLIES = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "files.completeUploadExternal"})

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        try:
            response = super().api_call(api_method, **kwargs)
        except SlackApiError as err:
            metrics.slack_error(api_method, str(err.response.get("error") or "unknown"))
            raise
        if api_method in self.REPLIES:
            metrics.reply(api_method)
        return response


def build_client(settings: Settings, token: str | None = None) -> WebClient:
    """The Web API client: the configured base URL, and retries for 429 (honouring Retry-After), 5xx and resets."""
    return CountingClient(
        token=token or settings.bot_token,
        base_url=settings.api_url,
        timeout=WEB_API_TIMEOUT,
        retry_handlers=retry_handlers(),
    )


class DedupeEvents(Middleware):
    """A global middleware that acks a redelivered event (same event_id) with 200 and runs nothing; it also counts
    each request by kind and gives the listeners a Web API client that counts replies and errors (`bot.metrics`).

    A `Middleware` subclass rather than a function: Bolt calls it directly, without working out which arguments
    to inject, on every request.
    """

    def __init__(self, seen: SharedState) -> None:
        self.seen = seen

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse | None:
        body = req.body
        if isinstance(body, Mapping):
            metrics.event(request_kind(body))
            REQUEST.set(request_ids(body))
        client = req.context.get("client")
        if metrics.enabled() and isinstance(client, WebClient) and not isinstance(client, CountingClient):
            # Bolt makes a plain WebClient per request (a copy of ours): make it one that counts.
            req.context["client"] = CountingClient(
                token=client.token,
                base_url=client.base_url,
                timeout=client.timeout,
                ssl=client.ssl,
                proxy=client.proxy,
                headers=client.headers,
                team_id=req.context.team_id,
                logger=client.logger,
                retry_handlers=client.retry_handlers,
            )
        event_id = body.get("event_id") if isinstance(body, Mapping) else None
        if isinstance(event_id, str) and event_id and not self.seen.first_time(event_id):
            log.info("dropping a redelivery of %s [%s]", event_id, describe(body))
            metrics.dedupe_hit()
            return BoltResponse(status=200, body="")
        return next()


def request_kind(body: Mapping[str, Any]) -> str:
    """What a Slack request is, for the metrics: `event:message`, `command:/rcode`, `action:run_live_check`, …"""
    if isinstance(body.get("command"), str):
        return f"command:{body['command']}"
    kind = str(body.get("type") or "unknown")
    event = body.get("event")
    if kind == "event_callback" and isinstance(event, Mapping):
        return f"event:{event.get('type') or 'unknown'}"
    actions = body.get("actions")
    if kind == "block_actions" and isinstance(actions, list) and actions and isinstance(actions[0], Mapping):
        return f"action:{actions[0].get('action_id') or 'unknown'}"
    if kind in ("message_action", "shortcut"):
        return f"shortcut:{body.get('callback_id') or 'unknown'}"
    return kind


def log_unhandled(error: Exception, body: Mapping[str, Any], logger: logging.Logger) -> None:
    """Bolt's global error handler: the listeners catch their own errors, so anything here is a bug; log it whole."""
    logger.error("unhandled error [%s]", describe(body if isinstance(body, Mapping) else {}), exc_info=error)


class _DropTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and then warns that our client's token wins."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_DROP_TOKEN_NOTICE = _DropTokenNotice()


def build_app(settings: Settings, knowledge: Knowledge, *, mode: str = "http", clock: Clock = time.monotonic) -> App:
    """The Bolt app with every listener, talking to `settings.api_url`.

    Calls `auth.test` once (Bolt does, in the constructor) so a bad token or an unreachable API is reported at
    start, as a `ConfigError`, not on the first request.
    """
    revocations = None
    if settings.oauth:
        app, revocations = _build_oauth_app(settings, mode=mode)
    else:
        app = _build_single_workspace_app(settings, mode=mode)
    deps = Deps.create(settings, knowledge, clock=clock)
    deps.store.create_schema()  # a database that is down now is logged once; settings fall back to the defaults
    deps.store.release_connections()  # no connection crosses gunicorn's fork (the app is built before it)
    if revocations is not None:
        # An uninstalled workspace leaves nothing behind: its mutes, resolvers and allowances go with its tokens.
        revocations.callbacks.append(lambda enterprise_id, team_id: deps.store.delete_team(team_id) if team_id else None)
    app.use(DedupeEvents(deps.seen))
    app.error(log_unhandled)
    register_listeners(app, deps)
    return app


def _build_single_workspace_app(settings: Settings, *, mode: str) -> App:
    """One workspace, one bot token (SLACK_BOT_TOKEN): Bolt checks it with auth.test in its constructor."""
    if not settings.bot_token:
        raise ConfigError(problem="SLACK_BOT_TOKEN is not set (the Bot User OAuth Token, xoxb-…)")
    if mode == "http" and not settings.signing_secret:
        raise ConfigError(problem="SLACK_SIGNING_SECRET is not set (needed to verify requests in HTTP mode)")
    if mode == "socket" and not settings.app_token:
        raise ConfigError(problem="SLACK_APP_TOKEN is not set (an app-level xapp- token with connections:write)")
    client = build_client(settings)
    bolt_logger = logging.getLogger("rcodebot.bolt")
    bolt_logger.addFilter(_DROP_TOKEN_NOTICE)
    try:
        with _quiet("slack_sdk", "slack_bolt"):
            app = App(
                client=client,
                signing_secret=settings.signing_secret or "unused-in-socket-mode",
                request_verification_enabled=mode == "http",
                process_before_response=True,
                listener_executor=ContextExecutor(
                    max_workers=max(LAZY_WORKERS, settings.max_probes + settings.max_waiting_probes + 16),
                    thread_name_prefix="rcodebot-lazy",
                ),
                logger=bolt_logger,
            )
    except BoltError as err:
        raise ConfigError(problem=f"Slack rejected SLACK_BOT_TOKEN: {_short(err)}") from None
    except SlackApiError as err:
        raise ConfigError(problem=f"Slack rejected SLACK_BOT_TOKEN: {err.response.get('error')}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise ConfigError(problem=f"cannot reach the Slack Web API at {settings.api_url}: {reason}") from None
    return app


def _build_oauth_app(settings: Settings, *, mode: str) -> tuple[App, Revocations]:
    """Many workspaces (SLACK_CLIENT_ID/SECRET): Bolt's OAuth flow, installations in the database (bot.slack.oauth)."""
    from bot.slack import oauth

    if mode == "socket":
        raise ConfigError(
            problem="Socket Mode is not for apps installed in many workspaces (Slack's docs): run "
            "`rcodebot serve --http` for OAuth, or set SLACK_BOT_TOKEN for one workspace"
        )
    if not settings.signing_secret:
        raise ConfigError(problem="SLACK_SIGNING_SECRET is not set (needed to verify requests in HTTP mode)")
    client = build_client(settings)
    parts = oauth.build(settings, client)
    bolt_logger = logging.getLogger("rcodebot.bolt")
    app = App(
        client=client,
        signing_secret=settings.signing_secret,
        oauth_settings=parts.settings,
        authorize=parts.authorize,  # type: ignore[arg-type]  # an Authorize instance is accepted (App checks isinstance)
        process_before_response=True,
        listener_executor=ContextExecutor(max_workers=LAZY_WORKERS, thread_name_prefix="rcodebot-lazy"),
        logger=bolt_logger,
    )
    return app, oauth.attach(app, parts)


def _short(err: Exception) -> str:
    """Bolt's "`token` is invalid (auth.test result: {... 'error': 'invalid_auth'})" -> "invalid_auth"."""
    text = str(err)
    match = re.search(r"'error': '([^']+)'", text)
    return match.group(1) if match else text[:200]


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Silence library loggers while starting: a failure becomes our one-line ConfigError, not a log cascade."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
