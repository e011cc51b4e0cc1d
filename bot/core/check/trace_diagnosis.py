"""The trace's findings joined to a check's diagnosis: one list of causes, ranked once, and the levels for the report.

A cause the check already named (the zone's own lame server, its NS set against the parent's) gets the walk's
evidence added; a cause only the walk can see (a TLD server that is lame or silent) is added. A level where every
server failed explains a failure the resolvers returned: no resolver can get past it.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.check import diagnosis as diagnosis_mod
from bot.core.check.diagnosis import Diagnosis, KnowledgeLike, make_cause
from bot.core.check.diagnosis.table import reorder
from bot.core.check.trace import TraceResult, findings


def with_trace(d: Diagnosis, trace: TraceResult, kb: KnowledgeLike) -> Diagnosis:
    """The diagnosis with the walk's levels, its causes merged in and re-ranked, and its notes."""
    causes = list(d.causes)
    for finding in findings(trace):
        explains = finding.level_broken and d.failed
        index = next((i for i, c in enumerate(causes) if c.id == finding.cause), None)
        if index is None:
            causes.append(make_cause(kb, finding.cause, None, finding.evidence, explains=explains))
            continue
        old = causes[index]
        evidence = tuple(dict.fromkeys([*old.evidence, *finding.evidence]))
        if explains and not old.explains:
            causes[index] = make_cause(kb, old.id, old.detail, evidence, explains=True)
        else:
            causes[index] = replace(old, evidence=evidence)
    ranked = reorder(causes, d.causes)
    # a cause only the walk saw: not `ok` (security findings aside)
    verdict = "degraded" if d.verdict == "ok" and any(not c.advisory for c in ranked) else d.verdict
    notes = tuple(dict.fromkeys([*d.notes, *(f"trace: {note}" for note in trace.notes)]))
    return replace(
        d,
        causes=ranked,
        verdict=verdict,
        headline=diagnosis_mod.headline(verdict, d.display or d.name, d.rdtype, ranked),
        trace=trace.levels,
        queries=d.queries + trace.queries_sent,
        notes=notes,
    )
