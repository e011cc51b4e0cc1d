"""The delegation walk's decisions and findings (bot/core/check/trace.py), driven against the in-memory DNS world."""

from __future__ import annotations

from collections import deque

from bot.core.check.observations import Ask, Exchange, Purpose
from bot.core.check.roots import IANA_ROOT_HINTS
from bot.core.check.trace import Level, ServerReply, Tracer, TraceResult, findings
from tests.probe.fakedns import NOW, World, example_world


def _walk(world: World, name: str, rdtype: str = "A", *, allow_private: bool = True) -> TraceResult:
    world._check_name = name
    tracer = Tracer(name, rdtype, [("a.root.", "20.0.0.1")], [("20.0.53.1", "20.0.53.1")], allow_private=allow_private)
    queue: deque[Ask] = deque(tracer.start())
    exchanges: list[Exchange] = []
    while queue:
        exchange = world.answer(queue.popleft())
        exchanges.append(exchange)
        queue.extend(tracer.feed(exchange))
    return tracer.result(exchanges, now=NOW, elapsed_ms=5.0, budget=60, deadline_hit=False)


def test_healthy_walk_goes_root_tld_zone_and_finds_nothing() -> None:
    trace = _walk(example_world(), "www.example.test.")
    assert [(lvl.zone, lvl.listed_by, lvl.next_zone) for lvl in trace.levels] == [
        (".", None, "test."),
        ("test.", ".", "example.test."),
        ("example.test.", "test.", None),
    ]
    assert trace.complete and findings(trace) == []
    zone = trace.levels[-1]
    assert [(s.name, s.kind, s.zone_ns) for s in zone.servers] == [
        ("ns1.example.test.", "answer", ("ns1.example.test.", "ns2.example.test.")),
        ("ns2.example.test.", "answer", ("ns1.example.test.", "ns2.example.test.")),
    ]
    assert trace.levels[0].servers[0].glue == ("ns.nic.test. 20.0.0.2",)
    assert trace.queries_sent == 1 + 2 + 4  # the root once, then NAME and NS at every server


def test_names_without_glue_are_resolved_through_the_resolver_only() -> None:
    world = example_world()
    world.zones["test."][("example.test.", "NS")] = ["ns.hoster.example."]
    world.zones["example.test."][("example.test.", "NS")] = ["ns.hoster.example."]
    world.zone("hoster.example.", {("ns.hoster.example.", "A"): ["20.0.1.1"]})
    world.zones["."][("hoster.example.", "NS")] = ["ns.nic.test."]
    world.servers["20.0.0.2"].zones.add("hoster.example.")
    trace = _walk(world, "www.example.test.")
    lookups = [a for a in world.sent if a.purpose is Purpose.TRACE_ADDRESS]
    assert [(a.server, a.qname, a.rdtype, a.rd) for a in lookups] == [("20.0.53.1", "ns.hoster.example.", "A", True)]
    assert trace.complete and trace.levels[-1].servers[0].address == "20.0.1.1"
    asked = next(a for a in world.sent if a.purpose is Purpose.TRACE and a.server == "20.0.1.1")
    assert asked.after == lookups[0].key  # the dependency chain runs through the lookup


def test_lame_and_silent_tld_servers_and_a_differing_child_ns_set() -> None:
    world = example_world()
    world.zones["."][("test.", "NS")] = ["ns.nic.test.", "ns2.nic.test.", "ns3.nic.test."]
    world.zones["."][("ns2.nic.test.", "A")] = ["20.0.0.3"]
    world.zones["."][("ns3.nic.test.", "A")] = ["20.0.0.4"]
    world.server("20.0.0.3", "other.")  # does not serve test.: REFUSED
    world.server("20.0.0.4", mode="silent")
    world.zones["example.test."][("example.test.", "NS")] = ["ns1.example.test."]
    trace = _walk(world, "www.example.test.")
    by_cause = {f.cause: f for f in findings(trace)}
    assert set(by_cause) == {"lame_delegation", "ns_unreachable", "delegation_mismatch"}
    assert by_cause["lame_delegation"].evidence == (
        "20.0.0.3 (ns2.nic.test.), listed for test. by the . servers, answered www.example.test. A with REFUSED, no AA: "
        "it does not serve test.",
    )
    assert (
        "20.0.0.4 (ns3.nic.test.), listed for test. by the . servers, never answered"
        in by_cause["ns_unreachable"].evidence[0]
    )
    assert not by_cause["lame_delegation"].level_broken  # ns.nic.test. still answers
    assert "only at the parent: ns2.example.test." in by_cause["delegation_mismatch"].evidence


