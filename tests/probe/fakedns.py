"""An in-memory DNS world for testing the planner and the diagnosis without sockets (dnspython's FakeAnswer idea).

`World` holds zones (record data as text), which server addresses serve which zones, and how each server or
resolver misbehaves. `World.answer(ask)` returns the `Exchange` a real server would have produced, and
`World.run(name, rdtype)` drives a real `Planner` to completion, like bot/probe does over the network, returning the
`ProbeResult`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from bot.core.check.observations import Ask, Exchange, Outcome, ProbeResult, Role
from bot.core.check.plan import Planner
from bot.probe.runner import make_message

NOW = 1_800_000_000.0


@dataclass
class Server:
    """How one address behaves: the zones it serves, or a failure mode."""

    zones: set[str] = field(default_factory=set)
    mode: str = "ok"  # ok | silent | closed | refuse | formerr_on_edns | notimp | noroute | tcp_only | udp_only
    serial_bump: int = 0  # added to every SOA serial it serves
    override: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (name, type) -> records it serves instead
    open_axfr: bool = False  # hands its zones to anyone by AXFR (others get REFUSED, as real servers answer)
    recursive: bool = False  # also resolves names outside its zones for anyone (an open resolver)


@dataclass
class Resolver:
    """How one resolver behaves (by default: answers from the zones like a working recursive resolver)."""

    mode: str = "ok"  # ok | silent | closed | refuse | servfail | servfail_unless_cd | notimp | authoritative_only | truncated_no_tcp | garbage
    ede: tuple[tuple[int, str], ...] = ()


class World:
    """Zones, servers and resolvers; answers asks the way real ones would."""

    def __init__(self) -> None:
        self.zones: dict[str, dict[tuple[str, str], list[str]]] = {}
        self.servers: dict[str, Server] = {}
        self.resolvers: dict[str, Resolver] = {}
        self.sent: list[Ask] = []

    # -------------------------------------------------------------------------------------------- building

    def zone(self, name: str, records: dict[tuple[str, str], list[str]], serial: int = 1) -> None:
        apex = "" if name == "." else name
        soa = f"ns1.{apex or '.'} hostmaster.{apex or '.'} {serial} 7200 3600 1209600 300".replace("..", ".")
        self.zones[name] = {(name, "SOA"): [soa], **records}

    def server(self, address: str, *zones: str, **kwargs: object) -> Server:
        server = Server(set(zones), **kwargs)  # type: ignore[arg-type]
        self.servers[address] = server
        return server

    def resolver(self, address: str, **kwargs: object) -> Resolver:
        resolver = Resolver(**kwargs)  # type: ignore[arg-type]
        self.resolvers[address] = resolver
        return resolver

    # -------------------------------------------------------------------------------------------- answering

    def answer(self, ask: Ask) -> Exchange:
        self.sent.append(ask)
        query = make_message(ask)
        if ask.role is Role.RESOLVER:
            behaviour = self.resolvers.get(ask.server, Resolver(mode="closed"))
            mode = behaviour.mode
            if mode == "servfail_unless_cd" and not ask.cd and ask.qname == self._check_name:
                return self._reply(ask, query, dns.rcode.SERVFAIL, ede=behaviour.ede)
            if mode in ("servfail",) and ask.qname == self._check_name:
                return self._reply(ask, query, dns.rcode.SERVFAIL, ede=behaviour.ede)
            if mode == "notimp" and ask.qname == self._check_name:
                return self._reply(ask, query, dns.rcode.NOTIMP)
            if mode == "truncated_no_tcp" and ask.qname == self._check_name:  # TC over UDP, TCP blocked
                exchange = self._reply(ask, query, dns.rcode.NOERROR)
                assert exchange.message is not None
                exchange.message.flags |= dns.flags.TC
                return Exchange(
                    ask,
                    Outcome.ANSWER,
                    exchange.message,
                    2.0,
                    error="truncated, and the TCP retry failed: port 53 closed (TCP refused)",
                    transport="udp+tcp",
                )
            if mode in ("silent", "closed", "refuse"):
                return self._failure(ask, query, mode)
            if mode == "garbage":  # something answers on port 53, but not with DNS
                return Exchange(ask, Outcome.GARBAGE, ms=0.3, error="a reply that is not valid DNS (ShortHeader)")
            if mode == "authoritative_only":  # an authoritative server named as a resolver: REFUSED, no RA
                exchange = self._failure(ask, query, "refuse")
                assert exchange.message is not None
                exchange.message.flags &= ~dns.flags.RA
                return exchange
            return self._recursive(ask, query)
        server = self.servers.get(ask.server, Server(mode="closed"))
        if server.mode in ("silent", "closed", "refuse", "notimp", "noroute"):
            return self._failure(ask, query, server.mode)
        if server.mode == "tcp_only" and not ask.tcp:
            return self._failure(ask, query, "silent")
        if server.mode == "udp_only" and ask.tcp:
            return Exchange(ask, Outcome.PORT_CLOSED, ms=0.2, error="port 53 closed (TCP refused)", transport="tcp")
        if ask.rdtype == "AXFR":
            return self._transfer(ask, query, server)
        if ask.rd and server.recursive and self._zone_of(ask.qname, server.zones) is None:
            return self._recursive(ask, query)
        if server.mode == "formerr_on_edns" and ask.edns >= 0:
            return self._reply(ask, query, dns.rcode.FORMERR, aa=False)
        return self._authoritative(ask, query, server)

    _check_name = ""

    def _failure(self, ask: Ask, query: dns.message.Message, mode: str) -> Exchange:
        if mode == "silent":
            return Exchange(ask, Outcome.TIMEOUT, ms=1000.0, error="no answer within 1.0 s over UDP")
        if mode == "closed":
            return Exchange(ask, Outcome.PORT_CLOSED, ms=0.2, error="port 53 closed (UDP refused)")
        if mode == "noroute":
            return Exchange(ask, Outcome.NO_ROUTE, ms=0.1, error=f"this machine has no route to {ask.server}")
        code = dns.rcode.NOTIMP if mode == "notimp" else dns.rcode.REFUSED
        return self._reply(ask, query, code, aa=False)

    def _reply(
        self, ask: Ask, query: dns.message.Message, rcode: int, *, aa: bool = False, ede: tuple[tuple[int, str], ...] = ()
    ) -> Exchange:
        reply = dns.message.make_response(query)
        reply.set_rcode(rcode)
        if aa:
            reply.flags |= dns.flags.AA
        if ask.role is Role.RESOLVER:
            reply.flags |= dns.flags.RA
        if ede and reply.edns >= 0:
            reply.use_edns(0, options=[dns.edns.EDEOption(code, text) for code, text in ede])
        return Exchange(ask, Outcome.ANSWER, reply, ms=1.0)

    def _zone_of(self, qname: str, zones: set[str] | None = None) -> str | None:
        name = dns.name.from_text(qname)
        best: str | None = None
        for zone in zones if zones is not None else set(self.zones):
            if zone in self.zones and name.is_subdomain(dns.name.from_text(zone)):
                if best is None or len(dns.name.from_text(zone)) > len(dns.name.from_text(best)):
                    best = zone
        return best

    def _lookup(
        self, zone: str, qname: str, rdtype: str, server: Server | None
    ) -> tuple[int, list[dns.rrset.RRset], list[dns.rrset.RRset], list[dns.rrset.RRset], bool]:
        """(rcode, answer, authority, additional, authoritative) from one zone's data."""
        data = self.zones[zone]
        overrides = server.override if server else {}
        name = dns.name.from_text(qname)
        # A delegation below this zone (not for the child's own DS)?
        for (owner, kind), records in data.items():
            owner_name = dns.name.from_text(owner)
            if kind == "NS" and owner != zone and name.is_subdomain(owner_name) and not (qname == owner and rdtype == "DS"):
                ns = dns.rrset.from_text(owner, 300, "IN", "NS", *records)
                glue = [
                    dns.rrset.from_text(r, 300, "IN", t, *data[(r, t)])
                    for r in records
                    for t in ("A", "AAAA")
                    if (r, t) in data
                ]
                ds = [dns.rrset.from_text(owner, 300, "IN", "DS", *data[(owner, "DS")])] if (owner, "DS") in data else []
                return dns.rcode.NOERROR, [], [ns, *ds], glue, False
        records = overrides.get((qname, rdtype), data.get((qname, rdtype)))
        if records:
            if rdtype == "SOA" and server is not None and server.serial_bump:
                fields = records[0].split()
                fields[2] = str(int(fields[2]) + server.serial_bump)
                records = [" ".join(fields)]
            return dns.rcode.NOERROR, [dns.rrset.from_text(qname, 300, "IN", rdtype, *records)], [], [], True
        if rdtype != "CNAME" and (qname, "CNAME") in data:
            return dns.rcode.NOERROR, [dns.rrset.from_text(qname, 300, "IN", "CNAME", *data[(qname, "CNAME")])], [], [], True
        soa = dns.rrset.from_text(zone, 300, "IN", "SOA", *data[(zone, "SOA")])
        exists = any(owner == qname or dns.name.from_text(owner).is_subdomain(name) for owner, _ in data)
        return (dns.rcode.NOERROR if exists else dns.rcode.NXDOMAIN), [], [soa], [], True

    def _authoritative(self, ask: Ask, query: dns.message.Message, server: Server) -> Exchange:
        zone = self._zone_of(ask.qname, server.zones)
        if zone is None:
            return self._reply(ask, query, dns.rcode.REFUSED)
        rcode, answer, authority, additional, aa = self._lookup(zone, ask.qname, ask.rdtype, server)
        exchange = self._reply(ask, query, rcode, aa=aa)
        assert exchange.message is not None
        exchange.message.answer = answer
        exchange.message.authority = authority
        exchange.message.additional = additional
        return exchange

    def _transfer(self, ask: Ask, query: dns.message.Message, server: Server) -> Exchange:
        """AXFR: the zone's records after its SOA when the server allows anyone, else REFUSED."""
        if not server.open_axfr or ask.qname not in server.zones or not ask.tcp:
            return self._reply(ask, query, dns.rcode.REFUSED)
        exchange = self._reply(ask, query, dns.rcode.NOERROR, aa=True)
        assert exchange.message is not None
        data = self.zones[ask.qname]
        soa = dns.rrset.from_text(ask.qname, 300, "IN", "SOA", *data[(ask.qname, "SOA")])
        rest = [dns.rrset.from_text(o, 300, "IN", t, *r) for (o, t), r in data.items() if t != "SOA"]
        exchange.message.answer = [soa, *rest]
        return exchange

    def _recursive(self, ask: Ask, query: dns.message.Message, depth: int = 0) -> Exchange:
        """A working resolver: the answer from the deepest zone whose servers work (CNAMEs followed, as resolvers
        do), or SERVFAIL when none do."""
        exchange = self._resolve(ask, query)
        if exchange.message is None or depth > 8 or ask.rdtype == "CNAME":
            return exchange
        cname = next((r for r in exchange.message.answer if r.rdtype == dns.rdatatype.CNAME), None)
        if cname is None or exchange.message.rcode() != dns.rcode.NOERROR:
            return exchange
        target = next(iter(cname)).target.to_text()
        follow = Ask(**{**{f: getattr(ask, f) for f in ask.__dataclass_fields__}, "qname": target, "key": ask.key + ">"})
        rest = self._recursive(follow, make_message(follow), depth + 1)
        if rest.message is None:
            return rest
        exchange.message.answer = [*exchange.message.answer, *rest.message.answer]
        exchange.message.authority = rest.message.authority
        exchange.message.set_rcode(rest.message.rcode())
        return exchange

    def _resolve(self, ask: Ask, query: dns.message.Message) -> Exchange:
        zone: str | None = "."
        while zone is not None:
            rcode, answer, authority, _glue, aa = self._lookup(zone, ask.qname, ask.rdtype, None)
            if aa:
                break
            child = authority[0].name.to_text()
            working = [a for a, s in self.servers.items() if child in s.zones and s.mode in ("ok", "formerr_on_edns")]
            if not working:
                if all(s.mode == "silent" for s in self.servers.values() if child in s.zones):
                    return Exchange(ask, Outcome.TIMEOUT, ms=1000.0, error="no answer within 1.0 s over UDP")
                return self._reply(ask, query, dns.rcode.SERVFAIL)
            zone = child
        if zone is None:
            return self._reply(ask, query, dns.rcode.NXDOMAIN)
        exchange = self._reply(ask, query, rcode)
        assert exchange.message is not None
        exchange.message.flags |= dns.flags.RA
        exchange.message.answer = answer
        exchange.message.authority = authority
        return exchange

    # -------------------------------------------------------------------------------------------- driving

    def run(
        self,
        name: str,
        rdtype: str = "A",
        resolvers: tuple[str, ...] | None = None,
        *,
        allow_private: bool = True,
        budget: int = 60,
        security: bool = True,
    ) -> ProbeResult:
        """Drive a real Planner to completion against this world (breadth-first, like the parallel probe)."""
        self._check_name = dns.name.from_text(name).to_text()
        chosen = resolvers or tuple(self.resolvers)
        planner = Planner(name, rdtype, [(a, a) for a in chosen], allow_private=allow_private, security=security)
        queue: deque[Ask] = deque(planner.start())
        exchanges: list[Exchange] = []
        while queue:
            ask = queue.popleft()
            if len(exchanges) >= budget:
                exchange = Exchange(ask, Outcome.SKIPPED, error=f"not sent: the budget of {budget} queries was used up")
            else:
                exchange = self.answer(ask)
            exchanges.append(exchange)
            queue.extend(planner.feed(exchange))
        return planner.result(exchanges, now=NOW, elapsed_ms=10.0, budget=budget, deadline_hit=False)


