"""The delegation family: does the parent point at servers that serve the zone (`lame_delegation`), does it
publish the same NS set as the zone itself (`delegation_mismatch`), and glue for the nameservers inside the zone,
with the addresses the zone serves for them (`missing_glue`)."""

from __future__ import annotations

import dns.name

from bot.core.check.diagnosis.facts import Facts
from bot.core.check.diagnosis.table import Finding
from bot.core.check.observations import Exchange, Purpose


def findings(f: Facts) -> list[Finding]:
    """The delegation's findings."""
    out: list[Finding] = []
    if f.lame:
        explains = f.server_explains and not f.healthy
        out.append(Finding("lame_delegation", None, tuple(s.evidence for s in f.lame), explains=explains))
    mismatch = _mismatch(f)
    if mismatch:
        out.append(Finding("delegation_mismatch", None, tuple(mismatch)))
    missing, stale = _glue(f)
    if missing or stale:
        # Without glue an in-zone nameserver cannot be found at all; when that is every server, nothing resolves.
        listed = [ns for ns in f.r.nameservers if ns.at_parent]
        explains = f.name_failing and bool(listed) and len(missing) == len(listed)
        out.append(Finding("missing_glue", None, tuple(_missing_lines(f, missing) + stale), explains=explains))
    return out


def _mismatch(f: Facts) -> list[str]:
    """The parent's NS set against the zone's, and the parent's glue against the addresses the zone publishes
    (Zonemaster CONSISTENCY05: stale glue after a renumbering sends resolvers to the old address)."""
    r = f.r
    parent = sorted(ns.name for ns in r.nameservers if ns.at_parent)
    child = sorted(ns.name for ns in r.nameservers if ns.at_child)
    referral = next((e for e in r.by_purpose(Purpose.REFERRAL) if e.answered), None)
    ev: list[str] = []
    if parent and child and parent != child:
        auth_ns = next((e for e in r.by_purpose(Purpose.AUTH_NS) if e.answered and e.aa), None)
        ev += [
            f"the parent zone {r.parent or ''} delegates to {', '.join(parent)}"
            + (f" (referral from {referral.who()})" if referral else ""),
            f"the zone {r.zone or ''} lists {', '.join(child)}" + (f" (answer from {auth_ns.who()})" if auth_ns else ""),
        ]
        only_parent = sorted(set(parent) - set(child))
        only_child = sorted(set(child) - set(parent))
        if only_parent:
            ev.append(f"only at the parent: {', '.join(only_parent)}")
        if only_child:
            ev.append(f"only in the zone: {', '.join(only_child)}")
    return ev


def _glue(f: Facts) -> tuple[list[str], list[str]]:
    """In-bailiwick nameservers the parent's referral names without glue, and glue that differs from the addresses
    the name resolves to (Zonemaster DELEGATION/CONSISTENCY05: stale glue after a renumbering sends resolvers to the
    old address)."""
    r = f.r
    referral = _referral(f)
    missing: list[str] = []
    stale: list[str] = []
    if r.zone is None:
        return missing, stale
    zone = dns.name.from_text(r.zone)
    for ns in r.nameservers:
        if referral is not None and ns.at_parent and not ns.glue and dns.name.from_text(ns.name).is_subdomain(zone):
            missing.append(ns.name)
        for family in (4, 6):
            glue = sorted(a for a in ns.glue if (":" in a) == (family == 6))
            resolved = sorted(a for a in ns.resolved if (":" in a) == (family == 6))
            if glue and resolved and glue != resolved:
                stale.append(
                    f"the parent's glue for {ns.name} is {', '.join(glue)}"
                    + (f" (referral from {referral.who()})" if referral else "")
                    + f", but {ns.name} resolves to {', '.join(resolved)}"
                )
    return missing, stale


def _referral(f: Facts) -> Exchange | None:
    """The first referral from the parent that delegates the zone (NS for it in the authority section)."""
    zone = f.r.zone
    if zone is None:
        return None
    for e in f.r.by_purpose(Purpose.REFERRAL):
        if e.answered and e.rrset("authority", zone, "NS") is not None:
            return e
    return None


def _missing_lines(f: Facts, missing: list[str]) -> list[str]:
    referral = _referral(f)
    assert referral is not None or not missing
    lines = []
    for name in missing:
        ns = next(n for n in f.r.nameservers if n.name == name)
        where = f", though the zone serves {', '.join(ns.resolved)} for it" if ns.resolved else ""
        lines.append(
            f"{referral.who() if referral else 'the parent'} delegates {f.r.zone} to {name}, inside the zone, "
            f"with no glue address{where}"
        )
    return lines
