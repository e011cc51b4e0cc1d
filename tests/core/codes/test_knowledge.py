"""The knowledge file: the validator (one fault at a time) and the real file held against the IANA registries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.codes import knowledge
from bot.core.errors import KnowledgeError
from tests.core.codes.knowledge_factory import dump, minimal_doc, variant

REAL = Path(__file__).resolve().parents[3] / "knowledge" / "rcodes.yaml"

# The IANA "DNS RCODEs" registry (dns-parameters-6), names in upper case.
IANA_RCODES = {
    0: ["NOERROR"],
    1: ["FORMERR"],
    2: ["SERVFAIL"],
    3: ["NXDOMAIN"],
    4: ["NOTIMP"],
    5: ["REFUSED"],
    6: ["YXDOMAIN"],
    7: ["YXRRSET"],
    8: ["NXRRSET"],
    9: ["NOTAUTH"],
    10: ["NOTZONE"],
    11: ["DSOTYPENI"],
    16: ["BADVERS", "BADSIG"],
    17: ["BADKEY"],
    18: ["BADTIME"],
    19: ["BADMODE"],
    20: ["BADNAME"],
    21: ["BADALG"],
    22: ["BADTRUNC"],
    23: ["BADCOOKIE"],
}
# The IANA "Extended DNS Error Codes" registry, purposes (RFC 8914 §4 and later registrations).
IANA_EDE = {
    0: "Other Error",
    1: "Unsupported DNSKEY Algorithm",
    2: "Unsupported DS Digest Type",
    3: "Stale Answer",
    4: "Forged Answer",
    5: "DNSSEC Indeterminate",
    6: "DNSSEC Bogus",
    7: "Signature Expired",
    8: "Signature Not Yet Valid",
    9: "DNSKEY Missing",
    10: "RRSIGs Missing",
    11: "No Zone Key Bit Set",
    12: "NSEC Missing",
    13: "Cached Error",
    14: "Not Ready",
    15: "Blocked",
    16: "Censored",
    17: "Filtered",
    18: "Prohibited",
    19: "Stale NXDomain Answer",
    20: "Not Authoritative",
    21: "Not Supported",
    22: "No Reachable Authority",
    23: "Network Error",
    24: "Invalid Data",
    25: "Signature Expired before Valid",
    26: "Too Early",
    27: "Unsupported NSEC3 Iterations Value",
    28: "Unable to conform to policy",
    29: "Synthesized",
    30: "Invalid Query Type",
    31: "Rate Limited",
    32: "Over Quota",
    33: "Negative Trust Anchor",
}


def load_text(text: str) -> knowledge.Knowledge:
    return knowledge.from_text(text, "k.yaml")


def one_line(err: pytest.ExceptionInfo[KnowledgeError]) -> str:
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("k.yaml: ")
    return message


# ------------------------------------------------------------------------------------------------ validator


def test_minimal_document_is_valid() -> None:
    kb = load_text(dump(minimal_doc()))
    assert kb.rcode(2).name == "SERVFAIL"
    assert kb.rcode(16).name == "BADVERS" and kb.rcode(16, tsig=True).name == "BADSIG"
    assert kb.rcode_named("notimpl") is kb.get("NOTIMP")
    assert kb.rcode_named("RESERVED11") is kb.get("DSOTYPENI")
    assert kb.rcode_named("reserved13") is not None and kb.rcode_named("reserved13").status == "unassigned"  # type: ignore[union-attr]


def test_bad_yaml_names_the_line() -> None:
    with pytest.raises(KnowledgeError) as err:
        load_text("rcodes:\n  - value: 1\n   name: x\n")
    assert re.search(r"line \d+: invalid YAML", one_line(err))


def test_missing_code_is_named() -> None:
    doc = variant()
    doc["rcodes"] = [r for r in doc["rcodes"] if r["name"] != "REFUSED"]
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "RCODE 5" in one_line(err) and "missing" in one_line(err)


def test_missing_badsig_is_named() -> None:
    doc = variant()
    doc["rcodes"] = [r for r in doc["rcodes"] if r["name"] != "BADSIG"]
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "BADVERS and BADSIG" in one_line(err)


def test_missing_ede_is_named() -> None:
    doc = variant()
    doc["edes"] = [e for e in doc["edes"] if e["value"] != 22]
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "EDE 22" in one_line(err)


@pytest.mark.parametrize("field", ["summary", "description", "when", "fix", "facets", "use_when", "references"])
def test_missing_field_names_entry_and_field(field: str) -> None:
    doc = variant()
    del doc["rcodes"][2][field]
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    message = one_line(err)
    assert "rcodes[2] (SERVFAIL)" in message and field in message


def test_missing_facet_is_named() -> None:
    doc = variant()
    del doc["edes"][9]["facets"]["cached"]
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "EDE 9" in one_line(err) and "'cached'" in one_line(err)


def test_duplicate_entry() -> None:
    doc = variant()
    doc["rcodes"].append(dict(doc["rcodes"][3]))
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "NXDOMAIN" in one_line(err) and "duplicate" in one_line(err)


def test_alias_shared_by_two_entries() -> None:
    doc = variant()
    doc["rcodes"][5]["aliases"] = ["NOTIMPL"]
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "NOTIMPL" in one_line(err)


def test_range_gap_and_overlap() -> None:
    doc = variant()
    doc["ranges"] = [r for r in doc["ranges"] if r["first"] != 3841]
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "3841-4095" in one_line(err)
    doc = variant()
    doc["ranges"][0]["last"] = 16
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "overlaps" in one_line(err)


def test_unknown_reference_and_related() -> None:
    doc = variant()
    doc["rcodes"][0]["references"] = ["RFC9999"]
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "RFC9999" in one_line(err)
    doc = variant()
    doc["rcodes"][0]["related"] = ["NOSUCHCODE"]
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "NOSUCHCODE" in one_line(err)


def test_pair_with_unknown_code() -> None:
    doc = variant()
    doc["pairs"][0]["codes"] = ["SERVFAIL", "EDE 99"]
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "EDE 99" in one_line(err)


def test_overlong_summary() -> None:
    doc = variant()
    doc["rcodes"][0]["summary"] = "x" * 151
    with pytest.raises(KnowledgeError) as err:
        load_text(dump(doc))
    assert "summary" in one_line(err) and "151" in one_line(err)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        knowledge.load(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(err.value) and "cannot be read" in str(err.value)


# ------------------------------------------------------------------------------------------------ the real file


@pytest.fixture(scope="module")
def kb() -> knowledge.Knowledge:
    return knowledge.load(REAL)


def test_real_file_has_every_iana_rcode(kb: knowledge.Knowledge) -> None:
    for value, names in IANA_RCODES.items():
        assert [e.name for e in kb.rcode_meanings(value)] == names
        for entry in kb.rcode_meanings(value):
            assert entry.status == "assigned"
            assert entry.references, entry.ident
            assert all(s.url.startswith("https://") for s in entry.references)
    assert kb.rcode(16).appears_in == ("edns",)
    assert "tsig" in kb.rcode(16, tsig=True).appears_in


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (12, "unassigned"),
        (15, "unassigned"),
        (24, "unassigned"),
        (3840, "unassigned"),
        (3841, "private_use"),
        (4095, "private_use"),
        (4096, "unassigned"),
        (65534, "unassigned"),
        (65535, "reserved"),
    ],
)
def test_real_file_rcode_ranges(kb: knowledge.Knowledge, value: int, status: str) -> None:
    entry = kb.rcode(value)
    assert entry.status == status and entry.ident == f"RCODE {value}" and entry.summary


def test_real_file_has_every_ede(kb: knowledge.Knowledge) -> None:
    for value, purpose in IANA_EDE.items():
        entry = kb.ede(value)
        assert entry.status == "assigned", value
        assert entry.name.lower() == purpose.lower(), value
        assert entry.when and entry.fix and entry.description
    assert kb.ede(49152).status == "private_use" and kb.ede(65535).status == "private_use"
    assert kb.ede(40000).status == "unassigned"


def test_real_file_tool_spellings(kb: knowledge.Knowledge) -> None:
    assert kb.rcode_named("NOTIMP") is kb.rcode(4)
    assert kb.rcode_named("NOTIMPL") is kb.rcode(4)
    assert kb.rcode_named("RESERVED11") is kb.rcode(11)
    assert kb.rcode_named("nxdomain") is kb.rcode(3)
    assert kb.rcode_named("BADSIG") is kb.rcode(16, tsig=True)
    assert kb.get("NODATA").kind == "pseudo"


def test_real_file_curated_pairs(kb: knowledge.Knowledge) -> None:
    for codes in [
        ("SERVFAIL", "REFUSED"),
        ("SERVFAIL", "NOTIMP"),
        ("NXDOMAIN", "NODATA"),
        ("NXDOMAIN", "SERVFAIL"),
        ("FORMERR", "NOTIMP"),
        ("FORMERR", "BADVERS"),
        ("REFUSED", "NOTAUTH"),
        ("BADSIG", "BADKEY", "BADTIME"),
    ]:
        pair = kb.pair(codes)
        assert pair is not None, codes
        assert pair.differences and pair.when_which


def test_real_file_fits_slack_fields(kb: knowledge.Knowledge) -> None:
    """Texts must fit the Slack fields they are shown in (2,000 characters a field) and contain no markup."""
    for entry in (*kb.rcodes, *kb.edes, *kb.pseudo):
        for text in (entry.description, *entry.when, *entry.fix):
            assert len(text) < 1800, (entry.ident, text[:60])
            assert "<" not in text and ">" not in text, (entry.ident, text[:60])
