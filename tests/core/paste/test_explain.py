"""Explaining read pastes with the real knowledge file: verdicts, EDE notes, flag advice, next steps, JSON."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.codes.knowledge import Knowledge, load_default
from bot.core.paste import digtext
from bot.core.paste.explain import Explanation, OutputExplanation, explain
from tests.conftest import CORPUS, examples

KB = load_default()


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return KB


def _explain(text: str, kb: Knowledge) -> Explanation:
    return explain(digtext.from_text(text), kb)


def _one(text: str, kb: Knowledge) -> OutputExplanation:
    explanation = _explain(text, kb)
    assert len(explanation.outputs) == 1
    return explanation.outputs[0]


def _wild(name: str) -> str:
    return (CORPUS / "wild" / name).read_text(encoding="utf-8")


def _titles(item: OutputExplanation) -> list[str]:
    return [f.title for f in item.findings]


def _dig(status: str, flags: str, *, answer: int = 0, authority: str = "", extra: str = "", qtype: str = "A") -> str:
    auth_count = len(authority.splitlines())
    return (
        f";; ->>HEADER<<- opcode: QUERY, status: {status}, id: 1\n"
        f";; flags: {flags}; QUERY: 1, ANSWER: {answer}, AUTHORITY: {auth_count}, ADDITIONAL: 1\n\n"
        ";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n"
        f"{extra};; QUESTION SECTION:\n;www.example.com.\t\tIN\t{qtype}\n\n"
        + (f";; AUTHORITY SECTION:\n{authority}\n\n" if authority else "")
        + ";; Query time: 3 msec\n;; SERVER: 10.0.0.53#53(10.0.0.53) (UDP)\n;; MSG SIZE  rcvd: 80\n"
    )


SOA = "example.com.\t\t300\tIN\tSOA\tns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300"
NS = "example.com.\t\t172800\tIN\tNS\tns1.example.com."


def test_servfail_with_three_edes(kb: Knowledge) -> None:
    item = _one(_wild("hickory-dns__hickory-dns__client-rs_dig-9.18.28-servfail-multi-ede.txt"), kb)
    assert (item.verdict, item.rcode, item.status_entry and item.status_entry.ident) == ("failure", 2, "SERVFAIL")
    assert [n.label for n in item.ede] == [
        "EDE 9 (DNSKEY Missing)",
        "EDE 18 (Prohibited)",
        "EDE 22 (No Reachable Authority)",
    ]
    assert item.headline == kb.get("SERVFAIL").summary
    assert any("+cd" in step for step in item.next_steps)
    # The knowledge file's fix is specific to the EDE, and names the query where it says NAME.
    assert item.next_steps[0] == kb.ede(9).fix[0].replace("NAME", "allow-query-none.extended-dns-errors.com")


def test_nodata_is_told_apart_from_nxdomain(kb: Knowledge) -> None:
    nodata = _one(_dig("NOERROR", "qr rd ra", authority=SOA, qtype="AAAA"), kb)
    assert nodata.verdict == "nodata" and nodata.nodata
    assert "NODATA: the name exists, the type does not" in _titles(nodata)
    assert nodata.status_label.startswith("NODATA")
    nxdomain = _one(_dig("NXDOMAIN", "qr rd ra", authority=SOA), kb)
    assert nxdomain.verdict == "nxdomain" and not nxdomain.nodata
    assert nxdomain.headline == kb.get("NXDOMAIN").summary


def test_referral_from_a_tld_server(kb: Knowledge) -> None:
    item = _one((CORPUS / "jc" / "generic__dig-additional.out").read_text(encoding="utf-8"), kb)
    assert item.verdict == "referral"
    assert "Referral: this server delegates the name elsewhere" in _titles(item)
    assert "No `ra`: this server does not recurse for you" in _titles(item)


def test_lame_server_refuses_a_direct_question(kb: Knowledge) -> None:
    item = _one(_dig("REFUSED", "qr", extra="; EDE: 20 (Not Authoritative)\n"), kb)
    assert "No `aa` from a server asked directly: lame" in _titles(item)
    assert [n.purpose for n in item.ede] == [kb.ede(20).name]


def test_a_resolver_asked_without_recursion_is_not_lame(kb: Knowledge) -> None:
    # Unbound asked with +norec for a name it has not cached: REFUSED, EDE 20, and `ra` because it is a resolver.
    item = _one(_dig("REFUSED", "qr ra", extra="; EDE: 20 (Not Authoritative)\n"), kb)
    assert "A resolver asked without recursion" in _titles(item)
    assert not any("lame" in title for title in _titles(item))
    nxdomain = _one(_dig("NXDOMAIN", "qr ra", authority=SOA), kb)
    assert "A resolver asked without recursion" in _titles(nxdomain)
    # Without `ra` the same answer still reads as a lame delegation.
    assert "A resolver asked without recursion" not in _titles(_one(_dig("NXDOMAIN", "qr", authority=SOA), kb))


def test_rrsigs_in_an_any_answer_are_not_a_dnssec_question(kb: Knowledge) -> None:
    rrsig = "www.example.com.\t300\tIN\tRRSIG\tA 13 3 300 20261201000000 20261101000000 1 example.com. AAAA"
    answer = f"www.example.com.\t300\tIN\tA\t192.0.2.1\n{rrsig}"
    any_query = (
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n;; flags: qr rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 0, "
        f"ADDITIONAL: 0\n\n;; QUESTION SECTION:\n;www.example.com.\t\tIN\tANY\n\n;; ANSWER SECTION:\n{answer}\n"
    )
    assert "No `ad` with +dnssec: not validated" not in _titles(_one(any_query, kb))
    # The same records asked for A with no OPT section printed: the RRSIG says +dnssec was given.
    a_query = any_query.replace("IN\tANY", "IN\tA")
    assert "No `ad` with +dnssec: not validated" in _titles(_one(a_query, kb))
    # An OPT section without `do` settles it: DNSSEC was not asked for, whatever came back.
    with_opt = _dig("NOERROR", "qr rd ra", answer=2, extra="").replace(
        ";; Query time", f";; ANSWER SECTION:\n{answer}\n\n;; Query time"
    )
    assert "No `ad` with +dnssec: not validated" not in _titles(_one(with_opt, kb))


def test_truncated_answer_says_tcp(kb: Knowledge) -> None:
    item = _one(_dig("NOERROR", "qr tc rd ra", answer=0, authority=SOA), kb)
    tc = next(f for f in item.findings if f.title.startswith("Truncated"))
    assert "+tcp" in tc.fix[0]


def test_ad_and_missing_ad_with_dnssec(kb: Knowledge) -> None:
    signed = _one(_wild("hickory-dns__hickory-dns__client-rs_dig-9.18.28-edns-mbz.txt"), kb)
    assert "Validated (ad)" in _titles(signed)
    assert "Reserved bits set" in _titles(signed)
    text = (CORPUS / "jc" / "generic__dig-edns2.out").read_text(encoding="utf-8")
    second = _explain(text, kb).outputs[1]  # google.com asked with +dnssec: no ad
    assert "No `ad` with +dnssec: not validated" in _titles(second)


def test_cd_flag(kb: Knowledge) -> None:
    item = _one(_wild("isc-projects__bind9__dnssec-guide-validation_dig-9.16.0-cd-noerror.txt"), kb)
    assert "Checking disabled (cd)" in _titles(item)


@pytest.mark.parametrize(
    ("status", "ident", "rcode"), [("NOTIMPL", "NOTIMP", 4), ("RESERVED11", "DSOTYPENI", 11), ("BADVERS", "BADVERS", 16)]
)
def test_every_spelling_maps_through_the_knowledge_file(kb: Knowledge, status: str, ident: str, rcode: int) -> None:
    item = _one(_dig(status, "qr rd ra"), kb)
    assert item.status_entry is not None and item.status_entry.ident == ident
    assert item.rcode == rcode
    if status != ident:
        assert f"printed as {status}" in item.status_label


def test_timeout_has_no_status_and_says_reachability(kb: Knowledge) -> None:
    explanation = _explain(_wild("dns-violations__dns-violations__dve-2020-0004_dig-9.11.5-timeout-cmd.txt"), kb)
    item = explanation.outputs[0]
    assert item.verdict == "no_answer" and item.status_entry is None
    assert item.findings[0].title == "No server answered: the query timed out"
    data = explanation.to_json()["outputs"][0]
    assert data["status"] is None and data["timeout"] is True and data["rcode"] is None


def test_connection_refused(kb: Knowledge) -> None:
    text = ";; communications error to 127.0.0.1#5999: connection refused\n;; no servers could be reached\n"
    item = _one(text, kb)
    assert item.findings[0].title == "Connection refused: nothing listens on port 5999 there"
    assert item.output.timeout is False


def test_delv_failure_and_success(kb: Knowledge) -> None:
    failed = _one(
        ";; broken trust chain resolving 'www.example/A/IN': 127.0.0.1#53\n;; resolution failed: broken trust chain\n", kb
    )
    assert failed.verdict == "failure" and failed.findings[0].title == "DNSSEC validation failed (delv)"
    assert any("delv +vtrace www.example A" in step for step in failed.next_steps)
    ok = _one(_wild("isc-projects__bind9__dnssec-guide-signing_delv-fully-validated-multiline.txt"), kb)
    assert ok.verdict == "ok" and "Validated (delv)" in _titles(ok)


def test_trace_path_and_end(kb: Knowledge) -> None:
    from tests.core.paste.test_digtext import DIG_TRACE

    item = _one(DIG_TRACE, kb)
    assert item.verdict == "ok" and item.status_label == "answered (+trace)"
    path = next(f for f in item.findings if f.title == "Delegation path")
    assert "a.root-servers.net: com." in path.detail and "a.iana-servers.net: www.example.com." in path.detail
    cut = _one(DIG_TRACE.split("www.example.com.\t300", 1)[0], kb)  # the last hop is gone: ends at a referral
    assert cut.status_label == "no answer (+trace)"
    assert "The trace stopped at a referral" in _titles(cut)


def test_json_shape(kb: Knowledge) -> None:
    data = _explain(_wild("hickory-dns__hickory-dns__client-rs_dig-9.18.24-servfail-ede9.txt"), kb).to_json()
    assert data["detected"] is True and data["truncated"] is False
    out = data["outputs"][0]
    assert {k: out[k] for k in ("tool", "qname", "qtype", "status", "rcode", "flags", "timeout", "answer_count")} == {
        "tool": "dig",
        "qname": "example.nameservers.com.",
        "qtype": "A",
        "status": "SERVFAIL",
        "rcode": 2,
        "flags": ["qr", "rd", "ra"],
        "timeout": False,
        "answer_count": 0,
    }
    assert out["ede"] == [{"code": 9, "purpose": "DNSKEY Missing", "text": None}]


def test_target_is_the_first_named_query(kb: Knowledge) -> None:
    explanation = _explain(_wild("dns-violations__dns-violations__dve-2019-0001_dig-9.11.5-two-queries.txt"), kb)
    assert explanation.target() == ("global.aliexpress.com.gds.alibabadns.com.", "A")
    assert _explain(";; connection timed out; no servers could be reached", kb).target() is None


def test_nothing_detected(kb: Knowledge) -> None:
    explanation = _explain("servfail on staging again?", kb)
    assert not explanation.detected and explanation.to_json()["outputs"] == []


_LINES = [
    line
    for p in sorted(CORPUS.glob("*/*.*"))
    if p.suffix in (".out", ".txt")
    for line in p.read_text(encoding="utf-8").splitlines()
]


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=60))
def test_explaining_never_raises(lines: list[str]) -> None:
    explanation = explain(digtext.from_text("\n".join(lines)), KB)
    for item in explanation.outputs:
        assert item.headline
        item.to_json()


@settings(max_examples=examples(150), deadline=None)
@given(st.text(max_size=500))
def test_explaining_arbitrary_text_never_raises(text: str) -> None:
    explain(digtext.from_text(text), KB).to_json()


def test_edns_rejected_and_the_nameserver_filled_in(kb: Knowledge) -> None:
    item = _one(_wild("dns-violations__dns-violations__dve-2020-0001_dig-9.11.5-formerr-noquestion.txt"), kb)
    assert item.status_entry is not None and item.status_entry.ident == "FORMERR"
    edns = next(f for f in item.findings if f.title == "The server rejects EDNS")
    assert "@104.47.118.145" in edns.fix[0] and "SERVER" not in edns.fix[0]
    # Asked with +norec, the server is the zone's nameserver: the knowledge file's `@NS` becomes its address.
    assert any("@104.47.118.145" in step for step in item.next_steps)


def test_timeout_advice_asks_another_resolver_for_the_same_type(kb: Knowledge) -> None:
    """`host -t AAAA` that timed out: the comparison query must ask for AAAA too, not dig's default A."""
    item = _one("$ host -t AAAA example.com 192.0.2.1\n;; connection timed out; no servers could be reached\n", kb)
    assert item.output.timeout and item.output.qtype == "AAAA"
    assert any("`dig @1.1.1.1 example.com AAAA`" in fix for fix in item.findings[0].fix)


