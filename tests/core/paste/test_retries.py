"""What a paste says, read right: tries that failed before the answer, every tool's words for "no answer", the
tools' own retries (BADVERS, BADCOOKIE, truncation), dynamic-update failures, zone files and configuration that are
not tool output, compact denial of existence, and the resolver a next step proposes.

The samples in tests/core/paste/samples/ are real output of the tools installed here, run against the loopback lab
(see its README); the generated tests build the same shapes from each tool's wording with arbitrary servers, names,
statuses and numbers of tries.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.codes.knowledge import load_default
from bot.core.paste import digtext
from bot.core.paste.explain import OutputExplanation, compact_denial, explain, other_resolver
from bot.core.paste.model import ToolOutput
from bot.render.escape import entities
from bot.services import paste as service
from tests.conftest import CORPUS, examples
from tests.core.paste.test_json_form import KNOT_33
from tests.test_cli import run

KB = load_default()
SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / f"{name}.txt").read_text(encoding="utf-8")


def only(text: str) -> OutputExplanation:
    paste = digtext.from_text(text)
    assert len(paste.outputs) == 1, paste.outputs
    return explain(paste, KB).outputs[0]


def idents(item: OutputExplanation) -> set[str | None]:
    return {f.ident for f in item.findings}


# ---------------------------------------------------------------------------------- the real samples, one by one

# name: (tool, status, retried, failed tries, first_status, retried_tcp, the finding that says it, verdict)
EXPECTED: dict[str, tuple[str, str | None, str | None, int, str | None, bool, str | None, str]] = {
    "dig-timeout-then-noerror": ("dig", "NOERROR", "timeout", 1, None, False, "retried_timeout", "ok"),
    "dig-timeout-then-servfail": ("dig", "SERVFAIL", "timeout", 1, None, False, "retried_timeout", "failure"),
    "kdig-timeout-then-noerror": ("kdig", "NOERROR", "timeout", 1, None, False, "retried_timeout", "ok"),
    "host-timeout-then-answer": ("host", "NOERROR", "timeout", 1, None, False, "retried_timeout", "ok"),
    "host-timeout-then-servfail": ("host", "SERVFAIL", "timeout", 1, None, False, "retried_timeout", "failure"),
    "nslookup-timeout-then-answer": ("nslookup", "NOERROR", "timeout", 1, None, False, "retried_timeout", "ok"),
    "nslookup-timeout-then-servfail": ("nslookup", "SERVFAIL", "timeout", 1, None, False, "retried_timeout", "failure"),
    "dig-truncated-retry-tcp": ("dig", "NOERROR", None, 0, None, True, "retried_tcp", "ok"),
    "dig-badvers-retry": ("dig", "NOERROR", None, 0, "BADVERS", False, "first_status", "ok"),
    "dig-refused-all": ("dig", None, None, 2, None, False, None, "no_answer"),
    "dig-timeouts-no-servers": ("dig", None, None, 3, None, False, None, "no_answer"),
    "host-timeouts-no-servers": ("unknown", None, None, 4, None, False, None, "no_answer"),
    "host-or-nslookup-refused-all": ("unknown", None, None, 2, None, False, None, "no_answer"),
    "kdig-timeout-all": ("kdig", None, None, 3, None, False, None, "no_answer"),
    "kdig-timeouts-failed": ("kdig", None, None, 4, None, False, None, "no_answer"),
    "drill-error-sending-query": ("drill", None, None, 1, None, False, None, "no_answer"),
    "kdig-badvers": ("kdig", "BADVERS", None, 0, None, False, None, "failure"),
    "nsupdate-nsd-notimp": ("nsupdate", "NOTIMP", None, 0, None, False, "update_notimp", "failure"),
    "nsupdate-knot-notauth": ("nsupdate", "NOTAUTH", None, 0, None, False, "update_notauth", "failure"),
    "nsupdate-bind-refused": ("nsupdate", "REFUSED", None, 0, None, False, "update_refused", "failure"),
    "nsupdate-soa-refused": ("nsupdate", "REFUSED", None, 0, None, False, "update_soa", "failure"),
    "nsupdate-timeout": ("nsupdate", None, None, 1, None, False, None, "no_answer"),
    "nsupdate-connection-refused": ("nsupdate", None, None, 1, None, False, None, "no_answer"),
    "knsupdate-nsd-notimpl": ("knsupdate", "NOTIMPL", None, 0, None, False, "update_notimp", "failure"),
    "knsupdate-unbound-notimpl": ("knsupdate", "NOTIMPL", None, 0, None, False, "update_notimp", "failure"),
    "knsupdate-knot-notauth": ("knsupdate", "NOTAUTH", None, 0, None, False, "update_notauth", "failure"),
    "knsupdate-bind-refused": ("knsupdate", "REFUSED", None, 0, None, False, "update_refused", "failure"),
    # knsupdate's timeout lines are kdig's, word for word: the tool cannot be told, the timeout can.
    "knsupdate-timeout": ("kdig", None, None, 4, None, False, None, "no_answer"),
}


def test_every_sample_has_an_expectation() -> None:
    assert sorted(p.stem for p in SAMPLES.glob("*.txt")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_sample(name: str) -> None:
    tool, status, retried, tries, first, tcp, ident, verdict = EXPECTED[name]
    item = only(sample(name))
    o = item.output
    assert (o.tool, o.status, o.retried, len(o.failed_tries), o.first_status, o.retried_tcp) == (
        tool,
        status,
        retried,
        tries,
        first,
        tcp,
    )
    assert item.verdict == verdict
    if ident is not None:
        assert ident in idents(item)
    if verdict == "no_answer":
        assert o.timeout or o.transport_error  # read as a timeout or an unreachable server
    data = item.to_json()
    assert (data["retried"], len(data["failed_tries"]), data["first_status"]) == (retried, tries, first)
    raw = o.to_dict()
    assert (raw["retried"], len(raw["failed_tries"]), raw["first_status"]) == (retried, tries, first)


def test_servfail_after_timeouts_blames_the_nameservers() -> None:
    item = only(sample("dig-timeout-then-servfail"))
    finding = next(f for f in item.findings if f.ident == "retried_timeout")
    assert finding.severity == "problem"
    assert "unreachable nameservers" in finding.title
    assert "NOERROR" not in finding.detail


def test_an_update_is_not_called_lame() -> None:
    """knsupdate's REFUSED has no `aa` and no `rd`: for an UPDATE that says nothing about a lame delegation."""
    item = only(sample("knsupdate-bind-refused"))
    assert "REFUSED" not in idents(item) and all("lame" not in f.title for f in item.findings)


