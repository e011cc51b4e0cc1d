"""The paste reader against every published output in the corpus (tests/corpus), hand-written samples of the forms the
corpus lacks (kdig/drill EDE, +trace, +yaml, host/nslookup failures, Windows nslookup) and arbitrary text.

Golden files (tests/core/paste/golden/digtext/*.json) hold our reading of each corpus file; they were checked by eye
once and are rewritten only with `pytest --update-golden`. Where jc reads the same file, the fields both read
(name, status, flags, answers) must agree with jc's own expected JSON.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import dns.rdatatype
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.codes.knowledge import load_default
from bot.core.paste import digtext
from bot.core.paste.model import ToolOutput
from bot.render.escape import entities
from bot.services import paste as paste_service
from tests.conftest import CORPUS, Golden, examples

KB = load_default()
CORPUS_FILES = sorted([*CORPUS.glob("jc/*.out"), *CORPUS.glob("wild/*.txt")])


def _corpus_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_corpus_is_there() -> None:
    assert len(CORPUS_FILES) >= 85, "the corpus should hold the jc fixtures and the wild outputs"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=_corpus_id)
def test_corpus_golden(path: Path, golden: Golden) -> None:
    paste = digtext.from_text(_read(path))
    assert paste.outputs, f"nothing read from {path.name}"
    golden.check(f"digtext/{path.parent.name}__{path.stem}.json", paste.to_dict())


# ------------------------------------------------------------------------------------------ against jc's JSON


def _jc_pairs() -> list[tuple[Path, Path]]:
    return [
        (out, out.with_suffix(".json")) for out in sorted(CORPUS.glob("jc/*dig*.out")) if out.with_suffix(".json").exists()
    ]


@pytest.mark.parametrize("out,expected", _jc_pairs(), ids=lambda p: p.name)
def test_agrees_with_jc(out: Path, expected: Path) -> None:
    """Same name, status, flags and answer records as jc's own fixtures, output by output."""
    # jc also reads the query dig echoes with +qr; we keep responses only.
    jc_outputs = [
        o for o in json.loads(expected.read_text(encoding="utf-8")) if "axfr" in o or "qr" in o.get("flags", ["qr"])
    ]
    ours = [o for o in digtext.from_text(_read(out)).outputs]
    assert len(ours) == len(jc_outputs)
    for mine, theirs in zip(ours, jc_outputs, strict=True):
        if "axfr" in theirs:
            assert [(r.name, r.rtype, r.data) for r in mine.answer] == [
                (r["name"], r["type"], r["data"]) for r in theirs["axfr"]
            ]
            continue
        assert mine.status == theirs.get("status")
        assert list(mine.flags) == theirs.get("flags", [])
        if "question" in theirs:
            assert mine.qname == theirs["question"]["name"]
            assert mine.qtype == theirs["question"]["type"]
        their_answers = theirs.get("answer", [])
        # jc drops the quotes around TXT data; we keep rdata as dig printed it.
        assert [(r.name, r.rtype, r.ttl, r.data.strip('"') if r.rtype == "TXT" else r.data) for r in mine.answer] == [
            (r["name"], r["type"], r["ttl"], r["data"]) for r in their_answers
        ]
        if "query_time" in theirs:
            assert mine.query_time_ms == theirs["query_time"]
        if "rcvd" in theirs:
            assert mine.msg_size == theirs["rcvd"]


def test_jc_host_pairs() -> None:
    google = digtext.from_text(_read(CORPUS / "jc" / "generic__host-google.out")).outputs
    assert [o.tool for o in google] == ["host"]
    assert [r.data for r in google[0].answer if r.rtype == "A"] == ["142.250.179.206"]
    assert [r.data for r in google[0].answer if r.rtype == "MX"] == ["10 smtp.google.com."]


# ------------------------------------------------------------------------------------------- corpus specifics


def _one(text: str) -> ToolOutput:
    outputs = digtext.from_text(text).outputs
    assert len(outputs) == 1, outputs
    return outputs[0]


def _wild(name: str) -> str:
    return _read(CORPUS / "wild" / name)


