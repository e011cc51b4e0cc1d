"""The lab is what it claims: each scenario asserted against the real servers with dnspython over loopback.

These tests are also the lab's documentation: they record what Unbound 1.17, BIND 9.18, NSD 4.6 and Knot 3.2
really answer in each broken setup (first query after a cache flush unless a test says otherwise).
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dns.dnssec
import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from tests.lab import addresses as A
from tests.lab.daemons import ENV, Daemon, LabError, wait_all
from tests.lab.lab import CHILDREN, Lab, check_isolated

pytestmark = pytest.mark.lab

CAUSES = {
    "dnssec_bogus:signature_expired",
    "dnssec_bogus:signature_not_yet_valid",
    "dnssec_bogus:ds_mismatch",
    "dnssec_bogus:dnskey_missing",
    "dnssec_bogus:rrsig_missing",
    "dnssec_bogus:unsupported_algorithm",
    "dnssec_bogus:other",
    "lame_delegation",
    "ns_unreachable",
    "serial_mismatch",
    "inconsistent_answers",
    "delegation_mismatch",
    "edns_broken",
    "resolver_refused",
    "resolver_unreachable",
    "not_implemented",
    "resolver_failure",
    "dangling_cname",
    "missing_glue",
    "tcp_broken",
    "open_recursion",
    "zone_transfer_open",
    "signature_expiring",
    "nsec3_iterations",
    "cds_mismatch",
}


def query(
    server: str,
    qname: str,
    qtype: str = "A",
    *,
    rd: bool = True,
    cd: bool = False,
    edns: bool = True,
    timeout: float = 3.0,
    tcp: bool = False,
) -> dns.message.Message:
    message = dns.message.make_query(qname, qtype, want_dnssec=edns, use_edns=0 if edns else False)
    if not rd:
        message.flags &= ~dns.flags.RD
    if cd:
        message.flags |= dns.flags.CD
    if tcp:
        return dns.query.tcp(message, server, timeout=timeout, port=A.PORT)
    return dns.query.udp(message, server, timeout=timeout, port=A.PORT)


def edes(message: dns.message.Message) -> list[tuple[int, str | None]]:
    return [(int(o.code), o.text) for o in message.options if isinstance(o, dns.edns.EDEOption)]


def addresses(message: dns.message.Message) -> list[str]:
    return sorted(rr.to_text() for rrset in message.answer if rrset.rdtype == dns.rdatatype.A for rr in rrset)


def soa_serial(message: dns.message.Message) -> int:
    rrset = next(r for r in message.answer if r.rdtype == dns.rdatatype.SOA)
    return int(rrset[0].serial)


@pytest.fixture
def cold(lab: Lab) -> Iterator[Lab]:
    """The lab with the resolvers' caches flushed: each test sees a first query."""
    lab.flush()
    yield lab


# --------------------------------------------------------------------------------------------- the lab itself


NET_DEV_HEAD = "Inter-|   Receive\n face |bytes    packets\n"


def test_runs_isolated() -> None:
    assert check_isolated() is None
    assert check_isolated(NET_DEV_HEAD + "    lo: 0 0 0\n") is None


def test_isolation_check_names_the_extra_interfaces() -> None:
    problem = check_isolated(NET_DEV_HEAD + "    lo: 0 0 0\n  eth0: 1 2 3\n")
    assert problem is not None and "eth0" in problem and "private network namespace" in problem
    assert check_isolated(NET_DEV_HEAD) is not None  # not even lo: something is off


def test_scenarios_cover_every_cause_and_verdict(lab: Lab) -> None:
    causes = {cause for s in lab.scenarios.values() for cause in s.causes}
    assert causes == CAUSES
    assert {s.verdict for s in lab.scenarios.values()} == {"ok", "degraded", "nxdomain", "nodata", "failure"}
    for required in ("healthy_signed", "healthy_unsigned", "nxdomain", "nodata", "all_lame", "one_ns_closed"):
        assert required in lab.scenarios
    for scenario in lab.scenarios.values():
        assert scenario.qname.endswith("."), scenario.id
        assert scenario.id == next(k for k, v in lab.scenarios.items() if v is scenario)
        for address in (*(scenario.resolvers or lab.resolvers), *scenario.nameservers):
            assert address.startswith("127."), (scenario.id, address)


