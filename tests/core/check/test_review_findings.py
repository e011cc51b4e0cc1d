"""Review #14: cases on real-world setups that the lab does not have. Each test states what a correct diagnosis
says; a failing one is a finding of notes/review14.md."""

from __future__ import annotations

import heapq
import itertools
import os
from dataclasses import replace

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from bot.core.check import dnssec_checks
from bot.core.check.diagnosis import Diagnosis, diagnose, security, with_report
from bot.core.check.dnssec_checks import Signed
from bot.core.check.observations import Ask, Exchange, Outcome, ProbeResult, Purpose, Role
from bot.core.check.plan import Planner
from bot.core.codes import knowledge
from tests.probe.fakedns import NOW, World, example_world

NS1, NS2 = "20.0.1.1", "20.0.1.2"
R1, R2 = "20.0.53.1", "20.0.53.2"
DAY = 86_400


@pytest.fixture(scope="module")
def kb() -> knowledge.Knowledge:
    return knowledge.load_default()


def _ids(d: Diagnosis) -> list[str]:
    return [c.id + (f":{c.detail}" if c.detail else "") for c in d.causes]


def _check(d: Diagnosis, check_id: str):  # type: ignore[no-untyped-def]
    assert d.report is not None
    return next(c for c in d.report if c.id == check_id)


def _edit(result: ProbeResult, purpose: Purpose, server: str, edit) -> ProbeResult:  # type: ignore[no-untyped-def]
    """The same probe, with one exchange's reply changed (what a real server might have sent instead)."""
    exchanges = []
    for e in result.exchanges:
        if e.ask.purpose is purpose and e.ask.server == server:
            e = edit(e)
        exchanges.append(e)
    return replace(result, exchanges=tuple(exchanges))


# ------------------------------------------------------------------------------------- signature_expiring


def test_online_signer_fresh_short_lived_signatures_are_not_expiring() -> None:
    """Online signers (Cloudflare, and other sign-on-answer providers) make every RRSIG when they answer, valid
    for about a day from an inception an hour or two ago. Such a signature was made a moment ago: nothing has
    stalled, and the next answer carries a new one. Reporting it as `signature_expiring` (which is not advisory,
    so it turns `ok` into `degraded`) would flag every zone those providers sign. A stalled signer shows an
    inception long past, as in the lab (inception 20 days ago, expiration tomorrow)."""
    private = ec.generate_private_key(ec.SECP256R1())
    key = dns.dnssec.make_dnskey(private.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, flags=257)
    soa = dns.rrset.from_text("example.", 300, "IN", "SOA", "ns1.example. hostmaster.example. 1 7200 3600 1209600 300")
    now = 1_800_000_000

    def signed(inception: int, expiration: int) -> Signed:
        sig = dns.dnssec.sign(soa, private, dns.name.from_text("example."), key, inception=inception, expiration=expiration)
        return Signed("example. SOA", soa, dns.rrset.from_rdata(soa.name, 300, sig), "ns1")

    origin = dns.name.from_text("example.")
    fresh = signed(now - 2 * 3600, now + DAY)  # made two hours ago, lives a day: an online signer
    assert dnssec_checks.expiring([fresh], origin, now, 3 * DAY) == []
    stalled = signed(now - 20 * DAY, now + DAY)  # the lab's: made 20 days ago, never renewed
    assert len(dnssec_checks.expiring([stalled], origin, now, 3 * DAY)) == 1


# ------------------------------------------------------------------------------------------ dangling_cname


def test_cname_to_an_existing_host_without_ipv6_is_not_dangling(kb: knowledge.Knowledge) -> None:
    """`www CNAME shop.cdn.test.` where the CDN host has an A record and no AAAA: `/dnscheck www AAAA` is an
    ordinary NODATA. The target exists, nobody can claim it, and deleting the CNAME (the fix step) would take the
    site down. `dangling_cname` (summary: subdomain takeover) must not be said of it."""
    world = example_world()
    world.zones["example.test."][("www6.example.test.", "CNAME")] = ["www.example.test."]  # www has only A
    d = diagnose(world.run("www6.example.test", "AAAA"), kb)
    assert d.verdict == "nodata"
    assert "dangling_cname" not in _ids(d)