def test_multi_ede_dig_918() -> None:
    out = _one(_wild("hickory-dns__hickory-dns__client-rs_dig-9.18.28-servfail-multi-ede.txt"))
    assert (out.tool, out.version, out.status, out.rcode) == ("dig", "9.18.28-1~deb12u2-Debian", "SERVFAIL", 2)
    assert [(e.code, e.purpose) for e in out.ede] == [
        (9, "DNSKEY Missing"),
        (18, "Prohibited"),
        (22, "No Reachable Authority"),
    ]
    assert out.ede[0].text == "no SEP matching the DS found for allow-query-none.extended-dns-errors.com."
    assert out.ede[1].text is None
    assert out.qname == "allow-query-none.extended-dns-errors.com." and out.qtype == "A"
    assert out.server == "1.1.1.1#53" and out.transport == "UDP"


def test_old_dig_ede_hex_with_quoted_text() -> None:
    out = _one(_wild("PowerDNS__pdns__recursor-rpz_ede-hex-line.txt"))
    assert out.ede == (digtext.Ede(15, "Blocked", "Blocked by policy"),)


def test_reserved_opcode_and_notimp() -> None:
    out = _one(_wild("hickory-dns__hickory-dns__client-rs_dig-9.18.28-notimp-reserved-opcode.txt"))
    assert (out.opcode, out.status, out.rcode) == ("RESERVED15", "NOTIMP", 4)
    assert out.counts == digtext.Counts(0, 0, 0, 0)
    assert "WARNING: recursion requested but not available" in out.warnings


def test_two_queries_in_one_run_share_the_banner() -> None:
    outputs = digtext.from_text(_wild("dns-violations__dns-violations__dve-2019-0001_dig-9.11.5-two-queries.txt")).outputs
    assert [o.status for o in outputs] == ["NOERROR", "NXDOMAIN"]
    assert outputs[1].version == "9.11.5-P4-5.1-Debian"
    assert outputs[1].authority[0].rtype == "SOA"


def test_multiline_records_are_joined() -> None:
    out = _one(_wild("dns-violations__dns-violations__dve-2017-0015_dig-9.11.0a2-multiline-soa.txt"))
    soa = next(r for r in out.authority if r.rtype == "SOA")
    assert "(" not in soa.data and ";" not in soa.data
    assert len(soa.data.split()) == 7


def test_timeout_after_banner_uses_the_command_for_the_name() -> None:
    out = _one(_wild("dns-violations__dns-violations__dve-2020-0004_dig-9.11.5-timeout-cmd.txt"))
    assert out.status is None and out.timeout
    assert out.qname == "supplierhub.extapps.egslb.homedepot.com"
    assert out.server == "207.11.20.254"


def test_bare_timeout_line() -> None:
    out = _one(_wild("dns-violations__dns-violations__dve-2020-0004_dig-short-timeout.txt"))
    assert out.status is None and out.timeout and out.form == "error"


def test_host_unreachable() -> None:
    out = _one(_wild("pi-hole__docs__fritzbox_dig-short-comm-error-host-unreachable.txt"))
    assert (out.status, out.timeout, out.transport_error, out.server) == (None, False, "host unreachable", "8.8.8.8#53")


def test_bad_packet() -> None:
    out = _one(_wild("dns-violations__dns-violations__dve-2017-0002_dig-got-bad-packet-formerr.txt"))
    assert out.status is None and out.transport_error == "malformed response (FORMERR)"


def test_qr_query_echo_is_not_a_response() -> None:
    outputs = digtext.from_text(_read(CORPUS / "jc" / "generic__dig-edns3.out")).outputs
    assert len(outputs) == 1 and "qr" in outputs[0].flags


def test_delv_fully_validated() -> None:
    out = _one(_wild("isc-projects__bind9__dnssec-guide-signing_delv-fully-validated-multiline.txt"))
    assert (out.tool, out.delv_verdict, out.qname, out.qtype) == ("delv", "fully validated", "example.com.", "SOA")


def test_short_output_is_read_when_asked() -> None:
    out = _one(_wild("isc-projects__bind9__rrsetorder_dig-short-fixed.txt"))
    assert out.form == "short" and [r.data for r in out.answer] == ["1.2.3.4", "1.2.3.3", "1.2.3.1", "1.2.3.2"]