def test_nslookup_repeating_its_servfail_is_not_a_failed_try() -> None:
    o = only(sample("nslookup-timeout-then-servfail")).output
    assert o.failed_tries == ("timed out",)


def test_dig_trying_the_next_server_after_servfail() -> None:
    text = (
        ";; Got SERVFAIL reply from 192.0.2.1#53, trying next server\n"
        + sample("dig-timeout-then-noerror").split("\n", 1)[1]
    )
    o = only(text).output
    assert o.status == "NOERROR" and o.failed_tries == ("SERVFAIL from 192.0.2.1#53",) and o.retried == "error"


def test_badcookie_retry() -> None:
    text = ";; BADCOOKIE, retrying in TCP mode.\n" + sample("dig-badvers-retry").split("\n", 1)[1]
    item = only(text)
    assert (item.output.first_status, item.output.retried_tcp) == ("BADCOOKIE", True)
    assert "first_status" in idents(item)


# ----------------------------------------------------------------------- generated: each tool's failed tries

_SERVER = st.tuples(*[st.integers(1, 254)] * 4).map(lambda t: ".".join(map(str, t)))
_NAME = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){1,3}", fullmatch=True)


def _dig_try(server: str, why: str) -> str:
    return f";; communications error to {server}#53: {why}"


def _kdig_try(server: str, why: str) -> str:
    return f";; WARNING: response timeout for {server}@53(UDP)"


