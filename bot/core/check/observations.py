"""What a probe saw, as plain values: every query asked, and what came back (or did not).

A timeout, a closed port, an unreachable network or a reply that does not parse is an `Outcome`, not an exception:
the diagnosis needs "ns2 never answered" as much as "ns1 answered REFUSED". The probe (bot/probe) fills these in;
the planner (bot/core/check/plan.py) and the diagnosis (bot/core/check/diagnosis/) read them and never touch a socket, so
they are tested with hand-built `dns.message.Message` values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

DEADLINE_ERROR = "no answer before the check's"  # how an Exchange cut short by the deadline begins its error


class Outcome(enum.StrEnum):
    """How one query ended."""

    ANSWER = "answer"  # a DNS message came back (any rcode)
    TIMEOUT = "timeout"  # nothing came back within the query timeout
    PORT_CLOSED = "port closed"  # ICMP port unreachable / TCP RST: nothing listens there
    NO_ROUTE = "no route"  # this machine cannot reach that address at all (e.g. no IPv6)
    GARBAGE = "garbage"  # something came back that is not a valid reply to the query
    SKIPPED = "skipped"  # never sent: query budget, check deadline or policy


class Role(enum.StrEnum):
    """Who was asked."""

    RESOLVER = "resolver"
    AUTHORITY = "authority"


class Purpose(enum.StrEnum):
    """Why a query was asked: the planner's vocabulary, and what the diagnosis looks up."""

    CHECK = "check"  # NAME/TYPE at a resolver (RD, DO)
    CHECK_CD = "check_cd"  # the same with CD after a SERVFAIL
    ALIVE = "alive"  # `. NS` at a resolver whose CHECK got no answer: is the resolver there at all?
    ZONE_SOA = "zone_soa"  # SOA of NAME or an ancestor at a resolver (CD): where are the zone cuts?
    ZONE_NS = "zone_ns"  # NS of a zone at a resolver (CD)
    ADDRESS = "address"  # A/AAAA of a nameserver name at a resolver (CD)
    REFERRAL = "referral"  # the child's NS at a parent server (RD=0): the delegation as the parent publishes it
    PARENT_DS = "parent_ds"  # the child's DS at a parent server (RD=0, DO)
    AUTH_SOA = "auth_soa"  # the zone's SOA at one of its servers (RD=0, EDNS, DO)
    AUTH_SOA_TCP = "auth_soa_tcp"  # the same over TCP, asked with it: a server that answers only one way is broken
    AUTH_SOA_PLAIN = "auth_soa_plain"  # the same without EDNS, after the EDNS query failed: is EDNS the problem?
    AUTH_ANSWER = "auth_answer"  # NAME/TYPE at one of the zone's servers (RD=0, DO)
    AUTH_NS = "auth_ns"  # the zone's NS at one of its servers: the delegation as the child publishes it
    AUTH_DNSKEY = "auth_dnskey"  # the zone's DNSKEY at one of its servers (DO)
    AUTH_CDS = "auth_cds"  # the zone's CDS at a server that served DNSKEYs: what the parent is asked to publish
    AUTH_CDNSKEY = "auth_cdnskey"  # the zone's CDNSKEY there (RFC 7344/8078)
    AUTH_NSEC3PARAM = "auth_nsec3param"  # the zone's NSEC3 parameters there (RFC 9276: iterations, salt)
    AUTH_AXFR = "auth_axfr"  # the zone by AXFR over TCP at a server that serves it: does it hand it to anyone?
    AUTH_RECURSION = "auth_recursion"  # `. SOA` with RD at a server of the zone: does it resolve for anyone?
    TRACE = "trace"  # the delegation walk: NAME/TYPE at every server of one level, from the root down (RD=0, DO)
    TRACE_NS = "trace_ns"  # the walk: a level's own NS set at each of its servers (RD=0), against its parent's referral
    TRACE_ADDRESS = "trace_address"  # the walk: A/AAAA of a nameserver named without glue, at a resolver


