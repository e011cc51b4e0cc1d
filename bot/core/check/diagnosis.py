"""From what a probe saw to what is wrong: a verdict, and ranked causes with evidence and fix steps.

The order follows the practice guides (Google's domain troubleshooting guide, Cloudflare's EDE posts): do other
resolvers agree; does CD make it work (then it is DNSSEC, and the DS/DNSKEY/RRSIG checks say which part); what do
the zone's own servers say with RD=0 (REFUSED or no AA: lame; silence: unreachable; broken EDNS); do their
serials and answers agree; does the parent delegate to the servers the zone lists. A cause that explains the
failure the resolvers returned comes first; problems that do not (yet) break resolution are still reported.

Cause ids are a fixed vocabulary (`CAUSES`) so that tools can consume the JSON. Rcodes and EDEs are explained
through the knowledge file, so `/dnscheck` speaks with the same voice as `/rcode`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from bot.core.check import dnssec_checks
from bot.core.check.observations import Exchange, Outcome, ProbeResult, Purpose
from bot.core.check.trace import Level
from bot.core.nxname import compact_denial

# The vocabulary, in the order causes are ranked when several explain the same failure.
CAUSES = (
    "dnssec_bogus",
    "lame_delegation",
    "ns_unreachable",
    "edns_broken",
    "not_implemented",
    "resolver_refused",
    "resolver_unreachable",
    "serial_mismatch",
    "inconsistent_answers",
    "delegation_mismatch",
    "resolver_failure",
)
DNSSEC_DETAILS = dnssec_checks.DETAIL_ORDER
VERDICTS = ("ok", "degraded", "nxdomain", "nodata", "failure")
ANSWER_VERDICTS = frozenset({"ok", "degraded", "nxdomain", "nodata"})
"""Verdicts that are answers: `degraded` resolves now, but some resolvers, some of the time, or soon, will not get
that answer (one of several servers lame or silent, servers that disagree, a secondary behind)."""

# EDE -> the dnssec_bogus detail it names (RFC 8914; Unbound's validator reasons).
EDE_DETAIL = {
    1: "unsupported_algorithm",
    2: "unsupported_algorithm",
    5: "other",
    6: "other",
    7: "signature_expired",
    8: "signature_not_yet_valid",
    9: "dnskey_missing",
    10: "rrsig_missing",
    11: "other",
    12: "other",
    25: "signature_expired",
    27: "unsupported_algorithm",
}
DNSSEC_EDES = frozenset(EDE_DETAIL)
# The knowledge entry that explains each cause (and dnssec detail).
DETAIL_EDE = {
    "signature_expired": 7,
    "signature_not_yet_valid": 8,
    "ds_mismatch": 9,
    "dnskey_missing": 9,
    "rrsig_missing": 10,
    "unsupported_algorithm": 1,
    "other": 6,
}
CAUSE_REF: dict[str, tuple[str, int]] = {
    "lame_delegation": ("ede", 22),  # what a resolver says when every server refused or timed out
    "ns_unreachable": ("ede", 22),
    "edns_broken": ("rcode", 1),
    "not_implemented": ("rcode", 4),
    "resolver_refused": ("rcode", 5),
    "resolver_failure": ("rcode", 2),
}


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

    @property
    def title(self) -> str:
        """What a person reads first: `DNSSEC validation fails: signature expired`."""
        label = CAUSE_LABELS.get(self.id, self.id)
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
            "reference": self.reference,
        }


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
        return data


# ---------------------------------------------------------------------------------------------------- entry point


def diagnose(result: ProbeResult, kb: KnowledgeLike, *, display: str = "") -> Diagnosis:
    """Read a `ProbeResult` and say what is wrong, most explanatory cause first."""
    return _Diagnoser(result, kb).run(display or result.name)


class _Diagnoser:
    def __init__(self, result: ProbeResult, kb: KnowledgeLike) -> None:
        self.r = result
        self.kb = kb
        self.causes: list[Cause] = []
        self.notes: list[str] = []

    # ------------------------------------------------------------------------------------------------ main

    def run(self, display: str) -> Diagnosis:
        checks = {e.ask.server: e for e in self.r.by_purpose(Purpose.CHECK)}
        cds = {e.ask.server: e for e in self.r.by_purpose(Purpose.CHECK_CD)}
        statuses = {address: _status(checks.get(address)) for _, address in self.r.resolvers}
        servers = self._servers()
        answered_statuses = [s for s in statuses.values() if s in ("answer", "nodata", "nxdomain")]
        servfail = [a for a, s in statuses.items() if s == "servfail"]
        silent = [a for a, s in statuses.items() if s in ("silent", "closed")]
        refused = [a for a, s in statuses.items() if s == "refused"]
        notimp = [a for a, s in statuses.items() if s == "notimp"]
        cd_works = [a for a in servfail if a in cds and _status(cds[a]) in ("answer", "nodata", "nxdomain")]

        healthy = [s for s in servers if s.state == "ok"]
        lame = [s for s in servers if s.state == "lame"]
        dead = [s for s in servers if s.state == "unreachable"]
        edns_bad = [s for s in servers if s.edns == "broken"]
        notimp_servers = [s for s in servers if s.rcode == "NOTIMP"]
        no_address = [ns for ns in self.r.nameservers if not ns.addresses and self._lookups_done(ns.name)]

        # Which server-side trouble could explain a resolver failure that CD does not cure.
        name_failing = bool(servfail) or (bool(silent) and not answered_statuses and self._resolvers_reachable(silent))
        zone_broken = bool(servers) and not healthy
        dnssec_findings = self._dnssec(force=bool(servfail))

        # ---- DNSSEC
        if cd_works or (servfail and dnssec_findings and not zone_broken):
            detail, evidence = self._dnssec_detail(dnssec_findings, [checks[a] for a in servfail if a in checks])
            explains = bool(cd_works) or bool(servfail)
            ev = [self._resolver_line(checks[a], cds.get(a)) for a in (cd_works or servfail) if a in checks] + evidence
            self._add("dnssec_bogus", detail, ev, explains=explains)
        elif dnssec_findings:
            detail, evidence = self._dnssec_detail(dnssec_findings, [])
            self._add("dnssec_bogus", detail, evidence, explains=False)

        server_explains = name_failing and not cd_works
        # ---- lame / unreachable / EDNS / NOTIMP at the zone's servers
        if lame:
            self._add("lame_delegation", None, [s.evidence for s in lame], explains=server_explains and not healthy)
        if dead or no_address:
            ev = [s.evidence for s in dead] + [self._no_address_line(ns.name) for ns in no_address]
            self._add("ns_unreachable", None, ev, explains=server_explains and not healthy)
        edns_root = False
        if edns_bad:
            # Every server that answers breaks EDNS: that explains a plain failure, and also a DNSSEC one (without
            # EDNS there is no DO bit, so validators never get the RRSIGs and call the zone bogus).
            edns_root = name_failing and not [s for s in healthy if s.edns != "broken"]
            self._add("edns_broken", None, [s.evidence_edns for s in edns_bad], explains=edns_root)
        if notimp_servers or notimp:
            ev = [self._resolver_line(checks[a], cds.get(a)) for a in notimp] + [s.evidence for s in notimp_servers]
            self._add(
                "not_implemented",
                None,
                ev,
                explains=(bool(notimp) and not answered_statuses) or (server_explains and not healthy),
            )

        # ---- the resolvers themselves
        if refused:
            self._add(
                "resolver_refused",
                None,
                [self._resolver_line(checks[a], None) for a in refused],
                explains=not answered_statuses and not servfail,
            )
        unreachable_resolvers = [a for a in silent if self._resolver_dead(a, checks.get(a))]
        if unreachable_resolvers:
            self._add(
                "resolver_unreachable",
                None,
                [self._resolver_line(checks[a], None) for a in unreachable_resolvers if a in checks],
                explains=not answered_statuses and not servfail and not refused and not zone_broken,
            )

        # ---- consistency
        self._serials(healthy)
        self._answers(healthy, checks)
        self._delegation()

        # ---- nothing else explains a SERVFAIL
        if (servfail or (silent and not answered_statuses and not unreachable_resolvers)) and not any(
            c.explains for c in self.causes
        ):
            failing = servfail or silent
            ev = [self._resolver_line(checks[a], cds.get(a)) for a in failing if a in checks]
            if healthy:
                ev.append(
                    f"the zone's servers answer normally when asked directly ({', '.join(s.who for s in healthy[:3])})"
                )
            self._add("resolver_failure", None, ev, explains=True)

        alias = self._alias_target()
        if alias is not None:
            self.notes.append(
                f"{self.r.name} is an alias (CNAME) for {alias}, in another zone: the answer depends on "
                f"that zone too (check it: /dnscheck {alias} {self.r.rdtype})"
            )
        verdict = self._verdict(statuses, checks)
        compact = [e.who() for e in checks.values() if e.answered and e.message and compact_denial(e.message, e.ask.qname)]
        if compact and verdict == "nxdomain":
            self.notes.append(
                f"{', '.join(compact)} answered NOERROR with compact denial of existence (RFC 9824): an NSEC at "
                f"{self.r.name} with the NXNAME bit, which means the name does not exist (NXDOMAIN)"
            )
        order = list(CAUSES)
        if edns_root:
            order.remove("edns_broken")
            order.insert(0, "edns_broken")
        causes = sorted(self.causes, key=lambda c: (not c.explains, order.index(c.id)))
        if verdict == "ok" and not causes and self._all_failed(statuses):
            verdict = "failure"
        if verdict == "ok" and causes:
            # It resolves now, but a cause was found: `ok` means none was.
            verdict = "degraded"
        answer = self._answer_lines(checks)
        views = tuple(
            self._resolver_view(label, address, checks.get(address), cds.get(address)) for label, address in self.r.resolvers
        )
        return Diagnosis(
            name=self.r.name,
            rdtype=self.r.rdtype,
            verdict=verdict,
            headline=_headline(verdict, display, self.r.rdtype, causes),
            causes=tuple(causes),
            resolvers=views,
            nameservers=tuple(s.view for s in servers),
            zone=self.r.zone,
            parent=self.r.parent,
            answer=answer,
            elapsed_ms=self.r.elapsed_ms,
            queries=self.r.queries_sent,
            notes=tuple(dict.fromkeys([*self.r.notes, *self.notes])),
            display=display,
        )

    # ------------------------------------------------------------------------------------------------ verdict

    def _verdict(self, statuses: dict[str, str], checks: dict[str, Exchange]) -> str:
        values = list(statuses.values())
        if "servfail" in values:
            return "failure"
        answers = [s for s in values if s in ("answer", "nodata", "nxdomain")]
        if not answers:
            return "failure"
        for kind, verdict in (("answer", "ok"), ("nxdomain", "nxdomain"), ("nodata", "nodata")):
            if answers.count(kind) * 2 > len(answers) or (answers[0] == kind and answers.count(kind) * 2 == len(answers)):
                return verdict
        return {"answer": "ok", "nxdomain": "nxdomain", "nodata": "nodata"}[answers[0]]

    def _alias_target(self) -> str | None:
        """Where a CNAME chain from the name leads, when it leaves the zone (a failure may live over there)."""
        for e in self.r.by_purpose(Purpose.AUTH_ANSWER, Purpose.CHECK_CD, Purpose.CHECK):
            if not e.answered or e.message is None:
                continue
            cnames = {r.name: r for r in e.message.answer if r.rdtype == dns.rdatatype.CNAME}
            current = dns.name.from_text(self.r.name)
            seen = 0
            while current in cnames and seen < 16:
                current = next(iter(cnames[current])).target
                seen += 1
            if seen:
                zone = dns.name.from_text(self.r.zone) if self.r.zone else None
                if zone is None or not current.is_subdomain(zone):
                    return str(current.to_text())
                return None
        return None

    def _all_failed(self, statuses: dict[str, str]) -> bool:
        return not any(s in ("answer", "nodata", "nxdomain") for s in statuses.values())

    # ------------------------------------------------------------------------------------------------ resolvers

    def _resolver_dead(self, address: str, check: Exchange | None) -> bool:
        """A resolver that gave nothing: is that the resolver, or the zone it could not reach?

        It is the resolver when its port is closed, or when it answered nothing at all: not even `. NS` (asked after
        the timeout), which any working resolver answers from its cache.
        """
        if check is None:
            return False
        if check.outcome in (Outcome.PORT_CLOSED, Outcome.NO_ROUTE):
            return True
        return not any(e.answered for e in self.r.exchanges if e.ask.server == address)

    def _resolvers_reachable(self, silent: list[str]) -> bool:
        return any(e.answered for e in self.r.exchanges if e.ask.server in silent)

    def _resolver_line(self, e: Exchange, cd: Exchange | None) -> str:
        label = self._resolver_label(e.ask.server)
        if e.outcome is Outcome.GARBAGE:  # something answered, so "no answer" would send people to the firewall
            return f"resolver {label} answered {e.ask.qname} {e.ask.rdtype} with junk: {e.error or e.outcome}"
        if not e.answered:
            return f"resolver {label} gave no answer for {e.ask.qname} {e.ask.rdtype}: {e.error or e.outcome}"
        line = f"resolver {label} answered {e.rcode_text} for {e.ask.qname} {e.ask.rdtype}"
        if "ra" not in e.flags:
            line += " without RA (it offers no recursion: is it a resolver?)"
        if e.ad:
            line += " (AD: validated)"
        for code, text in e.ede:
            entry = self.kb.ede(code)
            line += f"; {entry.label}" + (f": “{text}”" if text else "")
        if cd is not None:
            line += f"; with CD set: {cd.rcode_text}" if cd.answered else f"; with CD set: {cd.error or cd.outcome}"
        return line

    def _resolver_label(self, address: str) -> str:
        for label, addr in self.r.resolvers:
            if addr == address and label != address:
                return f"{address} ({label})"
        return address

    def _resolver_view(self, label: str, address: str, e: Exchange | None, cd: Exchange | None) -> ResolverView:
        if e is None:
            return ResolverView(label, address, None, "not asked", (), (), None, None, ())
        ede = tuple((code, text, self.kb.ede(code).label) for code, text in e.ede)
        return ResolverView(
            label=label,
            address=address,
            rcode=e.rcode_text if e.answered else None,
            outcome=str(e.outcome),
            flags=e.flags,
            ede=ede,
            cd_rcode=(cd.rcode_text if cd.answered else str(cd.outcome)) if cd is not None else None,
            ms=None if e.outcome is Outcome.SKIPPED else e.ms,
            answer=_records(e, "answer"),
            error=e.error,
        )

    def _answer_lines(self, checks: dict[str, Exchange]) -> tuple[str, ...]:
        for _, address in self.r.resolvers:
            e = checks.get(address)
            if e is not None and e.answered and e.rcode == dns.rcode.NOERROR and e.message is not None and e.message.answer:
                return _records(e, "answer")
        return ()

    # ------------------------------------------------------------------------------------------------ servers

    def _servers(self) -> list[_Server]:
        by_address: dict[str, dict[Purpose, Exchange]] = {}
        for e in self.r.exchanges:
            if e.ask.purpose in (Purpose.AUTH_SOA, Purpose.AUTH_SOA_TCP, Purpose.AUTH_SOA_PLAIN, Purpose.AUTH_ANSWER):
                by_address.setdefault(e.ask.server, {})[e.ask.purpose] = e
        flags = {ns.name: ns for ns in self.r.nameservers}
        servers = []
        for address, found in by_address.items():
            any_e = next(iter(found.values()))
            ns = flags.get(any_e.ask.server_name)
            servers.append(
                _Server(
                    self.r.zone or "",
                    address,
                    any_e.ask.server_name,
                    found,
                    ns.at_parent if ns else False,
                    ns.at_child if ns else False,
                    {code: self.kb.ede(code).label for e in found.values() for code, _ in e.ede},
                )
            )
        unrouted = sorted(s.address for s in servers if s.state == "skipped" and s.no_route)
        if unrouted:
            self.notes.append(
                f"this machine has no route to {', '.join(unrouted)}, so those nameserver addresses were "
                "not checked (often: no IPv6 here); that says nothing about the servers"
            )
        return sorted((s for s in servers if s.state != "skipped"), key=lambda s: (s.name, s.address))

    def _lookups_done(self, nsname: str) -> bool:
        lookups = [e for e in self.r.by_purpose(Purpose.ADDRESS) if e.ask.qname == nsname]
        return len(lookups) >= 2 and all(e.answered and e.rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN) for e in lookups)

    def _no_address_line(self, nsname: str) -> str:
        lookups = [e for e in self.r.by_purpose(Purpose.ADDRESS) if e.ask.qname == nsname]
        said = ", ".join(f"{e.ask.rdtype} {'NODATA' if e.rcode == dns.rcode.NOERROR else e.rcode_text}" for e in lookups)
        return f"{nsname} has no address: {said} (asked {lookups[0].ask.server if lookups else 'the resolver'})"

    def _serials(self, healthy: list[_Server]) -> None:
        serials = {s.serial for s in healthy if s.serial is not None}
        if len(serials) > 1:
            ev = [
                f"{s.who} answered SOA serial {s.serial}"
                for s in sorted(healthy, key=lambda x: (x.serial or 0, x.address))
                if s.serial is not None
            ]
            self._add("serial_mismatch", None, ev, explains=False)

    def _answers(self, healthy: list[_Server], checks: dict[str, Exchange]) -> None:
        groups: dict[tuple[str, tuple[str, ...]], list[_Server]] = {}
        for s in healthy:
            e = s.found.get(Purpose.AUTH_ANSWER)
            if e is None or not e.answered or not e.aa:
                continue
            groups.setdefault((e.rcode_text, _data(e, self.r.name, self.r.rdtype)), []).append(s)
        ev: list[str] = []
        if len(groups) > 1:
            for (rcode, data), members in sorted(groups.items()):
                what = ", ".join(data) if data else ("no records" if rcode == "NOERROR" else rcode)
                ev += [
                    f"{m.who} answered {self.r.name} {self.r.rdtype}: {rcode} {what}"
                    if data
                    else f"{m.who} answered {self.r.name} {self.r.rdtype}: {what}"
                    for m in members
                ]
        resolver_kinds = {a: _status(e) for a, e in checks.items() if _status(e) in ("answer", "nodata", "nxdomain")}
        if len(set(resolver_kinds.values())) > 1:
            ev += [self._resolver_line(checks[a], None) for a in resolver_kinds]
        if ev:
            self._add("inconsistent_answers", None, ev, explains=False)

    def _delegation(self) -> None:
        """The parent's NS set against the zone's, and the parent's glue against the addresses the zone publishes
        (Zonemaster CONSISTENCY05: stale glue after a renumbering sends resolvers to the old address)."""
        parent = sorted(ns.name for ns in self.r.nameservers if ns.at_parent)
        child = sorted(ns.name for ns in self.r.nameservers if ns.at_child)
        referral = next((e for e in self.r.by_purpose(Purpose.REFERRAL) if e.answered), None)
        ev: list[str] = []
        if parent and child and parent != child:
            auth_ns = next((e for e in self.r.by_purpose(Purpose.AUTH_NS) if e.answered and e.aa), None)
            ev += [
                f"the parent zone {self.r.parent or ''} delegates to {', '.join(parent)}"
                + (f" (referral from {referral.who()})" if referral else ""),
                f"the zone {self.r.zone or ''} lists {', '.join(child)}"
                + (f" (answer from {auth_ns.who()})" if auth_ns else ""),
            ]
            only_parent = sorted(set(parent) - set(child))
            only_child = sorted(set(child) - set(parent))
            if only_parent:
                ev.append(f"only at the parent: {', '.join(only_parent)}")
            if only_child:
                ev.append(f"only in the zone: {', '.join(only_child)}")
        for ns in self.r.nameservers:
            for family in (4, 6):
                glue = sorted(a for a in ns.glue if (":" in a) == (family == 6))
                resolved = sorted(a for a in ns.resolved if (":" in a) == (family == 6))
                if glue and resolved and glue != resolved:
                    ev.append(
                        f"the parent's glue for {ns.name} is {', '.join(glue)}"
                        + (f" (referral from {referral.who()})" if referral else "")
                        + f", but {ns.name} resolves to {', '.join(resolved)}"
                    )
        if ev:
            self._add("delegation_mismatch", None, ev, explains=False)

    # ------------------------------------------------------------------------------------------------ DNSSEC

    def _dnssec(self, *, force: bool) -> list[dnssec_checks.Finding]:
        """DNSSEC findings for the zone, when validators care: its parent publishes a DS (a chain of trust reaches
        it), or the DS could not be read, or resolvers fail. A signed zone without a DS is an island that validators
        treat as insecure: stale signatures there break nobody, and are not reported unless resolvers fail."""
        zone = self.r.zone
        if zone is None:
            return []
        no_ds = [
            e
            for e in self.r.by_purpose(Purpose.PARENT_DS)
            if e.answered
            and e.aa
            and e.rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)
            and e.rrset("answer", zone, "DS") is None
        ]
        if no_ds and not force:
            return []
        ds_e = next((e for e in self.r.by_purpose(Purpose.PARENT_DS) if e.answered and e.aa), None)
        ds = ds_e.rrset("answer", zone, "DS") if ds_e else None
        if ds is None:
            for e in self.r.by_purpose(Purpose.REFERRAL):
                found = e.rrset("authority", zone, "DS")
                if found is not None:
                    ds, ds_e = found, e
                    break
        # Every server's signed answers are checked, not only the first one's: one secondary serving stale
        # signatures is a problem even while the other servers (and so the resolvers, most of the time) are fine.
        keys = [e for e in self.r.by_purpose(Purpose.AUTH_DNSKEY) if e.answered and e.aa and e.rcode == dns.rcode.NOERROR]
        key_e = next((e for e in keys if e.rrset("answer", zone, "DNSKEY") is not None), keys[0] if keys else None)
        dnskey = key_e.rrset("answer", zone, "DNSKEY") if key_e else None
        signed: list[dnssec_checks.Signed] = []
        for e in keys:
            found = e.rrset("answer", zone, "DNSKEY")
            if found is not None:
                signed.append(
                    dnssec_checks.Signed("the DNSKEY RRset", found, e.signatures("answer", zone, "DNSKEY"), e.who())
                )
        for e in self.r.by_purpose(Purpose.AUTH_SOA):
            soa = e.rrset("answer", zone, "SOA") if e.answered and e.aa and e.rcode == dns.rcode.NOERROR else None
            if soa is not None:
                signed.append(dnssec_checks.Signed(f"SOA {zone}", soa, e.signatures("answer", zone, "SOA"), e.who()))
        origin = dns.name.from_text(zone)
        for e in self.r.by_purpose(Purpose.AUTH_ANSWER):
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
            now=self.r.now,
        )

    def _dnssec_detail(self, findings: list[dnssec_checks.Finding], failing: Sequence[Exchange]) -> tuple[str, list[str]]:
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

    # ------------------------------------------------------------------------------------------------ causes

    def _add(self, cause: str, detail: str | None, evidence: Sequence[str], *, explains: bool) -> None:
        self.causes.append(make_cause(self.kb, cause, detail, evidence, explains=explains))


def make_cause(kb: KnowledgeLike, cause: str, detail: str | None, evidence: Sequence[str], *, explains: bool) -> Cause:
    """A Cause with its summary, fix steps and knowledge reference (also used for the trace's findings)."""
    summary, fix = _TEXT[cause] if cause != "dnssec_bogus" else _DNSSEC_TEXT[detail or "other"]
    kind, value = ("ede", DETAIL_EDE[detail or "other"]) if cause == "dnssec_bogus" else CAUSE_REF.get(cause, ("", 0))
    reference = ""
    fixes = list(fix)
    if kind:
        entry = kb.ede(value) if kind == "ede" else kb.rcode(value)
        reference = entry.label
        if explains or cause == "dnssec_bogus":
            # The code a resolver returns for this failure, in /rcode's words (only when it is failing).
            summary = f"{summary} {entry.label}: {entry.summary}"
        fixes += [f for f in entry.fix[:2] if f not in fixes]
    return Cause(cause, detail, summary, tuple(dict.fromkeys(evidence)), tuple(fixes), explains, reference)


def headline(verdict: str, display: str, rdtype: str, causes: Sequence[Cause]) -> str:
    """The one line a person reads first (public for the trace, which adds causes after the diagnosis)."""
    return _headline(verdict, display, rdtype, causes)


@dataclass(slots=True)
class _Server:
    """One nameserver address and everything it answered directly."""

    zone: str
    address: str
    name: str
    found: dict[Purpose, Exchange]
    at_parent: bool
    at_child: bool
    ede_labels: dict[int, str] = field(default_factory=dict)  # EDE code -> "EDE 20 (Not Authoritative)"

    @property
    def who(self) -> str:
        return f"{self.address} ({self.name})" if self.name and self.name != self.address else self.address

    @property
    def no_route(self) -> bool:
        """Nothing was tried because this machine cannot reach the address at all."""
        return any(e.outcome is Outcome.NO_ROUTE for e in self.found.values())

    @property
    def soa(self) -> Exchange | None:
        return self.found.get(Purpose.AUTH_SOA)

    def _best(self) -> Exchange | None:
        """The most telling SOA reply: a clean one first (UDP+EDNS, TCP, plain), else any reply, else the failure."""
        tried = [self.found.get(p) for p in (Purpose.AUTH_SOA, Purpose.AUTH_SOA_TCP, Purpose.AUTH_SOA_PLAIN)]
        answered = [e for e in tried if e is not None and e.answered]
        clean = [e for e in answered if e.rcode not in (dns.rcode.FORMERR, dns.rcode.BADVERS, dns.rcode.NOTIMP)]
        if clean:
            return clean[0]
        if answered:
            return answered[0]
        return self.soa

    @property
    def state(self) -> str:
        """ok (authoritative SOA), lame, unreachable, skipped (never asked)."""
        best = self._best()
        if best is None:
            answer = self.found.get(Purpose.AUTH_ANSWER)
            return "skipped" if answer is None or answer.outcome in (Outcome.SKIPPED, Outcome.NO_ROUTE) else "unreachable"
        if best.outcome in (Outcome.SKIPPED, Outcome.NO_ROUTE):
            return "skipped"
        if not best.answered or self.tcp_only:
            return "unreachable"
        if best.rcode == dns.rcode.NOERROR and best.aa and best.rrset("answer", self.zone, "SOA") is not None:
            return "ok"
        return "lame"

    @property
    def tcp_only(self) -> bool:
        """It answers over TCP but not over UDP (with or without EDNS): resolvers ask over UDP first, and time out."""
        tcp = self.found.get(Purpose.AUTH_SOA_TCP)
        udp = [self.found.get(p) for p in (Purpose.AUTH_SOA, Purpose.AUTH_SOA_PLAIN)]
        udp_failed = all(e is not None and not e.answered and e.outcome is not Outcome.SKIPPED for e in udp)
        return tcp is not None and tcp.answered and udp_failed

    @property
    def rcode(self) -> str | None:
        best = self._best()
        return best.rcode_text if best is not None and best.answered else None

    @property
    def serial(self) -> int | None:
        best = self._best()
        if best is None or not best.answered or not best.aa:
            return None
        soa = best.rrset("answer", self.zone, "SOA")
        return int(next(iter(soa)).serial) if soa is not None and len(soa) else None

    @property
    def edns(self) -> str:
        soa, plain = self.soa, self.found.get(Purpose.AUTH_SOA_PLAIN)
        if soa is None:
            return "unknown"
        if soa.answered and soa.rcode not in (dns.rcode.FORMERR, dns.rcode.BADVERS, dns.rcode.NOTIMP):
            return "ok" if soa.has_opt else "no OPT"
        if plain is not None and plain.answered:
            return "broken"
        return "unknown"

    @property
    def evidence(self) -> str:
        best = self._best()
        if best is None:
            return f"{self.who} was not asked"
        if not best.answered:
            tried = [e for e in self.found.values() if e.ask.purpose is not Purpose.AUTH_ANSWER]
            how = "; ".join(f"{_transport(e)}: {e.error or e.outcome}" for e in tried)
            return f"{self.who} never answered SOA {self.zone} ({how})"
        ede = "".join(
            f", {self.ede_labels.get(code, f'EDE {code}')}" + (f" “{text}”" if text else "") for code, text in best.ede
        )
        if self.tcp_only:
            udp = [e for e in self.found.values() if e.ask.purpose in (Purpose.AUTH_SOA, Purpose.AUTH_SOA_PLAIN)]
            how = "; ".join(f"{_transport(e)}: {e.error or e.outcome}" for e in udp)
            return f"{self.who} answers SOA {self.zone} only over TCP ({best.rcode_text}), never over UDP ({how})"
        if best.rcode == dns.rcode.NOERROR and best.aa and self.serial is not None:
            return f"{self.who} answered SOA serial {self.serial}"
        if best.rcode == dns.rcode.NOERROR and not best.aa:
            owners = [r.name for r in best.message.authority if r.rdtype == dns.rdatatype.NS] if best.message else []
            if owners and not owners[0].is_subdomain(dns.name.from_text(self.zone)):
                kind = f"an upward referral (to {owners[0].to_text()})"
            else:
                kind = "a referral" if owners else "an answer"
            return f"{self.who} answered SOA {self.zone} with {kind} without AA: it does not serve the zone{ede}"
        return f"{self.who} answered SOA {self.zone} with {best.rcode_text}{'' if best.aa else ', no AA'}{ede}"

    @property
    def evidence_edns(self) -> str:
        soa, plain = self.soa, self.found.get(Purpose.AUTH_SOA_PLAIN)
        with_edns = (soa.rcode_text if soa is not None and soa.answered else (soa.error or str(soa.outcome))) if soa else "?"
        without = plain.rcode_text if plain is not None and plain.answered else "no answer"
        return f"{self.who} answered SOA {self.zone} without EDNS ({without}) but not with EDNS ({with_edns})"

    @property
    def view(self) -> ServerView:
        best = self._best()
        answer = self.found.get(Purpose.AUTH_ANSWER)
        error = "" if best is not None and best.answered else (best.error if best is not None else "not asked")
        return ServerView(
            name=self.name,
            address=self.address,
            rcode=self.rcode,
            aa=bool(best is not None and best.aa),
            serial=self.serial,
            ms=best.ms if best is not None and best.outcome is not Outcome.SKIPPED else None,
            error=error,
            edns=self.edns,
            at_parent=self.at_parent,
            at_child=self.at_child,
            answer=_records(answer, "answer") if answer is not None else (),
        )


# ---------------------------------------------------------------------------------------------------- helpers


def _status(e: Exchange | None) -> str:
    """A resolver's reply, classified: answer, nodata, nxdomain, servfail, refused, notimp, silent, closed, other."""
    if e is None or e.outcome is Outcome.SKIPPED:
        return "missing"
    if not e.answered:
        return "closed" if e.outcome in (Outcome.PORT_CLOSED, Outcome.NO_ROUTE) else "silent"
    code = e.rcode
    if code == dns.rcode.NOERROR:
        assert e.message is not None
        if e.tc and not e.message.answer:
            return "other"  # truncated and the TCP retry failed: an empty answer here is not NODATA
        if compact_denial(e.message, e.ask.qname):
            return "nxdomain"  # RFC 9824: NOERROR with an NSEC at the name that has the NXNAME bit
        return "answer" if e.message.answer else "nodata"
    kinds = {
        int(dns.rcode.NXDOMAIN): "nxdomain",
        int(dns.rcode.SERVFAIL): "servfail",
        int(dns.rcode.REFUSED): "refused",
        int(dns.rcode.NOTIMP): "notimp",
    }
    return kinds.get(int(code or 0), "other")


def _records(e: Exchange | None, section: str) -> tuple[str, ...]:
    """Records of a section as text, without RRSIGs, each line `name TTL class type rdata`."""
    if e is None or e.message is None:
        return ()
    lines: list[str] = []
    for rrset in getattr(e.message, section):
        if rrset.rdtype == dns.rdatatype.RRSIG:
            continue
        lines.extend(line for line in rrset.to_text().splitlines())
    return tuple(lines)


def _data(e: Exchange, name: str, rdtype: str) -> tuple[str, ...]:
    """The answer's data, without TTLs and signatures, sorted: what must be equal across the zone's servers."""
    if e.message is None:
        return ()
    items: list[str] = []
    for rrset in e.message.answer:
        if rrset.rdtype == dns.rdatatype.RRSIG:
            continue
        kind = dns.rdatatype.to_text(rrset.rdtype)
        items.extend(f"{kind} {r.to_text()}" for r in rrset)
    return tuple(sorted(items))


def _transport(e: Exchange) -> str:
    if e.ask.tcp:
        return "TCP"
    return "UDP" if e.ask.edns >= 0 else "UDP without EDNS"


def _headline(verdict: str, display: str, rdtype: str, causes: Sequence[Cause]) -> str:
    first = next((c for c in causes if c.explains), causes[0] if causes else None)
    what = CAUSE_LABELS.get(first.id, first.id) if first else ""
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


CAUSE_LABELS = {
    "dnssec_bogus": "DNSSEC validation fails",
    "lame_delegation": "lame delegation",
    "ns_unreachable": "nameserver unreachable",
    "edns_broken": "nameserver breaks on EDNS",
    "not_implemented": "the server does not implement the query (NOTIMP)",
    "resolver_refused": "the resolver refuses",
    "resolver_unreachable": "the resolver is unreachable",
    "serial_mismatch": "nameservers serve different SOA serials",
    "inconsistent_answers": "nameservers give different answers",
    "delegation_mismatch": "the parent and the zone list different nameservers",
    "resolver_failure": "the resolver fails (SERVFAIL) for a reason the probe cannot see",
}

_TEXT: dict[str, tuple[str, tuple[str, ...]]] = {
    "lame_delegation": (
        "A nameserver the delegation points to does not serve the zone (it refuses, or answers without AA).",
        (
            "Fix the delegation: at the registrar, list only nameservers that serve the zone, or add the zone to the "
            "server that refuses it.",
            "Check each server directly: `dig @SERVER ZONE SOA +norec` must answer NOERROR with the aa flag.",
        ),
    ),
    "ns_unreachable": (
        "A nameserver of the zone does not answer at all (or has no address), so resolvers time out on it.",
        (
            "Check that the server is running and listening on port 53 over UDP and TCP, and that no firewall or ACL "
            "drops queries.",
            "If the server is gone for good, remove it from the NS records at the parent and in the zone.",
        ),
    ),
    "edns_broken": (
        "A nameserver fails queries that carry EDNS (FORMERR, BADVERS or silence), which every modern resolver sends.",
        (
            "Upgrade the server software, or fix the firewall/load balancer that drops or mangles EDNS (OPT) queries "
            "or large UDP answers.",
            "Test with `dig @SERVER ZONE SOA +norec +edns=0` and `+noedns`: both must answer.",
        ),
    ),
    "not_implemented": (
        "The server answered NOTIMP: it does not implement this kind of query.",
        (
            "Use a resolver or server that implements standard queries; NOTIMP to a plain QUERY means a broken or "
            "misconfigured server.",
        ),
    ),
    "resolver_refused": (
        "The resolver refuses to answer this client (an access-control list, or it is not a public resolver).",
        ("Ask a resolver this client is allowed to use, or allow this client in the resolver's access control.",),
    ),
    "resolver_unreachable": (
        "The resolver gives no usable answer: nothing comes back, its port is closed, or the reply is not valid DNS.",
        (
            "Check the resolver's address and that it is running; check firewalls between this bot and it.",
            "Meanwhile, use another resolver.",
        ),
    ),
    "serial_mismatch": (
        "The zone's nameservers serve different SOA serials: a secondary has not caught up with the primary, so "
        "resolvers see old or new data depending on which server they ask.",
        (
            "Check zone transfers (NOTIFY, AXFR/IXFR allowed from the primary, the secondary's logs).",
            "Compare `dig @SERVER ZONE SOA +norec` on every server until the serials agree.",
        ),
    ),
    "inconsistent_answers": (
        "The zone's nameservers (or the resolvers) give different answers to the same question.",
        ("Make every nameserver serve the same zone data (check transfers and any per-server or geo configuration).",),
    ),
    "delegation_mismatch": (
        "The NS set the parent publishes differs from the NS set the zone itself publishes.",
        ("Make the NS records at the registrar (parent) and in the zone list the same servers.",),
    ),
    "resolver_failure": (
        "The resolver answers SERVFAIL and nothing the probe could see explains it (the zone's servers answer and "
        "DNSSEC looks valid).",
        ("Try again in a minute (a cached failure expires), then compare other resolvers; check the resolver's logs.",),
    ),
}

_DNSSEC_TEXT: dict[str, tuple[str, tuple[str, ...]]] = {
    "signature_expired": (
        "The zone's DNSSEC signatures have expired, so validating resolvers reject its answers (SERVFAIL); with CD "
        "set they answer.",
        (
            "Re-sign the zone now, then find out why automatic re-signing stopped (signer cron job, inline-signing, "
            "a stuck zone transfer to the secondaries).",
        ),
    ),
    "signature_not_yet_valid": (
        "The zone's DNSSEC signatures are not valid yet (inception in the future), so validating resolvers reject "
        "its answers.",
        ("Check the signer's clock (NTP) and re-sign the zone with an inception in the past.",),
    ),
    "ds_mismatch": (
        "The DS record at the parent matches none of the zone's DNSKEYs: the chain of trust is broken.",
        (
            "Publish the DS of the zone's current KSK at the registrar (or put the old key back) and remove stale DS "
            "records; wait out the DS TTL.",
        ),
    ),
    "dnskey_missing": (
        "The parent publishes a DS record, but the zone serves no DNSKEY (DNSSEC was turned off, or the DNS host "
        "changed, without removing the DS).",
        ("Remove the DS record at the registrar, or sign the zone again with the key the DS matches.",),
    ),
    "rrsig_missing": (
        "The zone is signed but serves records without signatures.",
        ("Re-sign the zone completely and check that every server (and any middlebox) passes RRSIGs through.",),
    ),
    "unsupported_algorithm": (
        "The zone is signed with an algorithm (or the DS uses a digest) that validators do not implement.",
        ("Roll the zone to a supported algorithm (ECDSAP256SHA256, 13, is the usual choice) and update the DS.",),
    ),
    "other": (
        "DNSSEC validation fails for this name (bad or mismatched signatures).",
        ("Analyse the chain of trust with `delv` or DNSViz and re-sign the zone.",),
    ),
}
