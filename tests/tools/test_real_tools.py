"""Real dig, kdig, drill, delv, host and nslookup run against the loopback DNS lab, and their output read back.

For every failure the lab can produce, the tool's output must be read correctly: the same status, flags and EDE
(code and text) that dnspython sees on the wire for the same query (after a cache flush, so Unbound answers with
its first-query EDE and not its bogus cache's bare EDE 6), and the explanation must say the right thing. Each
output must also pass the Slack gate, as typed and as Slack would send it. `+trace` cannot run here (it needs the
real root); it is covered by hand-written samples in tests/core/paste/test_digtext.py.
"""

from __future__ import annotations

import subprocess

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from bot.core.codes.knowledge import load_default
from bot.core.paste import digtext
from bot.core.paste.explain import OutputExplanation, explain
from bot.core.paste.model import ToolOutput
from bot.render.escape import entities
from bot.services import paste as service
from tests.lab.daemons import ENV
from tests.lab.lab import Lab

pytestmark = pytest.mark.lab

KB = load_default()
UNBOUND, BIND = "127.53.53.1", "127.53.53.2"
SILENT, CLOSED = "127.53.56.1", "127.53.56.2"


def run(*argv: str, timeout: float = 30) -> str:
    """The tool's output as a person would paste it from a terminal (stdout and stderr interleaved)."""
    proc = subprocess.run(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, env=ENV, check=False
    )
    return proc.stdout


def read(text: str, *, detectable: bool = True) -> ToolOutput:
    """Read exactly one output, checking the gate on the text as typed and as Slack sends it."""
    if detectable:
        assert digtext.looks_like_dig(text), text
        assert digtext.looks_like_dig("```" + entities(text) + "```"), text
    outputs = digtext.from_text(text).outputs
    assert len(outputs) == 1, f"expected one output in:\n{text}\ngot {outputs}"
    slack = service.answer("```" + entities(text) + "```", KB, from_slack=True)
    assert slack is not None and slack.data["outputs"][0]["status"] == outputs[0].status
    return outputs[0]


def explained(output: ToolOutput) -> OutputExplanation:
    return explain(digtext.Paste(outputs=(output,)), KB).outputs[0]


def truth(server: str, qname: str, qtype: str = "A", *, dnssec: bool = False, ad: bool = False) -> dns.message.Message:
    """The same query sent with dnspython (dig sets AD in its queries by default: `ad=True` mimics it)."""
    query = dns.message.make_query(qname, qtype, use_edns=0, want_dnssec=dnssec)
    if ad:
        query.flags |= dns.flags.AD
    return dns.query.udp(query, server, timeout=5)


def flags_of(message: dns.message.Message) -> set[str]:
    return set(dns.flags.to_text(message.flags).lower().split())


def edes_of(message: dns.message.Message) -> list[tuple[int, str | None]]:
    return [(int(o.code), o.text) for o in message.options if isinstance(o, dns.edns.EDEOption)]


# ------------------------------------------------------------------------------------------------- healthy


def test_dig_healthy_signed_with_dnssec(lab: Lab) -> None:
    out = read(run("dig", f"@{UNBOUND}", "+dnssec", "www.healthy-signed.lab"))
    wire = truth(UNBOUND, "www.healthy-signed.lab", dnssec=True)
    assert (out.tool, out.status, out.rcode, out.qname, out.qtype) == ("dig", "NOERROR", 0, "www.healthy-signed.lab.", "A")
    assert set(out.flags) == flags_of(wire) and "ad" in out.flags
    assert out.version and out.version.startswith("9.")
    assert (out.server, out.transport) == (f"{UNBOUND}#53", "UDP")
    assert out.edns is not None and out.edns.flags == ("do",) and out.edns.udp
    assert [r.rtype for r in out.answer] == ["A", "RRSIG"] and out.answer[0].data == "192.0.2.1"
    item = explained(out)
    assert item.verdict == "ok" and "Validated (ad)" in [f.title for f in item.findings]


@pytest.mark.parametrize(
    "argv,tool",
    [
        (("kdig", f"@{UNBOUND}", "+dnssec", "www.healthy-signed.lab"), "kdig"),
        (("drill", "-D", f"@{UNBOUND}", "www.healthy-signed.lab"), "drill"),
        (("host", "www.healthy-signed.lab", UNBOUND), "host"),
        (("nslookup", "www.healthy-signed.lab", UNBOUND), "nslookup"),
        (("dig", f"@{BIND}", "www.healthy-signed.lab"), "dig"),
    ],
    ids=lambda v: v if isinstance(v, str) else " ".join(v[:2]),
)
def test_healthy_every_tool(lab: Lab, argv: tuple[str, ...], tool: str) -> None:
    out = read(run(*argv))
    assert (out.tool, out.status) == (tool, "NOERROR")
    assert out.qname and out.qname.rstrip(".") == "www.healthy-signed.lab"
    assert "192.0.2.1" in [r.data for r in out.answer]
    if tool in ("kdig", "drill"):
        assert "ad" in out.flags
    assert explained(out).verdict == "ok"