@pytest.mark.parametrize("form", ["; <<>> DiG 9.18.28 <<>> example.com\n", "$ dig example.com +noall +comments\n"])
def test_answers_counted_but_not_shown_are_not_nodata(form: str, kb: Knowledge) -> None:
    """The header says ANSWER: 2 but the paste stops (or +noall hid them): the name has data, it is not NODATA."""
    text = form + (
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n"
        ";; flags: qr rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1\n"
    )
    item = _one(text, kb)
    assert item.verdict == "ok" and not item.nodata
    assert "NODATA" not in item.status_label


def test_drill_chase_failure_is_a_dnssec_failure_and_a_denial_is_not(kb: Knowledge) -> None:
    from tests.core.paste.test_digtext import DRILL_CHASE_DENIED, DRILL_CHASE_FAILED

    failed = _one(DRILL_CHASE_FAILED, kb)
    assert failed.verdict == "failure"
    assert "DNSSEC chain of trust broken (drill -S)" in _titles(failed)
    assert failed.status_label == "drill -S chase failed (DNSSEC signature has expired)"
    assert "DNSSEC signature has expired" in failed.headline
    denied = _one(DRILL_CHASE_DENIED, kb)
    assert denied.verdict == "unknown" and "Validated denial (drill -S)" in _titles(denied)
    unsigned = _one(
        ";; Chasing: www.example.com. A\n\nDNSSEC Trust tree:\n<no data>\n"
        "No trusted keys found in tree: first error was: No DNSSEC public key(s)\n;; Chase failed.\n",
        kb,
    )
    assert unsigned.verdict == "unknown" and "No chain of trust to check (drill -S)" in _titles(unsigned)
    assert failed.to_json()["chase"] == "failed" and failed.to_json()["chase_error"] == "DNSSEC signature has expired"