def example_world() -> World:
    """A root, `test.` and a healthy `example.test.` on two servers, with two working resolvers."""
    world = World()
    world.zone(
        ".",
        {
            (".", "NS"): ["a.root."],
            ("a.root.", "A"): ["20.0.0.1"],
            ("test.", "NS"): ["ns.nic.test."],
            ("ns.nic.test.", "A"): ["20.0.0.2"],
        },
    )
    world.zone(
        "test.",
        {
            ("test.", "NS"): ["ns.nic.test."],
            ("ns.nic.test.", "A"): ["20.0.0.2"],
            ("example.test.", "NS"): ["ns1.example.test.", "ns2.example.test."],
            ("ns1.example.test.", "A"): ["20.0.1.1"],
            ("ns2.example.test.", "A"): ["20.0.1.2"],
        },
    )
    world.zone(
        "example.test.",
        {
            ("example.test.", "NS"): ["ns1.example.test.", "ns2.example.test."],
            ("ns1.example.test.", "A"): ["20.0.1.1"],
            ("ns2.example.test.", "A"): ["20.0.1.2"],
            ("www.example.test.", "A"): ["192.0.2.10"],
            ("www.example.test.", "TXT"): ['"<!channel> hello <@U123> & bye"'],
        },
    )
    world.server("20.0.0.1", ".")
    world.server("20.0.0.2", "test.")
    world.server("20.0.1.1", "example.test.")
    world.server("20.0.1.2", "example.test.")
    world.resolver("20.0.53.1")
    world.resolver("20.0.53.2")
    return world
