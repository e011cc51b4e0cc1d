"""/dnscheck against real DNS servers: every lab scenario, end to end through the service (parse -> probe -> diagnose
-> render), asserting the verdict, the cause ids and details, and the evidence (which server said what).

The lab (tests/lab) runs Unbound and BIND as validating resolvers and NSD, Knot and BIND as authoritative servers
on 127.53.x.y inside a private network namespace; nothing leaves loopback.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.cli import Environment, ExitStatus, main
from bot.core.check.diagnosis import CAUSES, DNSSEC_DETAILS
from bot.core.check.observations import Purpose
from bot.core.codes import knowledge
from bot.render import limits
from bot.render.reply import Reply
from bot.services import dnscheck
from bot.settings import ProbeSettings, Settings
from tests.lab import addresses as A
from tests.lab.lab import SCENARIOS, Lab

pytestmark = pytest.mark.lab

# What each scenario's evidence must say: (cause id, substrings that must all appear in that cause's evidence).
EVIDENCE: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "healthy_signed": [],
    "healthy_unsigned": [],
    "nxdomain": [],
    "nodata": [],
    "expired_rrsig": [
        (
            "dnssec_bogus",
            (
                f"resolver {A.UNBOUND} answered SERVFAIL",
                "with CD set: NOERROR",
                f"{A.NSD} (ns-nsd.lab.) served",
                "that expired",
            ),
        ),
    ],
    "future_rrsig": [("dnssec_bogus", (f"{A.KNOT} (ns-knot.lab.) served", "valid only from", "with CD set: NOERROR"))],
    "ds_mismatch": [
        (
            "dnssec_bogus",
            (
                "no DNSKEY of ds-mismatch.lab. matches the parent's DS",
                f"{A.TLD} (ns1.lab.)",
                f"{A.BIND_AUTH} (ns-bind.lab.) serves key tags",
            ),
        )
    ],
    "ds_for_unsigned": [
        (
            "dnssec_bogus",
            (
                "the parent publishes DS for ds-unsigned.lab.",
                f"{A.TLD} (ns1.lab.)",
                f"{A.NSD} (ns-nsd.lab.) serves no DNSKEY",
            ),
        )
    ],
    "rrsig_missing": [("dnssec_bogus", (f"{A.KNOT} (ns-knot.lab.) served www.rrsig-missing.lab. A with no RRSIG",))],
    "bad_signature": [("dnssec_bogus", (f"www.bad-signature.lab. A from {A.BIND_AUTH} (ns-bind.lab.) does not verify",))],
    "unsupported_algorithm": [("dnssec_bogus", ("algorithm 100", f"{A.TLD} (ns1.lab.)"))],
    "lame": [
        (
            "lame_delegation",
            (f"{A.NSD} (ns-nsd.lab.) answered SOA lame.lab. with REFUSED, no AA, EDE 20 (Not Authoritative)",),
        )
    ],
    "all_lame": [
        (
            "lame_delegation",
            (
                f"{A.NSD} (ns-nsd.lab.) answered SOA all-lame.lab. with REFUSED",
                f"{A.BIND_AUTH} (ns-bind.lab.) answered SOA all-lame.lab. with REFUSED",
            ),
        )
    ],
    "lame_referral": [
        (
            "lame_delegation",
            ("(ns-recursor.lab.) answered SOA lame-referral.lab. with an upward referral (to .) without AA",),
        ),
    ],
    "one_ns_silent": [
        ("ns_unreachable", (f"{A.SILENT_NS} (ns-silent.lab.) never answered SOA one-silent.lab.", "no answer within"))
    ],
    "one_ns_closed": [
        ("ns_unreachable", (f"{A.CLOSED_NS} (ns-closed.lab.) never answered SOA one-closed.lab.", "port 53 closed"))
    ],
    "all_ns_silent": [
        (
            "ns_unreachable",
            (f"{A.SILENT_NS} (ns-silent.lab.) never answered", f"{A.SILENT_NS2} (ns-silent2.lab.) never answered"),
        )
    ],
    "all_ns_closed": [
        (
            "ns_unreachable",
            (
                f"{A.CLOSED_NS} (ns-closed.lab.) never answered",
                f"{A.CLOSED_NS2} (ns-closed2.lab.) never answered",
                "port 53 closed",
            ),
        )
    ],
    "serial_mismatch": [
        (
            "serial_mismatch",
            (f"{A.NSD} (ns-nsd.lab.) answered SOA serial 1", f"{A.KNOT} (ns-knot.lab.) answered SOA serial 2"),
        )
    ],
    "inconsistent_answers": [
        (
            "inconsistent_answers",
            (
                f"{A.NSD} (ns-nsd.lab.) answered www.inconsistent.lab. A: NOERROR A 192.0.2.1",
                f"{A.BIND_AUTH} (ns-bind.lab.) answered www.inconsistent.lab. A: NOERROR A 192.0.2.2",
            ),
        )
    ],
    "delegation_mismatch": [
        (
            "delegation_mismatch",
            (
                "the parent zone lab. delegates to ns-knot.lab., ns-nsd.lab.",
                "the zone deleg-mismatch.lab. lists ns-bind.lab., ns-nsd.lab.",
                "only at the parent: ns-knot.lab.",
                "only in the zone: ns-bind.lab.",
            ),
        )
    ],
    "edns_broken": [
        (
            "edns_broken",
            (
                f"{A.NOEDNS_NS} (ns-noedns.lab.) answered SOA edns-broken.lab. without EDNS (NOERROR) but not with EDNS (FORMERR)",
            ),
        )
    ],
    "edns_dropped": [
        (
            "edns_broken",
            (
                f"{A.DROPEDNS_NS} (ns-dropedns.lab.) answered SOA edns-dropped.lab. without EDNS (NOERROR) but not "
                "with EDNS (no answer within",
            ),
        ),
    ],
    "edns_broken_signed": [
        (
            "edns_broken",
            (
                f"{A.NOEDNS_NS} (ns-noedns.lab.) answered SOA edns-broken-signed.lab. without EDNS (NOERROR) but "
                "not with EDNS (FORMERR)",
            ),
        ),
        ("dnssec_bogus", (f"resolver {A.UNBOUND} answered SERVFAIL", "EDE 10", "with CD set: NOERROR")),
    ],
    "resolver_refused": [("resolver_refused", (f"resolver {A.UNBOUND_REFUSE} answered REFUSED",))],
    "resolver_refused_bind": [("resolver_refused", (f"resolver {A.BIND_REFUSE} answered REFUSED", "EDE 18"))],
    "resolver_unreachable": [("resolver_unreachable", (f"resolver {A.RESOLVER_SILENT} gave no answer", "no answer within"))],
    "resolver_closed": [("resolver_unreachable", (f"resolver {A.RESOLVER_CLOSED} gave no answer", "port 53 closed"))],
    "not_implemented": [
        ("not_implemented", (f"resolver {A.BIND_RESOLVER} answered NOTIMP for www.healthy-unsigned.lab. MAILB",))
    ],
    "dangling_cname": [
        (
            "dangling_cname",
            (
                f"resolver {A.UNBOUND} answered NXDOMAIN for app.dangling.lab. A",
                "app.dangling.lab. → shop.dangling.lab. → shop-7f3a.cloud-gone.lab.",
                "link 2 of 2, shop.dangling.lab. CNAME shop-7f3a.cloud-gone.lab., which does not exist (NXDOMAIN)",
            ),
        )
    ],
    "missing_glue": [
        (
            "missing_glue",
            (
                f"{A.TLD} (ns1.lab.) delegates noglue.lab. to ns1.noglue.lab., inside the zone, with no glue address",
                f"though the zone serves {A.NSD} for it",
            ),
        )
    ],
    "tcp_broken": [
        (
            "tcp_broken",
            (
                f"{A.UDPONLY_NS} (ns-udponly.lab.) answered SOA tcp-broken.lab. over UDP (NOERROR) but not over TCP",
                "TCP refused",
            ),
        )
    ],
    "open_recursion": [
        ("open_recursion", (f"{A.OPENREC_NS} (ns-openrec.lab.) answered `. SOA` with RD set: NOERROR with RA",))
    ],
    "zone_transfer_open": [
        ("zone_transfer_open", (f"{A.BIND_AUTH} (ns-bind.lab.) answered AXFR axfr-open.lab. over TCP: NOERROR",))
    ],
    "signature_expiring": [
        ("signature_expiring", (f"{A.KNOT} (ns-knot.lab.) served SOA expiring.lab. with an RRSIG", "in 24 hours"))
    ],
    "nsec3_iterations": [
        ("nsec3_iterations", (f"{A.NSD} (ns-nsd.lab.) uses NSEC3 with 200 extra iterations and a salt (ABCD)",))
    ],
    "cds_mismatch": [
        (
            "cds_mismatch",
            (
                f"{A.BIND_AUTH} (ns-bind.lab.) publishes CDS key tag",
                "which matches none of the zone's DNSKEYs",
                "publishes a CDNSKEY",
            ),
        )
    ],
    "resolver_failure": [
        (
            "resolver_failure",
            (
                f"resolver {A.UNBOUND_BROKEN} answered SERVFAIL",
                "with CD set: SERVFAIL",
                "the zone's servers answer normally when asked directly",
            ),
        )
    ],
}


@pytest.fixture(scope="module")
def kb() -> knowledge.Knowledge:
    return knowledge.load_default()


def _settings(lab: Lab, resolvers: tuple[str, ...], **changes: Any) -> Settings:
    probe = ProbeSettings(resolvers=resolvers, query_timeout=2.0, deadline=12.0, query_budget=60, port=lab.port)
    settings = Settings(probe=probe)
    return settings.with_probe(**changes) if changes else settings


def _check(
    lab: Lab, kb: knowledge.Knowledge, text: str, resolvers: tuple[str, ...], *, trusted: bool = True, **changes: Any
) -> Reply:
    settings = _settings(lab, resolvers, **changes)
    request = dnscheck.parse(text, settings.probe, trusted=trusted)
    return dnscheck.run(request, settings, kb)


def test_every_cause_and_detail_has_a_scenario() -> None:
    """The issue's rule: every cause id (and every dnssec_bogus detail) is produced by at least one lab scenario."""
    expected = {cause for s in SCENARIOS for cause in s.causes}
    assert {c.split(":")[0] for c in expected} == set(CAUSES)
    assert {c.split(":")[1] for c in expected if c.startswith("dnssec_bogus:")} == set(DNSSEC_DETAILS)
    assert {s.id for s in SCENARIOS} <= set(EVIDENCE)