def test_one_lagging_server_nxdomain_does_not_explain_a_failure_that_is_not_there(kb: knowledge.Knowledge) -> None:
    """The resolvers follow `app CNAME www` to data (the name resolves); one lagging secondary still answers
    NXDOMAIN for the chain. dangling_cname is then marked as explaining the failure (explains=True) beside a
    name that resolves: there is no failure to explain."""
    world = example_world()
    world.zones["example.test."][("app.example.test.", "CNAME")] = ["www.example.test."]
    result = world.run("app.example.test", "A")

    def stale(e: Exchange) -> Exchange:
        assert e.message is not None
        e.message.set_rcode(dns.rcode.NXDOMAIN)
        e.message.answer = [dns.rrset.from_text("app.example.test.", 300, "IN", "CNAME", "gone.example.test.")]
        return e

    d = diagnose(_edit(result, Purpose.AUTH_ANSWER, NS2, stale), kb)
    assert not any(c.explains for c in d.causes), [(c.id, c.explains) for c in d.causes]


# ------------------------------------------------------------------------------------------- open_recursion


def test_the_bots_own_resolver_serving_an_internal_zone_is_not_an_open_resolver(kb: knowledge.Knowledge) -> None:
    """A split-horizon BIND that is both the office resolver (the bot's configured resolver) and authoritative for
    an internal zone recurses for the bot because the bot is one of its clients. That says nothing about 'anyone
    who can reach it'; the bot asked it to resolve on purpose."""
    world = example_world()
    world.servers[NS1].recursive = True
    world.resolver(NS1)  # the same address is the resolver the bot uses
    d = diagnose(world.run("www.example.test", "A", resolvers=(NS1, R1)), kb)
    assert "open_recursion" not in _ids(d)


# --------------------------------------------------------------------------------------- zone_transfer_open


def _axfr_exchange(zone: str, owner: str) -> Exchange:
    ask = Ask("k", Purpose.AUTH_AXFR, Role.AUTHORITY, NS1, "ns1.example.test.", zone, "AXFR", tcp=True)
    reply = dns.message.make_response(dns.message.make_query(zone, "SOA"))
    reply.flags |= dns.flags.AA
    reply.answer = [
        dns.rrset.from_text(owner, 300, "IN", "SOA", "ns1.example.test. h.example.test. 1 7200 3600 1209600 300"),
        dns.rrset.from_text(owner, 300, "IN", "NS", "ns1.example.test."),
    ]
    return Exchange(ask, Outcome.ANSWER, reply, ms=1.0, transport="tcp")


def test_a_transfer_whose_soa_owner_differs_in_case_is_still_a_transfer() -> None:
    """DNS names compare case-insensitively (RFC 4343): a server whose zone is configured as `Example.TEST`
    (or that echoes the bot's 0x20 case) sends the SOA under that spelling, and the transfer is just as open."""
    assert security.transfers_zone(_axfr_exchange("example.test.", "example.test."))
    assert security.transfers_zone(_axfr_exchange("example.test.", "Example.TEST."))


def test_root_servers_that_serve_the_root_zone_by_axfr_are_not_a_leak(kb: knowledge.Knowledge) -> None:
    """Several root servers hand out the root zone by AXFR on purpose (RFC 8806, local root); `arpa.` and
    `root-servers.net.` too. For `.` zone_transfer_open ('a leak: anyone can list every name') is wrong."""
    world = example_world()
    world.servers["20.0.0.1"].open_axfr = True
    d = diagnose(world.run(".", "SOA"), kb)
    assert "zone_transfer_open" not in _ids(d), _ids(d)


# ----------------------------------------------------------------------------------------------- cds_mismatch


def _fake_dnskey(flags: int, blob: bytes) -> dns.rdata.Rdata:
    wire = flags.to_bytes(2, "big") + bytes([3, 13]) + blob
    return dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DNSKEY, wire, 0, len(wire))


def _colliding_keys() -> tuple[dns.rdata.Rdata, dns.rdata.Rdata]:
    """Two DNSKEYs with the same key tag (the tag is a 16-bit checksum: collisions happen, RFC 4034 B)."""
    seen: dict[int, dns.rdata.Rdata] = {}
    while True:
        key = _fake_dnskey(257, os.urandom(64))
        tag = dns.dnssec.key_id(key)
        if tag in seen:
            return seen[tag], key
        seen[tag] = key


