"""The aliases family: a name that is a CNAME (or a chain of them) whose last target does not exist
(`dangling_cname`): the record left behind when a cloud resource was deleted. A target that exists without the
type asked (NODATA) is an ordinary answer, not a dangling alias."""

from __future__ import annotations

import dns.name
import dns.rcode
import dns.rdatatype

from bot.core.check.diagnosis.facts import Facts
from bot.core.check.diagnosis.server import chain, status
from bot.core.check.diagnosis.table import Finding
from bot.core.check.observations import Exchange, Purpose


def findings(f: Facts) -> list[Finding]:
    """`dangling_cname` when an answer's CNAME chain ends without data (the resolvers' answers first, then the
    zone's own servers' NXDOMAIN, which shows the chain when no resolver answered)."""
    sources = [f.checks[a] for _, a in f.r.resolvers if a in f.checks]
    # An authoritative server does not chase a CNAME out of its zone, so its NOERROR with only the CNAME is the
    # normal answer; its NXDOMAIN (RFC 6604: the chain's last name does not exist in the zone) is a fact.
    sources += [e for e in f.r.by_purpose(Purpose.AUTH_ANSWER) if e.rcode == dns.rcode.NXDOMAIN]
    # A zone server's NXDOMAIN explains nothing while a resolver has the data (a lagging secondary: the answers
    # differ, which `inconsistent_answers` says).
    resolved = "answer" in f.statuses.values()
    for e in sources:
        line = dangling(e)
        if line is not None:
            explains = e.ask.purpose is not Purpose.AUTH_ANSWER or not resolved
            return [Finding("dangling_cname", None, (line,), explains=explains)]
    return []


def dangling(e: Exchange) -> str | None:
    """Evidence when this answer's chain ends at a name without data, naming the link that breaks; else None."""
    if not e.answered or e.message is None or e.ask.rdtype in ("CNAME", "ANY"):
        return None
    kind = status(e)
    if kind != "nxdomain" and e.rcode != dns.rcode.NXDOMAIN:
        # NODATA: the last target exists, only not with this type (a CDN host without AAAA, a name without MX).
        # Nobody can claim an existing name, and deleting the CNAME would break the types it does have.
        return None
    links = chain(e)
    if not links:
        return None
    last_owner, last_target = links[-1]
    target = dns.name.from_text(last_target)
    if any(r.name == target and r.rdtype == dns.rdatatype.from_text(e.ask.rdtype) for r in e.message.answer):
        return None
    path = " → ".join([links[0][0], *(t for _, t in links)])
    what = "which does not exist (NXDOMAIN)"
    who = f"resolver {e.ask.server}" if e.ask.purpose is not Purpose.AUTH_ANSWER else e.who()
    link = f"link {len(links)} of {len(links)}" if len(links) > 1 else "its only link"
    return (
        f"{who} answered {e.rcode_text} for {e.ask.qname} {e.ask.rdtype} through the chain {path}: it breaks at "
        f"{link}, {last_owner} CNAME {last_target}, {what}"
    )