@pytest.fixture
def fresh(lab: Lab) -> Iterator[Lab]:
    lab.flush()
    yield lab


@pytest.mark.parametrize("scenario_id", [s.id for s in SCENARIOS])
def test_scenario(fresh: Lab, kb: knowledge.Knowledge, scenario_id: str) -> None:
    scenario = fresh.scenarios[scenario_id]
    resolvers = scenario.resolvers or fresh.resolvers
    reply = _check(fresh, kb, f"{scenario.qname} {scenario.qtype}", resolvers)
    data = reply.to_json()
    got = [c["id"] + (f":{c['detail']}" if c["detail"] else "") for c in data["causes"]]
    assert (data["verdict"], sorted(got)) == (scenario.verdict, sorted(scenario.causes)), json.dumps(
        data["causes"], indent=1
    )
    if scenario_id not in EVIDENCE:  # a scenario newer than this table: its evidence must at least name a server
        servers = [*scenario.nameservers, *resolvers]
        for cause in data["causes"]:
            assert any(server in line for line in cause["evidence"] for server in servers), cause
    for cause_id, fragments in EVIDENCE.get(scenario_id, []):
        cause = next(c for c in data["causes"] if c["id"] == cause_id)
        evidence = "\n".join(cause["evidence"])
        for fragment in fragments:
            assert fragment in evidence
        assert cause["summary"] and cause["fix"]
    if scenario.causes and scenario.verdict == "failure":
        assert data["causes"][0]["explains_failure"] is True  # the cause that explains the failure comes first
    if scenario.verdict == "ok":  # beside `ok`, only findings marked as not affecting resolution (security)
        assert all(c["affects_resolution"] is False and c["family"] == "security" for c in data["causes"])
    if scenario.verdict == "degraded":
        assert any(c["affects_resolution"] for c in data["causes"])
    assert [r["address"] for r in data["resolvers"]] == list(resolvers)
    if scenario.zone is not None and scenario.id not in (
        "resolver_refused",
        "resolver_refused_bind",
        "resolver_unreachable",
        "resolver_closed",
    ):
        assert data["zone"] == scenario.zone
        assert set(scenario.nameservers) <= {n["address"] for n in data["nameservers"]}
    assert data["queries"] <= 60
    assert reply.ok is (scenario.verdict != "failure")
    limits.check(reply.blocks)
    json.dumps(data)


