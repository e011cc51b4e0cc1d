"""Fitting blocks to Slack's limits: clipped with a note, never rejected."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, PlainTextObject, SectionBlock

from bot.core.codes import knowledge
from bot.render import limits
from bot.services import rcode
from tests.conftest import examples


def test_clip_keeps_short_text() -> None:
    assert limits.clip("abc", 10) == "abc"


@settings(max_examples=examples(200), deadline=None)
@given(st.text(min_size=0, max_size=6000), st.integers(min_value=40, max_value=3000))
def test_clip_never_exceeds_the_limit(text: str, limit: int) -> None:
    clipped = limits.clip(text, limit)
    assert len(clipped) <= limit
    if len(text) > limit:
        assert clipped.endswith(limits.TRUNCATED)
        assert clipped.count("```") % 2 == 0


def test_clip_never_leaves_half_an_entity() -> None:
    text = "a" * 90 + "&amp;" * 50
    clipped = limits.clip(text, 100)
    body = clipped[: -len(limits.TRUNCATED)].rstrip("\n")
    assert body.count("&") == body.count(";")


_LINK = st.builds(
    lambda url, label: f"<https://{url}|{label}>",
    st.text(alphabet="abcdefghij./#-", min_size=1, max_size=60),
    st.text(alphabet="ABC DEF: ()", min_size=1, max_size=40),
)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.one_of(_LINK, st.text(alphabet="xyz &;.", max_size=30)), max_size=40), st.integers(40, 600))
def test_clip_cuts_whole_links_never_inside_one(parts: list[str], limit: int) -> None:
    # "Learn more: <url|IANA DNS Parameters: Extended …" was cut mid-link (/rcode servfail vs nta).
    text = "Learn more: " + " · ".join(parts)
    clipped = limits.clip(text, limit)
    assert clipped.count("<") == clipped.count(">")
    assert all(link in text for link in re.findall(r"<[^<>]*>", clipped))


def test_rcode_links_are_whole_in_every_comparison() -> None:
    from bot.core.codes.knowledge import load_default
    from bot.services import rcode

    kb = load_default()
    reply = rcode.answer("servfail vs nta", kb)
    for block in reply.block_dicts():
        for text in re.findall(r'"text": "([^"]*)"', json.dumps(block)):
            assert text.count("<") == text.count(">"), text[-120:]


def test_oversized_blocks_are_fitted() -> None:
    blocks = [HeaderBlock(text=PlainTextObject(text="h" * 300))]
    blocks += [SectionBlock(text=MarkdownTextObject(text="x" * 5000), fields=[MarkdownTextObject(text="f" * 2500)] * 12)]
    blocks += [ContextBlock(elements=[MarkdownTextObject(text="c" * 4000)] * 12)]
    blocks += [SectionBlock(text=MarkdownTextObject(text=f"block {i}")) for i in range(80)]
    fitted = limits.fit(blocks)
    limits.check(fitted)
    assert len(fitted) <= limits.MAX_BLOCKS
    assert json.dumps(fitted[-1].to_dict()).count("left out") == 1


def test_estimate_never_undercounts() -> None:
    kb = knowledge.load_default()
    for query in ("2 vs 4", "servfail", "16", "list ede", "badsig vs badkey vs badtime", "ede 1 ede 2 ede 3 ede 4 ede 5"):
        reply = rcode.answer(query, kb)
        for block in reply.blocks:
            actual = len(json.dumps(block.to_dict(), ensure_ascii=False))
            assert limits.estimated_size(block) >= actual, (query, block.type)