def test_cds_for_a_key_whose_tag_collides_with_another_key_matches() -> None:
    """A KSK and a ZSK (or a new and an old KSK) with the same key tag: the CDS of the KSK matches it. Keeping
    only one DNSKEY per tag compares the CDS with the wrong key and reports a mismatch."""
    first, second = _colliding_keys()
    zone = "example."
    dnskey = dns.rrset.from_rdata(zone, 300, first, second)
    for key in (first, second):
        cds = dns.dnssec.make_ds(zone, key, "SHA256")
        cds_rrset = dns.rrset.from_text(zone, 300, "IN", "CDS", cds.to_text())
        found = dnssec_checks.cds(zone, cds_rrset=cds_rrset, cdnskey_rrset=None, dnskey=dnskey, source="ns1")
        assert found == [], found


# --------------------------------------------------------------------------------------------- hostile data


def test_an_nsec3_owned_by_the_root_name_does_not_crash_the_diagnosis(kb: knowledge.Knowledge) -> None:
    """`_nsec3` reads `rrset.name.parent()` of every NSEC3 in an authoritative denial: a server that sends one
    owned by `.` (junk, or a hostile server) makes dnspython raise NoParent, and `diagnose` with it."""
    world = example_world()
    result = world.run("nothere.example.test", "A")

    def junk(e: Exchange) -> Exchange:
        assert e.message is not None
        e.message.authority.append(
            dns.rrset.from_text(".", 300, "IN", "NSEC3", "1 0 0 - 0P9MHAVEQVM6T7VBL5LOP2U3T2RP3TOM A")
        )
        return e

    diagnose(_edit(result, Purpose.AUTH_ANSWER, NS1, junk), kb)


# ------------------------------------------------------------------------------------ budget and the report


def _run_timed(world: World, name: str, *, slow: set[str], budget: int = 60) -> ProbeResult:
    """The planner driven like bot/probe/runner.py: each query launched when the answer that asked for it
    arrives, in arrival order, the budget spent first come first served. Resolver lookups of the names in `slow`
    take 300 ms (an uncached provider), other resolver lookups 40 ms, authoritative queries 10 ms."""
    world._check_name = dns.name.from_text(name).to_text()
    planner = Planner(name, "A", [(a, a) for a in world.resolvers], allow_private=True)
    heap: list[tuple[float, int, Ask]] = []
    seq = itertools.count()
    sent = 0
    exchanges: list[Exchange] = []

    def launch(asks: list[Ask], t: float) -> None:
        nonlocal sent
        backlog = list(asks)
        while backlog:
            ask = backlog.pop(0)
            if sent >= budget:
                skipped = Exchange(ask, Outcome.SKIPPED, error=f"not sent: the budget of {budget} queries was used up")
                exchanges.append(skipped)
                backlog.extend(planner.feed(skipped))
                continue
            sent += 1
            latency = (300.0 if ask.qname in slow else 40.0) if ask.role is Role.RESOLVER else 10.0
            heapq.heappush(heap, (t + latency, next(seq), ask))

    launch(list(planner.start()), 0.0)
    while heap:
        t, _, ask = heapq.heappop(heap)
        exchange = world.answer(ask)
        exchanges.append(exchange)
        launch(list(planner.feed(exchange)), t)
    return planner.result(exchanges, now=NOW, elapsed_ms=10.0, budget=budget, deadline_hit=False)


def _hosted_world(lame: str | None = None) -> tuple[World, list[str]]:
    """example.test. on five dual-stack nameservers of a hoster (out of bailiwick: addresses through the resolver),
    signed (DNSKEY served), like a multi-provider setup. `lame`: an address that refuses the zone."""
    world = example_world()
    zone, parent = world.zones["example.test."], world.zones["test."]
    world.zone("hoster.test.", {})
    hoster = world.zones["hoster.test."]
    names = [f"ns{i}.hoster.test." for i in range(1, 6)]
    zone[("example.test.", "NS")] = parent[("example.test.", "NS")] = names
    parent[("hoster.test.", "NS")] = hoster[("hoster.test.", "NS")] = ["ns1.example.test."]
    world.servers[NS1].zones.add("hoster.test.")
    zone[("example.test.", "DNSKEY")] = ["257 3 13 " + "A" * 86 + "=="]
    for i, n in enumerate(names, 1):
        hoster[(n, "A")], hoster[(n, "AAAA")] = [f"20.0.{i}.1"], [f"2001:db8:{i}::1"]
        world.server(f"20.0.{i}.1", "example.test.", "hoster.test.")
        world.server(f"2001:db8:{i}::1", "example.test.")
    if lame is not None:
        world.servers[lame].zones.discard("example.test.")
    return world, names


