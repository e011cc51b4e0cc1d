"""Comparisons say more than two descriptions side by side."""

from __future__ import annotations

import pytest

from bot.core.codes import knowledge
from bot.core.codes.compare import compare


@pytest.fixture(scope="module")
def kb() -> knowledge.Knowledge:
    return knowledge.load_default()


def test_curated_pair_comes_first(kb: knowledge.Knowledge) -> None:
    entries = (kb.get("SERVFAIL"), kb.get("NOTIMP"))
    comparison = compare("2 vs 4", entries, kb)
    pair = kb.pair(["SERVFAIL", "NOTIMP"])
    assert pair is not None
    assert comparison.differences[: len(pair.differences)] == pair.differences
    assert comparison.when_which[: len(pair.when_which)] == pair.when_which
    assert comparison.title == "SERVFAIL (RCODE 2) vs NOTIMP (RCODE 4)"


def test_facets_that_differ_become_differences(kb: knowledge.Knowledge) -> None:
    entries = (kb.get("NXDOMAIN"), kb.get("EDE 22"))
    comparison = compare("x", entries, kb)
    for row in comparison.facet_rows:
        texts = {text for _, text in row.values}
        assert len(texts) > 1
    labels = [row.label for row in comparison.facet_rows]
    assert all(any(d.startswith(label) for d in comparison.differences) for label in labels)


def test_identical_facets_are_not_differences(kb: knowledge.Knowledge) -> None:
    entry = kb.get("SERVFAIL")
    comparison = compare("x", (entry, entry), kb)
    assert comparison.facet_rows == ()


def test_three_way_collects_every_curated_pair(kb: knowledge.Knowledge) -> None:
    entries = (kb.get("BADSIG"), kb.get("BADKEY"), kb.get("BADTIME"))
    comparison = compare("x", entries, kb)
    assert kb.pair(["BADSIG", "BADKEY", "BADTIME"]) in comparison.pairs


def test_sixteen_has_two_meanings(kb: knowledge.Knowledge) -> None:
    comparison = compare("16", kb.rcode_meanings(16), kb)
    assert any("two meanings" in note and "BADVERS" in note and "BADSIG" in note for note in comparison.notes)


def test_ranges_are_explained(kb: knowledge.Knowledge) -> None:
    comparison = compare("3900", (kb.rcode(3900),), kb)
    assert comparison.is_single
    assert any("extended RCODE" in note for note in comparison.notes)
    both = compare("13 vs 3900", (kb.rcode(13), kb.rcode(3900)), kb)
    assert any("3841–4095" in note for note in both.notes) and any("12–15" in note for note in both.notes)
    assert comparison.differences == ()


def test_references_are_deduplicated(kb: knowledge.Knowledge) -> None:
    comparison = compare("x", (kb.get("SERVFAIL"), kb.get("REFUSED")), kb)
    keys = [s.key for s in comparison.references]
    assert len(keys) == len(set(keys)) and keys
