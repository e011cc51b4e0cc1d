"""Slack Block Kit limits that `slack_sdk.models.blocks` does not check, enforced before anything is sent.

The models validate section text (3,000), field count (10), header (150), button text/value and block_id in
`to_dict()`. They do not check: blocks per message (50), a single field (2,000), context element text, or the
undocumented cumulative limit behind `msg_blocks_too_long` (about 12-13k characters). `fit()` makes any list of
blocks safe by truncating text with a visible note and dropping trailing blocks, never by failing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_sdk.models.blocks import Block

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_CONTEXT_TEXT = 3000
MAX_TOTAL_CHARS = 11_500
MAX_MESSAGE_TEXT = 3_900
TRUNCATED = "… (truncated)"
OMITTED = "_… more was left out to fit Slack's message size limit._"


def clip(text: str, limit: int, note: str = TRUNCATED) -> str:
    """Shorten text to at most `limit` characters, at a line break when one is near, ending with `note`."""
    if len(text) <= limit:
        return text
    room = max(0, limit - len(note) - 1)
    cut = text[:room]
    newline = cut.rfind("\n")
    if newline > room * 0.6:
        cut = cut[:newline]
    # Never leave half a link or mention behind ("<https://www.iana.org/…|IANA DNS Parame"): every "<" in rendered
    # mrkdwn opens Slack markup (user text has its "<" escaped), so a "<" without its ">" is cut off whole.
    lt = cut.rfind("<")
    if lt != -1 and ">" not in cut[lt:]:
        cut = cut[:lt].rstrip(" ·")
    # Never leave half an escape sequence such as "&am" or an open code fence behind.
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    if cut.count("```") % 2:
        cut += "\n```"
        if len(cut) + len(note) + 1 > limit:
            cut = cut[: limit - len(note) - 5].rstrip("`") + "\n```"
    return f"{cut}\n{note}" if "\n" in cut[-80:] or len(cut) > 60 else f"{cut}{note}"


def _clip_text_object(obj: object, limit: int) -> None:
    from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject  # on first use: the terminal never needs them

    if isinstance(obj, MarkdownTextObject | PlainTextObject) and obj.text is not None and len(obj.text) > limit:
        obj.text = clip(obj.text, limit)


def _clip_block(block: Block) -> None:
    from slack_sdk.models.blocks import (  # on first use: the terminal never needs them
        ContextBlock,
        HeaderBlock,
        SectionBlock,
    )

    if isinstance(block, SectionBlock):
        _clip_text_object(block.text, MAX_SECTION_TEXT)
        if block.fields:
            block.fields = block.fields[:MAX_FIELDS]
            for field in block.fields:
                _clip_text_object(field, MAX_FIELD_TEXT)
    elif isinstance(block, HeaderBlock):
        _clip_text_object(block.text, MAX_HEADER_TEXT)
    elif isinstance(block, ContextBlock):
        block.elements = block.elements[:10]
        for element in block.elements:
            _clip_text_object(element, MAX_CONTEXT_TEXT)


def payload_size(blocks: Sequence[Block]) -> int:
    """Characters of the blocks as Slack receives them (JSON), the measure behind msg_blocks_too_long."""
    return len(json.dumps([b.to_dict() for b in blocks], ensure_ascii=False))


def _text_cost(obj: object) -> int:
    from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject  # on first use: the terminal never needs them

    if isinstance(obj, MarkdownTextObject | PlainTextObject) and obj.text is not None:
        text = obj.text
        # JSON escapes newlines and quotes; 50 covers the object's own keys ({"type": "mrkdwn", "text": …}).
        return len(text) + text.count("\n") + text.count('"') + text.count("\\") + 50
    return 0


def estimated_size(block: Block) -> int:
    """An upper estimate of a block's JSON size, without the models' (slow) validating `to_dict()`.

    Every Slack send runs `to_dict()` anyway, so validation still happens before anything leaves; this keeps
    fitting cheap enough for the 3-second ack. tests/render checks the estimate never undercounts.
    """
    from slack_sdk.models.blocks import (  # on first use: the terminal never needs them
        ContextBlock,
        HeaderBlock,
        SectionBlock,
    )

    size = 60 + len(block.block_id or "")
    if isinstance(block, SectionBlock):
        size += _text_cost(block.text) + sum(_text_cost(f) for f in block.fields or ())
        if block.accessory is not None:
            size += len(json.dumps(block.accessory.to_dict(), ensure_ascii=False))
    elif isinstance(block, HeaderBlock):
        size += _text_cost(block.text)
    elif isinstance(block, ContextBlock):
        size += sum(_text_cost(e) if not hasattr(e, "image_url") else 200 for e in block.elements)
    else:
        size += len(json.dumps(block.to_dict(), ensure_ascii=False))
    return size


def fit(blocks: Sequence[Block]) -> list[Block]:
    """Return blocks that Slack accepts: each clipped to its limit, at most 50, under the total size.

    Fitting truncates with a visible note and drops trailing blocks rather than failing. The models validate
    the result when it is serialised (`to_dict()`, which every send does); `check()` is the strict test.
    """
    from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock  # on first use: the terminal never needs them

    out: list[Block] = []
    for block in blocks:
        _clip_block(block)
        out.append(block)
    if len(out) > MAX_BLOCKS:
        out = [*out[: MAX_BLOCKS - 1], SectionBlock(text=MarkdownTextObject(text=OMITTED))]
    sizes = [estimated_size(b) for b in out]
    while len(out) > 1 and sum(sizes) > MAX_TOTAL_CHARS:
        last = out[-1]
        if isinstance(last, SectionBlock) and last.text is not None and last.text.text == OMITTED:
            out.pop(-2)
            sizes.pop(-2)
        else:
            out[-1] = SectionBlock(text=MarkdownTextObject(text=OMITTED))
            sizes[-1] = estimated_size(out[-1])
    return out


def check(blocks: Sequence[Block]) -> None:
    """Raise ValueError when blocks break a limit; used by tests and by the fake Slack API."""
    from slack_sdk.models.blocks import SectionBlock  # on first use: the terminal never needs them

    if len(blocks) > MAX_BLOCKS:
        raise ValueError(f"{len(blocks)} blocks (max {MAX_BLOCKS})")
    for block in blocks:
        block.to_dict()
        if isinstance(block, SectionBlock) and block.fields:
            for field in block.fields:
                if len(field.text or "") > MAX_FIELD_TEXT:
                    raise ValueError(f"field of {len(field.text or '')} characters (max {MAX_FIELD_TEXT})")
    if payload_size(blocks) > MAX_TOTAL_CHARS + 500:
        raise ValueError(f"blocks total {payload_size(blocks)} characters (max about {MAX_TOTAL_CHARS})")
