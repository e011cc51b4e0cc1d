"""From what a probe saw to what is wrong: a verdict, and ranked causes with evidence and fix steps.

The order follows the practice guides (Google's domain troubleshooting guide, Cloudflare's EDE posts): do other
resolvers agree; does CD make it work (then it is DNSSEC, and the DS/DNSKEY/RRSIG checks say which part); what do
the zone's own servers say with RD=0 (REFUSED or no AA: lame; silence: unreachable; broken EDNS); do their
serials and answers agree; does the parent delegate to the servers the zone lists. A cause that explains the
failure the resolvers returned comes first; problems that do not (yet) break resolution are still reported.

One module per family of checks, each a `findings(facts) -> list[Finding]`: `delegation`, `servers`, `dnssec`,
`consistency`, `aliases`, `resolvers`, `security`. `facts` reads the probe's exchanges once for all of them;
`table` is the one table of cause ids (words, knowledge reference, rank); `verdict` says what the resolvers
answered; `model` holds the values; `report` lists every check, passed or not.
Rcodes and EDEs are explained through the knowledge file, so `/dnscheck` speaks with the same voice as `/rcode`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.core.check.diagnosis import aliases, consistency, delegation, dnssec, report, resolvers, security, servers
from bot.core.check.diagnosis.facts import Facts
from bot.core.check.diagnosis.model import (
    ANSWER_VERDICTS,
    VERDICTS,
    Cause,
    Diagnosis,
    EntryLike,
    KnowledgeLike,
    ResolverView,
    ServerView,
)
from bot.core.check.diagnosis.table import CAUSE_LABELS, CAUSES, DNSSEC_DETAILS, Finding, make_cause, rank
from bot.core.check.diagnosis.verdict import alias_target, headline, verdict
from bot.core.check.dnssec_checks import DEFAULT_SIGNATURE_WINDOW
from bot.core.check.observations import ProbeResult
from bot.core.nxname import compact_denial

__all__ = [
    "ANSWER_VERDICTS",
    "CAUSES",
    "CAUSE_LABELS",
    "DNSSEC_DETAILS",
    "FAMILIES",
    "VERDICTS",
    "Cause",
    "Diagnosis",
    "EntryLike",
    "Finding",
    "KnowledgeLike",
    "ResolverView",
    "ServerView",
    "diagnose",
    "headline",
    "make_cause",
    "with_report",
]

Family = Callable[[Facts], list[Finding]]
FAMILIES: tuple[Family, ...] = (
    dnssec.findings,
    delegation.findings,
    servers.findings,
    resolvers.findings,
    aliases.findings,
    consistency.findings,
    security.findings,
)


def diagnose(
    result: ProbeResult,
    kb: KnowledgeLike,
    *,
    display: str = "",
    signature_window: float = DEFAULT_SIGNATURE_WINDOW,
) -> Diagnosis:
    """Read a `ProbeResult` and say what is wrong, most explanatory cause first.

    `signature_window`: seconds before RRSIGs expire from which they are reported (RCODEBOT_SIGNATURE_WINDOW_DAYS).
    """
    display = display or result.name
    facts = Facts(result, kb, signature_window=signature_window)
    causes = rank([finding for family in FAMILIES for finding in family(facts)], kb)
    alias = alias_target(result)
    if alias is not None:
        facts.notes.append(
            f"{result.name} is an alias (CNAME) for {alias}, in another zone: the answer depends on "
            f"that zone too (check it: /dnscheck {alias} {result.rdtype})"
        )
    said = verdict(facts.statuses)
    checks = facts.checks.values()
    compact = [e.who() for e in checks if e.answered and e.message and compact_denial(e.message, e.ask.qname)]
    if compact and said == "nxdomain":
        facts.notes.append(
            f"{', '.join(compact)} answered NOERROR with compact denial of existence (RFC 9824): an NSEC at "
            f"{result.name} with the NXNAME bit, which means the name does not exist (NXDOMAIN)"
        )
    if said == "ok" and any(not c.advisory for c in causes):
        said = "degraded"  # it resolves now, but a cause was found: `ok` means none was (security findings aside)
    return Diagnosis(
        name=result.name,
        rdtype=result.rdtype,
        verdict=said,
        headline=headline(said, display, result.rdtype, causes),
        causes=tuple(causes),
        resolvers=tuple(facts.resolver_view(label, address) for label, address in result.resolvers),
        nameservers=tuple(s.view for s in facts.servers),
        zone=result.zone,
        parent=result.parent,
        answer=facts.answer_lines(),
        elapsed_ms=result.elapsed_ms,
        queries=result.queries_sent,
        notes=tuple(dict.fromkeys([*result.notes, *facts.notes])),
        display=display,
    )


def with_report(
    d: Diagnosis, result: ProbeResult, kb: KnowledgeLike, *, signature_window: float = DEFAULT_SIGNATURE_WINDOW
) -> Diagnosis:
    """The diagnosis with its full report (`report`): every check passed, warned or failed, from the same probe.
    Made last, so causes the trace added are in it too."""
    facts = Facts(result, kb, signature_window=signature_window)
    return replace(d, report=report.build(facts, d.causes))
