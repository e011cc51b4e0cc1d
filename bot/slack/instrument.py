"""Counting what the Slack side does (bot/metrics.py): requests by kind, ack latency, Web API calls.

Three pieces, all installed by `build_app`:
- `InstrumentedApp`, Bolt's App timing each dispatch (the ack latency, since `process_before_response=True`
  makes the ack what dispatch returns) and setting the request's ids (team, channel, user, event_id) for the log
  lines written while it is handled (bot/logs.py; the lazy pool carries them into the slow half's thread).
- `CountRequests`, the first global middleware: counts each request that passed Bolt's checks (an Events API
  event by its type, a slash command by its name, an interaction by its type).
- `CountingWebClient`, a `WebClient` whose `api_call` counts failures by method and Slack's error, and the replies
  it posted. Bolt builds a fresh `WebClient` for every request (from `app.client`'s settings); the middleware
  swaps in a counting one built from the same settings, so every listener's `client` counts.
"""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse, WebClient

from bot import logs, metrics

#: Web API methods that put a reply in front of someone.
REPLY_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "functions.completeSuccess"})


class CountingWebClient(WebClient):
    """A WebClient that counts its failed calls (by method and error) and the replies it posted."""

    def api_call(self, api_method: str, *args: Any, **kwargs: Any) -> SlackResponse:
        try:
            response = super().api_call(api_method, *args, **kwargs)
        except SlackApiError as err:
            metrics.slack_api_error(api_method, err.response.get("error") or err.response.status_code)
            raise
        except (urllib.error.URLError, OSError) as err:
            metrics.slack_api_error(api_method, type(err).__name__)
            raise
        if api_method in REPLY_METHODS:
            metrics.reply_posted(api_method)
        return response


def counting_copy(client: WebClient) -> CountingWebClient:
    """A counting client with `client`'s settings (the same fields Bolt copies into its per-request client)."""
    return CountingWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        team_id=client.default_params.get("team_id"),
        logger=client.logger,
        retry_handlers=client.retry_handlers.copy() if client.retry_handlers is not None else None,
    )


def request_kind(body: Mapping[str, Any]) -> tuple[str, str]:
    """(ack kind, what) for a Slack payload: ("command", "/rcode"), ("event", "app_mention"),
    ("interaction", "block_actions")."""
    command = body.get("command")
    if isinstance(command, str) and command:
        return "command", command
    event = body.get("event")
    if body.get("type") == "event_callback" and isinstance(event, Mapping):
        return "event", str(event.get("type") or "unknown")
    return "interaction", str(body.get("type") or "unknown")


class CountRequests(Middleware):
    """Counts every request that passed Bolt's checks and times its ack (see the module docstring)."""

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse | None:
        body = req.body if isinstance(req.body, Mapping) else {}
        kind, what = request_kind(body)
        if kind == "command":
            metrics.count_command(what)
        else:
            metrics.count_event(what)
        client = req.context.get("client")
        if isinstance(client, WebClient) and not isinstance(client, CountingWebClient):
            req.context["client"] = counting_copy(client)
        return next()


class InstrumentedApp(App):
    """Bolt's App, timing each request's dispatch (with `process_before_response=True` the listener's ack is
    what dispatch returns, so this is the ack latency) and setting the request's ids for the log lines written
    while it is handled. Bolt's global middleware cannot do either: its `next()` only marks the chain as
    continued, and the listeners run after every middleware has returned."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        body = req.body if isinstance(req.body, Mapping) else {}
        ids = logs.REQUEST_IDS.set(logs.ids_of(body))  # the lazy pool copies it into the slow half's thread
        started = time.perf_counter()
        try:
            return super().dispatch(req)
        finally:
            metrics.observe_ack(request_kind(body)[0], time.perf_counter() - started)
            logs.REQUEST_IDS.reset(ids)
