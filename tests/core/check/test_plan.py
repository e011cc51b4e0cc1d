"""The planner decides every query from the answers so far; driven here by the in-memory world, no sockets."""

from __future__ import annotations

import ipaddress

from bot.core.check.observations import Exchange, Outcome, Purpose, Role
from bot.core.check.plan import MAX_ANCESTORS, Planner
from tests.probe.fakedns import example_world


def test_first_round_asks_everything_independent_at_once() -> None:
    planner = Planner("www.example.test", "A", [("r1", "20.0.53.1"), ("r2", "20.0.53.2")], allow_private=True)
    first = planner.start()
    assert [(a.purpose, a.server, a.qname) for a in first] == [
        (Purpose.CHECK, "20.0.53.1", "www.example.test."),
        (Purpose.CHECK, "20.0.53.2", "www.example.test."),
        (Purpose.ZONE_SOA, "20.0.53.1", "www.example.test."),
        (Purpose.ZONE_SOA, "20.0.53.1", "example.test."),
        (Purpose.ZONE_SOA, "20.0.53.1", "test."),
    ]
    check = first[0]
    assert (check.rd, check.do, check.cd, check.edns) == (True, True, False, 0)
    assert all(a.cd and a.rd for a in first[2:])


def test_healthy_zone_is_mapped_completely() -> None:
    world = example_world()
    result = world.run("www.example.test")
    assert (result.zone, result.parent) == ("example.test.", "test.")
    servers = {ns.name: ns for ns in result.nameservers}
    assert set(servers) == {"ns1.example.test.", "ns2.example.test."}
    assert all(ns.at_parent and ns.at_child for ns in servers.values())
    assert servers["ns1.example.test."].glue == ("20.0.1.1",)
    for address in ("20.0.1.1", "20.0.1.2"):
        asked = {e.ask.purpose for e in result.exchanges if e.ask.server == address}
        # SOA over UDP and TCP at once; what only a working server tells (AXFR, recursion) once its SOA came back.
        assert {
            Purpose.AUTH_SOA,
            Purpose.AUTH_SOA_TCP,
            Purpose.AUTH_ANSWER,
            Purpose.AUTH_AXFR,
            Purpose.AUTH_RECURSION,
        } <= asked
        mine = [e.ask for e in result.exchanges if e.ask.server == address]
        # Only the open-resolver question sets RD at an authoritative server.
        assert [(a.qname, a.rdtype) for a in mine if a.rd] == [(".", "SOA")]
        by = {a.purpose: a for a in mine}
        assert by[Purpose.AUTH_SOA_TCP].tcp and by[Purpose.AUTH_SOA_TCP].after == by[Purpose.AUTH_SOA].after
        assert by[Purpose.AUTH_AXFR].tcp and by[Purpose.AUTH_AXFR].after == by[Purpose.AUTH_SOA].key
        assert by[Purpose.AUTH_RECURSION].after == by[Purpose.AUTH_SOA].key
    referral = result.by_purpose(Purpose.REFERRAL)[0]
    assert (referral.ask.server, referral.ask.qname, referral.ask.rd) == ("20.0.0.2", "example.test.", False)
    assert result.by_purpose(Purpose.PARENT_DS)[0].ask.server == "20.0.0.2"
    # Names are only ever resolved through the resolvers, never through anything else.
    assert {e.ask.server for e in result.by_purpose(Purpose.ADDRESS)} == {"20.0.53.1"}
    assert not result.by_purpose(Purpose.CHECK_CD)
    assert result.queries_sent <= 30


def test_servfail_is_asked_again_with_cd_at_the_same_resolver() -> None:
    world = example_world()
    world.resolver("20.0.53.2", mode="servfail_unless_cd", ede=((7, "signature expired"),))
    result = world.run("www.example.test")
    cd = result.by_purpose(Purpose.CHECK_CD)
    assert [(e.ask.server, e.ask.cd, e.ask.after) for e in cd] == [
        ("20.0.53.2", True, "check 20.0.53.2 www.example.test. A")
    ]


