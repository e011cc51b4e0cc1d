"""The servers family: each of the zone's nameserver addresses, asked directly. Silent or without an address
(`ns_unreachable`), failing queries that carry EDNS (`edns_broken`), answering over UDP but not over TCP
(`tcp_broken`), answering NOTIMP (`not_implemented`)."""

from __future__ import annotations

from bot.core.check.diagnosis.facts import Facts
from bot.core.check.diagnosis.table import Finding
from bot.core.check.observations import Purpose


def findings(f: Facts) -> list[Finding]:
    """The servers' findings."""
    out: list[Finding] = []
    explains = f.server_explains and not f.healthy
    if f.dead or f.no_address:
        ev = [s.evidence for s in f.dead] + [f.no_address_line(ns.name) for ns in f.no_address]
        out.append(Finding("ns_unreachable", None, tuple(ev), explains=explains))
    if f.edns_bad:
        # Every server that answers breaks EDNS: that explains a plain failure, and also a DNSSEC one (without EDNS
        # there is no DO bit, so validators never get the RRSIGs and call the zone bogus).
        root = f.name_failing and not [s for s in f.healthy if s.edns != "broken"]
        out.append(Finding("edns_broken", None, tuple(s.evidence_edns for s in f.edns_bad), explains=root, leads=root))
    tcp = [s for s in f.servers if s.tcp_failure is not None]
    if tcp:
        # Only answers too large for UDP need TCP: it explains a failure when the answer came back truncated and
        # the retry over TCP failed, and no server that serves the zone does TCP.
        truncated = [e for e in f.r.by_purpose(Purpose.AUTH_ANSWER) if e.tc and e.transport == "udp+tcp" and e.error]
        explains_tcp = f.name_failing and bool(truncated) and all(s.tcp_failure is not None for s in f.healthy)
        ev = [s.evidence_tcp for s in tcp] + [
            f"{e.who()} answered {e.ask.qname} {e.ask.rdtype} truncated (TC), and {e.error}" for e in truncated
        ]
        out.append(Finding("tcp_broken", None, tuple(ev), explains=explains_tcp))
    if f.notimp_servers or f.notimp:
        ev = [f.resolver_line(f.checks[a], f.cds.get(a)) for a in f.notimp] + [s.evidence for s in f.notimp_servers]
        out.append(
            Finding(
                "not_implemented",
                None,
                tuple(ev),
                explains=(bool(f.notimp) and not f.answered_statuses) or explains,
            )
        )
    return out