def test_dig8_dialect() -> None:
    out = _one(_wild("isc-projects__bind9__staticstub_dig-8.2-knowngood.txt"))
    assert (out.qname, out.qtype, out.status, out.msg_size, out.query_time_ms) == ("data.example", "TXT", "NOERROR", 97, 8.0)
    assert out.answer[0].ttl == 300


# ------------------------------------------------------------------------------ forms the corpus does not have

KDIG_EDE = """\
;; ->>HEADER<<- opcode: QUERY; status: SERVFAIL; id: 4242
;; Flags: qr rd ra; QUERY: 1; ANSWER: 0; AUTHORITY: 0; ADDITIONAL: 1

;; EDNS PSEUDOSECTION:
;; Version: 0; flags: do; UDP size: 1232 B; ext-rcode: NOERROR
;; EDE: 9 (DNSKEY Missing): 'no SEP matching the DS found for dnssec-failed.org.'
;; EDE: 99 (Unknown code)

;; QUESTION SECTION:
;; dnssec-failed.org.  		IN	A

;; Received 105 B
;; Time 2026-11-24 06:13:24 UTC
;; From 127.0.0.1@53(UDP) in 12.5 ms
"""

DRILL_EDE = """\
;; ->>HEADER<<- opcode: QUERY, rcode: SERVFAIL, id: 1234
;; flags: qr rd ra ; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0
;; QUESTION SECTION:
;; dnssec-failed.org.	IN	A

;; ANSWER SECTION:

;; AUTHORITY SECTION:

;; ADDITIONAL SECTION:

;; Query time: 20 msec
;; EDNS: version 0; flags: do ; udp: 1232
; EDE: 9 (DNSKEY Missing): 6e 6f 20 53 45 50 (no SEP)
; EDE: 00 1b
;; SERVER: 127.0.0.1
;; WHEN: Tue Nov 24 06:13:39 2026
;; MSG SIZE  rcvd: 45
"""

DIG_TRACE = """\

; <<>> DiG 9.18.24-1-Debian <<>> +trace www.example.com
;; global options: +cmd
.			518400	IN	NS	a.root-servers.net.
.			518400	IN	NS	b.root-servers.net.
;; Received 239 bytes from 127.0.0.53#53(127.0.0.53) in 4 ms

com.			172800	IN	NS	a.gtld-servers.net.
com.			86400	IN	DS	19718 13 2 8ACBB0CD28F41250A80A491389424D341522D946B0DA0C0291F2D3D7 71D7805A
com.			86400	IN	RRSIG	DS 8 1 86400 20261207050000 20261124040000 61050 . cGFydA==
;; Received 1170 bytes from 198.41.0.4#53(a.root-servers.net) in 20 ms

example.com.		172800	IN	NS	a.iana-servers.net.
example.com.		172800	IN	NS	b.iana-servers.net.
;; Received 1210 bytes from 192.5.6.30#53(a.gtld-servers.net) in 24 ms

www.example.com.	300	IN	A	93.184.215.14
www.example.com.	300	IN	RRSIG	A 13 3 300 20261207050000 20261124040000 12345 example.com. c2ln
;; Received 279 bytes from 199.43.135.53#53(a.iana-servers.net) in 92 ms

"""

DIG_918_TIMEOUT = """\
;; communications error to 192.0.2.53#53: timed out
;; communications error to 192.0.2.53#53: timed out
;; communications error to 192.0.2.53#53: timed out

; <<>> DiG 9.18.24-1-Debian <<>> @192.0.2.53 example.com AAAA
; (1 server found)
;; global options: +cmd
;; no servers could be reached
"""

DIG_918_RETRY_THEN_ANSWER = """\
;; communications error to 192.0.2.53#53: timed out

; <<>> DiG 9.18.24-1-Debian <<>> @192.0.2.53 example.com
; (1 server found)
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1
;; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1

;; QUESTION SECTION:
;example.com.			IN	A

;; ANSWER SECTION:
example.com.		300	IN	A	93.184.215.14

;; Query time: 4 msec
;; SERVER: 192.0.2.53#53(192.0.2.53) (UDP)
;; WHEN: Tue Nov 24 06:13:24 UTC 2026
;; MSG SIZE  rcvd: 56
"""