def test_delv_fully_validated(lab: Lab) -> None:
    text = run("delv", "-a", str(lab.trust_anchor_file), f"@{UNBOUND}", "www.healthy-signed.lab")
    out = read(text)
    assert (out.tool, out.delv_verdict, out.status) == ("delv", "fully validated", "NOERROR"), text
    assert out.qname == "www.healthy-signed.lab." and out.answer[0].data == "192.0.2.1"
    assert "Validated (delv)" in [f.title for f in explained(out).findings]


def test_delv_unsigned(lab: Lab) -> None:
    text = run("delv", "-a", str(lab.trust_anchor_file), f"@{UNBOUND}", "www.healthy-unsigned.lab")
    out = read(text)
    assert (out.tool, out.delv_verdict) == ("delv", "unsigned answer"), text


def test_short_multi_yaml_and_two_names(lab: Lab) -> None:
    short = digtext.from_text(run("dig", f"@{UNBOUND}", "+short", "www.healthy-signed.lab")).outputs
    assert [(o.form, [r.data for r in o.answer]) for o in short] == [("short", ["192.0.2.1"])]
    multi = read(run("dig", f"@{UNBOUND}", "+multi", "healthy-signed.lab", "SOA"))
    soa = multi.answer[0]
    assert soa.rtype == "SOA" and len(soa.data.split()) == 7 and "(" not in soa.data
    yaml = read(run("dig", f"@{UNBOUND}", "+yaml", "www.healthy-signed.lab"))
    assert (yaml.form, yaml.status, yaml.qname, yaml.server) == (
        "yaml",
        "NOERROR",
        "www.healthy-signed.lab.",
        f"{UNBOUND}#53",
    )
    two = digtext.from_text(run("dig", f"@{UNBOUND}", "www.healthy-signed.lab", "nope.healthy-signed.lab")).outputs
    assert [o.status for o in two] == ["NOERROR", "NXDOMAIN"]


# --------------------------------------------------------------------------------------- NXDOMAIN and NODATA


@pytest.mark.parametrize(
    "argv",
    [
        ("dig", f"@{UNBOUND}", "nope.healthy-signed.lab"),
        ("kdig", f"@{UNBOUND}", "nope.healthy-signed.lab"),
        ("drill", f"@{UNBOUND}", "nope.healthy-signed.lab"),
        ("host", "nope.healthy-signed.lab", UNBOUND),
        ("nslookup", "nope.healthy-signed.lab", UNBOUND),
    ],
    ids=lambda v: v[0],
)
def test_nxdomain_every_tool(lab: Lab, argv: tuple[str, ...]) -> None:
    out = read(run(*argv))
    assert (out.status, out.rcode) == ("NXDOMAIN", 3)
    assert out.qname and out.qname.rstrip(".") == "nope.healthy-signed.lab"
    item = explained(out)
    assert item.verdict == "nxdomain" and not item.nodata


def test_delv_negative_answer(lab: Lab) -> None:
    text = run("delv", "-a", str(lab.trust_anchor_file), f"@{UNBOUND}", "nope.healthy-signed.lab")
    out = read(text)
    assert out.tool == "delv"
    assert out.status == "NXDOMAIN", text
    assert explained(out).verdict == "nxdomain"


@pytest.mark.parametrize(
    "argv",
    [
        ("dig", f"@{UNBOUND}", "www.healthy-signed.lab", "AAAA"),
        ("kdig", f"@{UNBOUND}", "www.healthy-signed.lab", "AAAA"),
        ("drill", f"@{UNBOUND}", "www.healthy-signed.lab", "AAAA"),
        ("host", "-t", "AAAA", "www.healthy-signed.lab", UNBOUND),
        ("nslookup", "-type=AAAA", "www.healthy-signed.lab", UNBOUND),
    ],
    ids=lambda v: v[0],
)
def test_nodata_every_tool(lab: Lab, argv: tuple[str, ...]) -> None:
    out = read(run(*argv))
    assert out.status == "NOERROR" and not out.answer
    item = explained(out)
    assert item.verdict == "nodata" and item.nodata
    assert item.to_json()["nodata"] is True


# ------------------------------------------------------------------------------------------ DNSSEC failures

DNSSEC = {
    "expired_rrsig": "www.expired.lab",
    "future_rrsig": "www.future.lab",
    "ds_mismatch": "www.ds-mismatch.lab",
    "ds_for_unsigned": "www.ds-unsigned.lab",
    "rrsig_missing": "www.rrsig-missing.lab",
    "bad_signature": "www.bad-signature.lab",
}


