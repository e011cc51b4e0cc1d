"""The diagnosis from hand-built observations: verdicts, cause ids, ranking and evidence, no sockets.

The in-memory world (tests/probe/fakedns.py) answers the real planner's queries, so each case is a small story:
"ns2 refuses", "the resolver SERVFAILs unless CD is set", and the test reads what the diagnosis concludes.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.check.diagnosis import CAUSES, VERDICTS, Diagnosis, diagnose
from bot.core.check.observations import Exchange, Outcome, ProbeResult
from bot.core.codes import knowledge
from tests.conftest import examples
from tests.probe.fakedns import World, example_world

NS1, NS2 = "20.0.1.1", "20.0.1.2"
R1, R2 = "20.0.53.1", "20.0.53.2"


@pytest.fixture(scope="module")
def kb() -> knowledge.Knowledge:
    return knowledge.load_default()


def _diagnose(
    world: World,
    kb: knowledge.Knowledge,
    name: str = "www.example.test",
    rdtype: str = "A",
    resolvers: tuple[str, ...] | None = None,
) -> Diagnosis:
    return diagnose(world.run(name, rdtype, resolvers), kb)


def _ids(d: Diagnosis) -> list[str]:
    return [c.id + (f":{c.detail}" if c.detail else "") for c in d.causes]


def _evidence(d: Diagnosis, cause: str) -> str:
    return "\n".join(next(c for c in d.causes if c.id == cause).evidence)


def test_healthy(kb: knowledge.Knowledge) -> None:
    d = _diagnose(example_world(), kb)
    assert (d.verdict, _ids(d)) == ("ok", [])
    assert d.headline == "www.example.test. A resolves, and its nameservers look healthy."
    assert d.answer == ("www.example.test. 300 IN A 192.0.2.10",)
    assert [(s.address, s.aa, s.serial) for s in d.nameservers] == [(NS1, True, 1), (NS2, True, 1)]
    assert not d.failed


@pytest.mark.parametrize(
    ("name", "rdtype", "verdict"), [("nope.example.test", "A", "nxdomain"), ("www.example.test", "AAAA", "nodata")]
)
def test_negative_answers_are_answers(kb: knowledge.Knowledge, name: str, rdtype: str, verdict: str) -> None:
    d = _diagnose(example_world(), kb, name, rdtype)
    assert (d.verdict, _ids(d), d.failed) == (verdict, [], False)


def test_one_lame_server_among_healthy_ones(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS2].zones.clear()
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("degraded", ["lame_delegation"])
    assert not d.causes[0].explains
    assert _evidence(d, "lame_delegation") == f"{NS2} (ns2.example.test.) answered SOA example.test. with REFUSED, no AA"
    assert "resolves now, but not for everyone, every time: lame delegation" in d.headline


def test_all_servers_lame_explains_the_servfail(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS1].mode = world.servers[NS2].mode = "refuse"
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("failure", ["lame_delegation"])
    assert d.causes[0].explains and d.causes[0].reference == "EDE 22 (No Reachable Authority)"
    assert d.failed


def test_silent_and_closed_servers(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS1].mode = "silent"
    world.servers[NS2].mode = "closed"
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("failure", ["ns_unreachable"])
    evidence = _evidence(d, "ns_unreachable")
    assert f"{NS1} (ns1.example.test.) never answered SOA example.test. (UDP: no answer within 1.0 s" in evidence
    assert f"{NS2} (ns2.example.test.) never answered SOA example.test. (UDP: port 53 closed" in evidence


def test_a_server_that_answers_only_over_tcp_is_unreachable_for_resolvers(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS2].mode = "tcp_only"
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("degraded", ["ns_unreachable"])
    assert _evidence(d, "ns_unreachable").startswith(
        f"{NS2} (ns2.example.test.) answers SOA example.test. only over TCP (NOERROR), never over UDP (UDP: no answer"
    )


def test_nameserver_without_an_address(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.zones["example.test."][("example.test.", "NS")].append("ns3.example.test.")
    d = _diagnose(world, kb)
    assert _ids(d) == ["ns_unreachable", "delegation_mismatch"]
    assert "ns3.example.test. has no address: A NXDOMAIN, AAAA NXDOMAIN" in _evidence(d, "ns_unreachable")
    assert "only in the zone: ns3.example.test." in _evidence(d, "delegation_mismatch")


def test_an_address_this_machine_cannot_route_to_is_not_blamed(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS2].mode = "noroute"
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("ok", [])
    assert [s.address for s in d.nameservers] == [NS1]
    assert any(f"no route to {NS2}" in note for note in d.notes)


def test_serials_and_answers_that_differ(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS2].serial_bump = 1
    world.servers[NS2].override[("www.example.test.", "A")] = ["192.0.2.99"]
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("degraded", ["serial_mismatch", "inconsistent_answers"])
    assert _evidence(d, "serial_mismatch").splitlines() == [
        f"{NS1} (ns1.example.test.) answered SOA serial 1",
        f"{NS2} (ns2.example.test.) answered SOA serial 2",
    ]
    assert "A 192.0.2.99" in _evidence(d, "inconsistent_answers")


def test_edns_broken(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS1].mode = "formerr_on_edns"
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("degraded", ["edns_broken"])
    assert _evidence(d, "edns_broken") == (
        f"{NS1} (ns1.example.test.) answered SOA example.test. without EDNS (NOERROR) but not with EDNS (FORMERR)"
    )
    assert next(s for s in d.nameservers if s.address == NS1).edns == "broken"


def test_dnssec_detail_comes_from_the_validators_ede(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.resolver(R1, mode="servfail_unless_cd", ede=((7, "signature expired"),))
    d = _diagnose(world, kb, resolvers=(R1, R2))
    assert (d.verdict, _ids(d)) == ("failure", ["dnssec_bogus:signature_expired"])
    cause = d.causes[0]
    assert cause.explains and cause.reference == "EDE 7 (Signature Expired)"
    assert (
        f"resolver {R1} answered SERVFAIL for www.example.test. A; EDE 7 (Signature Expired): “signature expired”; "
        "with CD set: NOERROR"
    ) in cause.evidence
    assert d.resolvers[0].cd_rcode == "NOERROR" and d.resolvers[0].ede[0][:2] == (7, "signature expired")
    assert "DNSSEC validation fails (signature expired)" in d.headline


def test_servfail_nothing_explains(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.resolver(R1, mode="servfail")
    d = _diagnose(world, kb, resolvers=(R1,))
    assert (d.verdict, _ids(d)) == ("failure", ["resolver_failure"])
    assert "the zone's servers answer normally" in _evidence(d, "resolver_failure")


@pytest.mark.parametrize(
    ("mode", "cause", "fragment"),
    [
        ("refuse", "resolver_refused", "answered REFUSED"),
        ("closed", "resolver_unreachable", "port 53 closed"),
        ("silent", "resolver_unreachable", "gave no answer"),
        ("notimp", "not_implemented", "answered NOTIMP"),
    ],
)
def test_resolver_trouble(kb: knowledge.Knowledge, mode: str, cause: str, fragment: str) -> None:
    world = example_world()
    world.resolver(R1, mode=mode)
    d = _diagnose(world, kb, resolvers=(R1,))
    assert (d.verdict, _ids(d)) == ("failure", [cause])
    assert fragment in _evidence(d, cause) and d.causes[0].explains


def test_a_resolver_answering_garbage_is_not_said_to_be_silent(kb: knowledge.Knowledge) -> None:
    """Something that answers port 53 with junk (a middlebox, a non-DNS service) is not 'no answer at all': that
    would send the operator to check firewalls instead of what listens there."""
    world = example_world()
    world.resolver(R1, mode="garbage")
    d = _diagnose(world, kb, resolvers=(R1,))
    assert (d.verdict, _ids(d)) == ("failure", ["resolver_unreachable"])
    cause = d.causes[0]
    assert "not valid DNS" in _evidence(d, "resolver_unreachable") and "gave no answer" not in _evidence(
        d, "resolver_unreachable"
    )
    assert "not valid DNS" in cause.summary


def test_a_truncated_empty_reply_is_not_nodata(kb: knowledge.Knowledge) -> None:
    """TC=1 with an empty answer and TCP blocked says nothing about the records: calling it NODATA (exit 0) would
    hide exactly the 'large answer, TCP/53 firewalled' failure a check exists to find."""
    world = example_world()
    world.resolver(R1, mode="truncated_no_tcp")
    d = _diagnose(world, kb, resolvers=(R1,))
    assert d.verdict != "nodata" and d.failed


def test_a_server_that_offers_no_recursion_is_named_as_such(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.resolver(R1, mode="authoritative_only")
    d = _diagnose(world, kb, resolvers=(R1,))
    assert (d.verdict, _ids(d)) == ("failure", ["resolver_refused"])
    assert "answered REFUSED for www.example.test. A without RA (it offers no recursion" in _evidence(d, "resolver_refused")


def test_one_dead_resolver_among_working_ones(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.resolver("20.0.53.9", mode="closed")
    d = _diagnose(world, kb, resolvers=(R1, "20.0.53.9"))
    assert (d.verdict, _ids(d)) == ("degraded", ["resolver_unreachable"])
    assert not d.causes[0].explains


def test_explaining_cause_ranks_first(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS1].mode = world.servers[NS2].mode = "refuse"
    world.resolver("20.0.53.9", mode="closed")
    d = _diagnose(world, kb, resolvers=(R1, "20.0.53.9"))
    assert _ids(d) == ["lame_delegation", "resolver_unreachable"]
    assert [c.explains for c in d.causes] == [True, False]


def test_nothing_answered_at_all(kb: knowledge.Knowledge) -> None:
    """No resolver, no zone, no servers: still a verdict and a cause, never an exception."""
    result = ProbeResult(name="example.com.", rdtype="A", resolvers=(("r", R1),), exchanges=())
    d = diagnose(result, kb)
    assert d.verdict == "failure"
    skipped = ProbeResult(
        name="example.com.",
        rdtype="A",
        resolvers=(("r", R1),),
        exchanges=(Exchange(example_world().run("www.example.test").exchanges[0].ask, Outcome.SKIPPED, error="budget"),),
    )
    assert diagnose(skipped, kb).verdict == "failure"


def test_json_shape(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS2].zones.clear()
    data = _diagnose(world, kb).to_json()
    assert {"name", "type", "verdict", "causes", "resolvers", "nameservers", "elapsed_ms"} <= set(data)
    cause = data["causes"][0]
    assert {"id", "detail", "summary", "evidence", "fix"} <= set(cause) and cause["id"] in CAUSES
    assert {"address", "rcode", "flags", "ede", "cd_rcode", "ms"} <= set(data["resolvers"][0])
    assert {"name", "address", "rcode", "aa", "serial", "ms", "error"} <= set(data["nameservers"][0])


_server_modes = st.sampled_from(
    ["ok", "silent", "closed", "refuse", "formerr_on_edns", "notimp", "noroute", "tcp_only", "udp_only"]
)
_resolver_modes = st.sampled_from(["ok", "silent", "closed", "refuse", "servfail", "servfail_unless_cd", "notimp"])


@settings(max_examples=examples(60), deadline=None)
@given(
    ns1=_server_modes,
    ns2=_server_modes,
    r1=_resolver_modes,
    r2=_resolver_modes,
    bump=st.integers(0, 2),
    rdtype=st.sampled_from(["A", "AAAA", "TXT", "NS", "SOA"]),
    name=st.sampled_from(["www.example.test", "example.test", "nope.example.test", "test"]),
)
def test_any_world_gets_a_consistent_diagnosis(
    ns1: str, ns2: str, r1: str, r2: str, bump: int, rdtype: str, name: str
) -> None:
    kb = knowledge.load_default()
    world = example_world()
    world.servers[NS1].mode, world.servers[NS2].mode = ns1, ns2
    world.servers[NS2].serial_bump = bump
    world.resolver(R1, mode=r1)
    world.resolver(R2, mode=r2)
    d = _diagnose(world, kb, name, rdtype)
    assert d.verdict in VERDICTS
    assert all(c.id in CAUSES and c.evidence and c.fix for c in d.causes)
    assert [c.explains for c in d.causes] == sorted((c.explains for c in d.causes), reverse=True)
    if d.verdict == "failure":
        assert d.causes and d.causes[0].explains, _ids(d)
    if r1 == r2 == "ok" and ns1 == ns2 == "ok" and not bump:
        assert _ids(d) == [] and d.verdict in ("ok", "nxdomain", "nodata")


def test_alias_into_another_zone_is_pointed_out(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.zones["example.test."][("cdn.example.test.", "CNAME")] = ["edge.elsewhere.test."]
    d = _diagnose(world, kb, "cdn.example.test", "A")
    assert any(
        "alias (CNAME) for edge.elsewhere.test." in note and "/dnscheck edge.elsewhere.test. A" in note for note in d.notes
    )


def test_signed_island_without_ds_is_not_reported_while_resolvers_work(kb: knowledge.Knowledge) -> None:
    """No DS at the parent: validators treat the zone as insecure, so its signatures break nobody."""
    world = example_world()
    world.servers[NS1].override[("example.test.", "DNSKEY")] = ["257 3 13 " + "A" * 86 + "=="]
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("ok", [])


def test_stale_glue_is_missing_glue(kb: knowledge.Knowledge) -> None:
    """Glue that differs from the address the zone serves (a renumbered server) is `missing_glue`, not a
    mismatch of the NS sets: the names agree, the addresses do not."""
    world = example_world()
    world.zones["test."][("ns2.example.test.", "A")] = ["20.0.9.9"]  # the parent still has the old address
    world.server("20.0.9.9", "example.test.")
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("degraded", ["missing_glue"])
    assert (
        "the parent's glue for ns2.example.test. is 20.0.9.9 (referral from 20.0.0.2 (ns.nic.test.)), "
        "but ns2.example.test. resolves to 20.0.1.2"
    ) in _evidence(d, "missing_glue")


# --------------------------------------------------------------------------------------------- the #14 causes


def test_dangling_cname_names_the_link_that_breaks(kb: knowledge.Knowledge) -> None:
    world = example_world()
    records = world.zones["example.test."]
    records[("app.example.test.", "CNAME")] = ["shop.example.test."]
    records[("shop.example.test.", "CNAME")] = ["lb-1.gone.test."]  # nothing at gone.test.
    d = _diagnose(world, kb, "app.example.test", "A")
    assert (d.verdict, _ids(d)) == ("nxdomain", ["dangling_cname"])
    evidence = _evidence(d, "dangling_cname")
    assert "app.example.test. → shop.example.test. → lb-1.gone.test." in evidence
    assert "link 2 of 2, shop.example.test. CNAME lb-1.gone.test., which does not exist (NXDOMAIN)" in evidence
    assert d.causes[0].explains


def test_cname_to_a_name_without_the_type_is_nodata_not_dangling(kb: knowledge.Knowledge) -> None:
    """Review #14: the target exists (it has an A), so nobody can claim it; MX there is an ordinary NODATA."""
    world = example_world()
    world.zones["example.test."][("cdn.example.test.", "CNAME")] = ["www.example.test."]
    d = _diagnose(world, kb, "cdn.example.test", "MX")
    assert (d.verdict, _ids(d)) == ("nodata", [])