DIG_YAML_EDE = """\
- type: MESSAGE
  message:
    type: RECURSIVE_RESPONSE
    message_size: 79b
    socket_protocol: UDP
    response_address: "127.0.0.1"
    response_port: 53
    response_message_data:
      opcode: QUERY
      status: SERVFAIL
      id: 7
      flags: qr rd ra
      QUESTION: 1
      ANSWER: 0
      AUTHORITY: 0
      ADDITIONAL: 1
      OPT_PSEUDOSECTION:
        EDNS:
          version: 0
          flags:
          udp: 1232
          EDE: { INFO-CODE: "9 (DNSKEY Missing)", EXTRA-TEXT: "no SEP matching the DS" }
      QUESTION_SECTION:
        - 'dnssec-failed.org. IN A'
"""

NSLOOKUP_NXDOMAIN = """\
$ nslookup -type=AAAA nope.example.com 10.0.0.2
Server:		10.0.0.2
Address:	10.0.0.2#53

** server can't find nope.example.com: NXDOMAIN

"""

NSLOOKUP_WINDOWS = """\
C:\\Users\\me> nslookup nope.example.com
Server:  UnKnown
Address:  192.168.1.1

*** UnKnown can't find nope.example.com: Non-existent domain
"""

HOST_NXDOMAIN = "Host nope.example.com not found: 3(NXDOMAIN)\n"

DELV_NEGATIVE = """\
; negative response, fully validated
; nope.example.		3600	IN	\\-A	;-$NXDOMAIN
; example.		3600	IN	SOA	ns.example. h.example. 1 2 3 4 5
"""


def test_kdig_ede_in_single_quotes_and_unknown_code() -> None:
    out = _one(KDIG_EDE)
    assert (out.tool, out.status, out.server, out.transport, out.query_time_ms) == (
        "kdig",
        "SERVFAIL",
        "127.0.0.1@53",
        "UDP",
        12.5,
    )
    assert out.ede == (
        digtext.Ede(9, "DNSKEY Missing", "no SEP matching the DS found for dnssec-failed.org."),
        digtext.Ede(99, None, None),
    )
    assert out.edns == digtext.Edns(0, ("do",), 1232)


def test_drill_ede_hex_then_text_and_raw_code() -> None:
    out = _one(DRILL_EDE)
    assert (out.tool, out.status, out.qname) == ("drill", "SERVFAIL", "dnssec-failed.org.")
    assert out.ede == (digtext.Ede(9, "DNSKEY Missing", "no SEP"), digtext.Ede(27, None, None))
    assert out.edns == digtext.Edns(0, ("do",), 1232)


def test_trace_has_one_hop_per_server() -> None:
    out = _one(DIG_TRACE)
    assert out.form == "trace" and len(out.hops) == 4
    assert [h.server_name for h in out.hops] == [
        "127.0.0.53",
        "a.root-servers.net",
        "a.gtld-servers.net",
        "a.iana-servers.net",
    ]
    assert out.hops[1].records[1].rtype == "DS"
    assert [r.data for r in out.answer] == ["93.184.215.14"]
    assert (out.qname, out.qtype) == ("www.example.com", "A")


def test_dig_918_timeout_prints_errors_before_the_banner() -> None:
    out = _one(DIG_918_TIMEOUT)
    assert (out.tool, out.status, out.timeout, out.qname, out.qtype) == ("dig", None, True, "example.com", "AAAA")
    assert out.server == "192.0.2.53#53" and out.form == "error"


def test_dig_918_retry_then_answer_is_not_a_timeout() -> None:
    out = _one(DIG_918_RETRY_THEN_ANSWER)
    assert (out.status, out.timeout) == ("NOERROR", False)
    assert out.warnings == ("earlier attempt failed: timed out",)


def test_yaml_with_structured_ede() -> None:
    out = _one(DIG_YAML_EDE)
    assert (out.form, out.status, out.qname, out.qtype, out.msg_size, out.server) == (
        "yaml",
        "SERVFAIL",
        "dnssec-failed.org.",
        "A",
        79,
        "127.0.0.1#53",
    )
    assert out.ede == (digtext.Ede(9, "DNSKEY Missing", "no SEP matching the DS"),)