_TRIES = {"dig": _dig_try, "host": _dig_try, "nslookup": _dig_try, "kdig": _kdig_try}


def _answer(tool: str, name: str, server: str, status: str) -> str:
    """The answer a tool prints after its failed tries, in its own form."""
    if tool == "dig":
        return (
            f"\n; <<>> DiG 9.18.49 <<>> @{server} {name}\n; (1 server found)\n;; global options: +cmd\n;; Got answer:\n"
            f";; ->>HEADER<<- opcode: QUERY, status: {status}, id: 1\n"
            ";; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1\n\n"
            f";; QUESTION SECTION:\n;{name}.\t\tIN\tA\n\n;; SERVER: {server}#53({server}) (UDP)\n;; MSG SIZE  rcvd: 40\n"
        )
    if tool == "kdig":
        return (
            f";; ->>HEADER<<- opcode: QUERY; status: {status}; id: 1\n"
            ";; Flags: qr rd ra; QUERY: 1; ANSWER: 0; AUTHORITY: 0; ADDITIONAL: 0\n\n"
            f";; QUESTION SECTION:\n;; {name}.\t\tIN\tA\n\n;; Received 40 B\n;; From {server}@53(UDP) in 1.0 ms\n"
        )
    codes = {"SERVFAIL": 2, "REFUSED": 5, "NXDOMAIN": 3}
    if tool == "host":
        return (
            f"Using domain server:\nName: {server}\nAddress: {server}#53\nAliases: \n\n"
            f"Host {name} not found: {codes[status]}({status})\n"
        )
    return f"Server:\t\t{server}\nAddress:\t{server}#53\n\n** server can't find {name}: {status}\n"


@settings(max_examples=examples(200), deadline=None)
@given(
    st.sampled_from(sorted(_TRIES)),
    _NAME,
    _SERVER,
    st.sampled_from(["SERVFAIL", "REFUSED", "NXDOMAIN"]),
    st.lists(st.sampled_from(["timed out", "connection refused"]), min_size=1, max_size=6),
    st.sampled_from(["", "\r", "> "]),
)
def test_failed_tries_then_the_answer(tool: str, name: str, server: str, status: str, whys: list[str], form: str) -> None:
    lines = [_TRIES[tool](server, why) for why in whys]
    text = "\n".join(lines) + "\n" + _answer(tool, name, server, status)
    if form == "\r":
        text = text.replace("\n", "\r\n")
    elif form:
        text = "\n".join(form + line for line in text.split("\n"))
    assert digtext.looks_like_dig(text) and digtext.looks_like_dig(entities(text.replace("&gt; ", "> ")))
    item = only(text)
    o = item.output
    assert (o.tool, o.status, len(o.failed_tries)) == (tool, status, len(whys))
    timed_out = tool == "kdig" or "timed out" in whys
    assert o.retried == ("timeout" if timed_out else "refused")
    if status == "SERVFAIL" and timed_out:
        assert any(f.ident == "retried_timeout" and f.severity == "problem" for f in item.findings)
    assert {"retried_timeout", "retried_refused"} & idents(item)


@settings(max_examples=examples(200), deadline=None)
@given(st.sampled_from(sorted(_TRIES)), _SERVER, st.integers(1, 6), st.sampled_from(["timed out", "connection refused"]))
def test_only_failed_tries_is_no_answer(tool: str, server: str, n: int, why: str) -> None:
    text = "\n".join(_TRIES[tool](server, why) for _ in range(n)) + "\n;; no servers could be reached\n"
    assert digtext.looks_like_dig(text)
    item = only(text)
    assert item.verdict == "no_answer" and item.output.retried is None and len(item.output.failed_tries) == n
    assert item.output.timeout or "refused" in (item.output.transport_error or "")


