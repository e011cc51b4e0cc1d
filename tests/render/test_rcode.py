"""/rcode renderings: golden files, Slack's limits for every code, and escaping of everything shown."""

from __future__ import annotations

import itertools
import json

import pytest

from bot.core.codes import knowledge
from bot.core.codes.compare import compare
from bot.render import limits
from bot.render import rcode as render
from bot.services import rcode as service
from tests.conftest import Golden
from tests.core.codes.knowledge_factory import dump, variant


@pytest.fixture(scope="module")
def kb() -> knowledge.Knowledge:
    return knowledge.load_default()


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("2 vs 4", "rcode_2_vs_4"),
        ("servfail", "servfail"),
        ("nxdomain vs nodata", "nxdomain_vs_nodata"),
        ("badsig vs badkey vs badtime", "badsig_badkey_badtime"),
        ("16", "rcode_16"),
        ("3900", "rcode_3900"),
        ("ede 9", "ede_9"),
    ],
)
def test_golden(query: str, name: str, kb: knowledge.Knowledge, golden: Golden) -> None:
    reply = service.answer(query, kb)
    golden.check(f"text/{name}.txt", reply.text)
    golden.check(f"blocks/{name}.json", reply.block_dicts())


def _all_entries(kb: knowledge.Knowledge) -> list[knowledge.Entry]:
    return [*kb.rcodes, *kb.edes, *kb.pseudo, kb.rcode(13), kb.rcode(3900), kb.rcode(65535), kb.ede(50000)]


def test_every_code_fits_slack(kb: knowledge.Knowledge) -> None:
    for entry in _all_entries(kb):
        comparison = compare(entry.ident, (entry,), kb)
        blocks = limits.fit(render.comparison_blocks(comparison))
        limits.check(blocks)
        # Fitting must not have cut anything off: the single-code layout fits as written.
        assert not any(limits.OMITTED in json.dumps(b.to_dict()) for b in blocks), entry.ident


def test_every_pair_of_common_codes_fits_without_losing_the_end(kb: knowledge.Knowledge) -> None:
    common = [
        kb.get(i)
        for i in (
            "NOERROR",
            "FORMERR",
            "SERVFAIL",
            "NXDOMAIN",
            "NOTIMP",
            "REFUSED",
            "NOTAUTH",
            "BADVERS",
            "BADSIG",
            "BADCOOKIE",
            "NODATA",
            "EDE 6",
            "EDE 9",
            "EDE 18",
            "EDE 22",
        )
    ]
    for a, b in itertools.combinations(common, 2):
        blocks = limits.fit(render.comparison_blocks(compare("x", (a, b), kb)))
        limits.check(blocks)
        last = json.dumps(blocks[-1].to_dict())
        assert "Learn more" in last, (a.ident, b.ident)


def test_five_way_fits(kb: knowledge.Knowledge) -> None:
    reply = service.answer("servfail refused notimp formerr nxdomain", kb)
    limits.check(reply.blocks)
    assert len(reply.blocks) <= limits.MAX_BLOCKS


def test_list_fits(kb: knowledge.Knowledge) -> None:
    for text in ("list", "list ede"):
        reply = service.answer(text, kb)
        limits.check(reply.blocks)
        assert "SERVFAIL" in reply.text or "DNSKEY Missing" in reply.text


def test_knowledge_text_is_escaped() -> None:
    doc = variant()
    doc["rcodes"][2]["description"] = "Hostile <!channel> & <@U123> <https://evil.example|click>"
    doc["rcodes"][2]["when"] = ["<!here> now"]
    kb = knowledge.from_text(dump(doc))
    reply = service.answer("servfail vs refused", kb)
    wire = json.dumps(reply.block_dicts())
    assert "<!channel>" not in wire and "<!here>" not in wire and "<@U123>" not in wire and "<https://evil" not in wire
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in wire
    assert "<!" not in reply.fallback


def test_help_reply(kb: knowledge.Knowledge) -> None:
    reply = service.answer("help", kb)
    assert "2 vs 4" in reply.text
    limits.check(reply.blocks)