def test_broken_edns_ranks_before_the_dnssec_failure_it_causes(fresh: Lab, kb: knowledge.Knowledge) -> None:
    data = _check(fresh, kb, "www.edns-broken-signed.lab", fresh.resolvers).to_json()
    assert [(c["id"], c["explains_failure"]) for c in data["causes"]] == [("edns_broken", True), ("dnssec_bogus", True)]


def test_healthy_signed_zone_details(fresh: Lab, kb: knowledge.Knowledge) -> None:
    data = _check(fresh, kb, "www.healthy-signed.lab", fresh.resolvers).to_json()
    assert all(r["rcode"] == "NOERROR" and "ad" in r["flags"] for r in data["resolvers"])
    servers = {n["address"]: n for n in data["nameservers"]}
    assert set(servers) == {A.KNOT, A.BIND_AUTH}
    assert all(n["aa"] and n["serial"] is not None and n["edns"] == "ok" for n in servers.values())
    assert all(n["at_parent"] and n["at_child"] for n in servers.values())
    assert data["answer"] and all(" A " in line for line in data["answer"])


def test_dnssec_failure_reports_the_validators_ede(fresh: Lab, kb: knowledge.Knowledge) -> None:
    data = _check(fresh, kb, "www.expired.lab", (A.UNBOUND,)).to_json()
    unbound = data["resolvers"][0]
    assert unbound["rcode"] == "SERVFAIL" and unbound["cd_rcode"] == "NOERROR"
    assert [e["code"] for e in unbound["ede"]] == [7]
    assert "signature expired" in unbound["ede"][0]["text"]


