"""Slack-only chrome around the services' replies: notices, the "Share in channel" button, progress states.

The services return finished `Reply` values (already escaped and fitted); this module only adds what exists in
Slack alone (buttons, "shared by", a refusal for going too fast) and turns a reply into the keyword arguments of
`ack`/`respond`/`chat.postMessage`. Every string that came from a user goes through `escape.mrkdwn`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.errors import BotError, UnknownCode
from bot.core.ratelimit import Verdict
from bot.render import limits
from bot.render.escape import mrkdwn
from bot.render.reply import Reply

#: action_id of the "Share in channel" button under an ephemeral /rcode answer; its value is the query text.
ACTION_SHARE = "share_in_channel"
SHARE_BLOCK_ID = "rcodebot_share"
MAX_BUTTON_VALUE = 2000
#: action_id of the "Show diagram" button on a /dnscheck result; its value is the check (`NAME TYPE [@R…] [trace] [report]`).
ACTION_SHOW_DIAGRAM = "show_diagram"
DIAGRAM_BLOCK_ID = "rcodebot_diagram"

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_PUBLIC = re.compile(r"(?:^|\s+)public\s*$", re.IGNORECASE)

HELP = (
    "Ask me about a DNS response code (`servfail vs refused`, `2 vs 4`, `ede 18`, `nodata`), paste `dig` output, "
    "or say `dnscheck example.com`."
)


def split_public(text: str) -> tuple[str, bool]:
    """`"2 vs 4 public"` -> `("2 vs 4", True)`: a trailing word `public` asks for an in-channel answer."""
    match = _PUBLIC.search(text)
    if match is None:
        return text.strip(), False
    return text[: match.start()].strip(), True


def split_diagram(text: str) -> tuple[str, bool]:
    """`"example.com MX diagram"` -> `("example.com MX", True)`: the word `diagram` after the name asks for the
    check's picture too (a lone `diagram` is a name)."""
    words = text.split()
    kept = words[:1] + [w for w in words[1:] if w.lower() != "diagram"]
    return (" ".join(kept), True) if len(kept) < len(words) else (text.strip(), False)


def with_diagram_button(reply: Reply, check: str) -> list[Block]:
    """A /dnscheck result's blocks with a "Show diagram" button under its headline, when it has a picture.

    `check` is the request as text (`bot.services.dnscheck.as_text`); the click parses it again, untrusted. The
    result is fitted again, so a reply already at Slack's limits loses its last block, not the button.
    """
    blocks = reply.blocks
    if reply.graph is None or not check.strip() or len(check) > MAX_BUTTON_VALUE:
        return blocks
    button = ActionsBlock(
        block_id=DIAGRAM_BLOCK_ID,
        elements=[ButtonElement(text="Show diagram", action_id=ACTION_SHOW_DIAGRAM, value=check)],
    )
    return limits.fit([*blocks[:2], button, *blocks[2:]])


def notice(text: str) -> Reply:
    """A one-paragraph message; `text` is plain (it may hold user data) and is escaped here."""
    escaped = mrkdwn(text)
    return Reply(
        text=text, fallback=escaped, blocks=[SectionBlock(text=MarkdownTextObject(text=escaped, verbatim=True))], ok=False
    )


def error_notice(err: BotError) -> Reply:
    """The short, readable answer to something the user got wrong, with suggestions when there are some."""
    message = str(err)
    if isinstance(err, UnknownCode) and err.suggestions:
        missing = [s for s in err.suggestions if s not in message]
        if missing:
            message = f"{message} Did you mean {', '.join(missing[:5])}?"
    return notice(message)


def oops(ref: str) -> Reply:
    """What the user sees when the bot itself failed: short, with a reference the operators can grep for."""
    return notice(f"Sorry, something went wrong on my side (ref {ref}). The bot's operators can find it in the log.")


def rate_limited(verdict: Verdict) -> Reply:
    """The refusal for a live check over the per-user or per-channel limit."""
    return notice(f"Too many live checks right now: try again in {verdict.wait_seconds} s.")