def test_nslookup_nxdomain_with_its_command_line() -> None:
    out = _one(NSLOOKUP_NXDOMAIN)
    assert (out.tool, out.status, out.rcode, out.qname, out.qtype, out.server) == (
        "nslookup",
        "NXDOMAIN",
        3,
        "nope.example.com",
        "AAAA",
        "10.0.0.2#53",
    )


def test_windows_nslookup() -> None:
    out = _one(NSLOOKUP_WINDOWS)
    assert (out.tool, out.status, out.qname) == ("nslookup", "NXDOMAIN", "nope.example.com")


def test_host_nxdomain_gives_the_number() -> None:
    out = _one(HOST_NXDOMAIN)
    assert (out.tool, out.status, out.rcode, out.qname) == ("host", "NXDOMAIN", 3, "nope.example.com")


def test_delv_negative_response() -> None:
    out = _one(DELV_NEGATIVE)
    assert (out.tool, out.delv_verdict, out.status, out.qname, out.qtype) == (
        "delv",
        "negative response, fully validated",
        "NXDOMAIN",
        "nope.example.",
        "A",
    )


@pytest.mark.parametrize(
    "line,expected",
    [
        ("; EDE: 9 (DNSKEY Missing): (no SEP matching the DS)", digtext.Ede(9, "DNSKEY Missing", "no SEP matching the DS")),
        ("; EDE: 24 (Invalid Data)", digtext.Ede(24, "Invalid Data", None)),
        ("; EDE: 25: (foo)", digtext.Ede(25, None, "foo")),
        ('; EDE: 00 (".")', digtext.Ede(None, None, None)),
        ("; EDE: 6 (DNSSEC Bogus): c3 28 (.()", digtext.Ede(6, "DNSSEC Bogus", ".(")),
        ('; OPT=15: 00 09 6e 6f 20 53 45 50 ("..no SEP")', digtext.Ede(9, None, "no SEP")),
        (";; EDE: 30 (Invalid Query Type)", digtext.Ede(30, "Invalid Query Type", None)),
        (
            ";; EDE: 18 (Prohibited): 'your address is not allowed'",
            digtext.Ede(18, "Prohibited", "your address is not allowed"),
        ),
    ],
)
def test_every_ede_spelling(line: str, expected: digtext.Ede) -> None:
    assert _one(line).ede == (expected,)


@pytest.mark.parametrize("status", ["NOTIMP", "NOTIMPL", "RESERVED11", "BADVERS", "BADCOOKIE", "RESERVED15"])
def test_status_spellings_are_kept_as_printed(status: str) -> None:
    text = f";; ->>HEADER<<- opcode: QUERY, status: {status}, id: 1\n;; flags: qr; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n"
    out = _one(text)
    assert out.status == status
    assert (
        out.rcode
        == {"NOTIMP": 4, "NOTIMPL": None, "RESERVED11": 11, "BADVERS": 16, "BADCOOKIE": 23, "RESERVED15": 15}[status]
    )


# ------------------------------------------------------------------------------------------- Slack and limits


@pytest.mark.parametrize("path", CORPUS_FILES[::7], ids=_corpus_id)
def test_slack_escaped_and_fenced_text_reads_the_same(path: Path) -> None:
    from bot.render.escape import from_slack

    raw = _read(path)
    slack = "here is what I get:\n```" + entities(raw) + "```\nany idea?"
    assert digtext.from_text(from_slack(slack)).outputs == digtext.from_text(raw).outputs
    # Even when the caller forgets to unescape, the escaped header and banner are recognised.
    if "->>HEADER<<-" in raw:
        assert [o.status for o in digtext.from_text(slack).outputs] == [o.status for o in digtext.from_text(raw).outputs]


def test_more_than_slack_allows_is_cut_and_said() -> None:
    one = _wild("hickory-dns__hickory-dns__client-rs_dig-9.18.28-servfail-multi-ede.txt") + "\n"
    text = one * (digtext.MAX_CHARS // len(one) + 5)
    paste = digtext.from_text(text)
    assert paste.truncated and paste.size == len(text)
    assert 1 < len(paste.outputs) <= digtext.MAX_CHARS // len(one) + 1
    assert all(o.status == "SERVFAIL" for o in paste.outputs[:-1])


# ------------------------------------------------------------------------------------------------ properties

_LINES = [line for path in CORPUS_FILES for line in _read(path).splitlines()]


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    paste = digtext.from_text(text)
    assert isinstance(paste.outputs, tuple)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=80), st.randoms(use_true_random=False))
