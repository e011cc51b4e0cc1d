"""How the server logs: plain lines or one JSON object a line, request ids attached, secrets never written.

- `RCODEBOT_LOG_FORMAT=json` gives one JSON object per line (`time`, `level`, `logger`, `message`, and `team`,
  `channel`, `user`, `event_id` when the line was written while handling a Slack request; `exc` for a traceback).
  The ids come from a context variable that a Bolt middleware sets for each request (bot/slack/instrument.py),
  and the lazy-work pool copies into the thread that runs the slow half (`ContextExecutor`).
- Every line, in either format, passes through `redact`: Slack tokens (`xoxb-`, `xoxp-`, `xapp-`, `xoxe-`, `xwfp-`
  and the rest of the `xox?-` family) and the configured secrets are replaced by `[redacted]`. It is applied to
  the finished line, traceback included, so a token inside an exception's text or a library's debug output is
  caught as well as one in our own messages.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TextIO

REDACTED = "[redacted]"
TOKEN = re.compile(r"\b(?:xox[a-z]|xapp|xwfp)-[A-Za-z0-9-]+")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MIN_SECRET = 8
"""Shorter configured values are not redacted by value (they would blank ordinary words); tokens still are."""

REQUEST_IDS: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("rcodebot_request", default=None)


def ids_of(body: Mapping[str, Any]) -> dict[str, str]:
    """team, channel, user and event_id of a Slack payload, where it has them (events, commands, interactions)."""
    event = body.get("event") if isinstance(body.get("event"), Mapping) else {}
    event = event if isinstance(event, Mapping) else {}

    def nested(key: str, flat: str) -> object:
        value = body.get(key)
        if isinstance(value, Mapping):
            return value.get("id")
        return body.get(flat) or event.get(key)

    found = {
        "team": nested("team", "team_id"),
        "channel": nested("channel", "channel_id"),
        "user": nested("user", "user_id"),
        "event_id": body.get("event_id"),
    }
    return {k: str(v)[:64] for k, v in found.items() if isinstance(v, str) and v}


class Redactor:
    """Replaces Slack tokens and the given secret values in text."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= MIN_SECRET}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN.sub(REDACTED, text)


class TextFormatter(logging.Formatter):
    """The plain format, redacted."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__(TEXT_FORMAT)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line (newlines inside a message or traceback are escaped by JSON), redacted."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(REQUEST_IDS.get() or {})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        return self.redact(json.dumps(entry, ensure_ascii=True, default=str))


def formatter(kind: str, secrets: Iterable[str | None] = ()) -> logging.Formatter:
    """The formatter for RCODEBOT_LOG_FORMAT `kind` (`text` or `json`), redacting `secrets` and every token."""
    redact = Redactor(secrets)
    return JsonFormatter(redact) if kind == "json" else TextFormatter(redact)


def configure(kind: str, level: str, stream: TextIO, secrets: Iterable[str | None] = ()) -> logging.Formatter:
    """Send the root logger to `stream` in format `kind`; returns the formatter (gunicorn's loggers reuse it)."""
    chosen = formatter(kind, secrets)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(chosen)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level, logging.INFO))
    return chosen


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool that runs each task in a copy of the submitter's context (so request ids follow lazy work)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)
