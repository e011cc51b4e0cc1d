"""The resolvers family: the resolvers the check asked. One refuses this client (`resolver_refused`), one gives
nothing at all (`resolver_unreachable`), or they fail with SERVFAIL and nothing the probe saw says why
(`resolver_failure`, a fallback the table keeps only when no other finding explains the failure)."""

from __future__ import annotations

from bot.core.check.diagnosis.facts import Facts
from bot.core.check.diagnosis.table import Finding


def findings(f: Facts) -> list[Finding]:
    """The resolvers' findings."""
    out: list[Finding] = []
    if f.refused:
        out.append(
            Finding(
                "resolver_refused",
                None,
                tuple(f.resolver_line(f.checks[a], None) for a in f.refused),
                explains=not f.answered_statuses and not f.servfail,
            )
        )
    if f.unreachable_resolvers:
        out.append(
            Finding(
                "resolver_unreachable",
                None,
                tuple(f.resolver_line(f.checks[a], None) for a in f.unreachable_resolvers if a in f.checks),
                explains=not f.answered_statuses and not f.servfail and not f.refused and not f.zone_broken,
            )
        )
    if f.servfail or (f.silent and not f.answered_statuses and not f.unreachable_resolvers):
        failing = f.servfail or f.silent
        ev = [f.resolver_line(f.checks[a], f.cds.get(a)) for a in failing if a in f.checks]
        if f.healthy:
            ev.append(f"the zone's servers answer normally when asked directly ({', '.join(s.who for s in f.healthy[:3])})")
        out.append(Finding("resolver_failure", None, tuple(ev), explains=True, fallback=True))
    return out