def test_cname_that_leads_to_data_is_not_dangling(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.zones["example.test."][("cdn.example.test.", "CNAME")] = ["www.example.test."]
    d = _diagnose(world, kb, "cdn.example.test", "A")
    assert (d.verdict, _ids(d)) == ("ok", [])


def test_in_zone_nameserver_without_glue(kb: knowledge.Knowledge) -> None:
    world = example_world()
    del world.zones["test."][("ns1.example.test.", "A")]  # the parent forgot ns1's glue; ns2 still has it
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("degraded", ["missing_glue"])
    assert (
        "20.0.0.2 (ns.nic.test.) delegates example.test. to ns1.example.test., inside the zone, with no glue address, "
        "though the zone serves 20.0.1.1 for it"
    ) in _evidence(d, "missing_glue")


def test_out_of_zone_nameservers_need_no_glue(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.zones["test."][("example.test.", "NS")] = ["ns.hoster.test."]
    world.zones["test."][("ns.hoster.test.", "A")] = ["20.0.1.1"]
    world.zones["example.test."][("example.test.", "NS")] = ["ns.hoster.test."]
    d = _diagnose(world, kb)
    assert "missing_glue" not in _ids(d)


def test_udp_only_server_is_tcp_broken(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS2].mode = "udp_only"
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("degraded", ["tcp_broken"])
    assert (
        f"{NS2} (ns2.example.test.) answered SOA example.test. over UDP (NOERROR) but not over TCP (port 53 closed "
        "(TCP refused))"
    ) in _evidence(d, "tcp_broken")
    assert not d.causes[0].explains


def test_dead_server_is_unreachable_not_tcp_broken(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS2].mode = "closed"
    assert _ids(_diagnose(world, kb)) == ["ns_unreachable"]


def test_open_resolver_and_open_transfer_stand_beside_ok(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS1].recursive = True
    world.servers[NS2].open_axfr = True
    d = _diagnose(world, kb)
    assert d.verdict == "ok"
    assert sorted(_ids(d)) == ["open_recursion", "zone_transfer_open"]
    assert all(c.advisory and not c.explains and c.family == "security" for c in d.causes)
    assert f"{NS1} (ns1.example.test.) answered `. SOA` with RD set: NOERROR with RA" in _evidence(d, "open_recursion")
    assert f"{NS2} (ns2.example.test.) answered AXFR example.test. over TCP: NOERROR" in _evidence(d, "zone_transfer_open")
    assert "do not affect it" in d.headline
    assert [c["affects_resolution"] for c in d.to_json()["causes"]] == [False, False]  # type: ignore[attr-defined]


def test_security_findings_rank_after_causes_that_affect_resolution(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.servers[NS1].recursive = True
    world.servers[NS2].mode = "udp_only"
    d = _diagnose(world, kb)
    assert (d.verdict, _ids(d)) == ("degraded", ["tcp_broken", "open_recursion"])


def test_refused_transfers_and_recursion_are_not_findings(kb: knowledge.Knowledge) -> None:
    world = example_world()
    result = world.run("www.example.test")
    axfr = [e for e in result.exchanges if e.ask.rdtype == "AXFR"]
    recursion = [e for e in result.exchanges if e.ask.qname == "." and e.ask.server in (NS1, NS2)]
    assert axfr and recursion and all(e.rcode_text == "REFUSED" for e in axfr + recursion)
    assert _ids(diagnose(result, kb)) == []


_names = st.sampled_from(["app.example.test.", "a.example.test.", "b.example.test.", "c.other.test.", "app.example.test"])


@settings(max_examples=examples(200), deadline=None)
@given(
    links=st.lists(st.tuples(_names, _names), max_size=8),
    rcode=st.sampled_from([0, 2, 3, 5]),
    rdtype=st.sampled_from(["A", "AAAA", "CNAME", "MX", "ANY", "TYPE65280"]),
    data=st.booleans(),
)
def test_any_cname_graph_reads_without_error(links: list[tuple[str, str]], rcode: int, rdtype: str, data: bool) -> None:
    """Hostile answers (loops, self-references, chains that fork or end anywhere) give a bounded chain and evidence
    or None, never an exception."""
    import dns.message
    import dns.rrset

    from bot.core.check.diagnosis.aliases import dangling
    from bot.core.check.diagnosis.server import MAX_LINKS, chain
    from bot.core.check.observations import Ask, Purpose, Role

    ask = Ask("k", Purpose.CHECK, Role.RESOLVER, R1, R1, "app.example.test.", rdtype, rd=True)
    reply = dns.message.make_response(dns.message.make_query(ask.qname, rdtype))
    reply.set_rcode(rcode)
    for owner, target in links:
        reply.answer.append(dns.rrset.from_text(owner, 300, "IN", "CNAME", target))
    if data and rdtype in ("A", "AAAA"):
        reply.answer.append(
            dns.rrset.from_text(
                links[-1][1] if links else ask.qname, 300, "IN", rdtype, "192.0.2.1" if rdtype == "A" else "2001:db8::1"
            )
        )
    e = Exchange(ask, Outcome.ANSWER, reply, ms=1.0)
    found = chain(e)
    assert len(found) <= MAX_LINKS
    evidence = dangling(e)
    assert evidence is None or ("through the chain" in evidence and found)


@pytest.mark.parametrize(("zone", "leak"), [("arpa.", False), ("root-servers.net.", False), ("example.test.", True)])
def test_transfers_the_root_servers_offer_are_not_leaks(kb: knowledge.Knowledge, zone: str, leak: bool) -> None:
    import dns.message
    import dns.rrset

    from bot.core.check.diagnosis import security
    from bot.core.check.diagnosis.facts import Facts
    from bot.core.check.observations import Ask, Purpose, Role

    ask = Ask("axfr", Purpose.AUTH_AXFR, Role.AUTHORITY, NS1, "ns1.", zone, "AXFR", tcp=True)
    reply = dns.message.make_response(dns.message.make_query(zone, "AXFR"))
    reply.answer.append(dns.rrset.from_text(zone, 300, "IN", "SOA", "ns1. h. 1 7200 3600 1209600 300"))
    result = ProbeResult(zone, "SOA", ((R1, R1),), (Exchange(ask, Outcome.ANSWER, reply, ms=1.0),), zone=zone)
    assert [f.cause for f in security.findings(Facts(result, kb))] == (["zone_transfer_open"] if leak else [])