def test_resolvers_and_addresses(lab: Lab) -> None:
    assert lab.resolvers == (lab.resolver_by_name["unbound"], lab.resolver_by_name["bind"])
    assert lab.port == 53
    assert lab.root_servers == (A.ROOT,)
    everything = [v for k, v in vars(A).items() if k.isupper() and isinstance(v, str) and v.startswith("127.")]
    assert len(everything) == len(set(everything)), "every part of the lab has its own address"


def test_every_daemon_serves_something(lab: Lab) -> None:
    served = {"nsd": A.NSD, "knot": A.KNOT, "bind": A.BIND_AUTH}
    for server, address in served.items():
        zones = [c.name for c in CHILDREN if server in c.servers]
        assert zones, server
        answer = query(address, zones[0], "SOA", rd=False)
        assert answer.rcode() == dns.rcode.NOERROR and answer.flags & dns.flags.AA, (server, zones[0])
    for address, zone in ((A.ROOT, "."), (A.TLD, "lab.")):
        answer = query(address, zone, "DNSKEY", rd=False)
        assert answer.flags & dns.flags.AA and answer.answer, zone


def test_resolvers_see_only_the_lab(cold: Lab) -> None:
    """com. does not exist under the lab root: a validated NXDOMAIN proves the resolvers use only the lab."""
    for resolver in cold.resolvers:
        answer = query(resolver, "com.", "SOA")
        assert answer.rcode() == dns.rcode.NXDOMAIN
        assert answer.flags & dns.flags.AD


def test_trust_anchor_files(lab: Lab) -> None:
    assert lab.root_dnskey.startswith("257 3 13 ")
    assert "static-key 257 3 13" in lab.trust_anchor_file.read_text()
    assert lab.anchor_file.read_text().startswith(". ")
    assert A.ROOT in lab.root_hints_file.read_text()


# --------------------------------------------------------------------------------------------- healthy


def test_healthy_signed_gets_ad_from_both(cold: Lab) -> None:
    scenario = cold.scenarios["healthy_signed"]
    for resolver in cold.resolvers:
        answer = query(resolver, scenario.qname, scenario.qtype)
        assert answer.rcode() == dns.rcode.NOERROR
        assert answer.flags & dns.flags.AD, resolver
        assert addresses(answer) == ["192.0.2.1"]


def test_healthy_unsigned_has_no_ad(cold: Lab) -> None:
    scenario = cold.scenarios["healthy_unsigned"]
    for resolver in cold.resolvers:
        answer = query(resolver, scenario.qname)
        assert answer.rcode() == dns.rcode.NOERROR
        assert not answer.flags & dns.flags.AD
        assert addresses(answer) == ["192.0.2.1"]


def test_nxdomain_and_nodata_are_validated(cold: Lab) -> None:
    nx, nodata = cold.scenarios["nxdomain"], cold.scenarios["nodata"]
    for resolver in cold.resolvers:
        answer = query(resolver, nx.qname, nx.qtype)
        assert answer.rcode() == dns.rcode.NXDOMAIN and answer.flags & dns.flags.AD
        answer = query(resolver, nodata.qname, nodata.qtype)
        assert answer.rcode() == dns.rcode.NOERROR and answer.flags & dns.flags.AD
        assert not answer.answer


# --------------------------------------------------------------------------------------------- DNSSEC


