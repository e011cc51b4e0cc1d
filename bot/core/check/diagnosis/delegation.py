"""The delegation family: does the parent point at servers that serve the zone (`lame_delegation`), and does it
publish the same NS set and glue as the zone itself (`delegation_mismatch`)."""

from __future__ import annotations

from bot.core.check.diagnosis.facts import Facts
from bot.core.check.diagnosis.table import Finding
from bot.core.check.observations import Purpose


def findings(f: Facts) -> list[Finding]:
    """The delegation's findings."""
    out: list[Finding] = []
    if f.lame:
        explains = f.server_explains and not f.healthy
        out.append(Finding("lame_delegation", None, tuple(s.evidence for s in f.lame), explains=explains))
    mismatch = _mismatch(f)
    if mismatch:
        out.append(Finding("delegation_mismatch", None, tuple(mismatch)))
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
    for ns in r.nameservers:
        for family in (4, 6):
            glue = sorted(a for a in ns.glue if (":" in a) == (family == 6))
            resolved = sorted(a for a in ns.resolved if (":" in a) == (family == 6))
            if glue and resolved and glue != resolved:
                ev.append(
                    f"the parent's glue for {ns.name} is {', '.join(glue)}"
                    + (f" (referral from {referral.who()})" if referral else "")
                    + f", but {ns.name} resolves to {', '.join(resolved)}"
                )
    return ev