@settings(max_examples=examples(200), deadline=None)
@given(
    _SERVER,
    st.sampled_from(
        [
            "error sending query: Could not send or receive, because of network error",
            "error sending query: timed out",
        ]
    ),
    st.sampled_from(["", "> ", "```", "\n"]),
)
def test_drill_error_lines(server: str, error: str, before: str) -> None:
    text = f"{before}Error: {error}"
    assert digtext.looks_like_dig(text)
    item = only(text)
    assert item.output.tool == "drill" and item.verdict == "no_answer"
    assert item.output.timeout or item.output.transport_error


# ------------------------------------------------------------------------------------------- dynamic update

_UPDATE_STATUSES = ["NOTIMP", "REFUSED", "NOTAUTH", "YXDOMAIN", "NXRRSET", "SERVFAIL", "FORMERR"]


@settings(max_examples=examples(200), deadline=None)
@given(st.sampled_from(_UPDATE_STATUSES), st.sampled_from(["", "> ", "&gt; ", "```"]), st.sampled_from(["", "\r\n", "\n"]))
def test_nsupdate_one_line(status: str, quote: str, end: str) -> None:
    text = f"{quote}update failed: {status}{'```' if quote == '```' else ''}{end}"
    assert digtext.looks_like_dig(text) and digtext.looks_like_dig(entities(text.replace("&gt; ", "> ")))
    item = only(text.replace("&gt;", ">"))  # the Slack path undoes its escaping before reading
    assert (item.output.tool, item.output.opcode, item.output.status) == ("nsupdate", "UPDATE", status)
    assert item.verdict == "failure"
    if status in ("NOTIMP", "REFUSED", "NOTAUTH"):
        assert f"update_{status.lower()}" in idents(item)
    elif status in ("YXDOMAIN", "NXRRSET"):
        assert "update_prereq" in idents(item)


@settings(max_examples=examples(100), deadline=None)
@given(st.sampled_from(["NOTIMPL", "REFUSED", "NOTAUTH"]), _NAME)
def test_knsupdate(status: str, zone: str) -> None:
    text = (
        f";; ERROR: update failed with error '{status}'\n"
        f";; ->>HEADER<<- opcode: UPDATE; status: {status}; id: 7\n"
        ";; Flags: qr; ZONE: 1; PREREQ: 0; UPDATE: 0; ADDITIONAL: 0\n\n"
        f";; ZONE SECTION:\n;; {zone}.\t\tIN\tSOA\n"
    )
    item = only(text)
    assert (item.output.tool, item.output.opcode, item.output.status) == ("knsupdate", "UPDATE", status)
    assert f"update_{'notimp' if status == 'NOTIMPL' else status.lower()}" in idents(item)


# ------------------------------------------------------------------------------------------ not tool output

ZONE_FILE = """$TTL 3600
$ORIGIN example.com.
@   IN  SOA ns1.example.com. hostmaster.example.com. (
        2024010101 ; serial
        7200       ; refresh
        3600 )     ; minimum
@       IN  NS  ns1
        IN  NS  ns2
ns1 300 IN  A   192.0.2.1
www.example.com. 300 IN  A   192.0.2.10
mail    IN  MX  10 mail.example.com.
"""

CONFIGS = [
    'options {\n    directory "/var/cache/bind";\n    recursion yes;\n    allow-query { any; };\n};\n'
    'zone "example.com" {\n    type primary;\n    file "/etc/bind/db.example.com";\n    allow-update { key "ddns"; };\n};',
    'server:\n    interface: 0.0.0.0\n    access-control: 10.0.0.0/8 allow\nforward-zone:\n    name: "."\n'
    "    forward-addr: 1.1.1.1@853#cloudflare-dns.com",
    "# Generated by NetworkManager\nsearch example.com\nnameserver 10.0.0.2\nnameserver 10.0.0.3\noptions ndots:5",
    "server:\n    listen: 0.0.0.0@53\nzone:\n  - domain: example.com\n    file: example.com.zone\nacl:\n  - id: update\n"
    "    address: 10.0.0.0/8\n    action: update",
    "server:\n\tip-address: 192.0.2.1\nzone:\n\tname: example.com\n\tzonefile: example.com.zone\n\tprovide-xfr: 192.0.2.2 NOKEY",
]