@pytest.mark.parametrize("scenario", sorted(DNSSEC))
@pytest.mark.parametrize("tool", ["dig", "kdig", "drill", "yaml"])
def test_dnssec_failure_status_and_ede_match_the_wire(cold: Lab, scenario: str, tool: str) -> None:
    name = DNSSEC[scenario]
    argv = {
        "dig": ("dig", f"@{UNBOUND}", name),
        "kdig": ("kdig", f"@{UNBOUND}", "+edns", name),
        "drill": ("drill", "-D", f"@{UNBOUND}", name),
        "yaml": ("dig", f"@{UNBOUND}", "+yaml", name),
    }[tool]
    text = run(*argv)
    out = read(text)
    cold.flush()
    wire = truth(UNBOUND, name, dnssec=tool == "drill")
    assert out.status == dns.rcode.to_text(wire.rcode()) == "SERVFAIL"
    assert set(out.flags) == flags_of(wire)
    expected = edes_of(wire)
    assert expected, "Unbound adds an EDE to a validation failure"
    if tool == "drill":
        # drill prints EXTRA-TEXT only as hex plus the printable text; the code must match.
        assert [e.code for e in out.ede] == [code for code, _ in expected], text
    else:
        assert [(e.code, e.text) for e in out.ede] == expected, text
    item = explained(out)
    assert item.verdict == "failure" and item.ede[0].entry is not None
    assert item.ede[0].entry.ident == f"EDE {expected[0][0]}"
    assert any("+cd" in step for step in item.next_steps)


def test_cd_shows_the_data_behind_a_validation_failure(cold: Lab) -> None:
    out = read(run("dig", f"@{UNBOUND}", "+cd", "www.expired.lab"))
    assert out.status == "NOERROR" and "cd" in out.flags and out.answer
    assert "Checking disabled (cd)" in [f.title for f in explained(out).findings]


def test_bind_adds_no_ede_to_validation_failures(cold: Lab) -> None:
    out = read(run("dig", f"@{BIND}", "www.expired.lab"))
    assert (out.status, out.ede) == ("SERVFAIL", ())


def test_delv_resolution_failed(cold: Lab) -> None:
    text = run("delv", "-a", str(cold.trust_anchor_file), f"@{UNBOUND}", "www.expired.lab")
    out = read(text)
    assert out.tool == "delv" and out.delv_failure, text
    assert explained(out).verdict == "failure"


# ---------------------------------------------------------------------------------------- REFUSED, NOTIMP, …


@pytest.mark.parametrize("resolver", ["127.53.54.1", "127.53.54.2"], ids=["unbound", "bind"])
def test_refused_with_ede_18(lab: Lab, resolver: str) -> None:
    out = read(run("dig", f"@{resolver}", "www.healthy-unsigned.lab"))
    wire = truth(resolver, "www.healthy-unsigned.lab", ad=True)
    assert (out.status, out.rcode) == ("REFUSED", 5)
    assert set(out.flags) == flags_of(wire) and "ra" not in out.flags
    assert [(e.code, e.text) for e in out.ede] == edes_of(wire) and out.ede[0].code == 18
    item = explained(out)
    assert "No `ra`: this server does not recurse for you" in [f.title for f in item.findings]
    kdig = read(run("kdig", f"@{resolver}", "+edns", "www.healthy-unsigned.lab"))
    assert (kdig.status, [e.code for e in kdig.ede]) == ("REFUSED", [18])


@pytest.mark.parametrize(
    "argv",
    [("host", "www.healthy-unsigned.lab", "127.53.54.1"), ("nslookup", "www.healthy-unsigned.lab", "127.53.54.1")],
    ids=lambda v: v[0],
)
def test_refused_host_and_nslookup(lab: Lab, argv: tuple[str, ...]) -> None:
    out = read(run(*argv))
    assert (out.status, out.rcode, out.qname) == ("REFUSED", 5, "www.healthy-unsigned.lab")


def test_notimp_spellings(lab: Lab) -> None:
    dig = read(run("dig", f"@{BIND}", "www.healthy-unsigned.lab", "MAILB"))
    drill = read(run("drill", f"@{BIND}", "www.healthy-unsigned.lab", "MAILB"))
    assert (dig.status, dig.rcode, dig.qtype) == ("NOTIMP", 4, "MAILB")
    assert drill.status == "NOTIMPL"
    for out in (dig, drill):
        item = explained(out)
        assert item.status_entry is not None and (item.status_entry.ident, item.rcode) == ("NOTIMP", 4)


