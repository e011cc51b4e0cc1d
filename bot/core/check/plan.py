"""What to ask next: the probe's business logic, with no I/O (dnspython's `_Resolution` role).

`Planner.start()` gives the first queries; `Planner.feed(exchange)` takes each result as it arrives and gives the
follow-ups it makes possible; the probe (bot/probe) only sends what it is told, in parallel, and feeds results
back. So the order of discovery is decided here and tested without sockets:

1. every resolver gets NAME/TYPE (RD, DO); a SERVFAIL gets the same query with CD;
2. the first resolver gets SOA for NAME and its ancestors at once (CD): the answers place the zone cuts, so the
   zone and its parent are known after one round trip (when the zone itself is broken, the deepest working
   ancestor is asked for the referral instead);
3. the parent's servers (names and addresses through the resolver) are asked with RD=0 for the child's NS
   (the referral: NS + glue) and DS;
4. every nameserver name gets A/AAAA through the resolver; every address (glue or resolved) gets SOA over UDP and
   over TCP and NAME/TYPE, with RD=0 and EDNS+DO, two of them NS and DNSKEY; an SOA query that fails over UDP is
   retried without EDNS;
5. what only a working server can tell: the first few that answer SOA with AA are asked for the zone by AXFR and
   for `. SOA` with RD (does it hand out the zone, does it resolve for anyone); each server that serves DNSKEYs is
   asked for CDS, CDNSKEY and NSEC3PARAM. These are held back until the map of the zone is complete (no name,
   referral or address lookup, and no SOA, still out), so that when the query budget is tight they are the ones
   left out, never a nameserver's own SOA and answer.

Nothing here resolves a name through the operating system: every name is asked of the configured resolvers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.name
import dns.rcode
import dns.rdatatype

from bot.core.check.observations import Ask, Exchange, Nameserver, Outcome, ProbeResult, Purpose, Role
from bot.core.check.target import is_public

MAX_ANCESTORS = 8  # SOA queries for NAME and its ancestors sent at once
MAX_ZONE_ADDRESSES = 10  # nameserver addresses of the zone probed directly
MAX_PARENT_ADDRESSES = 2  # parent servers asked for the referral (and DS)
MAX_PARENT_NAMES = 2  # parent nameserver names resolved
DETAIL_SERVERS = 2  # servers asked for NS and DNSKEY
SECURITY_ADDRESSES = 3  # addresses asked for AXFR and recursion (the first that answer SOA with AA)
RECURSION_QUESTION = (".", "SOA")  # any resolver answers it, no server but a root server is authoritative for it
# Questions worth less than a full timeout: zone-finding has the referral as its fallback, and a retry to a server
# that has just timed out only decides between "dead" and "breaks on EDNS / UDP".
PATIENCE = {
    Purpose.ZONE_SOA: 0.5,
    Purpose.AUTH_SOA_PLAIN: 0.5,
    Purpose.ALIVE: 0.5,
    Purpose.AUTH_AXFR: 0.5,
    Purpose.AUTH_RECURSION: 0.5,
}
EDNS_TROUBLE = {dns.rcode.FORMERR, dns.rcode.NOTIMP, dns.rcode.BADVERS}
# Answers that can still reveal nameserver addresses (and so more core questions): the optional questions wait
# until none of these is out. (The SOA over TCP is core: it gets the full timeout, since it is evidence now.)
DISCOVERY = frozenset(
    {Purpose.ZONE_SOA, Purpose.ZONE_NS, Purpose.ADDRESS, Purpose.REFERRAL, Purpose.AUTH_NS, Purpose.AUTH_SOA}
)


@dataclass(slots=True)
class _Server:
    """A nameserver name being tracked while the check runs."""

    name: str
    at_parent: bool = False
    at_child: bool = False
    glue: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)


class Planner:
    """Decides every query of one check from the results so far. Pure: feed it exchanges, it returns asks."""

    def __init__(
        self, name: str, rdtype: str, resolvers: Sequence[tuple[str, str]], *, allow_private: bool, security: bool = True
    ) -> None:
        """`security`: ask the zone's servers for AXFR and for recursion (the operator may turn that off:
        some operators alert on AXFR from unknown addresses)."""
        if not resolvers:
            raise ValueError("a check needs at least one resolver")
        self.name = dns.name.from_text(name).to_text()
        self.rdtype = rdtype
        self.resolvers = tuple(resolvers)
        self.allow_private = allow_private
        self.security = security
        self.zone: str | None = None
        self.parent: str | None = None
        self.notes: list[str] = []
        self._infra = 0  # index of the resolver used for zone-finding and address lookups
        self._soa: dict[str, tuple[str, str | None] | None] = {}  # qname -> (kind, zone) or None while pending
        self._keys: set[str] = set()
        self._zone_servers: dict[str, _Server] = {}
        self._parent_servers: dict[str, _Server] = {}
        self._parent_addresses: list[tuple[str, str]] = []
        self._zone_addresses: list[tuple[str, str]] = []
        self._detail_names: set[str] = set()
        self._detail_count = 0
        self._referral_qname: str | None = None
        self._zone_from_referral = False
        self._skipped: set[str] = set()
        self._ds_asked: set[str] = set()
        self._security: set[str] = set()  # addresses asked for AXFR and recursion
        self._pending: set[str] = set()  # keys of discovery questions sent and not answered yet
        self._held: list[Ask] = []  # optional questions waiting for the map of the zone to be complete

    # ------------------------------------------------------------------------------------------------ public

    def start(self) -> list[Ask]:
        """The first queries: NAME/TYPE at every resolver, SOA of NAME and its ancestors at the first one."""
        asks = [
            self._ask(Purpose.CHECK, Role.RESOLVER, address, label, self.name, self.rdtype, rd=True, do=True)
            for label, address in self.resolvers
        ]
        if self.name == ".":
            self.zone = "."
            asks += self._zone_known(None)
            return self._release(asks)
        asks += self._soa_walk(None)
        return self._release(asks)

    def feed(self, exchange: Exchange) -> list[Ask]:
        """Take one result; return the follow-up queries it makes possible."""
        handler = {
            Purpose.CHECK: self._on_check,
            Purpose.ZONE_SOA: self._on_zone_soa,
            Purpose.ZONE_NS: self._on_zone_ns,
            Purpose.ADDRESS: self._on_address,
            Purpose.REFERRAL: self._on_referral,
            Purpose.AUTH_SOA: self._on_auth_soa,
            Purpose.AUTH_NS: self._on_auth_ns,
            Purpose.AUTH_DNSKEY: self._on_auth_dnskey,
        }.get(exchange.ask.purpose)
        self._pending.discard(exchange.ask.key)
        return self._release(handler(exchange) if handler is not None else [])

    def _release(self, asks: list[Ask | None]) -> list[Ask]:
        """The asks to send now: the new ones, then the held optional ones once no discovery question is out."""
        out = [a for a in asks if a is not None]
        self._pending.update(a.key for a in out if a.purpose in DISCOVERY)
        if self._held and not self._pending:
            out += self._held
            self._held = []
        return out

    def result(
        self,
        exchanges: Sequence[Exchange],
        *,
        now: float,
        elapsed_ms: float,
        budget: int,
        deadline_hit: bool,
        notes: Sequence[str] = (),
    ) -> ProbeResult:
        """Everything learned, as a frozen value."""
        servers = tuple(
            Nameserver(
                name=s.name,
                at_parent=s.at_parent,
                at_child=s.at_child,
                glue=tuple(dict.fromkeys(s.glue)),
                resolved=tuple(dict.fromkeys(s.resolved)),
            )
            for s in self._zone_servers.values()
        )
        return ProbeResult(
            name=self.name,
            rdtype=self.rdtype,
            resolvers=self.resolvers,
            exchanges=tuple(exchanges),
            zone=self.zone,
            parent=self.parent,
            nameservers=servers,
            now=now,
            elapsed_ms=elapsed_ms,
            budget=budget,
            deadline_hit=deadline_hit,
            notes=tuple(dict.fromkeys([*self.notes, *notes])),
            security=self.security,
        )

    # ------------------------------------------------------------------------------------------------ resolvers

    def _on_check(self, e: Exchange) -> list[Ask | None]:
        if e.outcome is Outcome.TIMEOUT:
            # Silence may be the resolver (down) or the zone (the resolver waits on a dead server): a question any
            # resolver answers from its cache tells the two apart.
            a = e.ask
            return [self._ask(Purpose.ALIVE, Role.RESOLVER, a.server, a.server_name, ".", "NS", rd=True, after=a.key)]
        if e.answered and e.rcode == dns.rcode.SERVFAIL:
            a = e.ask
            return [
                self._ask(
                    Purpose.CHECK_CD,
                    Role.RESOLVER,
                    a.server,
                    a.server_name,
                    a.qname,
                    a.rdtype,
                    rd=True,
                    cd=True,
                    do=True,
                    after=a.key,
                )
            ]
        return []

    # ------------------------------------------------------------------------------------------------ zone cuts

    def _infra_resolver(self) -> tuple[str, str]:
        return self.resolvers[self._infra]

    def _soa_walk(self, after: str | None) -> list[Ask | None]:
        name = dns.name.from_text(self.name)
        chain = [name]
        while len(chain[-1]) > 2:  # stop above the root: `com.` has two labels with the root
            chain.append(chain[-1].parent())
        if len(chain) > MAX_ANCESTORS:
            chain = [chain[0], *chain[-(MAX_ANCESTORS - 1) :]]
        return [self._zone_soa_ask(qname.to_text(), after) for qname in chain]

    def _zone_soa_ask(self, qname: str, after: str | None) -> Ask | None:
        """Ask the resolver used for finding zone cuts for QNAME's SOA (with CD: a bogus zone still has a cut)."""
        label, address = self._infra_resolver()
        self._soa[qname] = None
        return self._ask(
            Purpose.ZONE_SOA,
            Role.RESOLVER,
            address,
            label,
            qname,
            "SOA",
            rd=True,
            cd=True,
            after=after,
            tag=f"r{self._infra}",
        )

    def _on_zone_soa(self, e: Exchange) -> list[Ask | None]:
        if e.ask.server != self._infra_resolver()[1]:
            return []
        self._soa[e.ask.qname] = _soa_info(e)
        return self._advance(e.ask.key)

    def _advance(self, after: str) -> list[Ask | None]:
        """Place the zone and its parent from the SOA answers so far, as soon as they are known."""
        asks: list[Ask | None] = []
        if self.zone is None and self._referral_qname is None:
            found = self._walk(self.name)
            if found is None:
                return []
            kind, zone, pending_above = found
            if kind == "none":
                if self._infra + 1 < len(self.resolvers):
                    self._infra += 1
                    self.notes.append(
                        f"{self.resolvers[self._infra - 1][0]} did not help find the zone; "
                        f"asked {self.resolvers[self._infra][0]} instead"
                    )
                    self._soa.clear()
                    return self._soa_walk(after)
                self.notes.append("could not find the zone: no resolver answered SOA for the name or its ancestors")
                return []
            if kind == "zone":
                self.zone = zone
                asks += self._zone_known(after)
            else:  # the name's zone failed: ask the deepest working ancestor zone for the referral
                self.parent = zone
                self._referral_qname = self.name
                self._zone_from_referral = True
                asks += self._parent_known(after)
                return asks
            del pending_above
        if self.zone is not None and self.parent is None and self.zone != "." and not self._zone_from_referral:
            above = dns.name.from_text(self.zone).parent().to_text()
            if above == ".":
                self.parent = "."
                asks += self._parent_known(after)
            else:
                if above not in self._soa:
                    asks.append(self._zone_soa_ask(above, after))
                    return asks
                found = self._walk(above)
                if found is None:
                    return asks
                kind, zone, _ = found
                if kind == "zone":
                    self.parent = zone
                    asks += self._parent_known(after)
                elif kind == "broken":
                    self.parent = zone
                    asks += self._parent_known(after)
                else:
                    self.notes.append(f"could not find the zone above {self.zone}")
        return asks

    def _walk(self, start: str) -> tuple[str, str | None, bool] | None:
        """From `start` upward: ("zone", Z) when start's zone is known, ("broken", ancestor zone) when the names
        below an answering ancestor failed, ("none", None) when nothing answered; None while answers are pending."""
        name = dns.name.from_text(start)
        failed = False
        while True:
            text = name.to_text()
            if text in self._soa:
                info = self._soa[text]
                if info is None:
                    return None
                kind, zone = info
                if kind in ("apex", "in"):
                    return ("broken", zone, False) if failed else ("zone", zone, False)
                if kind == "failed":
                    failed = True
                # "alias": the name is a CNAME; its zone is its parent's zone, keep walking without failing
            if len(name) <= 1:
                return ("none", None, False)
            name = name.parent()
            if name.to_text() == ".":
                return ("none", None, False)

    def _zone_known(self, after: str | None) -> list[Ask | None]:
        assert self.zone is not None
        label, address = self._infra_resolver()
        return [
            self._ask(
                Purpose.ZONE_NS, Role.RESOLVER, address, label, self.zone, "NS", rd=True, cd=True, after=after, tag="zone"
            )
        ]

    def _parent_known(self, after: str | None) -> list[Ask | None]:
        assert self.parent is not None
        label, address = self._infra_resolver()
        return [
            self._ask(
                Purpose.ZONE_NS,
                Role.RESOLVER,
                address,
                label,
                self.parent,
                "NS",
                rd=True,
                cd=True,
                after=after,
                tag="parent",
            )
        ]

    # ------------------------------------------------------------------------------------------------ NS names

    def _on_zone_ns(self, e: Exchange) -> list[Ask | None]:
        asks: list[Ask | None] = []
        for_parent = e.ask.key.endswith("#parent")
        if not e.answered:
            return []
        rrset = e.rrset("answer", e.ask.qname, "NS")
        if rrset is None:
            return []
        names = sorted({r.target.to_text() for r in rrset})
        glue = _addresses_in(e, "additional")
        if for_parent:
            for n in names[:MAX_PARENT_NAMES]:
                server = self._parent_servers.setdefault(n, _Server(n))
                for addr in glue.get(n, []):
                    asks += self._add_parent_address(n, addr, e.ask.key)
                if not glue.get(n):
                    # Two parent addresses are enough for the referral: A first, AAAA only when there is no A.
                    asks += self._lookup(n, e.ask.key, ("A",))
                del server
        else:
            for n in names:
                self._zone_servers.setdefault(n, _Server(n))
                asks += self._lookup(n, e.ask.key)
        return asks

    def _lookup(self, nsname: str, after: str, rdtypes: tuple[str, ...] = ("A", "AAAA")) -> list[Ask | None]:
        label, address = self._infra_resolver()
        return [
            self._ask(Purpose.ADDRESS, Role.RESOLVER, address, label, nsname, rdtype, rd=True, cd=True, after=after)
            for rdtype in rdtypes
        ]

    def _on_address(self, e: Exchange) -> list[Ask | None]:
        asks: list[Ask | None] = []
        if not e.answered:
            return []
        rrset = e.rrset("answer", e.ask.qname, e.ask.rdtype)
        addresses = [r.address for r in rrset] if rrset is not None else []
        nsname = e.ask.qname
        if nsname in self._zone_servers:
            for addr in addresses:
                server = self._zone_servers[nsname]
                if addr not in server.resolved:
                    server.resolved.append(addr)
                asks += self._add_zone_address(nsname, addr, e.ask.key)
        if nsname in self._parent_servers:
            for addr in addresses:
                asks += self._add_parent_address(nsname, addr, e.ask.key)
            if not addresses and e.ask.rdtype == "A" and nsname not in self._zone_servers:
                asks += self._lookup(nsname, e.ask.key, ("AAAA",))
        return asks

    # ------------------------------------------------------------------------------------------------ parent

    def _allowed(self, nsname: str, address: str) -> bool:
        if self.allow_private or is_public(address):
            return True
        if address not in self._skipped:
            self._skipped.add(address)
            self.notes.append(f"did not query {address} ({nsname}): a private or local address")
        return False

    def _add_parent_address(self, nsname: str, address: str, after: str) -> list[Ask | None]:
        if (nsname, address) in self._parent_addresses or len(self._parent_addresses) >= MAX_PARENT_ADDRESSES:
            return []
        if not self._allowed(nsname, address):
            return []
        self._parent_addresses.append((nsname, address))
        qname = self._referral_qname or self.zone
        if qname is None:
            return []
        asks: list[Ask | None] = [
            self._ask(Purpose.REFERRAL, Role.AUTHORITY, address, nsname, qname, "NS", do=True, after=after)
        ]
        if self._zone_from_referral:
            # The zone's servers may be the parent's too (the referral names them); ask them what they hold.
            pass
        elif self.zone is not None:
            asks.append(self._ask_ds(nsname, address, after))
        return asks

    def _ask_ds(self, nsname: str, address: str, after: str) -> Ask | None:
        assert self.zone is not None
        if address in self._ds_asked:
            return None
        self._ds_asked.add(address)
        return self._ask(Purpose.PARENT_DS, Role.AUTHORITY, address, nsname, self.zone, "DS", do=True, after=after)

    def _on_referral(self, e: Exchange) -> list[Ask | None]:
        asks: list[Ask | None] = []
        if not e.answered or e.message is None:
            return []
        name = dns.name.from_text(self.name)
        if self.zone is None and e.aa and e.rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return self._candidate_is_zone(e)
        ns_rrset = None
        for section in ("authority", "answer"):
            for rrset in getattr(e.message, section):
                if rrset.rdtype == dns.rdatatype.NS and name.is_subdomain(rrset.name):
                    ns_rrset = rrset
                    break
            if ns_rrset is not None:
                break
        if ns_rrset is None:
            return []
        owner = ns_rrset.name.to_text()
        if self.zone is None:
            if self.parent is not None and not ns_rrset.name.is_subdomain(dns.name.from_text(self.parent)):
                return []
            self.zone = owner
            asks += self._zone_known(e.ask.key)
            for nsname, address in self._parent_addresses:
                asks.append(self._ask_ds(nsname, address, e.ask.key))
        if owner != self.zone:
            return asks
        glue = _addresses_in(e, "additional")
        for r in ns_rrset:
            n = r.target.to_text()
            server = self._zone_servers.setdefault(n, _Server(n))
            server.at_parent = True
            for addr in glue.get(n, []):
                if addr not in server.glue:
                    server.glue.append(addr)
                asks += self._add_zone_address(n, addr, e.ask.key)
            asks += self._lookup(n, e.ask.key)
        return asks

    def _candidate_is_zone(self, e: Exchange) -> list[Ask | None]:
        """The ancestor's own servers answered for the name with AA: no delegation below it, so the ancestor is
        the zone (the resolver's failure was about something else, e.g. a slow or silent server)."""
        assert self.parent is not None
        self.zone = self.parent
        self.parent = None
        self._zone_from_referral = False
        self._referral_qname = None
        self.notes.append(f"{e.who()} answered for {self.name} with AA: the zone is {self.zone}")
        candidates = list(self._parent_addresses)
        self._parent_addresses = []
        self._parent_servers = {}
        asks: list[Ask | None] = list(self._zone_known(e.ask.key))
        for nsname, address in candidates:
            self._zone_servers.setdefault(nsname, _Server(nsname))
            asks += self._add_zone_address(nsname, address, e.ask.key)
        asks += self._advance(e.ask.key)
        return asks

    # ------------------------------------------------------------------------------------------------ the zone's servers

    def _add_zone_address(self, nsname: str, address: str, after: str) -> list[Ask | None]:
        if self.zone is None or (nsname, address) in self._zone_addresses:
            return []
        if any(a == address for _, a in self._zone_addresses) and (nsname, address) not in self._zone_addresses:
            # the same address under another name: probe once, but remember the name
            self._zone_addresses.append((nsname, address))
            return []
        if len({a for _, a in self._zone_addresses}) >= MAX_ZONE_ADDRESSES:
            return []
        if not self._allowed(nsname, address):
            return []
        self._zone_addresses.append((nsname, address))
        zone = self.zone
        asks: list[Ask | None] = [
            self._ask(Purpose.AUTH_SOA, Role.AUTHORITY, address, nsname, zone, "SOA", do=True, after=after),
            self._ask(Purpose.AUTH_SOA_TCP, Role.AUTHORITY, address, nsname, zone, "SOA", do=True, tcp=True, after=after),
            self._ask(Purpose.AUTH_ANSWER, Role.AUTHORITY, address, nsname, self.name, self.rdtype, do=True, after=after),
        ]
        if self._detail_count < DETAIL_SERVERS and nsname not in self._detail_names:
            self._detail_count += 1
            self._detail_names.add(nsname)
            asks.append(self._ask(Purpose.AUTH_NS, Role.AUTHORITY, address, nsname, zone, "NS", do=True, after=after))
            asks.append(
                self._ask(Purpose.AUTH_DNSKEY, Role.AUTHORITY, address, nsname, zone, "DNSKEY", do=True, after=after)
            )
        return asks

    def _on_auth_soa(self, e: Exchange) -> list[Ask | None]:
        a = e.ask
        if not e.answered:
            if e.outcome in (Outcome.NO_ROUTE, Outcome.SKIPPED):
                return []
            return [
                self._ask(
                    Purpose.AUTH_SOA_PLAIN, Role.AUTHORITY, a.server, a.server_name, a.qname, "SOA", edns=-1, after=a.key
                ),
            ]
        if e.aa and e.rcode == dns.rcode.NOERROR and e.rrset("answer", a.qname, "SOA") is not None:
            return self._security_asks(e)
        if e.rcode in EDNS_TROUBLE:
            return [
                self._ask(
                    Purpose.AUTH_SOA_PLAIN, Role.AUTHORITY, a.server, a.server_name, a.qname, "SOA", edns=-1, after=a.key
                )
            ]
        return []

    def _security_asks(self, e: Exchange) -> list[Ask | None]:
        """A server that serves the zone: does it hand the whole zone to anyone (AXFR), and does it resolve
        names for anyone (recursion)? Asked of the first few only, within the query budget."""
        a = e.ask
        if not self.security or a.server in self._security or len(self._security) >= SECURITY_ADDRESSES:
            return []
        self._security.add(a.server)
        qname, rdtype = RECURSION_QUESTION
        return self._hold(
            self._ask(Purpose.AUTH_AXFR, Role.AUTHORITY, a.server, a.server_name, a.qname, "AXFR", tcp=True, after=a.key),
            self._ask(Purpose.AUTH_RECURSION, Role.AUTHORITY, a.server, a.server_name, qname, rdtype, rd=True, after=a.key),
        )

    def _hold(self, *asks: Ask | None) -> list[Ask | None]:
        """Keep optional questions until the map of the zone is complete (see `_release`)."""
        self._held += [a for a in asks if a is not None]
        return []

    def _on_auth_dnskey(self, e: Exchange) -> list[Ask | None]:
        """A server that serves DNSKEYs: what it asks the parent to publish (CDS, CDNSKEY), and its NSEC3 parameters."""
        a = e.ask
        if not e.answered or not e.aa or e.rrset("answer", a.qname, "DNSKEY") is None:
            return []
        return self._hold(
            *(
                self._ask(purpose, Role.AUTHORITY, a.server, a.server_name, a.qname, rdtype, do=True, after=a.key)
                for purpose, rdtype in (
                    (Purpose.AUTH_CDS, "CDS"),
                    (Purpose.AUTH_CDNSKEY, "CDNSKEY"),
                    (Purpose.AUTH_NSEC3PARAM, "NSEC3PARAM"),
                )
            )
        )

    def _on_auth_ns(self, e: Exchange) -> list[Ask | None]:
        asks: list[Ask | None] = []
        if not e.answered or not e.aa or self.zone is None:
            return []
        rrset = e.rrset("answer", self.zone, "NS")
        if rrset is None:
            return []
        for r in rrset:
            n = r.target.to_text()
            server = self._zone_servers.setdefault(n, _Server(n))
            if not server.at_child:
                server.at_child = True
                asks += self._lookup(n, e.ask.key)
        return asks

    # ------------------------------------------------------------------------------------------------ helpers

    def _ask(
        self,
        purpose: Purpose,
        role: Role,
        server: str,
        server_name: str,
        qname: str,
        rdtype: str,
        *,
        rd: bool = False,
        cd: bool = False,
        do: bool = False,
        edns: int = 0,
        tcp: bool = False,
        after: str | None = None,
        tag: str = "",
    ) -> Ask | None:
        key = f"{purpose} {server} {qname} {rdtype}" + (f"#{tag}" if tag else "")
        if key in self._keys:
            return None
        self._keys.add(key)
        return Ask(
            patience=PATIENCE.get(purpose, 1.0),
            key=key,
            purpose=purpose,
            role=role,
            server=server,
            server_name=server_name,
            qname=qname,
            rdtype=rdtype,
            rd=rd,
            cd=cd,
            do=do,
            edns=edns,
            tcp=tcp,
            after=after,
        )