def test_untrusted_request_does_not_query_private_nameservers(fresh: Lab, kb: knowledge.Knowledge) -> None:
    """A Slack user cannot make the bot query private or loopback addresses by pointing a zone's NS there."""
    settings = _settings(fresh, fresh.resolvers)
    request = dnscheck.parse("www.lame.lab", settings.probe, trusted=False)
    assert request.allow_private is False
    result = dnscheck.probe(request, settings)
    assert result is not None
    direct = [e for e in result.exchanges if e.ask.purpose in (Purpose.REFERRAL, Purpose.AUTH_SOA, Purpose.AUTH_ANSWER)]
    assert direct == []
    assert any("private or local address" in note for note in result.notes)
    assert {e.ask.server for e in result.exchanges} <= set(fresh.resolvers)


def test_query_budget_is_a_hard_limit(fresh: Lab, kb: knowledge.Knowledge) -> None:
    reply = _check(fresh, kb, "www.serial.lab", fresh.resolvers, query_budget=6)
    data = reply.to_json()
    assert data["queries"] <= 6
    assert any("budget" in note for note in data["notes"])
    assert data["verdict"] == "ok"  # the resolvers' answers came first; what was learned is still reported


def test_deadline_reports_what_was_learned(fresh: Lab, kb: knowledge.Knowledge) -> None:
    reply = _check(fresh, kb, "www.all-silent.lab", fresh.resolvers, deadline=0.5, query_timeout=2.0)
    data = reply.to_json()
    assert any("deadline" in note for note in data["notes"])
    assert data["verdict"] == "failure"
    assert all(r["outcome"] == "timeout" for r in data["resolvers"])


def test_idna_name_is_encoded_before_probing(fresh: Lab, kb: knowledge.Knowledge) -> None:
    data = _check(fresh, kb, "https://WWW.Healthy-Signed.lab./path?q=1 a", fresh.resolvers).to_json()
    assert (data["name"], data["type"], data["verdict"]) == ("www.healthy-signed.lab.", "A", "ok")


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stderr=err, environ={"RCODEBOT_QUERY_TIMEOUT": "2"})
    status = main(list(argv), env)
    return status, out.getvalue(), err.getvalue()


def test_cli_exit_status_and_json(fresh: Lab) -> None:
    status, out, _ = _cli("dnscheck", "www.expired.lab", "--resolver", A.UNBOUND, "--json")
    data = json.loads(out)
    assert status == ExitStatus.DNS_FAILURE
    assert {"name", "type", "verdict", "causes", "resolvers", "nameservers", "elapsed_ms", "text", "blocks"} <= set(data)
    assert data["causes"][0]["id"] == "dnssec_bogus" and data["causes"][0]["detail"] == "signature_expired"
    assert {"address", "rcode", "flags", "ede", "cd_rcode", "ms"} <= set(data["resolvers"][0])
    assert {"name", "address", "rcode", "aa", "serial", "ms", "error"} <= set(data["nameservers"][0])

    status, out, _ = _cli("dnscheck", "nope.healthy-signed.lab", "-r", A.UNBOUND, "-r", A.BIND_RESOLVER)
    assert status == ExitStatus.OK
    assert out.startswith("NXDOMAIN: nope.healthy-signed.lab. does not exist")

    # One of two servers silent: it resolves now, but not for every resolver, every time.
    status, out, _ = _cli("dnscheck", "www.one-silent.lab", "-r", A.UNBOUND, "--json")
    assert status == ExitStatus.DEGRADED == 5
    data = json.loads(out)
    assert data["verdict"] == "degraded" and data["causes"][0]["id"] == "ns_unreachable"
    assert data["causes"][0]["explains_failure"] is False

    status, out, err = _cli("dnscheck", "example..com", "-r", A.UNBOUND)
    assert status == ExitStatus.USAGE and out == "" and "empty label" in err


