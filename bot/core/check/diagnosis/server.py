"""One nameserver address of the zone and what it answered when asked directly (RD=0), and the small readers of
exchanges every family shares (`status`, `records`, `data`, `chain`, `transport`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

from bot.core.check.diagnosis.model import ServerView
from bot.core.check.observations import DEADLINE_ERROR, Exchange, Outcome, Purpose
from bot.core.nxname import compact_denial

# A TCP query costs the handshake and the query, two round trips, plus the server's accept: a TCP timeout shorter
# than this many UDP round trips of the same server is no evidence that its TCP is broken.
TCP_ROUND_TRIPS = 3


@dataclass(slots=True)
class Server:
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
    def tcp_failure(self) -> Exchange | None:
        """The TCP query, when the server answered the same question over UDP (with EDNS) and TCP got no DNS reply:
        closed, silent or junk. None when TCP works, was not tried, or UDP failed too (then it is unreachable)."""
        udp, tcp = self.soa, self.found.get(Purpose.AUTH_SOA_TCP)
        if udp is None or tcp is None or not udp.answered or tcp.answered:
            return None
        if tcp.outcome in (Outcome.SKIPPED, Outcome.NO_ROUTE) or tcp.error.startswith(DEADLINE_ERROR):
            return None
        if tcp.outcome is Outcome.TIMEOUT and tcp.ms < TCP_ROUND_TRIPS * udp.ms:
            return None  # TCP needs a handshake and the query: a far server cannot answer in this wait
        return tcp

    @property
    def evidence_tcp(self) -> str:
        udp, tcp = self.soa, self.tcp_failure
        said = udp.rcode_text if udp is not None else "?"
        why = (tcp.error or str(tcp.outcome)) if tcp is not None else "?"
        return f"{self.who} answered SOA {self.zone} over UDP ({said}) but not over TCP ({why})"

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
            how = "; ".join(f"{transport(e)}: {e.error or e.outcome}" for e in tried)
            return f"{self.who} never answered SOA {self.zone} ({how})"
        ede = "".join(
            f", {self.ede_labels.get(code, f'EDE {code}')}" + (f" “{text}”" if text else "") for code, text in best.ede
        )
        if self.tcp_only:
            udp = [e for e in self.found.values() if e.ask.purpose in (Purpose.AUTH_SOA, Purpose.AUTH_SOA_PLAIN)]
            how = "; ".join(f"{transport(e)}: {e.error or e.outcome}" for e in udp)
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
            answer=records(answer, "answer") if answer is not None else (),
        )


def status(e: Exchange | None) -> str:
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
        return "answer" if _has_data(e.message, e.ask.rdtype) else "nodata"
    kinds = {
        int(dns.rcode.NXDOMAIN): "nxdomain",
        int(dns.rcode.SERVFAIL): "servfail",
        int(dns.rcode.REFUSED): "refused",
        int(dns.rcode.NOTIMP): "notimp",
    }
    return kinds.get(int(code or 0), "other")


_ALIASES = frozenset({dns.rdatatype.CNAME, dns.rdatatype.DNAME, dns.rdatatype.RRSIG})


def _has_data(message: dns.message.Message, rdtype: str) -> bool:
    """The answer holds data, not only the CNAME/DNAME chain towards it: a chain whose end has no record of the
    type asked is NODATA, as resolvers mean it (RFC 2308 §2.2), though the answer section is not empty."""
    if not message.answer:
        return False
    try:
        asked = dns.rdatatype.from_text(rdtype)
    except (dns.rdatatype.UnknownRdatatype, ValueError):
        return True
    if asked in _ALIASES or asked == dns.rdatatype.ANY:
        return True
    return any(rrset.rdtype not in _ALIASES for rrset in message.answer)


def records(e: Exchange | None, section: str) -> tuple[str, ...]:
    """Records of a section as text, without RRSIGs, each line `name TTL class type rdata`."""
    if e is None or e.message is None:
        return ()
    lines: list[str] = []
    for rrset in getattr(e.message, section):
        if rrset.rdtype == dns.rdatatype.RRSIG:
            continue
        lines.extend(line for line in rrset.to_text().splitlines())
    return tuple(lines)


def data(e: Exchange, name: str, rdtype: str) -> tuple[str, ...]:
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


MAX_LINKS = 16  # a longer chain is a loop or abuse; resolvers stop well before (BIND: 17, Unbound: 11)


def chain(e: Exchange) -> list[tuple[str, str]]:
    """The CNAME links of an answer from the question's name: [(owner, target), …], in order, loops cut."""
    if e.message is None:
        return []
    cnames = {rrset.name: rrset for rrset in e.message.answer if rrset.rdtype == dns.rdatatype.CNAME and len(rrset)}
    current = dns.name.from_text(e.ask.qname)
    links: list[tuple[str, str]] = []
    seen = {current}
    while current in cnames and len(links) < MAX_LINKS:
        target = next(iter(cnames[current])).target
        links.append((current.to_text(), target.to_text()))
        if target in seen:
            break
        seen.add(target)
        current = target
    return links


def transport(e: Exchange) -> str:
    if e.ask.tcp:
        return "TCP"
    return "UDP" if e.ask.edns >= 0 else "UDP without EDNS"