@pytest.mark.parametrize(
    "argv,status",
    [
        (("dig", f"@{BIND}", "+header-only", "+nocookie", "www.healthy-signed.lab"), "FORMERR"),
        (("dig", f"@{UNBOUND}", "+header-only", "www.healthy-signed.lab"), "FORMERR"),
        (("dig", f"@{BIND}", "+edns=1", "+noednsnegotiation", "www.healthy-signed.lab"), "BADVERS"),
        (("kdig", f"@{BIND}", "+edns=1", "www.healthy-signed.lab"), "BADVERS"),
        (("dig", f"@{UNBOUND}", "+opcode=2", "www.healthy-signed.lab"), "NOTIMP"),
    ],
    ids=["formerr bind", "formerr unbound", "badvers bind", "badvers kdig", "notimp unbound"],
)
def test_a_rejected_message_without_ra_is_not_a_non_recursive_server(lab: Lab, argv: tuple[str, ...], status: str) -> None:
    """BIND and Unbound send FORMERR, BADVERS and NOTIMP without `ra`, even to a client they recurse for: the
    missing `ra` must not be explained as "this server does not recurse for you"."""
    server = argv[1].lstrip("@")
    assert "ra" in flags_of(truth(server, "www.healthy-signed.lab")), "the server recurses for this client"
    out = read(run(*argv))
    assert (out.status, "rd" in out.flags, "ra" in out.flags) == (status, True, False)
    item = explained(out)
    assert item.verdict == "failure"
    assert "No `ra`: this server does not recurse for you" not in [f.title for f in item.findings]


def test_forwarder_failure_is_a_plain_servfail(lab: Lab) -> None:
    out = read(run("dig", "@127.53.55.1", "www.healthy-unsigned.lab"))
    assert (out.status, out.ede) == ("SERVFAIL", ())
    assert explained(out).next_steps[0].startswith("Repeat with checking disabled")


def test_all_nameservers_closed_through_bind(lab: Lab) -> None:
    out = read(run("dig", f"@{BIND}", "www.all-closed.lab"))
    assert out.status == "SERVFAIL"


def test_lame_server_asked_directly(lab: Lab) -> None:
    results = {ns: read(run("dig", "+norec", f"@{ns}", "www.lame.lab")) for ns in lab.scenarios["lame"].nameservers}
    refused = [o for o in results.values() if o.status == "REFUSED"]
    assert refused, results
    for out in refused:
        assert "aa" not in out.flags and "rd" not in out.flags
        assert [e.code for e in out.ede] == [20]
        assert "No `aa` from a server asked directly: lame" in [f.title for f in explained(out).findings]


def test_formerr_from_an_edns_intolerant_middlebox(lab: Lab) -> None:
    out = read(run("dig", "+norec", "@127.53.9.5", "www.edns-broken.lab"))
    assert (out.status, out.rcode) == ("FORMERR", 1)
    assert any("FORMERR" in w for w in out.warnings)


# ------------------------------------------------------------------------------------------- no answer at all


@pytest.mark.parametrize(
    "argv",
    [
        ("dig", f"@{SILENT}", "+time=1", "+tries=1", "www.healthy-unsigned.lab"),
        ("kdig", f"@{SILENT}", "+time=1", "+retry=0", "www.healthy-unsigned.lab"),
        ("host", "-W", "1", "-R", "1", "www.healthy-unsigned.lab", SILENT),
        ("nslookup", "-timeout=1", "-retry=1", "www.healthy-unsigned.lab", SILENT),
        ("dig", f"@{UNBOUND}", "+time=1", "+tries=1", "www.all-silent.lab"),
    ],
    ids=lambda v: f"{v[0]} {v[1]}",
)
def test_timeouts(lab: Lab, argv: tuple[str, ...]) -> None:
    out = read(run(*argv))
    assert (out.status, out.timeout) == (None, True)
    item = explained(out)
    assert item.verdict == "no_answer"
    assert item.findings[0].title == "No server answered: the query timed out"
    assert item.to_json()["status"] is None and item.to_json()["timeout"] is True


@pytest.mark.parametrize(
    "argv",
    [
        ("dig", f"@{CLOSED}", "+time=1", "+tries=1", "www.healthy-unsigned.lab"),
        ("kdig", f"@{CLOSED}", "+tcp", "+time=1", "+retry=0", "www.healthy-unsigned.lab"),
        ("host", "-W", "1", "-R", "1", "www.healthy-unsigned.lab", CLOSED),
        ("nslookup", "-timeout=1", "-retry=1", "www.healthy-unsigned.lab", CLOSED),
    ],
    ids=lambda v: f"{v[0]}",
)
def test_connection_refused(lab: Lab, argv: tuple[str, ...]) -> None:
    out = read(run(*argv))
    assert (out.status, out.timeout, out.transport_error) == (None, False, "connection refused")
    assert explained(out).findings[0].title == "Connection refused: nothing listens on port 53 there"