@pytest.mark.parametrize(
    ("scenario_id", "ede", "reason"),
    [
        ("expired_rrsig", 7, "signature expired"),
        ("future_rrsig", 8, "signature before inception date"),
        ("ds_mismatch", 9, "no keys have a DS"),
        ("ds_for_unsigned", 9, "No DNSKEY record"),
        ("rrsig_missing", 10, "no signatures"),
        ("bad_signature", 6, "signature crypto failed"),
    ],
    ids=lambda value: value if isinstance(value, str) and "_" in value else "",
)
def test_bogus_servfails_and_cd_answers(cold: Lab, scenario_id: str, ede: int, reason: str) -> None:
    """Unbound SERVFAILs with its own EDE and reason text; BIND 9.18 SERVFAILs with no EDE; +cd answers on both."""
    scenario = cold.scenarios[scenario_id]
    unbound, bind = cold.resolver_by_name["unbound"], cold.resolver_by_name["bind"]
    answer = query(unbound, scenario.qname)
    assert answer.rcode() == dns.rcode.SERVFAIL
    [(code, text)] = edes(answer)
    assert code == ede
    assert text is not None and reason in text and scenario.qname in text
    answer = query(bind, scenario.qname)
    assert answer.rcode() == dns.rcode.SERVFAIL
    assert edes(answer) == []
    for resolver in (unbound, bind):
        answer = query(resolver, scenario.qname, cd=True)
        assert answer.rcode() == dns.rcode.NOERROR, resolver
        assert addresses(answer) == ["192.0.2.1"]
        assert not answer.flags & dns.flags.AD


def test_bogus_cache_repeats_ede_6_without_text_until_flushed(cold: Lab) -> None:
    """A repeat within val-bogus-ttl comes from Unbound's bogus cache: EDE 6 with no text. flush() clears it."""
    scenario = cold.scenarios["expired_rrsig"]
    unbound = cold.resolver_by_name["unbound"]
    assert [code for code, _ in edes(query(unbound, scenario.qname))] == [7]
    repeat = query(unbound, scenario.qname)
    assert repeat.rcode() == dns.rcode.SERVFAIL
    assert edes(repeat) == [(6, None)]
    cold.flush()
    assert [code for code, _ in edes(query(unbound, scenario.qname))] == [7]


def test_dnssec_setups_are_what_they_claim(lab: Lab) -> None:
    """Ask the authoritative servers directly: the DS in lab. and the DNSKEY/RRSIG in each child."""
    tld = A.TLD
    # expired / future: the RRSIG windows are a week in the past / the future.
    for zone, server in (("expired.lab.", A.NSD), ("future.lab.", A.KNOT)):
        answer = query(server, f"www.{zone}", rd=False)
        rrsig = next(r for r in answer.answer if r.rdtype == dns.rdatatype.RRSIG)[0]
        assert rrsig.expiration - rrsig.inception > 20 * 86400
    # ds_mismatch: the DS key tag matches no DNSKEY in the child.
    ds = query(tld, "ds-mismatch.lab.", "DS", rd=False).answer[0]
    keys = query(A.BIND_AUTH, "ds-mismatch.lab.", "DNSKEY", rd=False).answer[0]
    assert {d.key_tag for d in ds}.isdisjoint({dns.dnssec.key_id(k) for k in keys if k.rdtype == dns.rdatatype.DNSKEY})
    # ds_for_unsigned: DS at the parent, no DNSKEY at the child.
    assert query(tld, "ds-unsigned.lab.", "DS", rd=False).answer
    child = query(A.NSD, "ds-unsigned.lab.", "DNSKEY", rd=False)
    assert child.rcode() == dns.rcode.NOERROR and not child.answer
    # rrsig_missing: the zone has DNSKEY, but www's A comes without RRSIG even with DO.
    assert query(A.KNOT, "rrsig-missing.lab.", "DNSKEY", rd=False).answer
    www = query(A.KNOT, "www.rrsig-missing.lab.", rd=False)
    assert [r.rdtype for r in www.answer] == [dns.rdatatype.A]
    # unsupported algorithm: the only DS uses algorithm 100; the child publishes an alg-100 key and its alg-13 key.
    ds = query(tld, "unsupported-alg.lab.", "DS", rd=False).answer[0]
    assert {int(d.algorithm) for d in ds} == {100}
    sections = query(A.NSD, "unsupported-alg.lab.", "DNSKEY", rd=False).answer
    dnskeys = next(r for r in sections if r.rdtype == dns.rdatatype.DNSKEY)
    assert {int(k.algorithm) for k in dnskeys} == {13, 100}


