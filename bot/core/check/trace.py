"""The delegation walked from the root (`/dnscheck NAME trace`, `dig +trace`), as pure decisions and plain values.

`Tracer` has the planner's interface (`start`, `feed`, `result`): the probe sends what it asks and feeds the
results back. It asks every server of the root hints for NAME/TYPE with RD=0; the first referral opens the next
level (the zone it delegates to), whose servers are all asked at once, and so on down to the servers that answer
with AA. Every server of a level is asked in parallel and the walk goes on as soon as one referral is in, so a
trace costs one round trip per level (plus one for names delegated without glue, which are resolved through the
check's resolvers, never the machine's). Below the root each server is also asked for its own zone's NS set, in
the same round trip, so a parent whose NS set differs from the child's shows at the level where it happens.

`TraceResult.levels` says what each level said; `findings()` names the causes (a server of a level that is lame or
silent, a parent NS set that differs from the child's, in-bailiwick servers delegated without glue) in the check's
cause vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.name
import dns.rcode
import dns.rdatatype

from bot.core.check.observations import Ask, Exchange, Outcome, Purpose, Role
from bot.core.check.target import is_public

MAX_LEVEL_SERVERS = 13  # server names asked per level (the root and the largest TLDs have 13)
MAX_LEVELS = 16  # a walk deeper than this is a loop (or a hostile zone)


@dataclass(frozen=True, slots=True)
class ServerReply:
    """What one server of a level said.

    Attributes:
        name, address: the server (its NS name, the address asked).
        kind: `referral`, `answer`, `nodata`, `nxdomain`, `lame` (REFUSED, no AA, an upward referral, or another
            error rcode), or the outcome when nothing came back (`timeout`, `port closed`, `no route`, `garbage`,
            `skipped`), or `not asked` (no address: a name without glue that did not resolve, or a private address).
        rcode: the reply's rcode text, None without a reply.
        aa: the AA bit.
        referral: the zone it delegates to and the NS names it lists there (a referral).
        glue: `name address` pairs from the referral's additional section.
        zone_ns: the level's own NS set as this server serves it (asked below the root), None when not known.
        ms: its answer time; error: why there is no answer.
    """

    name: str
    address: str
    kind: str
    rcode: str | None = None
    aa: bool = False
    referral: str | None = None
    referral_ns: tuple[str, ...] = ()
    glue: tuple[str, ...] = ()
    zone_ns: tuple[str, ...] | None = None
    ms: float | None = None
    error: str = ""

    @property
    def who(self) -> str:
        """`127.53.2.1 (ns2.flaky.)`: how evidence names the server."""
        return f"{self.address} ({self.name})" if self.address and self.name != self.address else self.name

    @property
    def broken(self) -> bool:
        """It gave no usable answer for the level (lame, silent, closed, garbage)."""
        return self.kind in ("lame", "timeout", "port closed", "garbage")

    def to_json(self) -> dict[str, object]:
        """One item of a level's `servers` in the public JSON."""
        return {
            "name": self.name,
            "address": self.address or None,
            "said": self.kind,
            "rcode": self.rcode,
            "aa": self.aa,
            "referral": None if self.referral is None else {"zone": self.referral, "ns": list(self.referral_ns)},
            "glue": list(self.glue),
            "zone_ns": None if self.zone_ns is None else list(self.zone_ns),
            "ms": None if self.ms is None else round(self.ms, 1),
            "error": self.error or None,
        }


@dataclass(frozen=True, slots=True)
class Level:
    """One zone on the way down: who listed its servers, and what each said.

    Attributes:
        zone: the zone whose servers were asked (`.`, `lab.`, `child.lab.`).
        listed_by: the zone whose referral named these servers (None for the root: the root hints).
        ns: the server names the referral (or the hints) listed.
        servers: what each said, in name order.
        next_zone: where the walk went next (None at the last level).
        ms: from the first query of the level to its first usable answer.
    """

    zone: str
    listed_by: str | None
    ns: tuple[str, ...]
    servers: tuple[ServerReply, ...]
    next_zone: str | None = None
    ms: float | None = None

    def to_json(self) -> dict[str, object]:
        """One item of the public JSON's `trace` list."""
        return {
            "zone": self.zone,
            "listed_by": self.listed_by,
            "ns": list(self.ns),
            "servers": [s.to_json() for s in self.servers],
            "next": self.next_zone,
            "ms": None if self.ms is None else round(self.ms, 1),
        }