def test_cli_report_lists_every_check(fresh: Lab) -> None:
    status, out, _ = _cli("dnscheck", "www.tcp-broken.lab", "--resolver", A.UNBOUND, "--report", "--json")
    data = json.loads(out)
    assert (status, data["verdict"]) == (ExitStatus.DEGRADED, "degraded")
    report = {c["id"]: c for c in data["report"]}
    assert report["servers_tcp"]["status"] == "warned" and report["servers_tcp"]["causes"] == ["tcp_broken"]
    assert report["servers_udp"]["status"] == "passed" and len(report["servers_udp"]["evidence"]) == 2
    assert report["axfr"]["status"] == "passed"  # NSD refused; the UDP-only server could not be asked over TCP
    assert any("was not tested: port 53 closed" in line for line in report["axfr"]["evidence"])
    status, out, _ = _cli("dnscheck", "www.tcp-broken.lab", "--resolver", A.UNBOUND, "--report")
    assert "Report (" in out and "[WARN] Every nameserver answers over TCP" in out


@pytest.mark.parametrize(
    ("scenario_id", "check", "status"),
    [
        ("healthy_signed", "dnssec_chain", "passed"),
        ("signature_expiring", "signature_windows", "warned"),
        ("expired_rrsig", "signature_windows", "failed"),
        ("nsec3_iterations", "nsec3", "warned"),
        ("cds_mismatch", "cds", "warned"),
        ("open_recursion", "recursion", "warned"),
        ("zone_transfer_open", "axfr", "warned"),
        ("missing_glue", "glue", "warned"),
        ("lame", "delegation", "failed"),
        ("dangling_cname", "alias", "failed"),
    ],
)
def test_report_of_each_lab_setup(fresh: Lab, kb: knowledge.Knowledge, scenario_id: str, check: str, status: str) -> None:
    scenario = fresh.scenarios[scenario_id]
    data = _check(fresh, kb, f"{scenario.qname} {scenario.qtype} report", fresh.resolvers).to_json()
    report = {c["id"]: c for c in data["report"]}
    assert report[check]["status"] == status, report[check]
    assert report[check]["evidence"]
    if scenario_id == "healthy_signed":  # the negative case: nothing warns or fails in a healthy zone
        assert {c["status"] for c in data["report"]} == {"passed"}, [c for c in data["report"] if c["status"] != "passed"]


def test_the_signature_window_is_the_operators(fresh: Lab) -> None:
    """Signatures that expire in a day are reported with the default 3-day window, and not with a half-day one."""
    for window, expected in (("3", ["signature_expiring"]), ("0.5", []), ("0", [])):
        out, err = io.StringIO(), io.StringIO()
        environ = {"RCODEBOT_QUERY_TIMEOUT": "2", "RCODEBOT_SIGNATURE_WINDOW_DAYS": window}
        env = Environment(stdin=io.StringIO(), stdout=out, stderr=err, environ=environ)
        status = main(["dnscheck", "www.expiring.lab", "--resolver", A.UNBOUND, "--json"], env)
        data = json.loads(out.getvalue())
        assert [c["id"] for c in data["causes"]] == expected, window
        assert status == (ExitStatus.DEGRADED if expected else ExitStatus.OK)


def test_the_operator_can_turn_off_axfr_and_recursion_questions(fresh: Lab) -> None:
    for setting, expected in (("true", ["zone_transfer_open"]), ("false", [])):
        out = io.StringIO()
        environ = {"RCODEBOT_QUERY_TIMEOUT": "2", "RCODEBOT_SECURITY_CHECKS": setting}
        env = Environment(stdin=io.StringIO(), stdout=out, stderr=io.StringIO(), environ=environ)
        assert main(["dnscheck", "www.axfr-open.lab", "--resolver", A.UNBOUND, "--json"], env) == ExitStatus.OK
        data = json.loads(out.getvalue())
        assert [c["id"] for c in data["causes"]] == expected, setting