def test_in_bailiwick_servers_without_glue_are_named() -> None:
    world = example_world()
    del world.zones["test."][("ns1.example.test.", "A")]
    world.zones["example.test."][("example.test.", "NS")] = ["ns1.example.test.", "ns2.example.test."]
    trace = _walk(world, "www.example.test.")
    (finding,) = findings(trace)
    assert finding.cause == "missing_glue"
    assert "delegates example.test. to ns1.example.test. inside the zone itself, without glue" in finding.evidence[0]


def test_every_server_of_a_level_broken_stops_the_walk() -> None:
    world = example_world()
    world.servers["20.0.1.1"].mode = "silent"
    world.servers["20.0.1.2"].mode = "refuse"
    trace = _walk(world, "www.example.test.")
    assert not trace.complete and "the walk stopped at example.test." in trace.notes[0]
    assert {f.cause: f.level_broken for f in findings(trace)} == {"lame_delegation": True, "ns_unreachable": False}


def test_private_addresses_are_not_queried_without_permission() -> None:
    world = example_world()
    world.zones["."][("ns.nic.test.", "A")] = ["10.0.0.2"]
    trace = _walk(world, "www.example.test.", allow_private=False)
    assert not trace.complete
    assert any("did not query 10.0.0.2 (ns.nic.test.)" in note for note in trace.notes)
    assert "10.0.0.2" not in {a.server for a in world.sent}


def test_iana_hints_are_thirteen_servers_with_both_families() -> None:
    assert len({name for name, _ in IANA_ROOT_HINTS}) == 13 and len(IANA_ROOT_HINTS) == 26
    tracer = Tracer("example.com.", "A", IANA_ROOT_HINTS, [], allow_private=False)
    asks = tracer.start()
    assert len(asks) == 13 and all(":" not in a.server and not a.rd for a in asks)


def test_no_route_to_one_family_asks_the_other() -> None:
    world = example_world()
    world.server("20.0.0.1", mode="noroute")
    world.server("2001:db8::1", ".")
    world._check_name = "www.example.test."
    tracer = Tracer("www.example.test.", "A", [("a.root.", "20.0.0.1"), ("a.root.", "2001:db8::1")], [], allow_private=True)
    queue: deque[Ask] = deque(tracer.start())
    exchanges: list[Exchange] = []
    while queue:
        exchange = world.answer(queue.popleft())
        exchanges.append(exchange)
        queue.extend(tracer.feed(exchange))
    trace = tracer.result(exchanges, now=NOW, elapsed_ms=5.0, budget=60, deadline_hit=False)
    assert trace.complete
    root = trace.levels[0].servers[0]
    assert (root.address, root.kind) == ("2001:db8::1", "referral")
    assert [a.server for a in world.sent if a.qname == "www.example.test." and a.server_name == "a.root."] == [
        "20.0.0.1",
        "2001:db8::1",
    ]


def test_servers_of_a_level_that_disagree_on_the_delegation() -> None:
    """A stale TLD server still delegating to the old NS set (findings read levels only, so they are built by hand)."""

    def referral(name: str, address: str, ns: tuple[str, ...]) -> ServerReply:
        return ServerReply(name, address, "referral", "NOERROR", referral="example.test.", referral_ns=ns)

    new, old = ("ns1.example.test.", "ns2.example.test."), ("ns-old.hoster.example.",)
    tld = Level(
        "test.",
        ".",
        ("a.nic.test.", "b.nic.test."),
        (referral("a.nic.test.", "20.0.0.2", new), referral("b.nic.test.", "20.0.0.3", old)),
        next_zone="example.test.",
    )
    trace = TraceResult("www.example.test.", "A", (tld,), ())
    (finding,) = findings(trace)
    assert finding.cause == "inconsistent_answers"
    assert finding.evidence == (
        "the servers of test. disagree on the delegation",
        "20.0.0.2 (a.nic.test.) delegates example.test. to ns1.example.test., ns2.example.test.",
        "20.0.0.3 (b.nic.test.) delegates example.test. to ns-old.hoster.example.",
    )
    agreeing = Level(
        "test.",
        ".",
        tld.ns,
        (referral("a.nic.test.", "20.0.0.2", new), referral("b.nic.test.", "20.0.0.3", new)),
        next_zone="example.test.",
    )
    assert findings(TraceResult("www.example.test.", "A", (agreeing,), ())) == []
