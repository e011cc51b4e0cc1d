"""The DNSSEC family: the chain of trust recomputed from what the zone's servers and its parent served
(`dnssec_checks`), and what validating resolvers said (CD cures a SERVFAIL; their EDEs). `dnssec_bogus`, whose
detail names the broken part; and what breaks it soon: signatures that expire within the window
(`signature_expiring`), CDS/CDNSKEY a parent would turn into a broken DS (`cds_mismatch`), NSEC3 parameters that
validators distrust (`nsec3_iterations`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from bot.core.check import dnssec_checks
from bot.core.check.diagnosis.facts import Facts
from bot.core.check.diagnosis.server import status
from bot.core.check.diagnosis.table import EDE_DETAIL, Finding
from bot.core.check.observations import Exchange, ProbeResult, Purpose


def findings(f: Facts) -> list[Finding]:
    """The DNSSEC findings: bogus when resolvers fail and CD cures it (or the checks find a broken part while the
    zone's servers work), and reported without explaining anything when the checks find a problem nobody hits yet."""
    material = _material(f.r, force=bool(f.servfail))
    found = _checks(f.r, material)
    out: list[Finding] = []
    if f.cd_works or (f.servfail and found and not f.zone_broken):
        detail, evidence = _detail(found, [f.checks[a] for a in f.servfail if a in f.checks])
        failing = f.cd_works or f.servfail
        ev = [f.resolver_line(f.checks[a], f.cds.get(a)) for a in failing if a in f.checks] + evidence
        out.append(Finding("dnssec_bogus", detail, tuple(ev), explains=True))
    elif found:
        detail, evidence = _detail(found, [])
        out.append(Finding("dnssec_bogus", detail, tuple(evidence)))
    out += _nsec3(f, island=material is None)
    if f.r.zone is not None:
        # Without a DS, only a parent that bootstraps DNSSEC from CDS (RFC 9615) acts on them: still worth saying,
        # but it breaks nobody today.
        cds = _cds(f.r, f.r.zone, material.dnskey if material else None)
        if cds:
            out.append(Finding("cds_mismatch", None, tuple(cds), advisory=material is None))
    if material is None:
        return out
    if not found:
        soon = dnssec_checks.expiring(material.signed, dns.name.from_text(material.zone), f.r.now, f.signature_window)
        if soon:
            out.append(Finding("signature_expiring", None, tuple(soon)))
    return out


@dataclass(frozen=True, slots=True)
class Material:
    """What the DNSSEC checks read: the parent's DS, the zone's DNSKEYs, and every signed RRset served."""

    zone: str
    ds: dns.rrset.RRset | None
    ds_e: Exchange | None
    dnskey: dns.rrset.RRset | None
    key_e: Exchange | None
    signed: tuple[dnssec_checks.Signed, ...]


@dataclass(frozen=True, slots=True)
class ParentDs:
    """What the parent said about the zone's DS: one reading for the checks and for the report.

    Attributes:
        signed: True when it publishes a DS, False when one of its servers said authoritatively that there is none,
            None when no parent server said.
        ds, source: the DS RRset and the exchange it came from (the DS query, else a referral's authority section).
        denial: the authoritative answer without a DS, when there is one.
    """

    signed: bool | None
    ds: dns.rrset.RRset | None
    source: Exchange | None
    denial: Exchange | None


def parent_ds(r: ProbeResult) -> ParentDs:
    """The parent's DS for the zone, read once from the DS queries and the referrals."""
    zone = r.zone
    if zone is None:
        return ParentDs(None, None, None, None)
    answers = [e for e in r.by_purpose(Purpose.PARENT_DS) if e.answered and e.aa]
    denial = next(
        (e for e in answers if e.rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN) and e.rrset("answer", zone, "DS") is None),
        None,
    )
    source = answers[0] if answers else None
    ds = source.rrset("answer", zone, "DS") if source else None
    if ds is None:
        for e in r.by_purpose(Purpose.REFERRAL):
            found = e.rrset("authority", zone, "DS")
            if found is not None:
                ds, source = found, e
                break
    signed = False if denial is not None else (True if ds is not None else None)
    return ParentDs(signed, ds, source, denial)


def _material(r: ProbeResult, *, force: bool) -> Material | None:
    """The zone's DNSSEC material, when validators care: its parent publishes a DS (a chain of trust reaches it),
    or the DS could not be read, or resolvers fail. A signed zone without a DS is an island that validators treat
    as insecure: stale signatures there break nobody, and are not reported unless resolvers fail."""
    zone = r.zone
    if zone is None:
        return None
    parent = parent_ds(r)
    if parent.signed is False and not force:
        return None
    ds, ds_e = parent.ds, parent.source
    # Every server's signed answers are checked, not only the first one's: one secondary serving stale
    # signatures is a problem even while the other servers (and so the resolvers, most of the time) are fine.
    keys = [e for e in r.by_purpose(Purpose.AUTH_DNSKEY) if e.answered and e.aa and e.rcode == dns.rcode.NOERROR]
    key_e = next((e for e in keys if e.rrset("answer", zone, "DNSKEY") is not None), keys[0] if keys else None)
    dnskey = key_e.rrset("answer", zone, "DNSKEY") if key_e else None
    signed: list[dnssec_checks.Signed] = []
    for e in keys:
        found = e.rrset("answer", zone, "DNSKEY")
        if found is not None:
            signed.append(dnssec_checks.Signed("the DNSKEY RRset", found, e.signatures("answer", zone, "DNSKEY"), e.who()))
    for e in r.by_purpose(Purpose.AUTH_SOA):
        soa = e.rrset("answer", zone, "SOA") if e.answered and e.aa and e.rcode == dns.rcode.NOERROR else None
        if soa is not None:
            signed.append(dnssec_checks.Signed(f"SOA {zone}", soa, e.signatures("answer", zone, "SOA"), e.who()))
    origin = dns.name.from_text(zone)
    for e in r.by_purpose(Purpose.AUTH_ANSWER):
        if not e.answered or not e.aa or e.message is None:
            continue
        for section in ("answer", "authority"):
            for rrset in getattr(e.message, section):
                if rrset.rdtype in (dns.rdatatype.RRSIG, dns.rdatatype.NS) or not rrset.name.is_subdomain(origin):
                    continue
                if section == "authority" and rrset.rdtype == dns.rdatatype.SOA:
                    continue  # the SOA is checked from the SOA query
                kind = dns.rdatatype.to_text(rrset.rdtype)
                sigs = e.signatures(section, rrset.name.to_text(), kind)
                signed.append(dnssec_checks.Signed(f"{rrset.name.to_text()} {kind}", rrset, sigs, e.who()))
    return Material(zone, ds, ds_e, dnskey, key_e, tuple(signed))


