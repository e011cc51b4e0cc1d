"""The full report: every check of the Zonemaster-anchored list, from one probe, with evidence for each status."""

from __future__ import annotations

import pytest

from bot.core.check.diagnosis import Diagnosis, diagnose, with_report
from bot.core.check.diagnosis.model import STATUSES
from bot.core.check.diagnosis.report import CHECKS
from bot.core.check.observations import Purpose
from bot.core.codes import knowledge
from tests.probe.fakedns import World, example_world

NS1, NS2 = "20.0.1.1", "20.0.1.2"


@pytest.fixture(scope="module")
def kb() -> knowledge.Knowledge:
    return knowledge.load_default()


def _report(world: World, kb: knowledge.Knowledge, name: str = "www.example.test", rdtype: str = "A") -> Diagnosis:
    result = world.run(name, rdtype)
    return with_report(diagnose(result, kb), result, kb)


def _status(d: Diagnosis) -> dict[str, str]:
    assert d.report is not None
    return {c.id: c.status for c in d.report}


def test_every_check_is_listed_once_with_evidence(kb: knowledge.Knowledge) -> None:
    d = _report(example_world(), kb)
    assert d.report is not None
    assert [c.id for c in d.report] == list(CHECKS)
    assert len(set(CHECKS)) == len(CHECKS)
    for check in d.report:
        assert check.status in STATUSES and check.evidence and check.title, check


def test_healthy_unsigned_zone_passes(kb: knowledge.Knowledge) -> None:
    d = _report(example_world(), kb)
    statuses = _status(d)
    assert {k for k, v in statuses.items() if v != "passed"} == {"diversity"}, statuses  # one /24: see below
    assert d.report is not None
    tcp = next(c for c in d.report if c.id == "servers_tcp")
    assert all("over TCP (NOERROR" in line for line in tcp.evidence) and len(tcp.evidence) == 2
    chain = next(c for c in d.report if c.id == "dnssec_chain")
    assert "publishes no DS for example.test." in chain.evidence[0]


@pytest.mark.parametrize(
    ("change", "check", "status", "cause"),
    [
        (lambda w: setattr(w.servers[NS2], "mode", "udp_only"), "servers_tcp", "warned", "tcp_broken"),
        (lambda w: setattr(w.servers[NS2], "mode", "silent"), "servers_udp", "warned", "ns_unreachable"),
        (lambda w: setattr(w.servers[NS2], "mode", "refuse"), "delegation", "failed", "lame_delegation"),
        (lambda w: setattr(w.servers[NS1], "recursive", True), "recursion", "warned", "open_recursion"),
        (lambda w: setattr(w.servers[NS1], "open_axfr", True), "axfr", "warned", "zone_transfer_open"),
        (lambda w: setattr(w.servers[NS2], "serial_bump", 1), "soa_serials", "warned", "serial_mismatch"),
    ],
)
def test_a_cause_turns_its_check(kb: knowledge.Knowledge, change: object, check: str, status: str, cause: str) -> None:
    world = example_world()
    change(world)  # type: ignore[operator]
    d = _report(world, kb)
    assert d.report is not None
    item = next(c for c in d.report if c.id == check)
    assert (item.status, item.causes) == (status, (cause,))
    found = next(c for c in d.causes if c.id == cause)
    assert (item.evidence, item.fix) == (found.evidence, found.fix) and item.fix
    others = {c.id for c in d.report if c.status in ("warned", "failed")} - {check}
    assert others <= {"answers", "soa_serials", "diversity"}, others  # a broken server changes nothing else


def test_every_server_failing_fails_the_check(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS1].mode = world.servers[NS2].mode = "refuse"
    assert _status(_report(world, kb))["delegation"] == "failed"


def test_a_single_nameserver_address_is_a_warning(kb: knowledge.Knowledge) -> None:
    world = example_world()
    for zone in ("test.", "example.test."):
        world.zones[zone][("example.test.", "NS")] = ["ns1.example.test."]
    d = _report(world, kb)
    assert d.report is not None
    diversity = next(c for c in d.report if c.id == "diversity")
    assert diversity.status == "warned" and "single nameserver address (20.0.1.1)" in diversity.evidence[0]


def test_one_slash_24_is_a_warning(kb: knowledge.Knowledge) -> None:
    d = _report(example_world(), kb)  # 20.0.1.1 and 20.0.1.2
    assert d.report is not None
    diversity = next(c for c in d.report if c.id == "diversity")
    # 20.0.1.1 and 20.0.1.2 share 20.0.1.0/24: one network's outage takes both.
    assert diversity.status == "warned" and "20.0.1.0/24" in diversity.evidence[0]


def test_not_checked_when_no_server_answers(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS1].mode = world.servers[NS2].mode = "silent"
    statuses = _status(_report(world, kb))
    assert statuses["recursion"] == statuses["axfr"] == "not checked"
    assert statuses["servers_udp"] == "failed"


def test_report_is_in_the_json_only_when_asked(kb: knowledge.Knowledge) -> None:
    result = example_world().run("www.example.test", "A")
    plain = diagnose(result, kb)
    assert "report" not in plain.to_json()
    data = with_report(plain, result, kb).to_json()
    report = data["report"]
    assert isinstance(report, list) and {"id", "title", "status", "evidence", "causes", "fix"} <= set(report[0])


def test_a_check_cut_short_by_the_budget_says_so(kb: knowledge.Knowledge) -> None:
    result = example_world().run("www.example.test", "A", budget=12)
    d = with_report(diagnose(result, kb), result, kb)
    assert d.report is not None
    skipped = [c for c in d.report if c.status == "not checked"]
    assert skipped, [c.status for c in d.report]
    assert all(any("the budget of 12 queries ran out" in line for line in c.evidence) for c in skipped)


def test_the_operator_can_turn_the_security_questions_off(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS1].recursive = world.servers[NS2].open_axfr = True
    result = world.run("www.example.test", "A", security=False)
    assert not result.by_purpose(Purpose.AUTH_AXFR, Purpose.AUTH_RECURSION)
    d = with_report(diagnose(result, kb), result, kb)
    assert d.causes == () and d.report is not None
    for check in (c for c in d.report if c.id in ("recursion", "axfr")):
        assert check.status == "not checked" and "RCODEBOT_SECURITY_CHECKS=false" in check.evidence[0]


def test_a_stale_cds_on_a_zone_without_ds_is_reported_as_not_affecting_resolution(kb: knowledge.Knowledge) -> None:
    """An island (DNSKEY, no DS) with a CDS for a key it does not have: only a parent that bootstraps from CDS
    (RFC 9615) would act on it, so it is reported, and advisory."""
    world = example_world()
    records = world.zones["example.test."]
    records[("example.test.", "DNSKEY")] = ["257 3 13 " + "A" * 86 + "=="]
    records[("example.test.", "CDS")] = ["12345 13 2 " + "AB" * 32]
    result = world.run("www.example.test", "A")
    d = with_report(diagnose(result, kb), result, kb)
    (cause,) = d.causes
    assert (cause.id, cause.advisory, d.verdict) == ("cds_mismatch", True, "ok")
    assert d.report is not None
    assert next(c for c in d.report if c.id == "cds").status == "warned"
