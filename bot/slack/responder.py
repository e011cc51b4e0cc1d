"""Posting to a `response_url`, with the same retries as the Web API client, and failures logged.

Bolt's `respond()` uses a `WebhookClient` without retry handlers and returns a non-200 answer without raising, so
a 429 or a 5xx from Slack would silently lose a /dnscheck result. `Responder` retries (honouring Retry-After) and
logs what still fails, with the request's context.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.slack.reporting import describe

log = logging.getLogger("rcodebot.slack")

TIMEOUT = 10


def retry_handlers() -> list[RetryHandler]:
    """Retries for every call to Slack: connection resets, 429 (after Retry-After) and 5xx."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


class Responder:
    """Sends messages to one request's `response_url` (valid for 30 minutes and 5 posts, per Slack)."""

    def __init__(self, body: Mapping[str, Any], what: str, logger: logging.Logger | None = None) -> None:
        self.body = body
        self.what = what
        self.logger = logger or log
        url = body.get("response_url")
        self.client = WebhookClient(str(url), timeout=TIMEOUT, retry_handlers=retry_handlers()) if url else None

    def __call__(self, **message: Any) -> bool:
        """Post `message` (text, blocks, response_type, replace_original, delete_original); True when Slack took it."""
        if self.client is None:
            self.logger.error("%s: the payload has no response_url [%s]", self.what, describe(self.body))
            return False
        response = self.client.send(**message)
        if response.status_code != 200:
            self.logger.error(
                "%s: response_url answered %s: %s [%s]",
                self.what,
                response.status_code,
                str(response.body)[:200],
                describe(self.body),
            )
            return False
        return True
