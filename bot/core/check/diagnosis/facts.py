"""What every family of checks reads: the probe's exchanges sorted by who said what, once per diagnosis.

The families (delegation, servers, dnssec, consistency, resolvers, security) each turn these facts into findings;
the facts are computed here once so that two families never classify the same reply differently.
"""

from __future__ import annotations

import dns.rcode

from bot.core.check.diagnosis.model import KnowledgeLike, ResolverView
from bot.core.check.diagnosis.server import Server, records, status
from bot.core.check.dnssec_checks import DEFAULT_SIGNATURE_WINDOW
from bot.core.check.observations import Exchange, Outcome, ProbeResult, Purpose

ANSWERS = ("answer", "nodata", "nxdomain")


class Facts:
    """The probe's result, read once: resolver statuses, the zone's servers and their states, and what failed.

    Attributes (beyond `r` and `kb`):
        checks, cds: the NAME/TYPE exchange (and its CD retry) of each resolver address.
        statuses: each resolver's reply classified (`status`).
        servers: the zone's nameserver addresses that were asked, sorted by name and address.
        name_failing: the resolvers fail for the name in a way the zone's servers could explain.
        server_explains: server-side trouble explains the failure (it fails, and CD does not cure it).
        signature_window: seconds before an RRSIG expires from which it is reported (`signature_expiring`).
    """

    def __init__(
        self, result: ProbeResult, kb: KnowledgeLike, *, signature_window: float = DEFAULT_SIGNATURE_WINDOW
    ) -> None:
        self.r = result
        self.kb = kb
        self.signature_window = signature_window
        self.notes: list[str] = []
        self.checks = {e.ask.server: e for e in result.by_purpose(Purpose.CHECK)}
        self.cds = {e.ask.server: e for e in result.by_purpose(Purpose.CHECK_CD)}
        self.statuses = {address: status(self.checks.get(address)) for _, address in result.resolvers}
        self.servers = self._servers()
        statuses = self.statuses
        self.answered_statuses = [s for s in statuses.values() if s in ANSWERS]
        self.servfail = [a for a, s in statuses.items() if s == "servfail"]
        self.silent = [a for a, s in statuses.items() if s in ("silent", "closed")]
        self.refused = [a for a, s in statuses.items() if s == "refused"]
        self.notimp = [a for a, s in statuses.items() if s == "notimp"]
        self.cd_works = [a for a in self.servfail if a in self.cds and status(self.cds[a]) in ANSWERS]

        self.healthy = [s for s in self.servers if s.state == "ok"]
        self.lame = [s for s in self.servers if s.state == "lame"]
        self.dead = [s for s in self.servers if s.state == "unreachable"]
        self.edns_bad = [s for s in self.servers if s.edns == "broken"]
        self.notimp_servers = [s for s in self.servers if s.rcode == "NOTIMP"]
        self.no_address = [ns for ns in result.nameservers if not ns.addresses and self.lookups_done(ns.name)]

        # Which server-side trouble could explain a resolver failure that CD does not cure.
        self.name_failing = bool(self.servfail) or (
            bool(self.silent) and not self.answered_statuses and self.resolvers_reachable(self.silent)
        )
        self.zone_broken = bool(self.servers) and not self.healthy
        self.server_explains = self.name_failing and not self.cd_works
        self.unreachable_resolvers = [a for a in self.silent if self.resolver_dead(a, self.checks.get(a))]

    # ------------------------------------------------------------------------------------------------ servers

    def _servers(self) -> list[Server]:
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
                Server(
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

    def lookups_done(self, nsname: str) -> bool:
        """Both address lookups of a nameserver name came back with a definite answer."""
        lookups = [e for e in self.r.by_purpose(Purpose.ADDRESS) if e.ask.qname == nsname]
        return len(lookups) >= 2 and all(e.answered and e.rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN) for e in lookups)

    def no_address_line(self, nsname: str) -> str:
        """Evidence for a nameserver name that has no address."""
        lookups = [e for e in self.r.by_purpose(Purpose.ADDRESS) if e.ask.qname == nsname]
        said = ", ".join(f"{e.ask.rdtype} {'NODATA' if e.rcode == dns.rcode.NOERROR else e.rcode_text}" for e in lookups)
        return f"{nsname} has no address: {said} (asked {lookups[0].ask.server if lookups else 'the resolver'})"

    # ------------------------------------------------------------------------------------------------ resolvers

    def resolver_dead(self, address: str, check: Exchange | None) -> bool:
        """A resolver that gave nothing: is that the resolver, or the zone it could not reach?

        It is the resolver when its port is closed, or when it answered nothing at all: not even `. NS` (asked after
        the timeout), which any working resolver answers from its cache.
        """
        if check is None:
            return False
        if check.outcome in (Outcome.PORT_CLOSED, Outcome.NO_ROUTE):
            return True
        return not any(e.answered for e in self.r.exchanges if e.ask.server == address)

    def resolvers_reachable(self, silent: list[str]) -> bool:
        """Any of these resolvers answered something (so their silence on the name is about the name)."""
        return any(e.answered for e in self.r.exchanges if e.ask.server in silent)

    def resolver_line(self, e: Exchange, cd: Exchange | None) -> str:
        """Evidence: what a resolver answered (rcode, RA, AD, EDEs in the knowledge file's words, the CD retry)."""
        label = self.resolver_label(e.ask.server)
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

    def resolver_label(self, address: str) -> str:
        """`192.0.2.53 (corp)` when the resolver has a label, else the address."""
        for label, addr in self.r.resolvers:
            if addr == address and label != address:
                return f"{address} ({label})"
        return address

    def resolver_view(self, label: str, address: str) -> ResolverView:
        """What one resolver said, for the report."""
        e, cd = self.checks.get(address), self.cds.get(address)
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
            answer=records(e, "answer"),
            error=e.error,
        )

    def answer_lines(self) -> tuple[str, ...]:
        """The answer records of the first resolver that answered with data."""
        for _, address in self.r.resolvers:
            e = self.checks.get(address)
            if e is not None and e.answered and e.rcode == dns.rcode.NOERROR and e.message is not None and e.message.answer:
                return records(e, "answer")
        return ()