def mention_of(user_id: str | None) -> str:
    """`<@U123>` for a well-formed Slack user id (from Slack's own payload), else nothing."""
    return f"<@{user_id}>" if user_id and _USER_ID.match(user_id) else "someone"


def _share_actions(value: str) -> dict[str, Any]:
    block = ActionsBlock(
        block_id=SHARE_BLOCK_ID,
        elements=[ButtonElement(text="Share in channel", action_id=ACTION_SHARE, value=value[:MAX_BUTTON_VALUE])],
    )
    return dict(block.to_dict())


def _fits(blocks: Sequence[Mapping[str, Any]]) -> bool:
    return len(blocks) <= limits.MAX_BLOCKS and len(json.dumps(blocks, ensure_ascii=False)) <= limits.MAX_TOTAL_CHARS + 500


def with_share_button(reply: Reply, query: str) -> list[dict[str, Any]]:
    """The reply's blocks (as JSON-ready dicts) plus a "Share in channel" button, unless that would not fit.

    Works on dicts: the reply's blocks were validated and fitted when the Reply was made, so they are serialised
    once here and not validated again on every send.
    """
    blocks = reply.block_dicts()
    if not query.strip() or len(query) > MAX_BUTTON_VALUE:
        return blocks
    candidate = [*blocks, _share_actions(query)]
    return candidate if _fits(candidate) else blocks


def shared_note(user_id: str | None) -> dict[str, Any]:
    """The context line under an in-channel answer saying who shared it."""
    note = ContextBlock(elements=[MarkdownTextObject(text=f"Shared by {mention_of(user_id)} with /rcode")])
    return dict(note.to_dict())


def shared_blocks(reply: Reply | Sequence[Mapping[str, Any]], user_id: str | None) -> list[dict[str, Any]]:
    """The reply's blocks with a note saying who shared it (an in-channel answer should say who asked)."""
    blocks = reply.block_dicts() if isinstance(reply, Reply) else [dict(b) for b in reply]
    note = shared_note(user_id)
    candidate = [*blocks, note]
    while not _fits(candidate) and len(candidate) > 1:
        candidate = [*candidate[:-2], note]  # a fitted reply is never more than a block over: drop from the end
    return candidate


def with_note(reply: Reply, note: str) -> Reply:
    """`reply` with a context line above it (`note` is plain text, escaped here); the note survives any clipping."""
    line = ContextBlock(elements=[MarkdownTextObject(text=mrkdwn(note), verbatim=True)])
    return Reply(
        text=f"{note}\n{reply.text}", fallback=reply.fallback, blocks=[line, *reply.blocks], data=reply.data, ok=reply.ok
    )


def without_action(blocks: Iterable[Mapping[str, Any]], action_id: str) -> list[Block]:
    """Blocks of a message as Slack sent them back, minus any actions block holding `action_id`.

    Used to update a reply in place after its button was clicked: the explanation stays, the button goes.
    Blocks the SDK cannot parse are dropped rather than sent back broken.
    """
    kept: list[Block] = []
    for raw in blocks:
        if raw.get("type") == "actions" and any(e.get("action_id") == action_id for e in raw.get("elements", [])):
            continue
        block = Block.parse(dict(raw))
        if block is not None:
            kept.append(block)
    return kept


def combine(head: Sequence[Block], tail: Reply) -> list[Block]:
    """`head` followed by `tail`'s blocks, fitted as one message (the tail is what gets clipped)."""
    return limits.fit([*head, *tail.blocks])


def message_args(reply: Reply, blocks: Sequence[Block | Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """`text` + `blocks` keyword arguments for ack/respond/say/chat.postMessage (blocks as JSON-ready dicts)."""
    chosen = reply.block_dicts() if blocks is None else [b.to_dict() if isinstance(b, Block) else dict(b) for b in blocks]
    args: dict[str, Any] = {"text": reply.fallback or " "}
    if chosen:
        args["blocks"] = chosen
    return args