def test_broken_zone_is_found_through_the_parents_referral() -> None:
    world = example_world()
    world.servers["20.0.1.1"].mode = "silent"
    world.servers["20.0.1.2"].mode = "silent"
    result = world.run("www.example.test")
    assert (result.zone, result.parent) == ("example.test.", "test.")
    assert result.by_purpose(Purpose.REFERRAL)[0].ask.qname == "www.example.test."
    followups = {e.ask.purpose for e in result.exchanges if e.ask.server == "20.0.1.1"}
    assert {Purpose.AUTH_SOA, Purpose.AUTH_SOA_TCP, Purpose.AUTH_SOA_PLAIN} <= followups
    tcp = next(e for e in result.by_purpose(Purpose.AUTH_SOA_TCP))
    soa = next(e for e in result.by_purpose(Purpose.AUTH_SOA) if e.ask.server == tcp.ask.server)
    assert tcp.ask.tcp and tcp.ask.after == soa.ask.after  # asked with the UDP query, not after its timeout
    # A silent server is not asked what only a working one can tell.
    assert not result.by_purpose(Purpose.AUTH_AXFR, Purpose.AUTH_RECURSION)


def test_edns_formerr_is_retried_without_edns() -> None:
    world = example_world()
    world.servers["20.0.1.2"].mode = "formerr_on_edns"
    result = world.run("www.example.test")
    plain = [e for e in result.by_purpose(Purpose.AUTH_SOA_PLAIN)]
    assert [(e.ask.server, e.ask.edns) for e in plain] == [("20.0.1.2", -1)]
    assert plain[0].ask.after == "auth_soa 20.0.1.2 example.test. SOA"
    assert sorted(e.ask.server for e in result.by_purpose(Purpose.AUTH_SOA_TCP)) == ["20.0.1.1", "20.0.1.2"]


def test_private_nameserver_addresses_are_not_queried_for_untrusted_users() -> None:
    world = example_world()
    world.zones["test."][("ns1.example.test.", "A")] = ["10.0.0.1"]
    world.zones["example.test."][("ns1.example.test.", "A")] = ["10.0.0.1"]
    result = world.run("www.example.test", allow_private=False)
    assert "10.0.0.1" not in {a.server for a in world.sent}
    assert any("10.0.0.1 (ns1.example.test.)" in note and "private" in note for note in result.notes)
    assert "20.0.1.2" in {a.server for a in world.sent}


def test_budget_leaves_the_rest_unsent() -> None:
    world = example_world()
    result = world.run("www.example.test", budget=6)
    assert len(world.sent) == 6
    assert result.queries_sent == 6
    assert all(e.outcome is Outcome.SKIPPED for e in result.exchanges[6:])


def test_long_names_cap_the_first_round() -> None:
    name = ".".join(f"l{i}" for i in range(20)) + ".example.test."
    planner = Planner(name, "A", [("r", "20.0.53.1")], allow_private=True)
    soa = [a for a in planner.start() if a.purpose is Purpose.ZONE_SOA]
    assert len(soa) == MAX_ANCESTORS
    assert soa[0].qname == name and soa[-1].qname == "test."


def test_alias_name_takes_its_parents_zone() -> None:
    world = example_world()
    world.zones["example.test."][("alias.example.test.", "CNAME")] = ["www.example.test."]
    world.zones["example.test."][("alias.example.test.", "SOA")] = []
    result = world.run("alias.example.test", "CNAME")
    assert result.zone == "example.test."


def test_dead_first_resolver_hands_zone_finding_to_the_next() -> None:
    world = example_world()
    world.resolver("20.0.53.99", mode="silent")
    result = world.run("www.example.test", resolvers=("20.0.53.99", "20.0.53.1"))
    assert result.zone == "example.test."
    assert any("asked 20.0.53.1 instead" in note for note in result.notes)
    alive = result.by_purpose(Purpose.ALIVE)
    assert [(e.ask.server, e.ask.qname, e.ask.rdtype) for e in alive] == [("20.0.53.99", ".", "NS")]


def test_root_name_has_no_parent() -> None:
    world = example_world()
    result = world.run(".", "SOA")
    assert (result.zone, result.parent) == (".", None)
    assert {e.ask.server for e in result.by_purpose(Purpose.AUTH_SOA)} == {"20.0.0.1"}


def test_chain_is_the_longest_dependent_path() -> None:
    world = example_world()
    result = world.run("www.example.test")
    by_key = {e.ask.key: e for e in result.exchanges}
    deepest = max(result.exchanges, key=lambda e: _depth(e, by_key))
    assert result.chain_ms() == _depth(deepest, by_key) * 1.0  # every fake answer takes 1 ms
    assert result.chain_ms() < result.sum_ms()


def _depth(e: Exchange, by_key: dict[str, Exchange]) -> int:
    depth = 1
    while e.ask.after is not None:
        e = by_key[e.ask.after]
        depth += 1
    return depth


def test_asks_never_go_to_names() -> None:
    world = example_world()
    world.run("www.example.test")
    for ask in world.sent:
        assert ipaddress.ip_address(ask.server)
        assert ask.role in (Role.RESOLVER, Role.AUTHORITY)
