"""The DNSSEC family: the chain of trust recomputed from what the zone's servers and its parent served
(`dnssec_checks`), and what validating resolvers said (CD cures a SERVFAIL; their EDEs). One cause,
`dnssec_bogus`, whose detail names the broken part."""

from __future__ import annotations

from collections.abc import Sequence

import dns.name
import dns.rcode
import dns.rdatatype

from bot.core.check import dnssec_checks
from bot.core.check.diagnosis.facts import Facts
from bot.core.check.diagnosis.table import EDE_DETAIL, Finding
from bot.core.check.observations import Exchange, ProbeResult, Purpose


def findings(f: Facts) -> list[Finding]:
    """The DNSSEC findings: bogus when resolvers fail and CD cures it (or the checks find a broken part while the
    zone's servers work), and reported without explaining anything when the checks find a problem nobody hits yet."""
    found = _checks(f.r, force=bool(f.servfail))
    if f.cd_works or (f.servfail and found and not f.zone_broken):
        detail, evidence = _detail(found, [f.checks[a] for a in f.servfail if a in f.checks])
        failing = f.cd_works or f.servfail
        ev = [f.resolver_line(f.checks[a], f.cds.get(a)) for a in failing if a in f.checks] + evidence
        return [Finding("dnssec_bogus", detail, tuple(ev), explains=True)]
    if found:
        detail, evidence = _detail(found, [])
        return [Finding("dnssec_bogus", detail, tuple(evidence))]
    return []


def _checks(r: ProbeResult, *, force: bool) -> list[dnssec_checks.Finding]:
    """DNSSEC findings for the zone, when validators care: its parent publishes a DS (a chain of trust reaches
    it), or the DS could not be read, or resolvers fail. A signed zone without a DS is an island that validators
    treat as insecure: stale signatures there break nobody, and are not reported unless resolvers fail."""
    zone = r.zone
    if zone is None:
        return []
    no_ds = [
        e
        for e in r.by_purpose(Purpose.PARENT_DS)
        if e.answered
        and e.aa
        and e.rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)
        and e.rrset("answer", zone, "DS") is None
    ]
    if no_ds and not force:
        return []
    ds_e = next((e for e in r.by_purpose(Purpose.PARENT_DS) if e.answered and e.aa), None)
    ds = ds_e.rrset("answer", zone, "DS") if ds_e else None
    if ds is None:
        for e in r.by_purpose(Purpose.REFERRAL):
            found = e.rrset("authority", zone, "DS")
            if found is not None:
                ds, ds_e = found, e
                break
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
    return dnssec_checks.check(
        zone,
        ds=ds,
        ds_source=f"from {ds_e.who()}" if ds_e else "",
        dnskey=dnskey,
        dnskey_source=key_e.who() if key_e else "the zone's servers",
        dnskey_answered=key_e is not None,
        signed=signed,
        now=r.now,
    )


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
