"""The consistency family: do the zone's servers agree with each other, on the SOA serial (`serial_mismatch`) and
on the answer to the question asked, and do the resolvers agree (`inconsistent_answers`)."""

from __future__ import annotations

from bot.core.check.diagnosis.facts import ANSWERS, Facts
from bot.core.check.diagnosis.server import Server, data, status
from bot.core.check.diagnosis.table import Finding
from bot.core.check.observations import Purpose


def findings(f: Facts) -> list[Finding]:
    """The consistency findings."""
    out: list[Finding] = []
    serials = _serials(f.healthy)
    if serials:
        out.append(Finding("serial_mismatch", None, tuple(serials)))
    answers = _answers(f)
    if answers:
        out.append(Finding("inconsistent_answers", None, tuple(answers)))
    return out


def _serials(healthy: list[Server]) -> list[str]:
    if len({s.serial for s in healthy if s.serial is not None}) <= 1:
        return []
    return [
        f"{s.who} answered SOA serial {s.serial}"
        for s in sorted(healthy, key=lambda x: (x.serial or 0, x.address))
        if s.serial is not None
    ]


def _answers(f: Facts) -> list[str]:
    name, rdtype = f.r.name, f.r.rdtype
    groups: dict[tuple[str, tuple[str, ...]], list[Server]] = {}
    for s in f.healthy:
        e = s.found.get(Purpose.AUTH_ANSWER)
        if e is None or not e.answered or not e.aa:
            continue
        groups.setdefault((e.rcode_text, data(e, name, rdtype)), []).append(s)
    ev: list[str] = []
    if len(groups) > 1:
        for (rcode, rows), members in sorted(groups.items()):
            what = ", ".join(rows) if rows else ("no records" if rcode == "NOERROR" else rcode)
            ev += [
                f"{m.who} answered {name} {rdtype}: {rcode} {what}" if rows else f"{m.who} answered {name} {rdtype}: {what}"
                for m in members
            ]
    kinds = {a: status(e) for a, e in f.checks.items() if status(e) in ANSWERS}
    if len(set(kinds.values())) > 1:
        ev += [f.resolver_line(f.checks[a], None) for a in kinds]
    return ev
