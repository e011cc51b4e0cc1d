"""The lab itself: the zone plan, the scenarios, and the Lab object that starts and stops everything."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tests.lab import addresses as A
from tests.lab import daemons as D
from tests.lab import zones as Z
from tests.lab.daemons import LabError
from tests.lab.zones import ChildZone, Variant

NSD_HOST, KNOT_HOST, BIND_HOST = "ns-nsd.lab.", "ns-knot.lab.", "ns-bind.lab."
SILENT_HOST, SILENT2_HOST = "ns-silent.lab.", "ns-silent2.lab."
CLOSED_HOST, CLOSED2_HOST = "ns-closed.lab.", "ns-closed2.lab."
NOEDNS_HOST, DROPEDNS_HOST = "ns-noedns.lab.", "ns-dropedns.lab."
RECURSOR_HOST = "ns-recursor.lab."
UDPONLY_HOST, OPENREC_HOST = "ns-udponly.lab.", "ns-openrec.lab."
NOGLUE_HOST = "ns1.noglue.lab."

# The children of lab.: one zone per broken (or healthy) setup, spread across NSD, Knot and BIND.
CHILDREN: tuple[ChildZone, ...] = (
    ChildZone("healthy-signed.lab.", ("knot", "bind"), (KNOT_HOST, BIND_HOST), signing=Z.SIGNED),
    ChildZone("healthy-unsigned.lab.", ("nsd", "bind"), (NSD_HOST, BIND_HOST)),
    ChildZone("expired.lab.", ("nsd",), (NSD_HOST,), signing=Z.EXPIRED),
    ChildZone("future.lab.", ("knot",), (KNOT_HOST,), signing=Z.FUTURE),
    ChildZone("ds-mismatch.lab.", ("bind",), (BIND_HOST,), signing=Z.DS_MISMATCH),
    ChildZone("ds-unsigned.lab.", ("nsd",), (NSD_HOST,), signing=Z.DS_UNSIGNED),
    ChildZone("rrsig-missing.lab.", ("knot",), (KNOT_HOST,), signing=Z.RRSIG_MISSING),
    ChildZone("bad-signature.lab.", ("bind",), (BIND_HOST,), signing=Z.BAD_SIGNATURE),
    ChildZone("unsupported-alg.lab.", ("nsd",), (NSD_HOST,), signing=Z.UNSUPPORTED_ALGORITHM),
    ChildZone("lame.lab.", ("knot",), (KNOT_HOST, NSD_HOST)),  # NSD is not configured for it: REFUSED + EDE 20
    ChildZone("all-lame.lab.", (), (NSD_HOST, BIND_HOST)),  # nobody serves it
    ChildZone("lame-referral.lab.", ("knot",), (KNOT_HOST, RECURSOR_HOST)),  # the second NS is a recursive resolver
    ChildZone("one-silent.lab.", ("nsd",), (NSD_HOST, SILENT_HOST)),
    ChildZone("one-closed.lab.", ("knot",), (KNOT_HOST, CLOSED_HOST)),
    ChildZone("all-silent.lab.", (), (SILENT_HOST, SILENT2_HOST)),
    ChildZone("all-closed.lab.", (), (CLOSED_HOST, CLOSED2_HOST)),
    ChildZone(
        "serial.lab.", ("nsd", "knot"), (NSD_HOST, KNOT_HOST), variants={"nsd": Variant(serial=1), "knot": Variant(serial=2)}
    ),
    ChildZone(
        "inconsistent.lab.",
        ("nsd", "bind"),
        (NSD_HOST, BIND_HOST),
        variants={"nsd": Variant(www="192.0.2.1"), "bind": Variant(www="192.0.2.2")},
    ),
    ChildZone("deleg-mismatch.lab.", ("nsd", "knot", "bind"), (NSD_HOST, KNOT_HOST), child_ns=(NSD_HOST, BIND_HOST)),
    ChildZone("edns-broken.lab.", ("nsd",), (NOEDNS_HOST,)),
    ChildZone("edns-dropped.lab.", ("nsd",), (DROPEDNS_HOST,)),
    ChildZone("edns-broken-signed.lab.", ("nsd",), (NOEDNS_HOST,), signing=Z.SIGNED),
    ChildZone(
        "dangling.lab.",
        ("nsd",),
        (NSD_HOST,),
        records=(
            "app.dangling.lab. 300 IN CNAME shop.dangling.lab.",
            "shop.dangling.lab. 300 IN CNAME shop-7f3a.cloud-gone.lab.",  # the load balancer was deleted
        ),
    ),
    # ns1.noglue.lab. is inside the zone, and lab. publishes no address for it: only ns-nsd.lab. can be found.
    ChildZone("noglue.lab.", ("nsd",), (NOGLUE_HOST, NSD_HOST), hosts={NOGLUE_HOST: A.NSD}, glue=False),
    ChildZone("tcp-broken.lab.", ("nsd",), (NSD_HOST, UDPONLY_HOST)),
    ChildZone("open-recursion.lab.", ("knot", "openrec"), (KNOT_HOST, OPENREC_HOST)),
    ChildZone("axfr-open.lab.", ("bind",), (BIND_HOST,), axfr_open=True),
    ChildZone("expiring.lab.", ("knot",), (KNOT_HOST,), signing=Z.EXPIRING),
    ChildZone("nsec3-iterations.lab.", ("nsd",), (NSD_HOST,), signing=Z.NSEC3_ITERATIONS),
    ChildZone("cds-stale.lab.", ("bind",), (BIND_HOST,), signing=Z.CDS_STALE),
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """One real setup in the lab and what a /dnscheck of it should conclude."""

    id: str  # "expired_rrsig"
    qname: str  # "www.expired.lab." (absolute)
    qtype: str  # "A"
    verdict: str  # "ok" | "degraded" | "nxdomain" | "nodata" | "failure"
    causes: tuple[str, ...]  # expected cause ids, detail after a colon: ("dnssec_bogus:signature_expired",)
    description: str  # what is broken, in one sentence
    resolvers: tuple[str, ...] | None = None  # resolver IPs for this scenario (None = lab.resolvers)
    zone: str | None = None  # the lab zone the scenario lives in (absolute), when there is one
    nameservers: tuple[str, ...] = ()  # addresses of the zone's NS as the parent delegates them


def _ns_addresses(zone: str) -> tuple[str, ...]:
    child = next(c for c in CHILDREN if c.name == zone)
    return tuple(A.NS_HOSTS.get(host) or child.hosts[host] for host in child.parent_ns)


def _scenario(
    id: str,
    qname: str,
    verdict: str,
    causes: tuple[str, ...],
    description: str,
    *,
    qtype: str = "A",
    resolvers: tuple[str, ...] | None = None,
) -> Scenario:
    zone = next((c.name for c in CHILDREN if qname == c.name or qname.endswith("." + c.name)), None)
    return Scenario(
        id=id,
        qname=qname,
        qtype=qtype,
        verdict=verdict,
        causes=causes,
        description=description,
        resolvers=resolvers,
        zone=zone,
        nameservers=_ns_addresses(zone) if zone else (),
    )


SCENARIOS: tuple[Scenario, ...] = (
    _scenario(
        "healthy_signed",
        "www.healthy-signed.lab.",
        "ok",
        (),
        "A signed zone on Knot and BIND with a good chain of trust: both resolvers answer NOERROR with AD.",
    ),
    _scenario(
        "healthy_unsigned",
        "www.healthy-unsigned.lab.",
        "ok",
        (),
        "An unsigned zone (no DS, NSEC proves it) on NSD and BIND: both resolvers answer NOERROR without AD.",
    ),
    _scenario(
        "nxdomain",
        "nope.healthy-signed.lab.",
        "nxdomain",
        (),
        "The name does not exist in a healthy signed zone (validated NXDOMAIN).",
    ),
    _scenario(
        "nodata",
        "www.healthy-signed.lab.",
        "nodata",
        (),
        "The name exists but has no AAAA (validated NOERROR/NODATA).",
        qtype="AAAA",
    ),
    _scenario(
        "expired_rrsig",
        "www.expired.lab.",
        "failure",
        ("dnssec_bogus:signature_expired",),
        "Every RRSIG in expired.lab. (NSD) expired a day ago: both resolvers SERVFAIL (Unbound EDE 7), +cd answers.",
    ),
    _scenario(
        "future_rrsig",
        "www.future.lab.",
        "failure",
        ("dnssec_bogus:signature_not_yet_valid",),
        "Every RRSIG in future.lab. (Knot) starts tomorrow: both resolvers SERVFAIL (Unbound EDE 8), +cd answers.",
    ),
    _scenario(
        "ds_mismatch",
        "www.ds-mismatch.lab.",
        "failure",
        ("dnssec_bogus:ds_mismatch",),
        "The DS in lab. names a key that ds-mismatch.lab. (BIND, signed) never published: SERVFAIL (Unbound EDE 9).",
    ),
    _scenario(
        "ds_for_unsigned",
        "www.ds-unsigned.lab.",
        "failure",
        ("dnssec_bogus:dnskey_missing",),
        "lab. publishes a DS for ds-unsigned.lab. (NSD) but the zone is unsigned (no DNSKEY): SERVFAIL (Unbound EDE 9).",
    ),
    _scenario(
        "rrsig_missing",
        "www.rrsig-missing.lab.",
        "failure",
        ("dnssec_bogus:rrsig_missing",),
        "rrsig-missing.lab. (Knot) is signed but www's A RRset has no RRSIG: SERVFAIL (Unbound EDE 10).",
    ),
    _scenario(
        "bad_signature",
        "www.bad-signature.lab.",
        "failure",
        ("dnssec_bogus:other",),
        "bad-signature.lab. (BIND): www's A RRSIG is present and in its validity window but its bytes do not verify.",
    ),
    _scenario(
        "unsupported_algorithm",
        "www.unsupported-alg.lab.",
        "degraded",
        ("dnssec_bogus:unsupported_algorithm",),
        "The only DS for unsupported-alg.lab. (NSD) uses DNSKEY algorithm 100 (unassigned); per RFC 4035 §5.2 both "
        "resolvers treat the zone as insecure and answer NOERROR without AD.",
    ),
    _scenario(
        "lame",
        "www.lame.lab.",
        "degraded",
        ("lame_delegation",),
        "lame.lab. is delegated to Knot (serves it) and NSD (not configured: REFUSED + EDE 20, no AA); resolvers answer.",
    ),
    _scenario(
        "all_lame",
        "www.all-lame.lab.",
        "failure",
        ("lame_delegation",),
        "all-lame.lab. is delegated to NSD and BIND, neither serves it (both REFUSED): both resolvers SERVFAIL.",
    ),
    _scenario(
        "one_ns_silent",
        "www.one-silent.lab.",
        "degraded",
        ("ns_unreachable",),
        "one-silent.lab. has NSD and a nameserver that never answers (UDP or TCP); resolvers answer from NSD.",
    ),
    _scenario(
        "one_ns_closed",
        "www.one-closed.lab.",
        "degraded",
        ("ns_unreachable",),
        "one-closed.lab. has Knot and a nameserver address where nothing listens (port unreachable); resolvers answer.",
    ),
    _scenario(
        "all_ns_silent",
        "www.all-silent.lab.",
        "failure",
        ("ns_unreachable",),
        "Both nameservers of all-silent.lab. never answer: Unbound sends no reply at all, BIND SERVFAILs after ~10 s.",
    ),
    _scenario(
        "all_ns_closed",
        "www.all-closed.lab.",
        "failure",
        ("ns_unreachable",),
        "Nothing listens on either nameserver address of all-closed.lab.: resolvers fail (port unreachable).",
    ),
    _scenario(
        "serial_mismatch",
        "www.serial.lab.",
        "degraded",
        ("serial_mismatch",),
        "serial.lab.'s two nameservers disagree: NSD serves SOA serial 1, Knot serial 2 (same A data).",
    ),
    _scenario(
        "inconsistent_answers",
        "www.inconsistent.lab.",
        "degraded",
        ("inconsistent_answers",),
        "inconsistent.lab.: same SOA serial on NSD and BIND, but www is 192.0.2.1 on NSD and 192.0.2.2 on BIND.",
    ),
    _scenario(
        "delegation_mismatch",
        "www.deleg-mismatch.lab.",
        "degraded",
        ("delegation_mismatch",),
        "lab. delegates deleg-mismatch.lab. to NSD+Knot, the zone's own NS set is NSD+BIND; all three serve it.",
    ),
    _scenario(
        "edns_broken",
        "www.edns-broken.lab.",
        "degraded",
        ("edns_broken",),
        "edns-broken.lab.'s only nameserver sits behind a middlebox that answers FORMERR to any query with EDNS and "
        "relays plain queries to NSD; the resolvers fall back to plain DNS and answer.",
    ),
    _scenario(
        "edns_dropped",
        "www.edns-dropped.lab.",
        "failure",
        ("edns_broken",),
        "edns-dropped.lab.'s only nameserver sits behind a middlebox that silently drops any query with EDNS; since "
        "DNS Flag Day 2019 resolvers do not retry without EDNS on a timeout: Unbound sends no reply, BIND SERVFAILs "
        "after ~10 s.",
    ),
    _scenario(
        "edns_broken_signed",
        "www.edns-broken-signed.lab.",
        "failure",
        ("edns_broken", "dnssec_bogus:rrsig_missing"),
        "edns-broken-signed.lab. is signed and behind the FORMERR middlebox: the resolvers fall back to plain DNS, "
        "get no RRSIGs (no DO bit without EDNS) and SERVFAIL (Unbound EDE 10 'no signatures'); +cd answers.",
    ),
    _scenario(
        "resolver_refused",
        "www.healthy-unsigned.lab.",
        "failure",
        ("resolver_refused",),
        "An Unbound with `access-control: 127.0.0.0/8 refuse` (us): REFUSED for any query.",
        resolvers=(A.UNBOUND_REFUSE,),
    ),
    _scenario(
        "resolver_refused_bind",
        "www.healthy-unsigned.lab.",
        "failure",
        ("resolver_refused",),
        "A BIND view with allow-query { none; }: REFUSED with EDE 18 (Prohibited).",
        resolvers=(A.BIND_REFUSE,),
    ),
    _scenario(
        "resolver_unreachable",
        "www.healthy-unsigned.lab.",
        "failure",
        ("resolver_unreachable",),
        "The configured resolver reads queries and never answers (UDP and TCP): every query times out.",
        resolvers=(A.RESOLVER_SILENT,),
    ),
    _scenario(
        "resolver_closed",
        "www.healthy-unsigned.lab.",
        "failure",
        ("resolver_unreachable",),
        "Nothing listens on the configured resolver address: ICMP port unreachable (connection refused).",
        resolvers=(A.RESOLVER_CLOSED,),
    ),
    _scenario(
        "not_implemented",
        "www.healthy-unsigned.lab.",
        "failure",
        ("not_implemented",),
        "BIND (the validating resolver) answers NOTIMP to a MAILB query: it implements no mail meta-types.",
        qtype="MAILB",
        resolvers=(A.BIND_RESOLVER,),
    ),
    _scenario(
        "resolver_failure",
        "www.healthy-unsigned.lab.",
        "failure",
        ("resolver_failure",),
        "A second Unbound whose forward-zone for healthy-unsigned.lab. points at a server that refuses (Knot, which "
        "does not serve it): it SERVFAILs at once while the zone's own nameservers and the other resolvers are fine.",
        resolvers=(A.UNBOUND_BROKEN,),
    ),
    _scenario(
        "lame_referral",
        "www.lame-referral.lab.",
        "degraded",
        ("lame_delegation",),
        "lame-referral.lab. is delegated to Knot (serves it) and to a recursive BIND: asked without RD, the recursor "
        "answers NOERROR with no AA and an upward referral to the root; resolvers skip it and answer.",
    ),
    _scenario(
        "dangling_cname",
        "app.dangling.lab.",
        "nxdomain",
        ("dangling_cname",),
        "app.dangling.lab. CNAME shop.dangling.lab. CNAME shop-7f3a.cloud-gone.lab., a name that no longer exists "
        "(the cloud load balancer was deleted): the resolvers answer NXDOMAIN through the chain.",
    ),
    _scenario(
        "missing_glue",
        "www.noglue.lab.",
        "degraded",
        ("missing_glue",),
        "noglue.lab. is delegated to ns1.noglue.lab. (inside the zone) and ns-nsd.lab., and lab. publishes no glue "
        "for ns1.noglue.lab.: resolvers can only use ns-nsd.lab.",
    ),
    _scenario(
        "tcp_broken",
        "www.tcp-broken.lab.",
        "degraded",
        ("tcp_broken",),
        "tcp-broken.lab.'s second nameserver sits behind a firewall that passes only UDP: TCP connections are "
        "refused, so answers too large for UDP fail there.",
    ),
    _scenario(
        "open_recursion",
        "www.open-recursion.lab.",
        "ok",
        ("open_recursion",),
        "open-recursion.lab. is served by Knot and by a BIND view that also resolves any name for anyone: it "
        "resolves fine, and an open resolver is listed as its nameserver (a security finding).",
    ),
    _scenario(
        "zone_transfer_open",
        "www.axfr-open.lab.",
        "ok",
        ("zone_transfer_open",),
        "BIND hands axfr-open.lab. to anyone by AXFR (allow-transfer { any; }); every other lab zone refuses.",
    ),
    _scenario(
        "signature_expiring",
        "www.expiring.lab.",
        "degraded",
        ("signature_expiring",),
        "expiring.lab. (Knot) validates, but every RRSIG expires in a day: the re-signing job has stopped.",
    ),
    _scenario(
        "nsec3_iterations",
        "www.nsec3-iterations.lab.",
        "degraded",
        ("nsec3_iterations",),
        f"nsec3-iterations.lab. (NSD) is signed with NSEC3, {Z.NSEC3_ITERATION_COUNT} iterations and a salt: above "
        "the limit of BIND 9.20, PowerDNS Recursor and Knot Resolver, whose validators then distrust its denials.",
    ),
    _scenario(
        "cds_mismatch",
        "www.cds-stale.lab.",
        "degraded",
        ("cds_mismatch",),
        "cds-stale.lab. (BIND) validates, but its CDS and CDNSKEY name a key it no longer has: a parent that "
        "acts on them would break the chain.",
    ),
)


@dataclass
class Lab:
    """The running lab: what the tests code against (resolvers, scenarios), plus the daemons behind it."""

    workdir: Path
    resolvers: tuple[str, ...] = (A.UNBOUND, A.BIND_RESOLVER)
    resolver_by_name: dict[str, str] = field(
        default_factory=lambda: {
            "unbound": A.UNBOUND,
            "bind": A.BIND_RESOLVER,
            "unbound_refuse": A.UNBOUND_REFUSE,
            "bind_refuse": A.BIND_REFUSE,
            "unbound_broken": A.UNBOUND_BROKEN,
            "silent": A.RESOLVER_SILENT,
            "closed": A.RESOLVER_CLOSED,
        }
    )
    scenarios: dict[str, Scenario] = field(default_factory=lambda: {s.id: s for s in SCENARIOS})
    port: int = A.PORT
    root_servers: tuple[str, ...] = (A.ROOT,)
    nameservers: dict[str, str] = field(default_factory=lambda: {"a.root-servers.": A.ROOT, "ns1.lab.": A.TLD, **A.NS_HOSTS})
    children: tuple[ChildZone, ...] = CHILDREN
    root_dnskey: str = ""  # "257 3 13 <base64>" of the lab root's key (the trust anchor)
    trust_anchor_file: Path = Path()  # BIND syntax: trust-anchors { . static-key ... }; (for delv -a)
    anchor_file: Path = Path()  # zone-file syntax DNSKEY (for unbound-host -f, drill -k, kdig)
    root_hints_file: Path = Path()
    daemons: list[D.Daemon] = field(default_factory=list)
    unbound_controls: list[Path] = field(default_factory=list)
    rndc_conf: Path | None = None

    def flush(self) -> None:
        """Forget everything the resolvers learned (answers, bogus cache, key cache, server health)."""
        for conf in self.unbound_controls:
            for command in (
                ["flush_zone", "."],
                ["flush_infra", "all"],
                ["flush_requestlist"],
                ["flush_bogus"],
                ["flush_negative"],
            ):
                D.control(["unbound-control", "-c", str(conf), *command], f"unbound-control {' '.join(command)}")
        if self.rndc_conf is not None:
            D.control(["rndc", "-c", str(self.rndc_conf), "flush"], "rndc flush")

    def daemon(self, name: str) -> D.Daemon:
        return next(d for d in self.daemons if d.name == name)

    def log(self, name: str) -> str:
        """The whole log of one daemon (for asserting on what the servers said)."""
        return self.daemon(name).log.read_text(errors="replace")

    def stop(self) -> None:
        for daemon in reversed(self.daemons):
            daemon.stop()
        D.remove_loopback_addresses(A.BIND_ADDRESSES)


def check_isolated(net_dev: str | None = None) -> str | None:
    """None inside a private network namespace with only loopback; else why not.

    /sys/class/net is the wrong place to look: sysfs shows the namespace that mounted it, so a plain `unshare -n`
    still lists the host's interfaces there. /proc/self/net/dev is per network namespace.
    """
    if net_dev is None:
        try:
            net_dev = Path("/proc/self/net/dev").read_text()
        except OSError as exc:
            return f"cannot read /proc/self/net/dev: {exc}"
    lines = net_dev.splitlines()[2:]
    interfaces = sorted(line.split(":", 1)[0].strip() for line in lines if ":" in line)
    if interfaces != ["lo"]:
        return f"network interfaces {interfaces}: the lab must run in a private network namespace with only lo"
    return None


def start(workdir: Path) -> Lab:
    """Build every zone and start every daemon; raise LabError (with the failing daemon's log tail) otherwise."""
    tools = ("nsd", "knotd", "named", "unbound", "unbound-control", "rndc", "dnssec-keygen", "dnssec-signzone", "ip")
    for tool in (*tools, "ldns-signzone"):
        if shutil.which(tool, path=D.ENV["PATH"]) is None:
            raise LabError(f"{tool} is not installed (scripts/test installs bind9 bind9-utils unbound nsd knot ...)")
    built = Z.build(CHILDREN, workdir / "zones")
    hints = workdir / "root.hints"
    hints.write_text(Z.root_hints())
    root_dnskey = built.root_key.record.split("DNSKEY", 1)[1].strip()
    anchor = workdir / "root.anchor"
    anchor.write_text(f". {Z.TTL} IN DNSKEY {root_dnskey}\n")
    flags, proto, alg, public = root_dnskey.split(None, 3)
    trust_anchors = workdir / "trust-anchors.conf"
    trust_anchors.write_text(f'trust-anchors {{ . static-key {flags} {proto} {alg} "{public.replace(" ", "")}"; }};\n')

    lab = Lab(
        workdir=workdir, root_dnskey=root_dnskey, trust_anchor_file=trust_anchors, anchor_file=anchor, root_hints_file=hints
    )
    D.add_loopback_addresses(A.BIND_ADDRESSES)
    middlebox = D.Daemon(
        "middlebox",
        [
            sys.executable,
            str(Path(__file__).with_name("middlebox.py")),
            *["--silent", A.SILENT_NS, "--silent", A.SILENT_NS2, "--silent", A.RESOLVER_SILENT],
            *["--noedns", f"{A.NOEDNS_NS}={A.NSD}", "--dropedns", f"{A.DROPEDNS_NS}={A.NSD}"],
            *["--udponly", f"{A.UDPONLY_NS}={A.NSD}"],
        ],
        workdir / "middlebox",
    )
    middlebox.ready = [lambda: None if "ready" in D.tail(middlebox.log) else "middlebox has not bound its sockets"]
    authoritative = [
        D.nsd("nsd-root", workdir / "nsd-root", A.ROOT, built.files["root"]),
        D.knot("knot-tld", workdir / "knot-tld", A.TLD, built.files["tld"]),
        D.nsd("nsd", workdir / "nsd", A.NSD, built.files.get("nsd", {})),
        D.knot("knot", workdir / "knot", A.KNOT, built.files.get("knot", {})),
        D.bind_auth(
            "bind-auth",
            workdir / "bind-auth",
            A.BIND_AUTH,
            built.files.get("bind", {}),
            open_transfer=[c.name for c in CHILDREN if c.axfr_open],
        ),
        middlebox,
    ]
    bind_resolver, rndc_conf = D.bind_resolver(
        "bind-resolver", workdir / "bind-resolver", hints, root_dnskey, open_zones=built.files.get("openrec", {})
    )
    resolvers = [
        D.unbound(
            "unbound",
            workdir / "unbound",
            hints,
            anchor,
            [A.UNBOUND],
            control=A.UNBOUND,
        ),
        D.unbound("unbound-refuse", workdir / "unbound-refuse", hints, anchor, [A.UNBOUND_REFUSE], refuse_all=True),
        bind_resolver,
        D.unbound(
            "unbound-broken",
            workdir / "unbound-broken",
            hints,
            anchor,
            [A.UNBOUND_BROKEN],
            control=A.UNBOUND_BROKEN,
            forward={"healthy-unsigned.lab.": [A.KNOT]},
        ),
    ]
    lab.daemons = [*authoritative, *resolvers]
    lab.unbound_controls = [workdir / "unbound" / "unbound.conf", workdir / "unbound-broken" / "unbound.conf"]
    lab.rndc_conf = rndc_conf
    try:
        _start_group(authoritative)
        _start_group(resolvers)
        lab.flush()
    except BaseException:
        lab.stop()
        raise
    return lab


def _start_group(daemons: Iterable[D.Daemon]) -> None:
    group = list(daemons)
    for daemon in group:
        daemon.start()
    D.wait_all(group)