@dataclass(frozen=True, slots=True)
class TraceResult:
    """The whole walk: its levels, every exchange, and what could not be done."""

    name: str
    rdtype: str
    levels: tuple[Level, ...]
    exchanges: tuple[Exchange, ...]
    elapsed_ms: float = 0.0
    notes: tuple[str, ...] = ()
    complete: bool = False  # the walk reached servers that answer with AA

    @property
    def queries_sent(self) -> int:
        """Queries that went out (a UDP->TCP retry counts twice, skipped ones not at all)."""
        return sum(0 if e.outcome is Outcome.SKIPPED else (2 if e.transport == "udp+tcp" else 1) for e in self.exchanges)


@dataclass(slots=True)
class _Level:
    zone: str
    listed_by: str | None
    ns: list[str]
    after: str | None
    addresses: dict[str, str] = field(default_factory=dict)  # ns name -> address asked
    started: bool = False
    next_zone: str | None = None


class Tracer:
    """Decides every query of one delegation walk from the results so far. Pure: feed it exchanges."""

    def __init__(
        self,
        name: str,
        rdtype: str,
        hints: Sequence[tuple[str, str]],
        resolvers: Sequence[tuple[str, str]],
        *,
        allow_private: bool,
    ) -> None:
        self.name = dns.name.from_text(name).to_text()
        self.rdtype = rdtype
        self.hints = tuple(hints)
        self.resolvers = tuple(resolvers)
        self.allow_private = allow_private
        self.notes: list[str] = []
        self.levels: list[_Level] = []
        self._cache: dict[str, list[str]] = {}  # ns name -> addresses (hints, glue, lookups)
        self._waiting: dict[str, list[_Level]] = {}  # ns name -> levels waiting on its address
        self._looked_up: set[str] = set()
        self._keys: set[str] = set()
        self._level_of: dict[str, _Level] = {}  # ask key -> level
        self._complete = False

    # ------------------------------------------------------------------------------------------------ public

    def start(self) -> list[Ask]:
        """Ask every server of the root hints for NAME/TYPE."""
        names: list[str] = []
        for nsname, address in self.hints:
            self._cache.setdefault(nsname, [])
            if address not in self._cache[nsname]:
                self._cache[nsname].append(address)
            if nsname not in names:
                names.append(nsname)
        root = _Level(".", None, names[:MAX_LEVEL_SERVERS], None)
        self.levels.append(root)
        return self._open(root)

    def feed(self, exchange: Exchange) -> list[Ask]:
        """Take one result; return the follow-ups (the next level, address lookups)."""
        purpose = exchange.ask.purpose
        if purpose is Purpose.TRACE_ADDRESS:
            return self._on_address(exchange)
        if purpose is Purpose.TRACE:
            return self._on_level_answer(exchange)
        return []

    def result(
        self,
        exchanges: Sequence[Exchange],
        *,
        now: float,
        elapsed_ms: float,
        budget: int,
        deadline_hit: bool,
        notes: Sequence[str] = (),
    ) -> TraceResult:
        """The walk as levels, from the exchanges the probe collected."""
        del now, budget, deadline_hit
        found: dict[tuple[str, str, Purpose], Exchange] = {}
        for e in exchanges:
            level = self._level_of.get(e.ask.key)
            if level is not None:
                found[(level.zone, e.ask.server_name, e.ask.purpose)] = e
        levels = []
        for level in self.levels:
            replies = []
            first_ms: float | None = None
            for nsname in sorted(level.ns):
                asked = found.get((level.zone, nsname, Purpose.TRACE))
                ns_e = found.get((level.zone, nsname, Purpose.TRACE_NS))
                reply = _reply(level.zone, nsname, level.addresses.get(nsname, ""), asked, ns_e)
                replies.append(reply)
                if asked is not None and asked.answered and not reply.broken:
                    end = asked.started_ms + asked.ms
                    first_ms = end if first_ms is None else min(first_ms, end)
            starts = [x.started_ms for (zone, _, p), x in found.items() if zone == level.zone and p is Purpose.TRACE]
            ms = None if first_ms is None or not starts else first_ms - min(starts)
            levels.append(Level(level.zone, level.listed_by, tuple(level.ns), tuple(replies), level.next_zone, ms))
        if not self._complete:
            last = self.levels[-1].zone if self.levels else "."
            self.notes.append(f"the walk stopped at {last}: no server there answered for {self.name} with AA")
        return TraceResult(
            name=self.name,
            rdtype=self.rdtype,
            levels=tuple(levels),
            exchanges=tuple(exchanges),
            elapsed_ms=elapsed_ms,
            notes=tuple(dict.fromkeys([*self.notes, *notes])),
            complete=self._complete,
        )

    # ------------------------------------------------------------------------------------------------ levels

    def _open(self, level: _Level) -> list[Ask]:
        asks: list[Ask] = []
        for nsname in level.ns:
            addresses = self._cache.get(nsname, [])
            if addresses:
                asks += self._ask_server(level, nsname, addresses)
            else:
                self._waiting.setdefault(nsname, []).append(level)
                asks += self._lookup(nsname, "A", level.after)
        level.started = True
        return asks

    def _ask_server(self, level: _Level, nsname: str, addresses: Sequence[str]) -> list[Ask]:
        if nsname in level.addresses:
            return []
        v4 = [a for a in addresses if ":" not in a]
        address = (v4 or list(addresses))[0]  # one address per server name: IPv4 first (many hosts have no IPv6)
        if not self.allow_private and not is_public(address):
            self.notes.append(f"did not query {address} ({nsname}): a private or local address")
            return []
        level.addresses[nsname] = address
        asks = [self._ask(level, Purpose.TRACE, address, nsname, self.name, self.rdtype, rd=False)]
        if level.zone != ".":
            asks.append(self._ask(level, Purpose.TRACE_NS, address, nsname, level.zone, "NS", rd=False))
        return [a for a in asks if a is not None]

    def _on_level_answer(self, e: Exchange) -> list[Ask]:
        level = self._level_of.get(e.ask.key)
        if level is not None and e.outcome is Outcome.NO_ROUTE:
            return self._other_family(level, e)
        if level is None or not e.answered or e.message is None:
            return []
        zone = dns.name.from_text(level.zone)
        qname = dns.name.from_text(self.name)
        if e.aa and e.rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            if level is self.levels[-1]:
                self._complete = True
            return []
        if e.rcode != dns.rcode.NOERROR or level.next_zone is not None or level is not self.levels[-1]:
            return []
        delegation = _delegation(e, zone, qname)
        if delegation is None:
            return []
        child, names = delegation
        if len(self.levels) >= MAX_LEVELS:
            self.notes.append(f"the walk stopped after {MAX_LEVELS} levels")
            return []
        for nsname, addresses in _glue(e).items():
            known = self._cache.setdefault(nsname, [])
            known += [a for a in addresses if a not in known]
        level.next_zone = child
        if len(names) > MAX_LEVEL_SERVERS:
            self.notes.append(f"{child} has {len(names)} servers; the walk asked the first {MAX_LEVEL_SERVERS}")
        nxt = _Level(child, level.zone, names[:MAX_LEVEL_SERVERS], e.ask.key)
        self.levels.append(nxt)
        return self._open(nxt)

    def _other_family(self, level: _Level, e: Exchange) -> list[Ask]:
        """No route to that address (an IPv4-only or IPv6-only host): ask the server's address in the other family."""
        nsname = e.ask.server_name
        family = ":" in e.ask.server
        others = [a for a in self._cache.get(nsname, []) if (":" in a) != family]
        if not others or level.addresses.get(nsname) != e.ask.server:
            return []
        del level.addresses[nsname]
        return [_after(ask, e.ask.key) for ask in self._ask_server(level, nsname, others)]

    # ------------------------------------------------------------------------------------------------ glueless names

    def _lookup(self, nsname: str, rdtype: str, after: str | None) -> list[Ask]:
        key = f"{nsname} {rdtype}"
        if key in self._looked_up or not self.resolvers:
            return []
        self._looked_up.add(key)
        label, address = self.resolvers[0]
        ask = self._make(Purpose.TRACE_ADDRESS, Role.RESOLVER, address, label, nsname, rdtype, rd=True, after=after)
        return [ask] if ask is not None else []

    def _on_address(self, e: Exchange) -> list[Ask]:
        nsname = e.ask.qname
        rrset = e.rrset("answer", nsname, e.ask.rdtype) if e.answered else None
        addresses = [r.address for r in rrset] if rrset is not None else []
        if not addresses:
            if e.ask.rdtype == "A" and e.answered:
                return self._lookup(nsname, "AAAA", e.ask.key)
            return []
        known = self._cache.setdefault(nsname, [])
        known += [a for a in addresses if a not in known]
        asks: list[Ask] = []
        for level in self._waiting.pop(nsname, []):
            for ask in self._ask_server(level, nsname, known):
                asks.append(_after(ask, e.ask.key))
        return asks

    # ------------------------------------------------------------------------------------------------ helpers

    def _ask(
        self, level: _Level, purpose: Purpose, server: str, nsname: str, qname: str, rdtype: str, *, rd: bool
    ) -> Ask | None:
        ask = self._make(purpose, Role.AUTHORITY, server, nsname, qname, rdtype, rd=rd, after=level.after, tag=level.zone)
        if ask is not None:
            self._level_of[ask.key] = level
        return ask

    def _make(
        self,
        purpose: Purpose,
        role: Role,
        server: str,
        server_name: str,
        qname: str,
        rdtype: str,
        *,
        rd: bool,
        after: str | None,
        tag: str = "",
    ) -> Ask | None:
        key = f"{purpose} {server} {qname} {rdtype}" + (f"#{tag}" if tag else "")
        if key in self._keys:
            return None
        self._keys.add(key)
        return Ask(
            key=key,
            purpose=purpose,
            role=role,
            server=server,
            server_name=server_name,
            qname=qname,
            rdtype=rdtype,
            rd=rd,
            do=True,
            after=after,
        )