def test_never_raises_on_shuffled_real_lines(lines: list[str], rnd: object) -> None:
    paste = digtext.from_text("\n".join(lines))
    for out in paste.outputs:
        assert out.tool in ("dig", "kdig", "drill", "delv", "host", "nslookup", "unknown")
        assert out.status is None or out.status.strip() == out.status


# Line forms the corpus lacks (the real tools print them; see tests/tools), so the number fuzz below reaches them.
_TOOL_FORMS = [
    "example.com\trdata_65 = 1 . alpn=h2",
    "\torigin = ns1.example.com",
    "\tminimum = 300",
    ";; Chasing: www.example.com. A",
    "No trusted keys found in tree: first error was: DNSSEC signature has expired",
    "192.0.2.1 from server 127.0.0.1 in 4 ms.",
    ";; broken trust chain resolving 'www.example.com/A/IN': 127.0.0.1#53",
    ";; fetch: www.example.com/A",
    ";; Connection to 192.0.2.1#53(192.0.2.1) for example.com failed: connection refused.",
    "Received 1232 bytes from 192.0.2.1#53(a.example) in 12 ms",
    "; EDE: 9 (DNSKEY Missing): (no SEP matching the DS found)",
    "; OPT=15: 00 09 6e 6f",
    "Host x.example not found: 3(NXDOMAIN)",
]
_DIGITS = re.compile(r"\d+")


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.sampled_from(_LINES + _TOOL_FORMS), min_size=1, max_size=40), st.data())
def test_never_raises_when_the_numbers_in_real_lines_are_any_size(lines: list[str], data: st.DataObject) -> None:
    """Every number a line holds (a code, a type, a TTL, a count, a port) replaced by one of any size."""
    # Past 4,300 digits Python's int() raises; "²" is a digit to str.isdigit() but not to int(); "1e999" and "nan"
    # are floats that are not finite.
    numbers = st.sampled_from(["0", "65535", "65536", "99999", "4294967296", "1" * 30, "9" * 5000, "²", "1e999", "nan"])
    text = "\n".join(_DIGITS.sub(lambda _: data.draw(numbers), line) for line in lines)
    paste = digtext.from_text(text)
    for out in paste.outputs:
        assert out.rcode is None or 0 <= out.rcode <= 65535
        assert all(e.code is None or 0 <= e.code <= 65535 for e in out.ede)
        assert out.id is None or 0 <= out.id <= 65535
        assert out.edns is None or out.edns.udp is None or 0 <= out.edns.udp <= 65535
    reply = paste_service.answer(text, KB)
    if reply is not None:  # explained and rendered, and the public JSON is strict (no NaN, no Infinity)
        json.dumps(reply.to_json(), allow_nan=False)


@settings(max_examples=examples(150), deadline=None)
@given(st.sampled_from(CORPUS_FILES), st.data())
def test_cut_or_garbled_corpus_reads_what_it_can(path: Path, data: st.DataObject) -> None:
    text = _read(path)
    cut = data.draw(st.integers(0, len(text)))
    noise = data.draw(st.text(max_size=20))
    where = data.draw(st.integers(0, cut))
    garbled = text[:where] + noise + text[where:cut]
    digtext.from_text(garbled)
    digtext.from_text(text[cut:])