@pytest.mark.parametrize(
    "argv,port",
    [
        (("kdig", f"@{UNBOUND}", "+tls", "+time=1", "+retry=0", "www.healthy-signed.lab"), "853"),
        (("kdig", f"@{UNBOUND}", "+https", "+time=1", "+retry=0", "www.healthy-signed.lab"), "443"),
        (("dig", f"@{CLOSED}", "-p", "5353", "+time=1", "+tries=1", "www.healthy-signed.lab"), "5353"),
    ],
    ids=["kdig +tls", "kdig +https", "dig -p"],
)
def test_connection_refused_names_the_port_asked(lab: Lab, argv: tuple[str, ...], port: str) -> None:
    """Nothing listens on 853 (DoT) or 443 (DoH) at the lab's Unbound: the explanation must not say port 53."""
    text = run(*argv)
    out = read(text)
    assert (out.status, out.timeout, out.transport_error) == (None, False, "connection refused"), text
    finding = explained(out).findings[0]
    assert finding.title == f"Connection refused: nothing listens on port {port} there"
    assert any(f"sport = :{port}" in fix for fix in finding.fix)


@pytest.mark.parametrize("server", [SILENT, CLOSED], ids=["silent", "closed"])
def test_drill_network_error(lab: Lab, server: str) -> None:
    """drill prints one error for a timeout and a refused connection alike: the explanation must not pick one."""
    text = run("drill", f"@{server}", "www.healthy-unsigned.lab")
    out = read(text, detectable=False)  # drill's one error line has no marker chat could not also hold
    assert (out.tool, out.status) == ("drill", None) and out.transport_error, text
    assert explained(out).findings[0].title == "No answer from the server (drill does not say why)"


def test_host_verbose_prints_a_dig_like_message(lab: Lab) -> None:
    text = run("host", "-v", "-t", "A", "nope.healthy-signed.lab", UNBOUND)
    out = read(text)
    assert (out.tool, out.status, out.rcode) == ("host", "NXDOMAIN", 3), text
    assert out.qname == "nope.healthy-signed.lab" and out.server == f"{UNBOUND}#53" and out.msg_size == 96


def test_delv_vtrace_reads_the_verdict_not_the_trace(cold: Lab) -> None:
    text = run("delv", "-a", str(cold.trust_anchor_file), f"@{UNBOUND}", "+vtrace", "www.healthy-signed.lab")
    out = read(text)
    assert (out.tool, out.delv_verdict, out.qname) == ("delv", "fully validated", "www.healthy-signed.lab."), text


# ------------------------------------------------------------------------- options that change the printed form


@pytest.mark.parametrize(
    "argv",
    [
        ("dig", f"@{UNBOUND}", "+qr", "www.healthy-signed.lab"),
        ("dig", f"@{UNBOUND}", "+yaml", "+qr", "www.healthy-signed.lab"),
        ("kdig", f"@{UNBOUND}", "+qr", "www.healthy-signed.lab"),
        ("drill", "-V", "5", f"@{UNBOUND}", "www.healthy-signed.lab"),
    ],
    ids=lambda v: " ".join(a for a in v if not a.startswith("@") and "." not in a),
)
def test_a_printed_query_is_not_a_response(lab: Lab, argv: tuple[str, ...]) -> None:
    """+qr (drill -V 5) prints the query first: no `qr` flag, NOERROR, no records; it is not a NODATA answer."""
    out = read(run(*argv))
    assert "qr" in out.flags and out.status == "NOERROR"
    assert [r.data for r in out.answer] == ["192.0.2.1"]
    assert explained(out).verdict == "ok"


@pytest.mark.parametrize(
    "argv",
    [
        ("dig", f"@{SILENT}", "+qr", "+time=1", "+tries=1", "www.healthy-signed.lab"),
        ("kdig", f"@{SILENT}", "+qr", "+time=1", "+retry=0", "www.healthy-signed.lab"),
    ],
    ids=lambda v: v[0],
)
def test_a_printed_query_then_a_timeout(lab: Lab, argv: tuple[str, ...]) -> None:
    out = read(run(*argv))
    assert (out.status, out.timeout, out.tool) == (None, True, argv[0])
    assert explained(out).verdict == "no_answer"


@pytest.mark.parametrize(
    "qname,qtype", [("nope.healthy-signed.lab", "A"), ("www.healthy-signed.lab", "AAAA")], ids=["nxdomain", "nodata"]
)
def test_nocomments_negative_answer_keeps_the_soa_in_authority(lab: Lab, qname: str, qtype: str) -> None:
    """+nocomments prints the sections without their names: the SOA of a negative answer is not an answer."""
    out = read(run("dig", f"@{UNBOUND}", "+nocomments", "+dnssec", qname, qtype))
    wire = truth(UNBOUND, qname, qtype, dnssec=True)
    assert (out.status, out.qname, out.qtype, out.answer) == (None, qname + ".", qtype, ())
    assert sorted(r.rtype for r in out.authority) == sorted(
        dns.rdatatype.to_text(rrset.rdtype) for rrset in wire.authority for _ in rrset
    )
    item = explained(out)
    assert item.verdict == "unknown" and item.headline.startswith("A negative answer")