def test_unsupported_algorithm_is_treated_as_insecure(cold: Lab) -> None:
    """RFC 4035 §5.2: a DS RRset with no supported algorithm makes the zone insecure; neither resolver adds EDE."""
    scenario = cold.scenarios["unsupported_algorithm"]
    for resolver in cold.resolvers:
        answer = query(resolver, scenario.qname)
        assert answer.rcode() == dns.rcode.NOERROR
        assert not answer.flags & dns.flags.AD
        assert edes(answer) == []


# --------------------------------------------------------------------------------------------- delegation


def test_lame_ns_refuses_without_aa(cold: Lab) -> None:
    scenario = cold.scenarios["lame"]
    lame = query(A.NSD, "lame.lab.", "SOA", rd=False)
    assert lame.rcode() == dns.rcode.REFUSED
    assert not lame.flags & dns.flags.AA
    assert edes(lame) == [(20, None)]  # NSD: Not Authoritative
    good = query(A.KNOT, "lame.lab.", "SOA", rd=False)
    assert good.rcode() == dns.rcode.NOERROR and good.flags & dns.flags.AA
    assert scenario.nameservers == (A.KNOT, A.NSD)
    for resolver in cold.resolvers:
        assert query(resolver, scenario.qname).rcode() == dns.rcode.NOERROR


def test_all_lame_servfails_without_ede(cold: Lab) -> None:
    scenario = cold.scenarios["all_lame"]
    bind = query(A.BIND_AUTH, "all-lame.lab.", "SOA", rd=False)
    assert bind.rcode() == dns.rcode.REFUSED and not bind.flags & dns.flags.AA
    assert edes(bind) == []  # BIND refuses a zone it does not serve without EDE
    knot = query(A.KNOT, "all-lame.lab.", "SOA", rd=False)
    assert knot.rcode() == dns.rcode.REFUSED and edes(knot) == [(20, None)]  # Knot, like NSD, adds EDE 20
    for resolver in cold.resolvers:
        answer = query(resolver, scenario.qname)
        assert answer.rcode() == dns.rcode.SERVFAIL
        assert edes(answer) == []


def test_recursor_as_nameserver_gives_an_upward_referral(cold: Lab) -> None:
    scenario = cold.scenarios["lame_referral"]
    assert scenario.nameservers == (A.KNOT, A.RECURSOR_NS)
    answer = query(A.RECURSOR_NS, "lame-referral.lab.", "SOA", rd=False)
    assert answer.rcode() == dns.rcode.NOERROR
    assert not answer.flags & dns.flags.AA and answer.flags & dns.flags.RA
    assert not answer.answer
    [referral] = answer.authority
    assert referral.name.to_text() == "." and referral.rdtype == dns.rdatatype.NS
    for resolver in cold.resolvers:
        answer = query(resolver, scenario.qname)
        assert answer.rcode() == dns.rcode.NOERROR
        assert addresses(answer) == ["192.0.2.1"]


def test_delegation_mismatch_parent_and_child_ns_differ(lab: Lab) -> None:
    referral = query(A.TLD, "deleg-mismatch.lab.", "NS", rd=False)
    parent = {rr.target.to_text() for rrset in referral.authority if rrset.rdtype == dns.rdatatype.NS for rr in rrset}
    assert parent == {"ns-nsd.lab.", "ns-knot.lab."}
    for server in (A.NSD, A.KNOT, A.BIND_AUTH):
        answer = query(server, "deleg-mismatch.lab.", "NS", rd=False)
        assert answer.flags & dns.flags.AA
        child = {rr.target.to_text() for rr in answer.answer[0]}
        assert child == {"ns-nsd.lab.", "ns-bind.lab."}


def test_serial_mismatch(cold: Lab) -> None:
    assert soa_serial(query(A.NSD, "serial.lab.", "SOA", rd=False)) == 1
    assert soa_serial(query(A.KNOT, "serial.lab.", "SOA", rd=False)) == 2
    for resolver in cold.resolvers:
        assert addresses(query(resolver, cold.scenarios["serial_mismatch"].qname)) == ["192.0.2.1"]