def test_advisory_queries_do_not_crowd_out_the_nameservers_own_checks(kb: knowledge.Knowledge) -> None:
    """Before #14 a zone's ten addresses cost two queries each; now three (SOA over TCP with every SOA), plus six
    for AXFR/recursion and three per DNSKEY server for CDS/CDNSKEY/NSEC3PARAM, launched as soon as the first
    server answers. When the last nameserver names resolve slowly (a second provider, uncached), the budget is
    gone before their SOA and answer are sent: a lame fifth server goes unseen while AXFR and `. SOA` were asked."""
    world, names = _hosted_world(lame="20.0.5.1")
    result = _run_timed(world, "www.example.test", slow=set(names[3:]))
    skipped_core = [
        e.ask.server
        for e in result.exchanges
        if e.outcome is Outcome.SKIPPED and e.ask.purpose in (Purpose.AUTH_SOA, Purpose.AUTH_ANSWER)
    ]
    sent_advisory = [
        e
        for e in result.exchanges
        if e.outcome is not Outcome.SKIPPED
        and e.ask.purpose in (Purpose.AUTH_AXFR, Purpose.AUTH_RECURSION, Purpose.AUTH_CDS)
    ]
    assert not (skipped_core and sent_advisory), f"skipped SOA/answer at {skipped_core}, sent {len(sent_advisory)} advisory"
    assert "lame_delegation" in _ids(diagnose(result, kb))


def test_report_does_not_pass_every_nameserver_when_some_were_never_asked(kb: knowledge.Knowledge) -> None:
    """'Every nameserver answers over UDP/TCP' and 'Delegation' are `passed` although the budget left some of the
    ten addresses unasked: the report must not say `passed` for what was not checked. (Since the optional
    questions wait for the map of the zone, 60 queries cover all ten; a budget of 35 does not.)"""
    world, names = _hosted_world()
    result = _run_timed(world, "www.example.test", slow=set(names[3:]), budget=35)
    unasked = {e.ask.server for e in result.exchanges if e.outcome is Outcome.SKIPPED and e.ask.purpose is Purpose.AUTH_SOA}
    assert unasked, "the setup no longer runs out of budget"
    d = with_report(diagnose(result, kb), result, kb)
    for check in ("servers_udp", "servers_tcp"):
        assert _check(d, check).status != "passed", (check, _check(d, check).evidence)


def test_report_glue_is_not_passed_when_no_referral_was_seen(kb: knowledge.Knowledge) -> None:
    """The parent's servers do not answer the referral query (rate-limited, a flaky TLD server): nobody saw the
    referral, so nobody saw glue, and `missing_glue` is not even looked for. The glue check still says `passed`
    with 'glue for ns1.example.test.: , the addresses it resolves to' (an empty list)."""
    world = example_world()
    answer = world.answer

    def no_referral(ask: Ask) -> Exchange:
        if ask.purpose is Purpose.REFERRAL:
            return Exchange(ask, Outcome.TIMEOUT, ms=1000.0, error="no answer within 1.0 s over UDP")
        return answer(ask)

    world.answer = no_referral  # type: ignore[method-assign]
    result = world.run("www.example.test")
    assert result.zone == "example.test." and not any(ns.at_parent for ns in result.nameservers)
    d = with_report(diagnose(result, kb), result, kb)
    glue = _check(d, "glue")
    assert glue.status != "passed", glue.evidence


def test_report_a_cds_delete_request_is_not_said_to_match_the_keys(kb: knowledge.Knowledge) -> None:
    """`CDS 0 0 0 00` (RFC 8078) asks the parent to remove the DS: the zone is about to become insecure. The report
    says "…'s CDS matches the zone's DNSKEYs", which is not what the record says."""
    world = example_world()
    world.zones["example.test."][("example.test.", "DNSKEY")] = ["257 3 13 " + "A" * 86 + "=="]
    world.zones["example.test."][("example.test.", "CDS")] = ["0 0 0 00"]
    world.zones["test."][("example.test.", "DS")] = ["12345 13 2 " + "AB" * 32]
    result = world.run("www.example.test")
    d = with_report(diagnose(result, kb), result, kb)
    cds = _check(d, "cds")
    assert not any("matches the zone's DNSKEYs" in line for line in cds.evidence), cds.evidence


# ----------------------------------------------------------------------------------------------- tcp_broken


