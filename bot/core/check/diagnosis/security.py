"""The security family: what a server of the zone gives away to anyone who asks. A resolver open to the world
(`open_recursion`) and a zone handed out by AXFR (`zone_transfer_open`). Neither makes a name fail, so both are
advisory: they stand beside an `ok` verdict, marked as not the cause."""

from __future__ import annotations

import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype

from bot.core.check.diagnosis.facts import Facts
from bot.core.check.diagnosis.table import Finding
from bot.core.check.observations import Exchange, Purpose
from bot.core.check.plan import RECURSION_QUESTION


def findings(f: Facts) -> list[Finding]:
    """The security findings."""
    out: list[Finding] = []
    # The bot's own resolvers recurse for the bot by design (a split-horizon server that is both the office
    # resolver and authoritative for an internal zone): that says nothing about anyone else.
    own = {address for _, address in f.r.resolvers}
    recursion = [
        _recursion_line(e) for e in f.r.by_purpose(Purpose.AUTH_RECURSION) if resolves(e) and e.ask.server not in own
    ]
    if recursion:
        out.append(Finding("open_recursion", None, tuple(recursion), advisory=True))
    # Root servers hand out the root zone, and some of them arpa. and root-servers.net., by AXFR on purpose
    # (RFC 8806, and the root operators' published transfer service): not a leak.
    transfers = [
        _axfr_line(e)
        for e in f.r.by_purpose(Purpose.AUTH_AXFR)
        if transfers_zone(e) and e.ask.qname.lower() not in PUBLIC_TRANSFERS
    ]
    if transfers:
        out.append(Finding("zone_transfer_open", None, tuple(transfers), advisory=True))
    return out


PUBLIC_TRANSFERS = frozenset({".", "arpa.", "root-servers.net."})


def resolves(e: Exchange) -> bool:
    """The server recursed for us: NOERROR, RA, not authoritative, and the data asked for (the root's SOA)."""
    qname, rdtype = RECURSION_QUESTION
    if not e.answered or e.message is None or e.rcode != dns.rcode.NOERROR or e.aa:
        return False
    return bool(e.message.flags & dns.flags.RA) and e.rrset("answer", qname, rdtype) is not None


def transfers_zone(e: Exchange) -> bool:
    """The server started a zone transfer: NOERROR and the zone's SOA opening the answer."""
    if not e.answered or e.message is None or e.rcode != dns.rcode.NOERROR or not e.message.answer:
        return False
    first = e.message.answer[0]
    return first.rdtype == dns.rdatatype.SOA and first.name == dns.name.from_text(e.ask.qname)  # case-insensitive


def _recursion_line(e: Exchange) -> str:
    serial = e.serial
    return (
        f"{e.who()} answered `{RECURSION_QUESTION[0]} {RECURSION_QUESTION[1]}` with RD set: NOERROR with RA, not "
        f"authoritative, and the root's SOA{f' (serial {serial})' if serial is not None else ''}: it resolved a "
        "name outside its zones for this bot"
    )


def _axfr_line(e: Exchange) -> str:
    assert e.message is not None
    count = sum(len(rrset) for rrset in e.message.answer)
    owners = len({rrset.name for rrset in e.message.answer})
    return (
        f"{e.who()} answered AXFR {e.ask.qname} over TCP: NOERROR, the transfer began ({count} records, {owners} "
        "names in its first message)"
    )
