"""The servers family: each of the zone's nameserver addresses, asked directly. Silent or without an address
(`ns_unreachable`), failing queries that carry EDNS (`edns_broken`), answering NOTIMP (`not_implemented`)."""

from __future__ import annotations

from bot.core.check.diagnosis.facts import Facts
from bot.core.check.diagnosis.table import Finding


def findings(f: Facts) -> list[Finding]:
    """The servers' findings."""
    out: list[Finding] = []
    explains = f.server_explains and not f.healthy
    if f.dead or f.no_address:
        ev = [s.evidence for s in f.dead] + [f.no_address_line(ns.name) for ns in f.no_address]
        out.append(Finding("ns_unreachable", None, tuple(ev), explains=explains))
    if f.edns_bad:
        # Every server that answers breaks EDNS: that explains a plain failure, and also a DNSSEC one (without EDNS
        # there is no DO bit, so validators never get the RRSIGs and call the zone bogus).
        root = f.name_failing and not [s for s in f.healthy if s.edns != "broken"]
        out.append(Finding("edns_broken", None, tuple(s.evidence_edns for s in f.edns_bad), explains=root, leads=root))
    if f.notimp_servers or f.notimp:
        ev = [f.resolver_line(f.checks[a], f.cds.get(a)) for a in f.notimp] + [s.evidence for s in f.notimp_servers]
        out.append(
            Finding(
                "not_implemented",
                None,
                tuple(ev),
                explains=(bool(f.notimp) and not f.answered_statuses) or explains,
            )
        )
    return out