@settings(max_examples=examples(20), deadline=None)
@given(st.text(alphabet=st.sampled_from(";(){}'\"\\ \t\nx9:.-"), min_size=1, max_size=300), st.integers(30_000, 45_000))
def test_large_hostile_text(seed: str, size: int) -> None:
    text = (seed * (size // len(seed) + 1))[:size]
    paste = digtext.from_text(text)
    assert paste.truncated == (len(text) > digtext.MAX_CHARS)


# ------------------------------------------------------------------------------------------ transport failures


@pytest.mark.parametrize(
    ("text", "timeout", "error"),
    [
        (";; connection timed out; no servers could be reached\n", True, "timed out"),
        (";; communications error to 192.0.2.1#53: end of file\n;; no servers could be reached\n", False, "end of file"),
        (
            ";; UDP setup with 2001:db8::53#53(2001:db8::53) for example.com failed: network unreachable.\n"
            ";; no servers could be reached\n",
            False,
            "network unreachable",
        ),
        (
            "dig: couldn't get address for 'ns.nope.example': not found\n",
            False,
            "couldn't get address for 'ns.nope.example': not found",
        ),
        (
            ";; WARNING: response timeout for 192.0.2.1@53(UDP)\n;; ERROR: failed to query server 192.0.2.1@53(UDP)\n",
            True,
            "timed out",
        ),
        ("DNS request timed out.\n    timeout was 2 seconds.\n*** Request to UnKnown timed-out\n", True, "timed out"),
    ],
)
def test_no_answer_forms(text: str, timeout: bool, error: str) -> None:
    out = _one(text)
    assert (out.status, out.timeout, out.transport_error) == (None, timeout, error)


def test_truncated_and_retried_over_tcp() -> None:
    text = ";; Truncated, retrying in TCP mode.\n" + _wild(
        "hickory-dns__hickory-dns__client-rs_dig-9.18.24-servfail-ede9.txt"
    )
    out = _one(text)
    assert out.retried_tcp and out.status == "SERVFAIL"


def test_prose_around_a_paste_is_ignored() -> None:
    text = (
        "hey, why does this happen? A record looks fine to me\n```\n"
        + _wild("hickory-dns__hickory-dns__client-rs_dig-9.18.24-servfail-ede9.txt")
        + "```\nthanks!"
    )
    out = _one(text)
    assert (out.status, out.qname, [e.code for e in out.ede]) == ("SERVFAIL", "example.nameservers.com.", [9])


def test_shell_prompt_names_the_query_for_host_and_nslookup() -> None:
    out = _one("user@box:~$ host -t MX nope.example.com 10.0.0.53\nHost nope.example.com not found: 2(SERVFAIL)\n")
    assert (out.tool, out.status, out.qtype, out.server) == ("host", "SERVFAIL", "MX", "10.0.0.53")


def test_slack_auto_links_are_undone_when_the_caller_did_not() -> None:
    """Raw Slack text (as the API or a copied message source gives it) wraps names in `<http://x|x>` links."""
    raw = (
        "; <<>> DiG 9.16.48-Ubuntu <<>> <http://www.example.com|www.example.com> AAAA\n"
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n"
        ";; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1\n"
        ";; QUESTION SECTION:\n"
        ";<http://www.example.com|www.example.com>.\t\tIN\tAAAA\n\n"
        ";; AUTHORITY SECTION:\n"
        "<http://example.com|example.com>.\t300\tIN\tSOA\t<http://ns.example.com|ns.example.com>. h.example.com. 1 2 3 4 5\n"
    )
    out = _one(raw)
    assert (out.qname, out.qtype, out.status) == ("www.example.com.", "AAAA", "NOERROR")
    assert out.authority[0].name == "example.com."
    assert "<http" not in out.authority[0].data


DRILL_CHASE_FAILED = """\
;; Number of trusted keys: 1
;; Chasing: www.example.com. A


DNSSEC Trust tree:
www.example.com. (A)
|---DNSSEC signature has expired:
www.example.com.\t300\tIN\tRRSIG\tA 13 3 300 20261117090401 20261025090401 60628 example.com. YAPtJJPiIFmCLQ==
For RRset:
www.example.com.\t300\tIN\tA\t192.0.2.1
With key:
example.com.\t300\tIN\tDNSKEY\t257 3 13 efC25GLLED8r7xST7uSBiUHXwyBUfYW+VhVudsKYnOok2jJ9FZGhAZToigYol1p48OIoaRX5g8tbqS0tkJEUUg== ;{id = 60628 (ksk), size = 256b}
|---example.com. (DNSKEY keytag: 60628 alg: 13 flags: 257)
    |---example.com. (DS keytag: 60628 digest type: 2)
No trusted keys found in tree: first error was: DNSSEC signature has expired
;; Chase failed.
"""
DRILL_CHASE_DENIED = """\
;; Number of trusted keys: 1
;; Chasing: nope.example.com. AAAA


DNSSEC Trust tree:
nope.example.com. (AAAA)
|---Existence is denied by:
|---example.com. (NSEC www.example.com. NS SOA TXT RRSIG NSEC DNSKEY )
    |---example.com. (DNSKEY keytag: 39616 alg: 13 flags: 257)
Existence denied or verifiably insecure
;; Chase successful
"""


def test_drill_chase_verdicts_and_evidence() -> None:
    """drill -S (as drill 1.8 prints it): the verdict and first error; the trust tree's records are evidence."""
    failed, denied = digtext.from_text(DRILL_CHASE_FAILED + "\n" + DRILL_CHASE_DENIED).outputs
    assert (failed.tool, failed.form, failed.qname, failed.qtype) == ("drill", "chase", "www.example.com.", "A")
    assert (failed.chase, failed.chase_error, failed.status) == ("failed", "DNSSEC signature has expired", None)
    assert failed.answer == () and [r.rtype for r in failed.authority] == ["RRSIG", "A", "DNSKEY"]
    assert (denied.qname, denied.qtype, denied.chase, denied.chase_error) == ("nope.example.com.", "AAAA", "denied", None)
    assert digtext.looks_like_dig(DRILL_CHASE_DENIED)
    assert digtext.looks_like_dig("```" + entities(DRILL_CHASE_DENIED) + "```")


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(min_value=0, max_value=99999), st.from_regex(r"[ -~]{0,40}", fullmatch=True))
def test_nslookup_rdata_numbers_never_raise(number: int, data: str) -> None:
    """nslookup prints types it cannot name as `rdata_N`; a hand-edited N beyond 65535 is not a type (no traceback)."""
    text = (
        f"Server:\t\t127.0.0.1\nAddress:\t127.0.0.1#53\n\nNon-authoritative answer:\nexample.com\trdata_{number} = {data}\n"
    )
    outputs = digtext.from_text(text).outputs
    records = [r for o in outputs for r in o.answer]
    if number <= 65535:
        assert [r.rtype for r in records] == [dns.rdatatype.to_text(dns.rdatatype.RdataType.make(number))]
    else:
        assert records == []


def test_a_paste_that_starts_with_a_multiline_record_is_one_output() -> None:
    """`dig +multi +noall +answer +authority +dnssec` of a NODATA (real output from the lab): the first line opens a
    `(` record before any output exists; opening the output must not end that record (it split the paste in two,
    and the SOA kept its `(` and lost its fields)."""
    text = (
        "healthy-signed.lab.\t60 IN SOA ns-knot.lab. hostmaster.healthy-signed.lab. (\n"
        "\t\t\t\t1          ; serial\n\t\t\t\t3600       ; refresh (1 hour)\n\t\t\t\t600        ; retry (10 minutes)\n"
        "\t\t\t\t86400      ; expire (1 day)\n\t\t\t\t60         ; minimum (1 minute)\n\t\t\t\t)\n"
        "healthy-signed.lab.\t60 IN RRSIG SOA 13 2 300 (\n"
        "\t\t\t\t20270101060905 20261202050905 18642 healthy-signed.lab.\n"
        "\t\t\t\tQV7/4JL6prTbbTT0/kF0F6brdo/WK/ALjMVmUW23yUiS\n\t\t\t\tRg0pqnQbRW0HCYP5sxgsb21nPPtAZeKXEufnkI5QYw== )\n"
        "www.healthy-signed.lab.\t60 IN NSEC healthy-signed.lab. A RRSIG NSEC\n"
    )
    (out,) = digtext.from_text(text).outputs
    records = [*out.answer, *out.authority]
    assert [r.rtype for r in records] == ["SOA", "RRSIG", "NSEC"]
    assert records[0].data == "ns-knot.lab. hostmaster.healthy-signed.lab. 1 3600 600 86400 60"


def test_an_ixfr_command_names_the_transfer() -> None:
    """`dig @ns zone IXFR=5` asks for an incremental transfer from serial 5 (the type is IXFR, not the name)."""
    text = "; <<>> DiG 9.18.28 <<>> @127.0.0.1 zone.example IXFR=5\n; (1 server found)\n;; global options: +cmd\n; Transfer failed.\n"
    (out,) = digtext.from_text(text).outputs
    assert (out.qname, out.qtype) == ("zone.example", "IXFR")
