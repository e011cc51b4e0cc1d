"""Errors reach the user as a short message and the log with context; nothing fails silently.

Bolt's lazy listeners swallow exceptions (they are only logged by Bolt's framework logger, without the request's
context), so every listener body runs inside `guarded(...)`: a `BotError` becomes the user's short answer, and
anything else is logged with who/where/what plus a reference id that the user also sees.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from bot.core.errors import BotError
from bot.render.reply import Reply
from bot.slack import messages

log = logging.getLogger("rcodebot.slack")

Deliver = Callable[[Reply], None]


def describe(body: Mapping[str, Any]) -> str:
    """A one-line summary of a Slack payload for the log: kind, team, user, channel, command or action."""
    event = body.get("event") if isinstance(body.get("event"), Mapping) else {}
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, Mapping) else body.get("user_id") or (event or {}).get("user")
    channel = body.get("channel")
    channel_id = (
        channel.get("id") if isinstance(channel, Mapping) else body.get("channel_id") or (event or {}).get("channel")
    )
    team = body.get("team")
    team_id = team.get("id") if isinstance(team, Mapping) else body.get("team_id")
    what = body.get("command") or (event or {}).get("type") or body.get("type") or "request"
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], Mapping):
        what = f"action {actions[0].get('action_id')}"
    parts = [f"{what}", f"team={team_id}", f"user={user_id}", f"channel={channel_id}"]
    if body.get("event_id"):
        parts.append(f"event_id={body['event_id']}")
    return " ".join(str(p) for p in parts)


def new_ref() -> str:
    """A short id that ties the user's "something went wrong" to one log line."""
    return secrets.token_hex(4)


@contextmanager
def guarded(what: str, body: Mapping[str, Any], deliver: Deliver, logger: logging.Logger | None = None) -> Iterator[None]:
    """Run a listener body: BotError -> `deliver(error_notice)`; any other exception -> log + `deliver(oops)`.

    A failure to deliver the error itself is logged, never raised (there is no one left to tell).
    """
    logger = logger or log
    try:
        yield
    except BotError as err:
        logger.info("%s: user error: %s [%s]", what, err, describe(body))
        _safe_deliver(deliver, messages.error_notice(err), what, body, logger)
    except Exception:
        ref = new_ref()
        logger.exception("%s failed (ref %s) [%s]", what, ref, describe(body))
        _safe_deliver(deliver, messages.oops(ref), what, body, logger)


def _safe_deliver(deliver: Deliver, reply: Reply, what: str, body: Mapping[str, Any], logger: logging.Logger) -> None:
    try:
        deliver(reply)
    except Exception:
        logger.exception("%s: could not tell the user about the failure [%s]", what, describe(body))