def test_inconsistent_answers_same_serial(cold: Lab) -> None:
    nsd, bind = query(A.NSD, "inconsistent.lab.", "SOA", rd=False), query(A.BIND_AUTH, "inconsistent.lab.", "SOA", rd=False)
    assert soa_serial(nsd) == soa_serial(bind)
    assert addresses(query(A.NSD, "www.inconsistent.lab.", rd=False)) == ["192.0.2.1"]
    assert addresses(query(A.BIND_AUTH, "www.inconsistent.lab.", rd=False)) == ["192.0.2.2"]
    for resolver in cold.resolvers:  # each resolver answers from whichever server it picked
        assert addresses(query(resolver, "www.inconsistent.lab.")) in (["192.0.2.1"], ["192.0.2.2"])


# --------------------------------------------------------------------------------------------- reachability


def udp_refused(address: str) -> bool:
    """A connected UDP socket sees ICMP port unreachable as ECONNREFUSED (an unconnected one only times out)."""
    wire = dns.message.make_query("lab.", "SOA").to_wire()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.connect((address, A.PORT))
        sock.send(wire)
        try:
            sock.recv(512)
        except ConnectionRefusedError:
            return True
        except TimeoutError:
            return False
    return False


def tcp_refused(address: str) -> bool:
    try:
        with socket.create_connection((address, A.PORT), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


def test_silent_ns_never_answers(lab: Lab) -> None:
    with pytest.raises(dns.exception.Timeout):
        query(A.SILENT_NS, "one-silent.lab.", "SOA", rd=False, timeout=1)
    with pytest.raises(dns.exception.Timeout):  # TCP connects, then nothing comes back
        query(A.SILENT_NS, "one-silent.lab.", "SOA", rd=False, timeout=1, tcp=True)


def test_closed_ns_is_port_unreachable(lab: Lab) -> None:
    for address in (A.CLOSED_NS, A.CLOSED_NS2):
        assert udp_refused(address)
        assert tcp_refused(address)
    with pytest.raises(dns.exception.Timeout):  # what dnspython's unconnected UDP socket sees instead
        query(A.CLOSED_NS, "one-closed.lab.", "SOA", rd=False, timeout=1)


@pytest.mark.parametrize("scenario_id", ["one_ns_silent", "one_ns_closed"])
def test_one_dead_ns_resolvers_still_answer(cold: Lab, scenario_id: str) -> None:
    scenario = cold.scenarios[scenario_id]
    for resolver in cold.resolvers:
        answer = query(resolver, scenario.qname, timeout=3)
        assert answer.rcode() == dns.rcode.NOERROR, resolver
        assert addresses(answer) == ["192.0.2.1"]


def test_all_ns_dead(cold: Lab) -> None:
    """Unbound sends no reply at all (it drops replies older than discard-timeout, 1.9 s); BIND SERVFAILs, at
    once for closed ports and after its ~10 s fetch timeout for silent servers. Neither adds EDE."""
    unbound, bind = cold.resolver_by_name["unbound"], cold.resolver_by_name["bind"]
    silent, closed = cold.scenarios["all_ns_silent"].qname, cold.scenarios["all_ns_closed"].qname
    with ThreadPoolExecutor(max_workers=4) as pool:
        bind_silent = pool.submit(query, bind, silent, timeout=20)
        bind_closed = query(bind, closed)
        assert bind_closed.rcode() == dns.rcode.SERVFAIL and edes(bind_closed) == []
        for qname in (silent, closed):
            with pytest.raises(dns.exception.Timeout):
                query(unbound, qname, timeout=3)
        answer = bind_silent.result()
    assert answer.rcode() == dns.rcode.SERVFAIL
    assert edes(answer) == []


def test_edns_intolerant_middlebox(cold: Lab) -> None:
    with_edns = query(A.NOEDNS_NS, "www.edns-broken.lab.", rd=False)
    assert with_edns.rcode() == dns.rcode.FORMERR
    assert with_edns.edns < 0  # no OPT in the reply: "I do not speak EDNS"
    for tcp in (False, True):
        plain = query(A.NOEDNS_NS, "www.edns-broken.lab.", rd=False, edns=False, tcp=tcp)
        assert plain.rcode() == dns.rcode.NOERROR and plain.flags & dns.flags.AA
        assert addresses(plain) == ["192.0.2.1"]
    # Both resolvers retry without EDNS after the FORMERR and answer.
    for resolver in cold.resolvers:
        answer = query(resolver, cold.scenarios["edns_broken"].qname)
        assert answer.rcode() == dns.rcode.NOERROR
        assert addresses(answer) == ["192.0.2.1"]


def test_edns_dropping_middlebox(cold: Lab) -> None:
    """No EDNS fallback on timeouts since DNS Flag Day 2019: the dropped zone fails on both resolvers."""
    with pytest.raises(dns.exception.Timeout):
        query(A.DROPEDNS_NS, "www.edns-dropped.lab.", rd=False, timeout=1)
    plain = query(A.DROPEDNS_NS, "www.edns-dropped.lab.", rd=False, edns=False)
    assert plain.rcode() == dns.rcode.NOERROR and addresses(plain) == ["192.0.2.1"]
    scenario = cold.scenarios["edns_dropped"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        bind = pool.submit(query, cold.resolver_by_name["bind"], scenario.qname, timeout=20)
        with pytest.raises(dns.exception.Timeout):
            query(cold.resolver_by_name["unbound"], scenario.qname, timeout=3)
        assert bind.result().rcode() == dns.rcode.SERVFAIL


def test_edns_broken_signed_zone_loses_its_signatures(cold: Lab) -> None:
    scenario = cold.scenarios["edns_broken_signed"]
    unbound, bind = cold.resolver_by_name["unbound"], cold.resolver_by_name["bind"]
    answer = query(unbound, scenario.qname)
    assert answer.rcode() == dns.rcode.SERVFAIL
    [(code, text)] = edes(answer)
    assert code == 10 and text is not None and f"no signatures from {A.NOEDNS_NS}" in text
    assert query(bind, scenario.qname).rcode() == dns.rcode.SERVFAIL
    for resolver in cold.resolvers:
        assert query(resolver, scenario.qname, cd=True).rcode() == dns.rcode.NOERROR


# --------------------------------------------------------------------------------------------- resolvers


@pytest.mark.parametrize("scenario_id", ["resolver_refused", "resolver_refused_bind"])
def test_refusing_resolvers_add_ede_18(lab: Lab, scenario_id: str) -> None:
    scenario = lab.scenarios[scenario_id]
    assert scenario.resolvers is not None
    [resolver] = scenario.resolvers
    answer = query(resolver, scenario.qname)
    assert answer.rcode() == dns.rcode.REFUSED
    assert not answer.flags & dns.flags.RA
    assert [code for code, _ in edes(answer)] == [18]  # Prohibited


def test_unreachable_resolvers(lab: Lab) -> None:
    silent, closed = lab.scenarios["resolver_unreachable"], lab.scenarios["resolver_closed"]
    assert silent.resolvers == (A.RESOLVER_SILENT,) and closed.resolvers == (A.RESOLVER_CLOSED,)
    with pytest.raises(dns.exception.Timeout):
        query(A.RESOLVER_SILENT, silent.qname, timeout=1)
    assert not udp_refused(A.RESOLVER_SILENT)
    assert udp_refused(A.RESOLVER_CLOSED)
    assert tcp_refused(A.RESOLVER_CLOSED)


def test_not_implemented(lab: Lab) -> None:
    """BIND implements no MAILA/MAILB and says NOTIMP; Unbound calls the same query FORMERR; NSD and Knot answer
    AXFR over UDP with NOTIMP."""
    scenario = lab.scenarios["not_implemented"]
    assert scenario.resolvers == (lab.resolver_by_name["bind"],)
    answer = query(lab.resolver_by_name["bind"], scenario.qname, scenario.qtype)
    assert answer.rcode() == dns.rcode.NOTIMP
    assert query(lab.resolver_by_name["unbound"], scenario.qname, scenario.qtype).rcode() == dns.rcode.FORMERR
    for server, zone in ((A.NSD, "healthy-unsigned.lab."), (A.KNOT, "healthy-signed.lab.")):
        assert query(server, zone, "AXFR", rd=False).rcode() == dns.rcode.NOTIMP


def test_resolver_failure_is_invisible_from_outside(cold: Lab) -> None:
    """The broken Unbound forwards healthy-unsigned.lab. to a server that refuses: SERVFAIL, also with +cd, no EDE,
    while the zone's own servers and the other resolvers answer."""
    scenario = cold.scenarios["resolver_failure"]
    assert scenario.resolvers == (A.UNBOUND_BROKEN,)
    for cd in (False, True):
        answer = query(A.UNBOUND_BROKEN, scenario.qname, cd=cd)
        assert answer.rcode() == dns.rcode.SERVFAIL
        assert edes(answer) == []
    assert query(A.UNBOUND_BROKEN, "www.healthy-signed.lab.").flags & dns.flags.AD  # everything else works
    for server in scenario.nameservers:
        assert query(server, scenario.qname, rd=False).flags & dns.flags.AA
    for resolver in cold.resolvers:
        assert query(resolver, scenario.qname).rcode() == dns.rcode.NOERROR


def test_flush_empties_the_unbound_cache(cold: Lab) -> None:
    unbound = cold.resolver_by_name["unbound"]
    assert query(unbound, "www.healthy-signed.lab.").rcode() == dns.rcode.NOERROR
    conf = str(cold.unbound_controls[0])
    dump = subprocess.run(["unbound-control", "-c", conf, "dump_cache"], env=ENV, capture_output=True, text=True, check=True)
    assert "www.healthy-signed.lab." in dump.stdout
    cold.flush()
    dump = subprocess.run(["unbound-control", "-c", conf, "dump_cache"], env=ENV, capture_output=True, text=True, check=True)
    assert "www.healthy-signed.lab." not in dump.stdout


# --------------------------------------------------------------------------------------------- supervisor


def test_a_daemon_that_dies_at_startup_raises_with_its_log(tmp_path: Path) -> None:
    argv = ["sh", "-c", "echo 'fatal: cannot bind 127.53.99.1#53'; exit 3"]
    daemon = Daemon("doomed", argv, tmp_path, [lambda: "no answer from 127.53.99.1"])
    daemon.start()
    with pytest.raises(LabError, match=r"(?s)doomed exited with status 3.*fatal: cannot bind 127\.53\.99\.1#53"):
        wait_all([daemon], timeout=10)


def test_a_daemon_that_never_answers_raises_with_what_is_missing(tmp_path: Path) -> None:
    daemon = Daemon("mute", ["sh", "-c", "echo started; exec sleep 60"], tmp_path, [lambda: "no answer from 127.53.99.2"])
    daemon.start()
    try:
        with pytest.raises(LabError, match=r"(?s)mute did not become ready.*no answer from 127\.53\.99\.2.*started"):
            wait_all([daemon], timeout=0.2)
        assert daemon.alive()
    finally:
        daemon.stop()
    assert not daemon.alive()


# --------------------------------------------------------------------------------------------- the #14 setups


def test_dangling_cname_chain_ends_in_nxdomain(cold: Lab) -> None:
    for resolver in cold.resolvers:
        answer = query(resolver, "app.dangling.lab.")
        assert answer.rcode() == dns.rcode.NXDOMAIN, resolver
        chain = [(r.name.to_text(), r[0].target.to_text()) for r in answer.answer if r.rdtype == dns.rdatatype.CNAME]
        assert chain == [
            ("app.dangling.lab.", "shop.dangling.lab."),
            ("shop.dangling.lab.", "shop-7f3a.cloud-gone.lab."),
        ]


def test_noglue_referral_has_no_address_for_the_in_zone_server(cold: Lab) -> None:
    referral = query(A.TLD, "www.noglue.lab.", rd=False)
    ns = next(r for r in referral.authority if r.rdtype == dns.rdatatype.NS)
    assert sorted(r.target.to_text() for r in ns) == ["ns-nsd.lab.", "ns1.noglue.lab."]
    glue = {r.name.to_text() for r in referral.additional if r.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)}
    assert "ns1.noglue.lab." not in glue and "ns-nsd.lab." in glue
    assert addresses(query(A.NSD, "ns1.noglue.lab.", rd=False)) == [A.NSD]  # the zone itself has the address
    for resolver in cold.resolvers:
        assert addresses(query(resolver, "www.noglue.lab.")) == ["192.0.2.1"]


def test_udp_only_nameserver_refuses_tcp(lab: Lab) -> None:
    assert query(A.UDPONLY_NS, "tcp-broken.lab.", "SOA", rd=False).rcode() == dns.rcode.NOERROR
    assert tcp_refused(A.UDPONLY_NS)
    assert query(A.NSD, "tcp-broken.lab.", "SOA", rd=False, tcp=True).rcode() == dns.rcode.NOERROR


def test_open_resolver_serves_its_zone_and_resolves_for_anyone(cold: Lab) -> None:
    own = query(A.OPENREC_NS, "open-recursion.lab.", "SOA", rd=False)
    assert own.rcode() == dns.rcode.NOERROR and own.flags & dns.flags.AA
    other = query(A.OPENREC_NS, ".", "SOA", timeout=5)
    assert other.rcode() == dns.rcode.NOERROR and other.flags & dns.flags.RA and not other.flags & dns.flags.AA
    for server in (A.NSD, A.KNOT, A.BIND_AUTH):  # the other authoritative servers do not recurse
        assert query(server, ".", "SOA").rcode() == dns.rcode.REFUSED, server


def _axfr(server: str, zone: str) -> dns.message.Message:
    return dns.query.tcp(dns.message.make_query(zone, "AXFR"), server, timeout=3, port=A.PORT)


def test_only_axfr_open_hands_out_its_zone(lab: Lab) -> None:
    opened = _axfr(A.BIND_AUTH, "axfr-open.lab.")
    assert opened.rcode() == dns.rcode.NOERROR and opened.answer[0].rdtype == dns.rdatatype.SOA
    for server, zone in ((A.BIND_AUTH, "healthy-unsigned.lab."), (A.NSD, "healthy-unsigned.lab."), (A.KNOT, "lame.lab.")):
        refused = _axfr(server, zone)
        assert refused.rcode() != dns.rcode.NOERROR or not refused.answer, (server, zone)


def test_expiring_signatures_still_validate(cold: Lab) -> None:
    answer = query(A.KNOT, "www.expiring.lab.", rd=False)
    rrsig = next(r for r in answer.answer if r.rdtype == dns.rdatatype.RRSIG)[0]
    assert 0 < rrsig.expiration - time.time() < 2 * 86400
    for resolver in cold.resolvers:
        validated = query(resolver, "www.expiring.lab.")
        assert validated.rcode() == dns.rcode.NOERROR and validated.flags & dns.flags.AD, resolver


def test_nsec3_zone_has_many_iterations_and_a_salt(cold: Lab) -> None:
    param = query(A.NSD, "nsec3-iterations.lab.", "NSEC3PARAM", rd=False).answer[0][0]
    assert (param.iterations, param.salt.hex().upper()) == (200, "ABCD")
    # The lab's validators (Unbound 1.17, BIND 9.18) accept up to 150 iterations: above, the denial is not
    # validated (no AD), which is what RFC 9276 lets them do; the answer itself still comes.
    for resolver in cold.resolvers:
        denial = query(resolver, "nope.nsec3-iterations.lab.")
        assert denial.rcode() == dns.rcode.NXDOMAIN and not denial.flags & dns.flags.AD, resolver


def test_stale_cds_names_a_key_the_zone_does_not_have(cold: Lab) -> None:
    keys = query(A.BIND_AUTH, "cds-stale.lab.", "DNSKEY", rd=False).answer
    tags = {dns.dnssec.key_id(k) for r in keys if r.rdtype == dns.rdatatype.DNSKEY for k in r}
    cds = query(A.BIND_AUTH, "cds-stale.lab.", "CDS", rd=False).answer[0]
    assert {c.key_tag for c in cds}.isdisjoint(tags)
    for resolver in cold.resolvers:
        assert query(resolver, "www.cds-stale.lab.").flags & dns.flags.AD, resolver