@pytest.mark.parametrize("text", [ZONE_FILE, *CONFIGS])
def test_zone_files_and_configuration_are_not_tool_output(text: str) -> None:
    for form in (text, entities(text), "```" + text + "```", text.replace("\n", "\r\n")):
        assert not digtext.looks_like_dig(form), form
        assert digtext.from_text(form).outputs == ()
    result = run("explain", stdin=text)
    assert result.status == 2 and "found no" in result.stderr
    assert json.loads(run("explain", "--json", stdin=text).stdout)["detected"] is False


_RTYPES = ["A 192.0.2.1", "AAAA 2001:db8::1", "MX 10 mail", 'TXT "v=spf1 -all"', "NS ns1", "CNAME www"]


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(st.tuples(_NAME, st.integers(0, 86400), st.sampled_from(_RTYPES)), min_size=1, max_size=10),
    st.sampled_from(
        ["$TTL 300", "$ORIGIN example.com.", "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300", "@ 300 IN NS ns1"]
    ),
    st.integers(0, 10),
)
def test_any_zone_file_is_not_tool_output(records: list[tuple[str, int, str]], marker: str, at: int) -> None:
    lines = [f"{name}. {ttl} IN {data}" for name, ttl, data in records]
    lines.insert(min(at, len(lines)), marker)
    text = "\n".join(lines)
    assert not digtext.looks_like_dig(text)
    assert digtext.from_text(text).outputs == ()
    # Without its zone-file line, the same records are what `dig +noall +answer` prints.
    rest = "\n".join(f"{name}. {ttl} IN {data}" for name, ttl, data in records)
    if len(records) > 1:
        assert digtext.looks_like_dig(rest)


def test_a_tool_output_beside_a_zone_file_is_still_read() -> None:
    text = ZONE_FILE + "\n" + sample("dig-timeout-then-servfail")
    assert digtext.looks_like_dig(text)
    assert [o.status for o in digtext.from_text(text).outputs] == ["SERVFAIL"]


# ---------------------------------------------------------------------------------------------- compact denial


def _compact(name: str, types: str, status: str = "NOERROR") -> str:
    return (
        f";; ->>HEADER<<- opcode: QUERY, status: {status}, id: 9\n"
        ";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 4, ADDITIONAL: 1\n\n"
        f";; QUESTION SECTION:\n;{name}.\t\tIN\tA\n\n;; AUTHORITY SECTION:\n"
        f"example.com.\t300\tIN\tSOA\tns1.example.com. dns.example.com. 1 10000 2400 604800 300\n"
        f"example.com.\t300\tIN\tRRSIG\tSOA 13 2 300 20260101000000 20251201000000 34505 example.com. abc=\n"
        f"{name}.\t300\tIN\tNSEC\t\\000.{name}. {types}\n"
        f"{name}.\t300\tIN\tRRSIG\tNSEC 13 3 300 20260101000000 20251201000000 34505 example.com. abc=\n"
    )


@settings(max_examples=examples(200), deadline=None)
@given(_NAME, st.sampled_from(["RRSIG NSEC NXNAME", "RRSIG NSEC TYPE128", "NSEC RRSIG NXNAME"]))
def test_compact_denial_is_nxdomain(name: str, types: str) -> None:
    item = only(_compact(name, types))
    assert item.verdict == "nxdomain" and "compact_denial" in idents(item)
    assert "does not exist" in item.headline and item.to_json()["compact_denial"] is True


