"""The values a diagnosis is made of: causes, what each resolver and nameserver said, and the whole `Diagnosis`.

They are the public JSON's shape (`to_json`), so fields are only ever added, never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.check.trace import Level

VERDICTS = ("ok", "degraded", "nxdomain", "nodata", "failure")
ANSWER_VERDICTS = frozenset({"ok", "degraded", "nxdomain", "nodata"})
"""Verdicts that are answers: `degraded` resolves now, but some resolvers, some of the time, or soon, will not get
that answer (one of several servers lame or silent, servers that disagree, a secondary behind)."""


class EntryLike(Protocol):
    """What the diagnosis reads from a knowledge entry."""

    @property
    def label(self) -> str: ...

    @property
    def summary(self) -> str: ...

    @property
    def fix(self) -> tuple[str, ...]: ...


class KnowledgeLike(Protocol):
    """The two lookups the diagnosis needs from `bot.core.codes.knowledge.Knowledge`."""

    def rcode(self, value: int, *, tsig: bool = False) -> EntryLike: ...

    def ede(self, value: int) -> EntryLike: ...


@dataclass(frozen=True, slots=True)
class Cause:
    """One cause, ranked: `explains` is True when it explains the failure the resolvers returned."""

    id: str
    detail: str | None
    summary: str
    evidence: tuple[str, ...]
    fix: tuple[str, ...]
    explains: bool = False
    reference: str = ""  # the knowledge entry's label, e.g. "EDE 7 (Signature Expired)"
    label: str = ""  # the cause in a few words, from the table ("DNSSEC validation fails")
    advisory: bool = False  # does not affect resolution (a security finding): never what makes a verdict degraded
    family: str = ""  # the family of checks that found it: delegation, servers, dnssec, consistency, aliases, …

    @property
    def title(self) -> str:
        """What a person reads first: `DNSSEC validation fails: signature expired`."""
        label = self.label or self.id
        label = label[:1].upper() + label[1:]
        return f"{label}: {self.detail.replace('_', ' ')}" if self.detail else label

    def to_json(self) -> dict[str, object]:
        """The `causes[]` item of the public JSON."""
        return {
            "id": self.id,
            "detail": self.detail,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "fix": list(self.fix),
            "explains_failure": self.explains,
            "affects_resolution": not self.advisory,
            "family": self.family,
            "reference": self.reference,
        }


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the full report (`report`).

    Attributes:
        id: a fixed vocabulary (`report.CHECKS`), like cause ids: add, never rename.
        title: what was checked, in a few words.
        status: passed, warned, failed or not checked.
        evidence: what was seen, one line each.
        causes: the cause ids behind a warning or a failure.
        fix: what to do about it: the fix steps of those causes.
    """

    id: str
    title: str
    status: str
    evidence: tuple[str, ...]
    causes: tuple[str, ...] = ()
    fix: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The `report[]` item of the public JSON."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "evidence": list(self.evidence),
            "causes": list(self.causes),
            "fix": list(self.fix),
        }


STATUSES = ("passed", "warned", "failed", "not checked")  # of a report's checks


@dataclass(frozen=True, slots=True)
class ResolverView:
    """What one resolver said, for the report."""

    label: str
    address: str
    rcode: str | None
    outcome: str
    flags: tuple[str, ...]
    ede: tuple[tuple[int, str, str], ...]  # (code, extra text, knowledge label)
    cd_rcode: str | None
    ms: float | None
    answer: tuple[str, ...]
    error: str = ""

    def to_json(self) -> dict[str, object]:
        """The `resolvers[]` item of the public JSON."""
        return {
            "address": self.address,
            "label": self.label,
            "rcode": self.rcode,
            "outcome": self.outcome,
            "flags": list(self.flags),
            "ede": [{"code": c, "text": t, "name": n} for c, t, n in self.ede],
            "cd_rcode": self.cd_rcode,
            "ms": None if self.ms is None else round(self.ms, 1),
            "answer": list(self.answer),
            "error": self.error or None,
        }


@dataclass(frozen=True, slots=True)
class ServerView:
    """What one nameserver address said when asked directly (RD=0)."""

    name: str
    address: str
    rcode: str | None
    aa: bool
    serial: int | None
    ms: float | None
    error: str
    edns: str  # "ok", "broken", "no OPT", "unknown"
    at_parent: bool
    at_child: bool
    answer: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The `nameservers[]` item of the public JSON."""
        return {
            "name": self.name,
            "address": self.address,
            "rcode": self.rcode,
            "aa": self.aa,
            "serial": self.serial,
            "ms": None if self.ms is None else round(self.ms, 1),
            "error": self.error or None,
            "edns": self.edns,
            "at_parent": self.at_parent,
            "at_child": self.at_child,
            "answer": list(self.answer),
        }


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """The result of `/dnscheck`: what a person (and a tool) needs to act."""

    name: str
    rdtype: str
    verdict: str
    headline: str
    causes: tuple[Cause, ...]
    resolvers: tuple[ResolverView, ...]
    nameservers: tuple[ServerView, ...]
    zone: str | None
    parent: str | None
    answer: tuple[str, ...]
    elapsed_ms: float
    queries: int
    notes: tuple[str, ...] = ()
    display: str = ""
    trace: tuple[Level, ...] | None = None  # the delegation walked from the root, when asked for (`trace`)
    report: tuple[Check, ...] | None = None  # every check, passed/warned/failed, when asked for (`report`)

    @property
    def failed(self) -> bool:
        """True for a verdict that is not an answer (ok, degraded, nxdomain, nodata): the CLI exits 3."""
        return self.verdict not in ANSWER_VERDICTS

    def to_json(self) -> dict[str, object]:
        """The public JSON object (without text and blocks, which the Reply adds)."""
        data: dict[str, object] = {
            "name": self.name,
            "type": self.rdtype,
            "verdict": self.verdict,
            "headline": self.headline,
            "zone": self.zone,
            "parent": self.parent,
            "answer": list(self.answer),
            "causes": [c.to_json() for c in self.causes],
            "resolvers": [r.to_json() for r in self.resolvers],
            "nameservers": [n.to_json() for n in self.nameservers],
            "notes": list(self.notes),
            "queries": self.queries,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }
        if self.trace is not None:
            data["trace"] = [level.to_json() for level in self.trace]
        if self.report is not None:
            data["report"] = [check.to_json() for check in self.report]
        return data
