"""Real `kdig +json` run against the loopback DNS lab, read back and checked against the wire (dnspython).

Debian's kdig (Knot 3.2) prints EDNS as a raw OPT record whose options are only in RDATAHEX: the EDE code and
text must come out of that hex exactly as dnspython decodes them from the same server. The newer `EDNS` object
(Knot 3.3+) is covered by samples in tests/core/paste/test_json_form.py.
"""

from __future__ import annotations

import dns.rcode
import pytest

from bot.core.paste import digtext
from tests.lab.lab import Lab
from tests.tools.test_real_tools import BIND, CLOSED, DNSSEC, SILENT, UNBOUND, edes_of, explained, flags_of, read, run, truth

pytestmark = pytest.mark.lab


def test_healthy_answer(lab: Lab) -> None:
    out = read(run("kdig", "+json", f"@{UNBOUND}", "+dnssec", "www.healthy-signed.lab"))
    wire = truth(UNBOUND, "www.healthy-signed.lab", dnssec=True)
    assert (out.tool, out.form, out.status, out.rcode) == ("kdig", "json", "NOERROR", 0)
    assert (out.qname, out.qtype, out.qclass) == ("www.healthy-signed.lab.", "A", "IN")
    assert set(out.flags) == flags_of(wire) and "ad" in out.flags
    assert out.edns is not None and out.edns.flags == ("do",) and out.edns.udp
    assert (out.answer[0].rtype, out.answer[0].data) == ("A", "192.0.2.1")
    # A cached answer's TTL counts down between kdig's query and the wire check: equal to within a second.
    assert abs(out.answer[0].ttl - wire.answer[0].ttl) <= 1
    assert "RRSIG" in [r.rtype for r in out.answer]
    assert out.counts is not None and out.counts.answer == len(out.answer)
    assert explained(out).verdict == "ok"


@pytest.mark.parametrize("scenario", sorted(DNSSEC))
def test_validation_failure_ede_is_decoded_from_the_opt_hex(cold: Lab, scenario: str) -> None:
    name = DNSSEC[scenario]
    text = run("kdig", "+json", "+edns", f"@{UNBOUND}", name)
    out = read(text)
    cold.flush()
    wire = truth(UNBOUND, name)
    assert out.status == dns.rcode.to_text(wire.rcode()) == "SERVFAIL"
    assert set(out.flags) == flags_of(wire)
    assert [(e.code, e.text) for e in out.ede] == edes_of(wire), text
    item = explained(out)
    assert item.verdict == "failure" and item.ede[0].entry is not None
    assert any("+cd" in step for step in item.next_steps)


@pytest.mark.parametrize(
    "argv,status,verdict",
    [
        (("nope.healthy-signed.lab",), "NXDOMAIN", "nxdomain"),
        (("www.healthy-signed.lab", "AAAA"), "NOERROR", "nodata"),
    ],
)
def test_negative_answers(lab: Lab, argv: tuple[str, ...], status: str, verdict: str) -> None:
    out = read(run("kdig", "+json", f"@{UNBOUND}", *argv))
    assert out.status == status and not out.answer
    assert [r.rtype for r in out.authority] == ["SOA"]
    assert explained(out).verdict == verdict


def test_refused_with_ede_18(lab: Lab) -> None:
    out = read(run("kdig", "+json", "@127.53.54.1", "+edns", "www.healthy-unsigned.lab"))
    assert (out.status, [e.code for e in out.ede]) == ("REFUSED", [18])


def test_notimp_from_bind(lab: Lab) -> None:
    out = read(run("kdig", "+json", f"@{BIND}", "www.healthy-unsigned.lab", "TYPE253"))  # MAILB; kdig knows no mnemonic
    assert (out.status, out.rcode) == ("NOTIMP", 4)


def test_nsid_and_cookie(lab: Lab) -> None:
    out = read(run("kdig", "+json", f"@{BIND}", "+nsid", "+cookie", "www.healthy-signed.lab"))
    wire = truth(BIND, "www.healthy-signed.lab")
    assert out.status == dns.rcode.to_text(wire.rcode())
    assert out.cookie is not None and len(out.cookie) >= 16  # the client part at least, as hex


def test_printed_query_is_skipped(lab: Lab) -> None:
    out = read(run("kdig", "+json", "+qr", f"@{UNBOUND}", "www.healthy-signed.lab"))
    assert "qr" in out.flags and out.status == "NOERROR" and out.answer


@pytest.mark.parametrize(
    "argv,timeout,braces",
    [
        ((f"@{SILENT}", "+time=1", "+retry=0", "www.healthy-unsigned.lab"), True, True),
        ((f"@{CLOSED}", "+tcp", "+time=1", "+retry=0", "www.healthy-unsigned.lab"), False, False),
    ],
    ids=["silent", "closed"],
)
def test_no_response_is_read_from_the_warnings(lab: Lab, argv: tuple[str, ...], timeout: bool, braces: bool) -> None:
    text = run("kdig", "+json", *argv)
    assert ("{" in text) == braces  # after a timeout kdig still prints its (empty) JSON object
    out = read(text)
    assert (out.status, out.timeout) == (None, timeout)
    assert explained(out).verdict == "no_answer"


def test_two_queries_give_two_outputs(lab: Lab) -> None:
    text = run("kdig", "+json", f"@{UNBOUND}", "www.healthy-signed.lab", "nope.healthy-signed.lab")
    outputs = digtext.from_text(text).outputs
    assert [(o.form, o.status) for o in outputs] == [("json", "NOERROR"), ("json", "NXDOMAIN")]


@pytest.mark.parametrize("server", ["127.53.3.1", "127.53.2.1"], ids=["knot", "nsd"])
def test_refused_zone_transfer_is_one_output(lab: Lab, server: str) -> None:
    """kdig prints `;; ERROR: server replied with error 'NOTAUTH'` and then the response as JSON: one failure."""
    text = run("kdig", "+json", f"@{server}", "lame.lab", "AXFR")
    assert "ERROR" in text and '"RCODE": 9' in text, text
    (out,) = digtext.from_text(text).outputs
    assert (out.form, out.qname, out.qtype, out.status) == ("json", "lame.lab.", "AXFR", "NOTAUTH")
    assert "Zone transfer refused or failed" in [f.title for f in explained(out).findings]