def _after(ask: Ask, key: str) -> Ask:
    """The same ask, dependent on `key` (the lookup that found the address) for the dependency chain."""
    return Ask(
        key=ask.key,
        purpose=ask.purpose,
        role=ask.role,
        server=ask.server,
        server_name=ask.server_name,
        qname=ask.qname,
        rdtype=ask.rdtype,
        rd=ask.rd,
        cd=ask.cd,
        do=ask.do,
        edns=ask.edns,
        tcp=ask.tcp,
        after=key,
        patience=ask.patience,
    )


def _delegation(e: Exchange, zone: dns.name.Name, qname: dns.name.Name) -> tuple[str, list[str]] | None:
    """A downward referral in the reply: (child zone, sorted NS names), or None."""
    if e.message is None:
        return None
    for rrset in e.message.authority:
        if rrset.rdtype != dns.rdatatype.NS:
            continue
        owner = rrset.name
        if owner != zone and owner.is_subdomain(zone) and qname.is_subdomain(owner):
            return owner.to_text(), sorted({r.target.to_text() for r in rrset})
    return None


def _glue(e: Exchange) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if e.message is None:
        return found
    for rrset in e.message.additional:
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            found.setdefault(rrset.name.to_text(), []).extend(r.address for r in rrset)
    return found


