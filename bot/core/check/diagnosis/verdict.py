"""The verdict (what the resolvers, taken together, answered), the headline that says it with the first cause,
and where an alias leads when it leaves the zone."""

from __future__ import annotations

from collections.abc import Sequence

import dns.name
import dns.rdatatype

from bot.core.check.diagnosis.model import Cause
from bot.core.check.diagnosis.server import chain
from bot.core.check.observations import ProbeResult, Purpose


def verdict(statuses: dict[str, str]) -> str:
    """ok, nxdomain or nodata by what most resolvers answered; failure when any fails or none answers."""
    values = list(statuses.values())
    if "servfail" in values:
        return "failure"
    answers = [s for s in values if s in ("answer", "nodata", "nxdomain")]
    if not answers:
        return "failure"
    for kind, said in (("answer", "ok"), ("nxdomain", "nxdomain"), ("nodata", "nodata")):
        if answers.count(kind) * 2 > len(answers) or (answers[0] == kind and answers.count(kind) * 2 == len(answers)):
            return said
    return {"answer": "ok", "nxdomain": "nxdomain", "nodata": "nodata"}[answers[0]]


def alias_target(r: ProbeResult) -> str | None:
    """Where a CNAME chain from the name leads, when it leaves the zone (a failure may live over there)."""
    for e in r.by_purpose(Purpose.AUTH_ANSWER, Purpose.CHECK_CD, Purpose.CHECK):
        if not e.answered or e.message is None:
            continue
        links = chain(e)
        if links:
            current = dns.name.from_text(links[-1][1])
            zone = dns.name.from_text(r.zone) if r.zone else None
            if zone is None or not current.is_subdomain(zone):
                return str(current.to_text())
            return None
    return None


def headline(verdict: str, display: str, rdtype: str, causes: Sequence[Cause]) -> str:
    """One sentence: the verdict, and the first cause (the first that explains the failure, else the first).

    Public for the trace, which adds causes after the diagnosis."""
    affecting = [c for c in causes if not c.advisory]
    first = next((c for c in causes if c.explains), affecting[0] if affecting else None)
    if verdict == "ok" and causes:
        count = len(causes)
        return (
            f"{display} {rdtype} resolves, and nothing was found that affects resolution; "
            f"{'one finding' if count == 1 else f'{count} findings'} below {'does' if count == 1 else 'do'} not "
            f"affect it ({', '.join(dict.fromkeys(c.label or c.id for c in causes))})."
        )
    what = (first.label or first.id) if first else ""
    if first is not None and first.detail:
        what += f" ({first.detail.replace('_', ' ')})"
    return {
        "ok": f"{display} {rdtype} resolves, and its nameservers look healthy.",
        "degraded": f"{display} {rdtype} resolves now, but not for everyone, every time: {what}.",
        "nxdomain": f"{display} does not exist (NXDOMAIN): an answer, not a failure."
        + (f" Still, something is wrong: {what}." if first else ""),
        "nodata": f"{display} exists but has no {rdtype} records (NODATA): an answer, not a failure."
        + (f" Still, something is wrong: {what}." if first else ""),
        "failure": f"{display} {rdtype} fails to resolve: {what or 'the resolvers gave no answer'}.",
    }[verdict]
