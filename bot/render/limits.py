"""Slack Block Kit limits that `slack_sdk.models.blocks` does not check, enforced before anything is sent.

The models validate section text (3,000), field count (10), header (150), button text/value and block_id in
`to_dict()`. They do not check: blocks per message (50), a single field (2,000), context element text, or the
undocumented cumulative limit behind `msg_blocks_too_long` (about 12-13k characters). `fit()` makes any list of
blocks safe by truncating text with a visible note and dropping trailing blocks, never by failing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

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
    if isinstance(obj, MarkdownTextObject | PlainTextObject) and obj.text is not None and len(obj.text) > limit:
        obj.text = clip(obj.text, limit)


def _clip_block(block: Block) -> None:
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


def fit(blocks: Sequence[Block]) -> list[Block]:
    """Return blocks that Slack accepts: each clipped to its limit, at most 50, under the total size.

    Validation by the models (`to_dict()`) runs on every block, so a block that is still invalid raises here,
    in the renderer's tests, not at Slack.
    """
    out: list[Block] = []
    for block in blocks:
        _clip_block(block)
        block.to_dict()
        out.append(block)
    if len(out) > MAX_BLOCKS:
        out = [*out[: MAX_BLOCKS - 1], SectionBlock(text=MarkdownTextObject(text=OMITTED))]
    while len(out) > 1 and payload_size(out) > MAX_TOTAL_CHARS:
        last = out[-1]
        if isinstance(last, SectionBlock) and last.text is not None and last.text.text == OMITTED:
            out.pop(-2)
        else:
            out[-1] = SectionBlock(text=MarkdownTextObject(text=OMITTED))
    return out


def check(blocks: Sequence[Block]) -> None:
    """Raise ValueError when blocks break a limit; used by tests and by the fake Slack API."""
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