@settings(max_examples=examples(200), deadline=None)
@given(_NAME, st.sampled_from(["RRSIG NSEC", "A RRSIG NSEC", "RRSIG NSEC TYPE129"]))
def test_an_nsec_without_nxname_is_nodata(name: str, types: str) -> None:
    item = only(_compact(name, types))
    assert item.verdict == "nodata" and "compact_denial" not in idents(item)
    assert not compact_denial(item.output)


# ------------------------------------------------------------------------------------------- next steps

_SERVICES = [
    ("1.1.1.1", "1.0.0.1", "2606:4700:4700::1111"),
    ("9.9.9.9", "149.112.112.112", "2620:fe::fe"),
    ("8.8.8.8", "8.8.4.4", "2001:4860:4860::8888"),
]


@pytest.mark.parametrize("service", _SERVICES)
@pytest.mark.parametrize("status", ["SERVFAIL", "timeout"])
def test_another_resolver_is_another(service: tuple[str, ...], status: str) -> None:
    for address in service:
        for written in (address, f"{address}#53", f"{address}@53(UDP)"):
            other = other_resolver(written)
            assert other not in service
            if status == "SERVFAIL":
                output = ToolOutput(tool="dig", server=written, qname="example.com.", qtype="A", status="SERVFAIL")
            else:
                output = ToolOutput(tool="dig", server=written, qname="example.com.", timeout=True)
            item = explain(digtext.Paste(outputs=(output,)), KB).outputs[0]
            said = " ".join([*item.next_steps, *(x for f in item.findings for x in f.fix)])
            assert f"dig @{other} " in said
            for asked in service:
                assert f"another resolver (`dig @{asked} " not in said.lower()
                assert f"another resolver for the same name: `dig @{asked} " not in said.lower()


# --------------------------------------------------------------------- the gate lets through what the CLI reads

_DETECTABLE_CORPUS = [
    p
    for p in [*CORPUS.glob("jc/*.out"), *CORPUS.glob("wild/*.txt")]
    if p.name
    not in {
        "dns-violations__dns-violations__dve-2020-0001_dig-short-ns.txt",
        "isc-projects__bind9__rrsetorder_dig-short-fixed.txt",
    }
]
HAND_WRITTEN = [
    "Host nope.example.com not found: 3(NXDOMAIN)",
    "** server can't find 1.2.0.192.in-addr.arpa: NXDOMAIN",
    "update failed: NOTAUTH",
    "Error: error sending query: Could not send or receive, because of network error",
    KNOT_33,  # kdig +json
    "example.com has address 192.0.2.1",
]


def _forms(text: str) -> list[tuple[str, bool]]:
    """The text as Windows saves it, quoted as typed and as Slack sends the quote, and escaped in a code block; with
    whether it is Slack's form (the Slack path undoes the escaping before reading)."""
    quoted = "\n".join("> " + line for line in text.split("\n"))
    return [
        (text.replace("\n", "\r\n"), False),
        (quoted, False),
        (entities(quoted), True),
        ("```" + entities(text) + "```", True),
        ("```" + entities(text.replace("\n", "\r\n")) + "```", True),
    ]


@pytest.mark.parametrize(
    "text",
    [
        *(p.read_text(encoding="utf-8") for p in sorted(_DETECTABLE_CORPUS)),
        *(p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))),
        *HAND_WRITTEN,
    ],
    ids=lambda t: t.split("\n", 1)[0][:40],
)
def test_the_gate_lets_through_whatever_the_reader_reads(text: str) -> None:
    assert digtext.from_text(text).outputs, "the reader reads it"
    assert digtext.looks_like_dig(text)
    for form, slack in _forms(text):
        assert digtext.looks_like_dig(form), form
        if slack:
            assert service.answer(form, KB, from_slack=True) is not None, form
        else:
            assert digtext.from_text(form).outputs, form