@pytest.mark.parametrize(
    "qname,qtype,verdict",
    [("nope.healthy-signed.lab", "A", "nxdomain"), ("www.healthy-signed.lab", "AAAA", "nodata")],
    ids=["nxdomain", "nodata"],
)
def test_kdig_nocomments_reads_the_question(lab: Lab, qname: str, qtype: str, verdict: str) -> None:
    """kdig +nocomments prints the question as `;;name. IN A` (no space): without it the negative answer's SOA
    looks like the answer to `zone. SOA`, and a NODATA like a healthy answer."""
    text = run("kdig", f"@{UNBOUND}", "+nocomments", "+dnssec", qname, qtype)
    out = read(text)
    wire = truth(UNBOUND, qname, qtype, dnssec=True)
    assert (out.tool, out.status, out.qname, out.qtype, out.answer) == (
        "kdig",
        dns.rcode.to_text(wire.rcode()),
        qname + ".",
        qtype,
        (),
    ), text
    assert sorted(r.rtype for r in out.authority) == sorted(
        dns.rdatatype.to_text(rrset.rdtype) for rrset in wire.authority for _ in rrset
    )
    assert explained(out).verdict == verdict


@pytest.mark.parametrize("tool", ["dig", "kdig"])
@pytest.mark.parametrize(
    "qname,qtype", [("nope.healthy-signed.lab", "A"), ("www.healthy-signed.lab", "AAAA")], ids=["nxdomain", "nodata"]
)
def test_noall_answer_authority_denial_is_not_an_answer(lab: Lab, tool: str, qname: str, qtype: str) -> None:
    """`+noall +answer +authority +dnssec` of a negative answer prints only the SOA and the NSECs, no question: they
    are the authority section of a denial, not the answer to `zone. SOA`."""
    text = run(tool, f"@{UNBOUND}", "+noall", "+answer", "+authority", "+dnssec", qname, qtype)
    out = read(text)
    wire = truth(UNBOUND, qname, qtype, dnssec=True)
    assert not wire.answer
    assert out.answer == (), text
    assert sorted(r.rtype for r in out.authority) == sorted(
        dns.rdatatype.to_text(rrset.rdtype) for rrset in wire.authority for _ in rrset
    )
    item = explained(out)
    assert item.verdict == "unknown" and item.headline.startswith("A negative answer")


def test_nocomments_referral(lab: Lab) -> None:
    out = read(run("dig", f"@{lab.nameservers['ns1.lab.']}", "+norec", "+nocomments", "www.healthy-signed.lab"))
    assert out.answer == ()
    assert {(r.name, r.rtype) for r in out.authority} == {("healthy-signed.lab.", "NS")}
    assert {r.rtype for r in out.additional} == {"A"}
    assert explained(out).headline.startswith("A referral")


@pytest.mark.parametrize(
    "server,status,timeout,error",
    [
        (SILENT, None, True, "timed out"),
        (CLOSED, None, False, "connection refused"),
        ("127.53.54.1", "REFUSED", False, None),
    ],
    ids=["timeout", "closed", "refused"],
)
def test_delv_server_failures_are_not_validation_failures(
    lab: Lab, server: str, status: str | None, timeout: bool, error: str | None
) -> None:
    """delv prints `resolution failed: timed out` / `: failure` when the server does not answer or refuses."""
    text = run("delv", "-a", str(lab.trust_anchor_file), f"@{server}", "www.healthy-signed.lab")
    out = read(text)
    assert (out.tool, out.status, out.timeout, out.transport_error) == ("delv", status, timeout, error), text
    item = explained(out)
    assert item.verdict == ("failure" if status else "no_answer")
    assert "DNSSEC validation failed (delv)" not in [f.title for f in item.findings]


def test_delv_names_the_query_from_its_last_resolving_line(cold: Lab) -> None:
    """With +cd delv validates the expired data itself and logs the failed sub-fetch (the DNSKEY) first."""
    text = run("delv", "-a", str(cold.trust_anchor_file), f"@{UNBOUND}", "+cd", "www.expired.lab")
    out = read(text)
    assert (out.qname, out.qtype, out.delv_failure) == ("www.expired.lab.", "A", "broken trust chain"), text
    assert "DNSSEC validation failed (delv)" in [f.title for f in explained(out).findings]