def _reply(zone: str, nsname: str, address: str, e: Exchange | None, ns_e: Exchange | None) -> ServerReply:
    """Classify what one server of `zone` said."""
    if e is None:
        why = "no address (a name without glue that did not resolve, or a private address)" if not address else ""
        return ServerReply(nsname, address, "not asked", error=why or "not asked before the check ended")
    if not e.answered or e.message is None:
        return ServerReply(nsname, address, str(e.outcome), ms=None if e.outcome is Outcome.SKIPPED else e.ms, error=e.error)
    origin = dns.name.from_text(zone)
    qname = dns.name.from_text(e.ask.qname)
    zone_ns: tuple[str, ...] | None = None
    if ns_e is not None and ns_e.answered and ns_e.aa and ns_e.rcode == dns.rcode.NOERROR:
        rrset = ns_e.rrset("answer", zone, "NS")
        if rrset is not None:
            zone_ns = tuple(sorted({r.target.to_text() for r in rrset}))
    rcode = e.rcode_text
    base = {"rcode": rcode, "aa": e.aa, "ms": e.ms, "zone_ns": zone_ns}
    if e.aa and e.rcode == dns.rcode.NXDOMAIN:
        return ServerReply(nsname, address, "nxdomain", **base)  # type: ignore[arg-type]
    if e.aa and e.rcode == dns.rcode.NOERROR:
        kind = "answer" if e.message.answer else "nodata"
        return ServerReply(nsname, address, kind, **base)  # type: ignore[arg-type]
    if e.rcode == dns.rcode.NOERROR:
        delegation = _delegation(e, origin, qname)
        if delegation is not None:
            glue = tuple(f"{n} {a}" for n, addresses in sorted(_glue(e).items()) for a in addresses)
            return ServerReply(
                nsname,
                address,
                "referral",
                referral=delegation[0],
                referral_ns=tuple(delegation[1]),
                glue=glue,
                **base,  # type: ignore[arg-type]
            )
    return ServerReply(nsname, address, "lame", **base)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------- findings