@dataclass(frozen=True, slots=True)
class Ask:
    """One query to send, decided by the planner.

    Attributes:
        key: unique within a check (`check 1.1.1.1`, `auth_soa 127.53.1.1`); follow-ups name it in `after`.
        purpose: why it is asked.
        role: resolver or authoritative server.
        server: the IP address to ask.
        server_name: the nameserver's name (`ns1.example.`), or the resolver's label (`1.1.1.1`, `system`).
        qname: absolute name text.
        rdtype: type mnemonic.
        rd, cd, do: header/EDNS flags.
        edns: EDNS version to send, or -1 for none.
        tcp: start over TCP (UDP otherwise; the probe retries truncated UDP answers over TCP by itself).
        after: the key of the exchange whose result made the planner ask this (for the dependency chain).
        patience: the share of the query timeout to wait (the probe never waits less than a second): less for
            questions with a fallback (zone-finding falls back to the parent's referral) or a verdict already in
            (retries to a server that just timed out).
    """

    key: str
    purpose: Purpose
    role: Role
    server: str
    server_name: str
    qname: str
    rdtype: str
    rd: bool = False
    cd: bool = False
    do: bool = False
    edns: int = 0
    tcp: bool = False
    after: str | None = None
    patience: float = 1.0


@dataclass(frozen=True, slots=True, eq=False)
class Exchange:
    """One query and what happened to it.

    Attributes:
        ask: the query.
        outcome: how it ended.
        message: the reply when `outcome` is ANSWER.
        ms: time from sending to the end (answer, error or timeout), in milliseconds.
        error: a short description when there is no answer (`timed out after 2.0 s`, `budget of 60 used up`).
        transport: "udp", "tcp" or "udp+tcp" (truncated, retried over TCP).
        started_ms: when it was sent, relative to the start of the check.
    """

    ask: Ask
    outcome: Outcome
    message: dns.message.Message | None = None
    ms: float = 0.0
    error: str = ""
    transport: str = "udp"
    started_ms: float = 0.0

    @property
    def answered(self) -> bool:
        """True when a DNS reply came back."""
        return self.outcome is Outcome.ANSWER and self.message is not None

    @property
    def rcode(self) -> int | None:
        """The (extended) rcode of the reply, or None without one."""
        return self.message.rcode() if self.message is not None else None

    @property
    def rcode_text(self) -> str:
        """`NOERROR`, `SERVFAIL`, … or the outcome (`timeout`) when nothing came back."""
        if self.message is None:
            return str(self.outcome)
        return rcode_text(self.message.rcode())

    @property
    def aa(self) -> bool:
        """The AA bit of the reply."""
        return self.message is not None and bool(self.message.flags & dns.flags.AA)

    @property
    def tc(self) -> bool:
        """The TC bit of the reply."""
        return self.message is not None and bool(self.message.flags & dns.flags.TC)

    @property
    def ad(self) -> bool:
        """The AD bit of the reply."""
        return self.message is not None and bool(self.message.flags & dns.flags.AD)

    @property
    def flags(self) -> tuple[str, ...]:
        """Header flags as dig prints them (`qr`, `aa`, `rd`, `ra`, `ad`, `cd`)."""
        if self.message is None:
            return ()
        return tuple(dns.flags.to_text(self.message.flags).lower().split())

    @property
    def ede(self) -> tuple[tuple[int, str], ...]:
        """Extended DNS Errors in the reply: (code, extra text)."""
        if self.message is None:
            return ()
        found: list[tuple[int, str]] = []
        for option in self.message.options:
            if isinstance(option, dns.edns.EDEOption):
                found.append((int(option.code), option.text or ""))
        return tuple(found)

    @property
    def has_opt(self) -> bool:
        """Whether the reply carried an OPT record (the server speaks EDNS)."""
        return self.message is not None and self.message.edns >= 0

    @property
    def serial(self) -> int | None:
        """The SOA serial in the answer (or, failing that, the authority section)."""
        soa = self.soa_rrset
        if soa is None or len(soa) == 0:
            return None
        return int(next(iter(soa)).serial)

    @property
    def soa_rrset(self) -> dns.rrset.RRset | None:
        """The SOA RRset of the reply: the answer's if any, else the authority section's."""
        if self.message is None:
            return None
        for section in (self.message.answer, self.message.authority):
            for rrset in section:
                if rrset.rdtype == dns.rdatatype.SOA:
                    return rrset
        return None

    def rrset(self, section: str, name: str, rdtype: str) -> dns.rrset.RRset | None:
        """One RRset of the reply by section (`answer`, `authority`, `additional`), owner and type."""
        if self.message is None:
            return None
        owner = dns.name.from_text(name)
        value = dns.rdatatype.from_text(rdtype)
        for rrset in getattr(self.message, section):
            if rrset.name == owner and rrset.rdtype == value:
                found: dns.rrset.RRset = rrset
                return found
        return None

    def signatures(self, section: str, name: str, rdtype: str) -> dns.rrset.RRset | None:
        """The RRSIG RRset covering `name`/`rdtype` in a section."""
        if self.message is None:
            return None
        owner = dns.name.from_text(name)
        covered = dns.rdatatype.from_text(rdtype)
        for rrset in getattr(self.message, section):
            if rrset.name == owner and rrset.rdtype == dns.rdatatype.RRSIG and rrset.covers == covered:
                sigs: dns.rrset.RRset = rrset
                return sigs
        return None

    def who(self) -> str:
        """`127.53.1.1 (ns1.expired.lab.)` or `1.1.1.1`: how evidence names the server."""
        name = self.ask.server_name
        if name and name != self.ask.server:
            return f"{self.ask.server} ({name})"
        return self.ask.server