def _checks(r: ProbeResult, m: Material | None) -> list[dnssec_checks.Finding]:
    """What is broken in the chain of trust now."""
    if m is None:
        return []
    return dnssec_checks.check(
        m.zone,
        ds=m.ds,
        ds_source=f"from {m.ds_e.who()}" if m.ds_e else "",
        dnskey=m.dnskey,
        dnskey_source=m.key_e.who() if m.key_e else "the zone's servers",
        dnskey_answered=m.key_e is not None,
        signed=list(m.signed),
        now=r.now,
    )


def _cds(r: ProbeResult, zone: str, dnskey: dns.rrset.RRset | None) -> list[str]:
    """CDS/CDNSKEY at each server that served them, against the DNSKEYs that server served (else `dnskey`)."""
    out: list[str] = []
    keys = {e.ask.server: e.rrset("answer", zone, "DNSKEY") for e in r.by_purpose(Purpose.AUTH_DNSKEY) if e.aa}
    by_server: dict[str, dict[Purpose, Exchange]] = {}
    for e in r.by_purpose(Purpose.AUTH_CDS, Purpose.AUTH_CDNSKEY):
        if e.answered and e.aa and e.rcode == dns.rcode.NOERROR:
            by_server.setdefault(e.ask.server, {})[e.ask.purpose] = e
    for address, found in by_server.items():
        cds_e, cdnskey_e = found.get(Purpose.AUTH_CDS), found.get(Purpose.AUTH_CDNSKEY)
        who = (cds_e or cdnskey_e).who()  # type: ignore[union-attr]
        out += dnssec_checks.cds(
            zone,
            cds_rrset=cds_e.rrset("answer", zone, "CDS") if cds_e else None,
            cdnskey_rrset=cdnskey_e.rrset("answer", zone, "CDNSKEY") if cdnskey_e else None,
            dnskey=keys.get(address) or dnskey,
            source=who,
        )
    return out


def _nsec3(f: Facts, *, island: bool = False) -> list[Finding]:
    """NSEC3 parameters from NSEC3PARAM and from the NSEC3 records of any denial the zone's servers sent; resolvers
    that said EDE 27 (Unsupported NSEC3 Iterations Value) are part of the evidence, and explain a failure.
    `island`: no DS at the parent, so no validator hashes the zone's NSEC3 at all: advisory whatever the count."""
    r = f.r
    zone = r.zone
    if zone is None:
        return []
    params: list[tuple[str, int, bytes]] = []
    for e in r.by_purpose(Purpose.AUTH_NSEC3PARAM):
        rrset = e.rrset("answer", zone, "NSEC3PARAM") if e.answered and e.aa else None
        params += [(e.who(), int(p.iterations), bytes(p.salt)) for p in rrset or ()]
    origin = dns.name.from_text(zone)
    for e in r.by_purpose(Purpose.AUTH_ANSWER):
        if e.answered and e.aa and e.message is not None:
            for rrset in e.message.authority:
                if rrset.rdtype == dns.rdatatype.NSEC3 and rrset.name != dns.name.root and rrset.name.parent() == origin:
                    params += [(e.who(), int(n.iterations), bytes(n.salt)) for n in rrset]
    found = dnssec_checks.nsec3(params)
    said = [a for a, e in f.checks.items() if any(code == 27 for code, _ in e.ede)]
    if not found and not said:
        return []
    ev = [x.evidence for x in found] + [f.resolver_line(f.checks[a], f.cds.get(a)) for a in said]
    if any(x.beyond_limit for x in found):
        # What validators do with it, seen: a denial of existence that comes back without AD was not validated.
        ev += [
            f"{f.resolver_line(e, None)}: the denial came without AD; a validating resolver does that when it does "
            "not trust NSEC3 above its iteration limit (RFC 9276)"
            for a, e in f.checks.items()
            if a not in said and status(e) in ("nxdomain", "nodata") and not e.ad
        ]
    beyond = any(x.beyond_limit for x in found) or bool(said)
    failing = [a for a in said if a in f.servfail]
    return [Finding("nsec3_iterations", None, tuple(ev), explains=bool(failing), advisory=island or not beyond)]


def _detail(findings: list[dnssec_checks.Finding], failing: Sequence[Exchange]) -> tuple[str, list[str]]:
    """The detail: what the checks found first; else what the resolvers' EDE says; else `other`."""
    ede_details = [EDE_DETAIL[code] for e in failing for code, _ in e.ede if code in EDE_DETAIL]
    if findings:
        detail = findings[0].detail
        # EDE 9 (DNSKEY Missing) covers both a DS that matches no key and a DS for an unsigned zone.
        return detail, [f.evidence for f in findings]
    specific = [d for d in ede_details if d != "other"]
    if specific:
        return specific[0], []
    return "other", []