def test_a_far_server_whose_tcp_needs_longer_than_the_shortened_wait_is_not_tcp_broken(kb: knowledge.Knowledge) -> None:
    """The TCP SOA is asked with half the patience (1 s at the default 2 s timeout). A server 700 ms away (another
    continent, a satellite link) answers UDP in 700 ms; TCP needs a handshake and the query, two round trips,
    1.4 s at best. Its TCP timeout after 1 s says nothing about TCP being broken."""
    world = example_world()
    result = world.run("www.example.test")

    def far_udp(e: Exchange) -> Exchange:
        return replace(e, ms=700.0)

    def far_tcp(e: Exchange) -> Exchange:
        return Exchange(e.ask, Outcome.TIMEOUT, ms=1000.0, error="no answer within 1.0 s over TCP", transport="tcp")

    result = _edit(_edit(result, Purpose.AUTH_SOA, NS2, far_udp), Purpose.AUTH_SOA_TCP, NS2, far_tcp)
    assert "tcp_broken" not in _ids(diagnose(result, kb))


def test_report_signature_windows_do_not_pass_with_expired_signatures(kb: knowledge.Knowledge) -> None:
    """Two things broken at once: the DS matches no DNSKEY (the detail `dnssec_bogus` names) and the SOA's RRSIG
    expired a year ago. `signature_windows` owns only the `signature_expired` detail, so it falls back to its
    passing evidence and says `passed` with 'the first signature to expire … has -365.0 days left'."""
    world = example_world()
    world.zones["example.test."][("example.test.", "DNSKEY")] = ["257 3 13 " + "A" * 86 + "=="]
    world.zones["test."][("example.test.", "DS")] = ["12345 13 2 " + "AB" * 32]
    result = world.run("www.example.test")
    expired = dns.rrset.from_text(
        "example.test.",
        300,
        "IN",
        "RRSIG",
        f"SOA 13 2 300 {_stamp(NOW - 365 * DAY)} {_stamp(NOW - 400 * DAY)} 12345 example.test. " + "A" * 86 + "==",
    )

    def add_sig(e: Exchange) -> Exchange:
        assert e.message is not None
        e.message.answer.append(expired)
        return e

    result = _edit(_edit(result, Purpose.AUTH_SOA, NS1, add_sig), Purpose.AUTH_SOA, NS2, add_sig)
    d = with_report(diagnose(result, kb), result, kb)
    windows = _check(d, "signature_windows")
    assert windows.status != "passed", (windows.evidence, _ids(d))


def _stamp(t: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(t, datetime.UTC).strftime("%Y%m%d%H%M%S")


def test_nsec3_iterations_of_an_island_without_ds_do_not_degrade(kb: knowledge.Knowledge) -> None:
    """No DS at the parent: validators treat the zone as insecure and never hash a single NSEC3 of it (the DNSSEC
    family leaves stale signatures of such an island alone for the same reason). 100 iterations there do not
    affect resolution: advisory, not `degraded`."""
    world = example_world()
    world.zones["example.test."][("example.test.", "DNSKEY")] = ["257 3 13 " + "A" * 86 + "=="]
    world.zones["example.test."][("example.test.", "NSEC3PARAM")] = ["1 0 100 ABCD"]
    d = diagnose(world.run("www.example.test"), kb)
    assert _ids(d) == ["nsec3_iterations"]
    assert d.verdict == "ok" and d.causes[0].advisory


def test_a_cds_with_a_digest_type_the_bot_cannot_compute_is_not_called_a_mismatch() -> None:
    """CDS digest type 3 (GOST R 34.11-94, still seen under .ru) or a future one: dnspython cannot compute it, so
    the bot cannot tell whether it matches. Saying it 'matches none of the zone's DNSKEYs' is a guess presented as
    evidence (and makes `degraded`)."""
    private = ec.generate_private_key(ec.SECP256R1())
    key = dns.dnssec.make_dnskey(private.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, flags=257)
    zone = "example."
    tag = dns.dnssec.key_id(key)
    cds_rrset = dns.rrset.from_text(zone, 300, "IN", "CDS", f"{tag} 13 3 " + "AB" * 32)
    dnskey = dns.rrset.from_rdata(zone, 300, key)
    found = dnssec_checks.cds(zone, cds_rrset=cds_rrset, cdnskey_rrset=None, dnskey=dnskey, source="ns1")
    assert not any("matches none" in line for line in found), found