@pytest.mark.parametrize(
    "qname,verdict", [("www.healthy-signed.lab", "ok"), ("www.expired.lab", "failure")], ids=["validated", "failed"]
)
def test_delv_mtrace_messages_are_not_outputs(cold: Lab, qname: str, verdict: str) -> None:
    """+mtrace prints every message delv received (a dig-like header, records commented out): one output, delv's."""
    text = run("delv", "-a", str(cold.trust_anchor_file), f"@{UNBOUND}", "+mtrace", qname)
    out = read(text)
    assert (out.tool, out.qname, out.qtype) == ("delv", qname + ".", "A"), text
    assert explained(out).verdict == verdict


def test_nslookup_soa_block(lab: Lab) -> None:
    """nslookup prints an SOA as its owner alone on a line, then one `field = value` line per field."""
    out = read(run("nslookup", "-type=soa", "healthy-signed.lab", UNBOUND))
    wire = truth(UNBOUND, "healthy-signed.lab", "SOA")
    assert (out.status, out.qname) == ("NOERROR", "healthy-signed.lab")
    assert [(r.rtype, r.data) for r in out.answer] == [("SOA", wire.answer[0][0].to_text())]
    assert explained(out).verdict == "ok"


@pytest.mark.parametrize("qtype", ["MX", "CAA"])
def test_nslookup_no_answer_with_the_zone_soa(lab: Lab, qtype: str) -> None:
    """`*** Can't find …: No answer`, then the SOA under `Authoritative answers can be found from:`: NODATA."""
    out = read(run("nslookup", f"-type={qtype}", "healthy-signed.lab", UNBOUND))
    assert (out.status, out.answer, [r.rtype for r in out.authority]) == ("NOERROR", (), ["SOA"])
    assert explained(out).verdict == "nodata"


@pytest.mark.parametrize("qtype", ["DNSKEY", "DS"])
def test_nslookup_types_it_prints_as_rdata_number(lab: Lab, qtype: str) -> None:
    """nslookup prints types it has no words for as `name rdata_48 = …`."""
    out = read(run("nslookup", f"-type={qtype}", "healthy-signed.lab", UNBOUND))
    wire = truth(UNBOUND, "healthy-signed.lab", qtype)
    assert [r.rtype for r in out.answer] == [qtype] * len(wire.answer[0])
    assert explained(out).verdict == "ok"


@pytest.mark.parametrize("server", ["ns-knot.lab.", "ns-nsd.lab."])
def test_refused_zone_transfer(lab: Lab, server: str) -> None:
    """dig prints only `; Transfer failed.` when the server answers an AXFR with an error."""
    address = lab.nameservers[server]
    zone = "healthy-signed.lab" if server == "ns-knot.lab." else "healthy-unsigned.lab"
    wire = dns.query.tcp(dns.message.make_query(zone, "AXFR"), address, timeout=5)
    assert wire.rcode() != dns.rcode.NOERROR
    out = read(run("dig", f"@{address}", zone, "AXFR"))
    assert (out.tool, out.status, out.qtype, out.answer) == ("dig", None, "AXFR", ())
    item = explained(out)
    assert item.verdict == "failure" and item.findings[0].title == "Zone transfer refused or failed"


@pytest.mark.parametrize("server", ["ns-knot.lab.", "ns-nsd.lab."])
def test_kdig_refused_zone_transfer_is_an_answer(lab: Lab, server: str) -> None:
    """kdig prints a refused AXFR as `;; ERROR: server replied with error 'NOTAUTH'` then `failed to query server`:
    the server answered (with that RCODE), so this is not a transport failure."""
    address = lab.nameservers[server]
    zone = "healthy-signed.lab" if server == "ns-knot.lab." else "healthy-unsigned.lab"
    wire = dns.query.tcp(dns.message.make_query(zone, "AXFR"), address, timeout=5)
    text = run("kdig", f"@{address}", zone, "AXFR")
    out = read(text)
    assert (out.tool, out.status, out.rcode) == ("kdig", dns.rcode.to_text(wire.rcode()), wire.rcode()), text
    assert (out.qname, out.qtype, out.timeout, out.transport_error) == (zone + ".", "AXFR", False, None)
    item = explained(out)
    titles = [f.title for f in item.findings]
    assert item.verdict == "failure" and "Zone transfer refused or failed" in titles
    assert "An earlier attempt failed" not in titles


@pytest.mark.parametrize("server", [SILENT, CLOSED], ids=["silent", "closed"])
def test_yaml_dig_error(lab: Lab, server: str) -> None:
    """+yaml prints a failure as `- type: DIG_ERROR` with the message on its own line (and nothing on stderr)."""
    text = run("dig", f"@{server}", "+yaml", "+time=1", "+tries=1", "www.healthy-signed.lab")
    out = read(text, detectable=False)  # not detected yet: see the report on detect.py
    assert (out.tool, out.form, out.status, out.transport_error) == ("dig", "yaml", None, "no servers could be reached")
    assert explained(out).verdict == "no_answer"


