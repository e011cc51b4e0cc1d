"""Posting a check's diagram into Slack: the graph drawn as a PNG by Graphviz, uploaded with `files_upload_v2`.

`files_upload_v2` is Slack's current upload: `files.getUploadURLExternal` (a one-time URL for this file), the bytes
posted to that URL, then `files.completeUploadExternal`, which shares the file into the channel (and the thread,
with `thread_ts`) with a comment. The Web API client retries a 429 `ratelimited` answer after its Retry-After
(`bot.slack.responder.retry_handlers`), and a PNG larger than `MAX_UPLOAD_BYTES` is never sent: the drawing is
bounded at 2,000 px, so that only happens to a picture nobody could read in a thread anyway.

What Slack refuses (the bot is not in the channel, the file is too large) comes back as one readable sentence for
the person who asked; nothing here raises for it.

Graphviz's PNG takes 100-200 ms, longer than a whole check over a fast network, so the picture is drawn ahead:
right after a result with a "Show diagram" button is posted (`prepare`, in the same lazy thread, so the person
already reads the result), it is drawn and kept for a few minutes in this process (`RENDERED`). A click then only
uploads; a click that arrives while the drawing is under way waits for that one instead of drawing again, and a
click on another instance (or after `KEEP_SECONDS`) draws it itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import WebClient

from bot.core.check.graph import Graph
from bot.render import diagram
from bot.render.diagram import GraphvizMissing
from bot.render.escape import mrkdwn

log = logging.getLogger("rcodebot.slack")

#: Far below Slack's own limit (1 GB): a bounded 2,000 px PNG of a large zone is a few hundred KB.
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
MAX_ALT_TEXT = 1000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
NOT_IN_CHANNEL = (
    "I can't post the diagram in this conversation: I'm not a member. Invite me (`/invite @rcodebot`) and click "
    "again, or draw it in a terminal: `rcodebot dnscheck {check} --diagram check.png`."
)
REFUSED = "Slack did not take the diagram ({error}). Try again in a minute."
MISSING_SCOPE = (
    "I can't upload files in this workspace: the app needs the files:write scope. Ask a workspace admin to "
    "reinstall it from the current manifest."
)
TOO_LARGE = "The diagram is too large to upload ({size} KB, at most {limit} KB)."


def filename(graph: Graph) -> str:
    """`dnscheck-www.example.com-A.png`: only letters, digits, dots and dashes (the name comes from DNS)."""
    stem = _UNSAFE.sub("_", f"{graph.name.rstrip('.') or 'root'}-{graph.rdtype}")[:100]
    return f"dnscheck-{stem}.png"


def title(graph: Graph) -> str:
    """The file's title: the check and its verdict (plain text; Slack shows titles as they are)."""
    return f"{graph.name} {graph.rdtype}: {graph.verdict}"[:200]


def alt_text(graph: Graph) -> str:
    """What a screen reader says for the image: the check, the verdict, the top cause, the zones on the path."""
    text = f"DNS check diagram of {graph.name} {graph.rdtype}: {graph.verdict}"
    if graph.cause:
        text += f"; top cause: {graph.cause}"
    text += f"; zones: {', '.join(graph.zones)}"
    return text[:MAX_ALT_TEXT]


def comment(graph: Graph, asked_by: str) -> str:
    """The message the file is posted with (mrkdwn; every DNS string escaped). `asked_by` is already markup."""
    line = f"Diagram of *{mrkdwn(graph.name)}* {mrkdwn(graph.rdtype)}: {mrkdwn(graph.verdict)}"
    if graph.cause:
        line += f" — {mrkdwn(graph.cause)}"
    return f"{line} (asked by {asked_by})"


Drawn = tuple[bytes | None, str | None]
#: Pictures drawn ahead, kept this long and at most this many (a few hundred KB each).
KEEP_SECONDS = 600.0
KEEP_COUNT = 32


class Rendered:
    """PNGs drawn ahead, by graph: a bounded, expiring map of futures (a drawing under way is shared)."""

    def __init__(self, keep_seconds: float = KEEP_SECONDS, keep_count: int = KEEP_COUNT) -> None:
        self.keep_seconds = keep_seconds
        self.keep_count = keep_count
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, Future[Drawn]]] = OrderedDict()

    def get(self, graph: Graph) -> Drawn:
        """The graph's PNG: the one drawn ahead (waiting for it if it is being drawn), else drawn now."""
        key = _key(graph)
        with self._lock:
            now = time.monotonic()
            for old in [k for k, (at, _) in self._entries.items() if now - at > self.keep_seconds]:
                del self._entries[old]
            entry = self._entries.get(key)
            mine: Future[Drawn] | None = None
            if entry is None:
                mine = Future()
                self._entries[key] = (now, mine)
                while len(self._entries) > self.keep_count:
                    self._entries.popitem(last=False)
        if mine is None:
            assert entry is not None
            return entry[1].result(timeout=60)
        try:
            drawn = _draw(graph)
        except BaseException as err:
            mine.set_exception(err)
            with self._lock:
                self._entries.pop(key, None)
            raise
        mine.set_result(drawn)
        return drawn

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


RENDERED = Rendered()


def _key(graph: Graph) -> str:
    return hashlib.sha256(json.dumps(graph.to_json(), sort_keys=True).encode()).hexdigest()


def _draw(graph: Graph) -> Drawn:
    try:
        data = diagram.render(graph, "png")
    except GraphvizMissing as err:
        return None, str(err)
    return data, None


def png(graph: Graph) -> Drawn:
    """The PNG, or None and the sentence saying why not (Graphviz missing, over the size bound)."""
    data, problem = RENDERED.get(graph)
    if data is not None and len(data) > MAX_UPLOAD_BYTES:
        return None, TOO_LARGE.format(size=len(data) // 1024, limit=MAX_UPLOAD_BYTES // 1024)
    return data, problem


def prepare(graph: Graph | None) -> None:
    """Draw `graph` ahead of a click (after its result was posted); a failure here is only logged."""
    if graph is None:
        return
    try:
        RENDERED.get(graph)
    except Exception:
        log.exception("diagram: drawing %s %s ahead failed", graph.name, graph.rdtype)


def post(client: WebClient, graph: Graph, channel: str, thread_ts: str | None, asked_by: str, check: str) -> str | None:
    """Draw and upload the diagram into `channel` (in `thread_ts`'s thread when given); None when it is there,
    else the sentence to tell the person who asked."""
    started = time.monotonic()
    data, problem = png(graph)
    if data is None:
        return problem
    try:
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=data,
            filename=filename(graph),
            title=title(graph),
            alt_txt=alt_text(graph),
            initial_comment=comment(graph, asked_by),
        )
    except SlackApiError as err:
        error = str(err.response.get("error") or "unknown_error")
        log.info("diagram: Slack refused the upload into %s: %s", channel, error)
        if error in NOT_A_MEMBER:
            return NOT_IN_CHANNEL.format(check=check)
        if error == "missing_scope":
            return MISSING_SCOPE
        return REFUSED.format(error=error)
    except (SlackClientError, OSError) as err:  # the upload URL refused the bytes, or the connection failed
        log.warning("diagram: the upload into %s failed: %s", channel, str(err)[:200])
        return REFUSED.format(error="the upload failed")
    log.info("diagram: %s uploaded into %s (%d bytes, %.0f ms)", filename(graph), channel, len(data), _ms(started))
    return None


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000