@dataclass(frozen=True, slots=True)
class Finding:
    """A cause seen on the walk: an id of the check's vocabulary, its evidence, and whether the walk broke there
    (every server of the level failed: then no resolver can get past it)."""

    cause: str
    evidence: tuple[str, ...]
    level_broken: bool = False


def findings(trace: TraceResult) -> list[Finding]:
    """Lame and silent servers at any level, parent NS sets that differ from the child's, in-bailiwick servers
    delegated without glue, and servers of one level that disagree on the delegation below it."""
    out: list[Finding] = []
    for index, level in enumerate(trace.levels):
        asked = [s for s in level.servers if s.kind != "not asked"]
        usable = [s for s in asked if not s.broken]
        broken_level = bool(asked) and not usable
        source = f"listed for {level.zone} by the {level.listed_by} servers" if level.listed_by else "a root hint"
        lame = [s for s in level.servers if s.kind == "lame"]
        if lame:
            out.append(
                Finding(
                    "lame_delegation",
                    tuple(
                        f"{s.who}, {source}, answered {trace.name} {trace.rdtype} with {_said(s, level.zone)}" for s in lame
                    ),
                    broken_level,
                )
            )
        silent = [s for s in level.servers if s.kind in ("timeout", "port closed", "garbage")]
        if silent:
            out.append(
                Finding(
                    "ns_unreachable",
                    tuple(
                        f"{s.who}, {source}, never answered {trace.name} {trace.rdtype}: {s.error or s.kind}" for s in silent
                    ),
                    broken_level and not lame,
                )
            )
        if level.listed_by is not None:
            child_sets = {s.zone_ns for s in level.servers if s.zone_ns is not None}
            parent_set = tuple(sorted(level.ns))
            for child_set in sorted(child_sets):
                if child_set != parent_set:
                    says = next(s for s in level.servers if s.zone_ns == child_set)
                    ev = [
                        f"the {level.listed_by} servers delegate {level.zone} to {', '.join(parent_set)}",
                        f"{says.who} serves {level.zone} NS {', '.join(child_set)}",
                    ]
                    if set(parent_set) - set(child_set):
                        ev.append(f"only at the parent: {', '.join(sorted(set(parent_set) - set(child_set)))}")
                    if set(child_set) - set(parent_set):
                        ev.append(f"only in the zone: {', '.join(sorted(set(child_set) - set(parent_set)))}")
                    out.append(Finding("delegation_mismatch", tuple(ev)))
        sets = {s.referral_ns for s in level.servers if s.kind == "referral" and s.referral == level.next_zone}
        if len(sets) > 1:
            said = [
                f"{s.who} delegates {s.referral} to {', '.join(s.referral_ns)}"
                for s in level.servers
                if s.kind == "referral" and s.referral == level.next_zone
            ]
            out.append(Finding("inconsistent_answers", (f"the servers of {level.zone} disagree on the delegation", *said)))
        if index > 0:
            above = trace.levels[index - 1]
            referral = next((s for s in above.servers if s.kind == "referral" and s.referral == level.zone), None)
            if referral is not None:
                origin = dns.name.from_text(level.zone)
                glued = {g.split()[0] for g in referral.glue}
                missing = [n for n in level.ns if dns.name.from_text(n).is_subdomain(origin) and n not in glued]
                if missing:
                    out.append(
                        Finding(
                            "missing_glue",
                            (
                                f"{referral.who} delegates {level.zone} to {', '.join(missing)} inside the zone itself, "
                                "without glue: resolvers cannot find their addresses",
                            ),
                        )
                    )
    return out


def _said(s: ServerReply, zone: str) -> str:
    if s.rcode != "NOERROR":
        return f"{s.rcode}{'' if s.aa else ', no AA'}: it does not serve {zone}"
    return f"NOERROR without AA and no referral below {zone}: it does not serve {zone}"