@dataclass(frozen=True, slots=True)
class Nameserver:
    """One nameserver name of the zone, where it was seen and its addresses.

    Attributes:
        name: absolute name text.
        at_parent: listed in the parent's referral.
        at_child: listed in the zone's own NS RRset.
        glue: addresses from the referral's additional section.
        resolved: addresses found through the resolvers.
    """

    name: str
    at_parent: bool
    at_child: bool
    glue: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()

    @property
    def addresses(self) -> tuple[str, ...]:
        """Glue first, then resolved addresses, without duplicates."""
        return tuple(dict.fromkeys(self.glue + self.resolved))


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """Everything one check learned, in time for the deadline or not.

    Attributes:
        name, rdtype: what was checked (absolute IDNA text, mnemonic).
        resolvers: (label, address) of each resolver asked, in order.
        exchanges: every query, in the order they finished (skipped ones included).
        zone: the closest enclosing zone (None when it could not be found).
        parent: the zone above it (None for the root or when not found).
        nameservers: the zone's nameservers as the parent and the zone publish them.
        now: the check's clock (seconds since the epoch), for RRSIG validity windows.
        elapsed_ms: wall time of the whole check.
        budget: the query budget; deadline_hit: whether the deadline cut the check short.
        notes: things worth saying that are not causes (an address skipped by policy, no IPv6 route).
        security: the zone's servers were asked for AXFR and recursion (the operator may turn that off).
    """

    name: str
    rdtype: str
    resolvers: tuple[tuple[str, str], ...]
    exchanges: tuple[Exchange, ...]
    zone: str | None = None
    parent: str | None = None
    nameservers: tuple[Nameserver, ...] = ()
    now: float = 0.0
    elapsed_ms: float = 0.0
    budget: int = 0
    deadline_hit: bool = False
    notes: tuple[str, ...] = field(default=())
    security: bool = True

    @property
    def queries_sent(self) -> int:
        """How many queries went out (skipped ones excluded; a UDP->TCP retry counts as two)."""
        return sum(0 if e.outcome is Outcome.SKIPPED else (2 if e.transport == "udp+tcp" else 1) for e in self.exchanges)

    def by_purpose(self, *purposes: Purpose) -> list[Exchange]:
        """The exchanges asked for any of these purposes, in finishing order."""
        return [e for e in self.exchanges if e.ask.purpose in purposes]

    def get(self, key: str) -> Exchange | None:
        """The exchange with this ask key."""
        for exchange in self.exchanges:
            if exchange.ask.key == key:
                return exchange
        return None

    def chain_ms(self) -> float:
        """The longest chain of dependent queries: each query's time plus the chain of the one that caused it."""
        by_key = {e.ask.key: e for e in self.exchanges}
        memo: dict[str, float] = {}

        def chain(key: str, depth: int = 0) -> float:
            if key in memo:
                return memo[key]
            exchange = by_key.get(key)
            if exchange is None or depth > 64:
                return 0.0
            own = 0.0 if exchange.outcome is Outcome.SKIPPED else exchange.ms
            total = own + (chain(exchange.ask.after, depth + 1) if exchange.ask.after else 0.0)
            memo[key] = total
            return total

        return max((chain(key) for key in by_key), default=0.0)

    def sum_ms(self) -> float:
        """The sum of all query times: what a probe asking one query at a time would take."""
        return sum(e.ms for e in self.exchanges if e.outcome is not Outcome.SKIPPED)


def rcode_text(value: int) -> str:
    """`SERVFAIL` for 2, `RCODE24` for an unassigned value."""
    try:
        return dns.rcode.to_text(dns.rcode.Rcode.make(value))
    except (ValueError, dns.rcode.UnknownRcode):
        return f"RCODE{value}"