def _soa_info(e: Exchange) -> tuple[str, str | None]:
    """Classify a resolver's answer to `qname SOA`: ("apex", qname), ("in", zone), ("alias", None), ("failed", None)."""
    if not e.answered or e.message is None:
        return ("failed", None)
    if e.rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return ("failed", None)
    qname = dns.name.from_text(e.ask.qname)
    for rrset in e.message.answer:
        if rrset.name == qname and rrset.rdtype == dns.rdatatype.SOA:
            return ("apex", qname.to_text())
        if rrset.name == qname and rrset.rdtype in (dns.rdatatype.CNAME, dns.rdatatype.DNAME):
            return ("alias", None)
    for rrset in e.message.answer:
        if rrset.rdtype == dns.rdatatype.DNAME and qname.is_subdomain(rrset.name):
            return ("alias", None)
    for rrset in e.message.authority:
        if rrset.rdtype == dns.rdatatype.SOA and qname.is_subdomain(rrset.name):
            return ("in", rrset.name.to_text())
    return ("failed", None)


def _addresses_in(e: Exchange, section: str) -> dict[str, list[str]]:
    """A and AAAA records of a section by owner name (glue)."""
    found: dict[str, list[str]] = {}
    if e.message is None:
        return found
    for rrset in getattr(e.message, section):
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            found.setdefault(rrset.name.to_text(), []).extend(r.address for r in rrset)
    return found