def test_tcp_connection_refused_names_the_server_and_the_query(lab: Lab) -> None:
    out = read(run("dig", f"@{CLOSED}", "+tcp", "+time=1", "+tries=1", "www.healthy-signed.lab"))
    assert (out.server, out.qname, out.transport_error) == (f"{CLOSED}#53", "www.healthy-signed.lab", "connection refused")


def test_short_identify(lab: Lab) -> None:
    """`+short +identify` appends `from server … in … ms.` to each value (not detected in chat, like any +short)."""
    outputs = digtext.from_text(run("dig", f"@{UNBOUND}", "+short", "+identify", "healthy-signed.lab", "NS")).outputs
    wire = truth(UNBOUND, "healthy-signed.lab", "NS")
    assert [(o.form, o.status, o.server, sorted(r.data for r in o.answer)) for o in outputs] == [
        ("short", "NOERROR", UNBOUND, sorted(rr.to_text() for rr in wire.answer[0]))
    ]


@pytest.mark.parametrize(
    ("name", "checking_disabled", "chase", "verdict"),
    [
        ("www.healthy-signed.lab", False, "successful", "ok"),
        ("www.expired.lab", True, "failed", "failure"),
        ("www.healthy-unsigned.lab", False, "failed", "unknown"),
        ("nope.healthy-signed.lab", False, "denied", "unknown"),
    ],
)
def test_drill_chase(lab: Lab, name: str, checking_disabled: bool, chase: str, verdict: str) -> None:
    """drill -S follows the signatures to its trust anchor itself: its verdict, not the records of its trust tree."""
    cd = ("-o", "CD") if checking_disabled else ()
    out = read(run("drill", "-S", "-k", str(lab.anchor_file), *cd, f"@{UNBOUND}", name))
    assert (out.tool, out.form, out.qname, out.qtype, out.chase) == ("drill", "chase", name + ".", "A", chase)
    assert out.answer == (), "the trust tree's records are evidence, not the answer"
    item = explained(out)
    assert item.verdict == verdict
    if verdict == "failure":
        assert out.chase_error is not None and "expired" in out.chase_error
        assert any("delv +vtrace" in step for step in item.next_steps)
    if name == "www.healthy-unsigned.lab":
        # An unsigned zone has no keys to chase: drill says the chase failed, which is not a DNSSEC failure.
        assert "No chain of trust to check (drill -S)" in [f.title for f in item.findings]


def test_drill_chase_key_without_a_matching_ds_is_a_broken_chain(cold: Lab) -> None:
    """drill says `No DNSSEC public key(s)` for an unsigned zone and for a DS that matches no key alike; its trust
    tree shows the zone's DNSKEY only in the second case, which a validating resolver fails (EDE 9)."""
    name = "www.ds-mismatch.lab"
    text = run("drill", "-S", "-k", str(cold.anchor_file), f"@{UNBOUND}", name)
    out = read(text)
    cold.flush()
    wire = truth(UNBOUND, name)
    assert (dns.rcode.to_text(wire.rcode()), [code for code, _ in edes_of(wire)]) == ("SERVFAIL", [9])
    assert (out.chase, out.chase_error) == ("failed", "No DNSSEC public key(s)"), text
    item = explained(out)
    assert item.verdict == "failure"
    broken = next(f for f in item.findings if f.title == "DNSSEC chain of trust broken (drill -S)")
    assert "ds-mismatch.lab. DNSKEY keytag" in broken.detail
    assert "No chain of trust to check (drill -S)" not in [f.title for f in item.findings]


def test_host_with_nothing_after_its_server_block_is_nodata(lab: Lab) -> None:
    """host asks A, AAAA and MX; when the name has none of them it prints only its server block."""
    for qtype in ("A", "AAAA", "MX"):
        wire = truth(UNBOUND, "healthy-signed.lab", qtype)
        assert (dns.rcode.to_text(wire.rcode()), wire.answer) == ("NOERROR", [])
    text = run("host", "healthy-signed.lab", UNBOUND)
    assert "has" not in text and "not found" not in text, text
    out = read(f"$ host healthy-signed.lab {UNBOUND}\n{text}")  # pasted with its command line: the name is known
    assert (out.tool, out.qname, out.status, out.answer) == ("host", "healthy-signed.lab", "NOERROR", ())
    item = explained(out)
    assert item.verdict == "nodata"
    assert "host found none of A, AAAA and MX" in [f.title for f in item.findings]
    bare = explained(read(text))  # no name, and maybe cut: not called NODATA, but said what it likely means
    assert (bare.output.status, bare.verdict) == (None, "unknown")
    assert "host printed only its server block" in [f.title for f in bare.findings]
    two = digtext.from_text(text + run("host", "www.healthy-signed.lab", UNBOUND)).outputs
    assert [o.answer[0].data if o.answer else None for o in two] == [None, "192.0.2.1"]  # two runs stay two
