"""How `rcodebot serve` logs: plain lines by default, one JSON object a line with `RCODEBOT_LOG_FORMAT=json`, and
never a token or secret either way.

The JSON form carries the team, channel, user and event ids of the request a line belongs to: a Bolt middleware
(`bot.slack.app.DedupeEvents`) sets them in a context variable for each request, and the lazy listeners' executor
(`ContextExecutor`) runs each listener in a copy of the context it was submitted from, so a line logged while a
probe runs still names its request.

Every record passes through `Redact` first: anything shaped like a Slack token (`xoxb-…`, `xoxp-…`, `xapp-…`,
`xoxe-…`, and `xwfp-…`, the token a workflow step's function_executed event carries) and every configured secret
is replaced with `[redacted]`, whatever logged it (our code, Bolt, slack_sdk, gunicorn's error log through the root logger).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TextIO

REQUEST: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("rcodebot_request", default=None)
TOKEN = re.compile(r"x(?:ox[a-z]|app|wfp|oxe\.xox[a-z])-[A-Za-z0-9-]{4,}")
"""No word boundary in front: a token glued to what precedes it (`token%3Dxoxb-…` in an encoded URL) is still one."""
REDACTED = "[redacted]"


class Redact(logging.Filter):
    """Masks Slack tokens and the configured secrets in a record's message and traceback."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return TOKEN.sub(REDACTED, text) if "x" in text else text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request's ids when known, the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = REQUEST.get()
        if request:
            line.update({k: v for k, v in request.items() if v})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def request_ids(body: Mapping[str, Any]) -> dict[str, str]:
    """The ids of a Slack payload, as the JSON log lines name them."""
    raw_event = body.get("event")
    event: Mapping[str, Any] = raw_event if isinstance(raw_event, Mapping) else {}
    team, channel, user = body.get("team"), body.get("channel"), body.get("user")
    ids = {
        "team": team.get("id") if isinstance(team, Mapping) else body.get("team_id"),
        "channel": channel.get("id") if isinstance(channel, Mapping) else body.get("channel_id") or event.get("channel"),
        "user": user.get("id") if isinstance(user, Mapping) else body.get("user_id") or event.get("user"),
        "event_id": body.get("event_id"),
    }
    return {k: str(v)[:40] for k, v in ids.items() if isinstance(v, str) and v}


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's context (so they keep the request's log ids)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)


def configure(*, level: str, form: str, stream: TextIO, secrets: Iterable[str | None]) -> None:
    """Set up the root logger for `serve` (plain or JSON lines on `stream`, every record redacted)."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(Redact(secrets))
    if form == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level, logging.INFO))
