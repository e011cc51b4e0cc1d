"""The full report (`/dnscheck NAME report`): every check the probe ran, passed, warned or failed, with evidence.

Zonemaster's test plan is the anchor (delegation, nameservers, consistency, DNSSEC, address diversity), answered
from the one probe the check already made: no check here sends a query of its own. Each check owns some cause
ids; it fails when one of them explains the failure or affects resolution, warns when one of them is advisory
(or, for address diversity, which has no cause), and passes with the evidence that it passed: a report that
says only "passed" is not worth reading. A check the probe could not make (no server answered, the budget ran
out, an unsigned zone has no DNSSEC) says so as `not checked`, never as passed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dns.name
import dns.rcode
import dns.rdatatype

from bot.core.check.diagnosis.dnssec import parent_ds
from bot.core.check.diagnosis.facts import Facts
from bot.core.check.diagnosis.model import Cause, Check
from bot.core.check.diagnosis.server import chain, transport
from bot.core.check.observations import DEADLINE_ERROR, Exchange, Outcome, Purpose

Passed = Callable[[Facts], tuple[str, list[str]]]  # (status when no cause is found, evidence)


@dataclass(frozen=True, slots=True)
class _Spec:
    id: str
    title: str
    causes: tuple[str, ...]
    passed: Passed
    details: tuple[str, ...] = ()  # the dnssec_bogus details this check owns (it owns none of them without)


def build(f: Facts, causes: Sequence[Cause]) -> tuple[Check, ...]:
    """The report, in Zonemaster's order: delegation, servers, consistency, DNSSEC, security, resolvers."""
    out: list[Check] = []
    cut = _cut_short(f)
    for spec in SPECS:
        mine = [c for c in causes if c.id in spec.causes and (c.id != "dnssec_bogus" or c.detail in spec.details)]
        if mine:
            hard = spec.id in HARD and any(not c.advisory for c in mine)
            status = "failed" if hard or any(c.explains for c in mine) else "warned"
            evidence = [line for c in mine for line in c.evidence]
            ids = tuple(dict.fromkeys(c.id + (f":{c.detail}" if c.detail else "") for c in mine))
            fix = tuple(dict.fromkeys(step for c in mine for step in c.fix))
            out.append(Check(spec.id, spec.title, status, tuple(dict.fromkeys(evidence)), ids, fix))
            continue
        status, evidence = spec.passed(f)
        if status == "not checked" and cut:
            evidence = [*evidence, cut]
        out.append(Check(spec.id, spec.title, status, tuple(dict.fromkeys(evidence))))
    return tuple(out)


def _cut_short(f: Facts) -> str:
    """Why some questions were never asked, when the check was cut short (budget or deadline); else ''."""
    skipped = sum(1 for e in f.r.exchanges if e.outcome is Outcome.SKIPPED)
    reasons = []
    if skipped:
        reasons.append(f"{skipped} question(s) were not sent: the budget of {f.r.budget} queries ran out")
    if f.r.deadline_hit:
        reasons.append("the check's deadline passed")
    return f"the check stopped early ({'; '.join(reasons)})" if reasons else ""


# Checks that fail even while the name still resolves (a lame server, a broken chain of trust): for the others a
# cause that does not explain a failure is a warning (one silent server of three, a lagging serial, signatures
# that still have a day, an open resolver).
HARD = frozenset({"delegation", "dnssec_chain"})


# ------------------------------------------------------------------------------------------------ passing evidence


def _zone(f: Facts) -> str:
    return f.r.zone or "the zone"


def _delegation(f: Facts) -> tuple[str, list[str]]:
    parent = sorted(ns.name for ns in f.r.nameservers if ns.at_parent)
    if not parent:
        return "not checked", ["no referral from the parent was seen (none of its servers answered, or none was asked)"]
    ok = [s.who for s in f.healthy]
    return "passed", [
        f"the parent {f.r.parent or ''} delegates {_zone(f)} to {', '.join(parent)}",
        f"{', '.join(ok)} answered SOA {_zone(f)} with AA" if ok else "no server was asked directly",
    ]


def _glue(f: Facts) -> tuple[str, list[str]]:
    zone = dns.name.from_text(f.r.zone) if f.r.zone else None
    if zone is None or not any(ns.at_parent for ns in f.r.nameservers):
        return "not checked", ["no referral from the parent was seen, so neither was its glue"]
    inside = [ns for ns in f.r.nameservers if ns.at_parent and dns.name.from_text(ns.name).is_subdomain(zone)]
    if not inside:
        return "passed", [f"no nameserver is inside {_zone(f)}: the delegation needs no glue"]
    return "passed", [f"glue for {ns.name}: {', '.join(ns.glue)}, the addresses it resolves to" for ns in inside]


def _ns_sets(f: Facts) -> tuple[str, list[str]]:
    parent = sorted(ns.name for ns in f.r.nameservers if ns.at_parent)
    child = sorted(ns.name for ns in f.r.nameservers if ns.at_child)
    if not parent or not child:
        return "not checked", ["the parent's or the zone's NS set could not be read"]
    return "passed", [f"the parent and the zone both list {', '.join(child)}"]


def _unasked(f: Facts, purpose: Purpose) -> list[str]:
    """The zone's addresses whose question was never sent (the budget) or cut short (the deadline)."""
    return [
        f"{e.who()} was not tested: {e.error or e.outcome}"
        for e in f.r.by_purpose(purpose)
        if e.outcome is Outcome.SKIPPED or (not e.answered and e.error.startswith(DEADLINE_ERROR))
    ]


def _udp(f: Facts) -> tuple[str, list[str]]:
    if not f.servers:
        return "not checked", ["no nameserver address was asked (none found, or private addresses not allowed)"]
    unasked = _unasked(f, Purpose.AUTH_SOA)
    return ("not checked" if unasked else "passed"), [_answered(s.who, s.soa) for s in f.servers] + unasked


def _tcp(f: Facts) -> tuple[str, list[str]]:
    tried = [(s.who, s.found.get(Purpose.AUTH_SOA_TCP)) for s in f.servers]
    tried = [(who, e) for who, e in tried if e is not None and e.outcome is not Outcome.SKIPPED]
    if not tried:
        return "not checked", ["no nameserver was asked over TCP"]
    unasked = _unasked(f, Purpose.AUTH_SOA_TCP)
    lines = [_answered(who, e) for who, e in tried if not (e is not None and e.error.startswith(DEADLINE_ERROR))]
    return ("not checked" if unasked else "passed"), lines + unasked


def _answered(who: str, e: Exchange | None) -> str:
    if e is None:
        return f"{who} was not asked"
    if not e.answered:
        return f"{who}: {e.error or e.outcome} ({transport(e)})"
    return f"{who} answered SOA {e.ask.qname} over {transport(e)} ({e.rcode_text}, {e.ms:.0f} ms)"


def _edns(f: Facts) -> tuple[str, list[str]]:
    known = [s for s in f.servers if s.edns != "unknown"]
    if not known:
        return "not checked", ["no nameserver answered, so EDNS could not be tested"]
    return "passed", [
        f"{s.who} answers queries with EDNS ({'OPT in the reply' if s.edns == 'ok' else s.edns})" for s in known
    ]


def _serials(f: Facts) -> tuple[str, list[str]]:
    serials = sorted({s.serial for s in f.healthy if s.serial is not None})
    if not serials:
        return "not checked", ["no server answered SOA with AA"]
    return "passed", [f"{len(f.healthy)} server(s) serve SOA serial {serials[0]}"]


def _answers(f: Facts) -> tuple[str, list[str]]:
    asked = [s for s in f.healthy if (e := s.found.get(Purpose.AUTH_ANSWER)) is not None and e.answered and e.aa]
    if not asked:
        return "not checked", [f"no server answered {f.r.name} {f.r.rdtype} with AA"]
    return "passed", [f"{', '.join(s.who for s in asked)} give the same answer to {f.r.name} {f.r.rdtype}"]


def _signed(f: Facts) -> tuple[bool | None, str]:
    """(True: a DS at the parent, False: none, None: unknown), and the evidence."""
    zone = f.r.zone
    if zone is None:
        return None, "the zone was not found"
    parent = parent_ds(f.r)
    if parent.signed is False and parent.denial is not None:
        who = parent.denial.who()
        return False, f"{who} publishes no DS for {zone}: the zone is not signed, or not linked to its parent"
    if parent.signed and parent.ds is not None and parent.source is not None:
        tags = ", ".join(str(d.key_tag) for d in parent.ds)
        return True, f"{parent.source.who()} publishes DS for {zone} (key tag {tags})"
    return None, "the parent's DS could not be read"


def _chain(f: Facts) -> tuple[str, list[str]]:
    signed, line = _signed(f)
    if signed is None:
        return "not checked", [line]
    if not signed:
        return "passed", [line + " (nothing to validate)"]
    validated = [f.resolver_label(a) for a, e in f.checks.items() if e.ad]
    return "passed", [
        line,
        "the DS matches a DNSKEY, and the signatures served verify (their validity windows: the next check)",
        *([f"validated (AD) by {', '.join(validated)}"] if validated else []),
    ]


def _unsigned(line: str, what: str) -> tuple[str, list[str]]:
    return "passed", [f"{line}: no {what} to check"]


def _windows(f: Facts) -> tuple[str, list[str]]:
    signed, line = _signed(f)
    if signed is False:
        return _unsigned(line, "signatures")
    if signed is None:
        return "not checked", [line]
    sigs = [
        (s.expiration, e.who())
        for e in f.r.by_purpose(Purpose.AUTH_SOA, Purpose.AUTH_DNSKEY, Purpose.AUTH_ANSWER)
        if e.answered and e.message is not None
        for rrset in e.message.answer
        if rrset.rdtype == dns.rdatatype.RRSIG
        for s in rrset
    ]
    if not sigs:
        return "not checked", ["no signature was served"]
    soonest, who = min(sigs)
    days = (soonest - f.r.now) / 86400
    if soonest < f.r.now:
        # Possible without the signature_expired detail: dnssec_bogus names only the first broken part.
        return "failed", [f"a signature served by {who} expired {-days:.1f} days ago"]
    return "passed", [
        f"the first signature to expire ({who}) has {days:.1f} days left (warning window {f.signature_window / 86400:g} days)"
    ]


def _nsec3(f: Facts) -> tuple[str, list[str]]:
    asked = [e for e in f.r.by_purpose(Purpose.AUTH_NSEC3PARAM) if e.answered]
    if not asked:
        signed, line = _signed(f)
        return _unsigned(line, "NSEC3") if signed is False else ("not checked", ["no server that serves DNSKEYs was asked"])
    for e in asked:
        rrset = e.rrset("answer", f.r.zone or ".", "NSEC3PARAM")
        if rrset is not None:
            p = next(iter(rrset))
            return "passed", [f"{e.who()}: NSEC3 with {p.iterations} extra iterations and no salt (RFC 9276)"]
    return "passed", [f"{asked[0].who()} publishes no NSEC3PARAM: the zone uses NSEC"]


def _cds(f: Facts) -> tuple[str, list[str]]:
    asked = [e for e in f.r.by_purpose(Purpose.AUTH_CDS, Purpose.AUTH_CDNSKEY) if e.answered]
    if not asked:
        signed, line = _signed(f)
        return (
            _unsigned(line, "CDS/CDNSKEY")
            if signed is False
            else ("not checked", ["no server that serves DNSKEYs was asked"])
        )
    published = [e for e in asked if e.message is not None and e.message.answer]
    if not published:
        return "passed", [f"{asked[0].who()} publishes no CDS or CDNSKEY: nothing asks the parent to change the DS"]
    signed, line = _signed(f)
    if signed is None:
        return "not checked", [f"{line}; its CDS/CDNSKEY were not compared"]
    if signed is False:  # compared all the same: a parent that bootstraps from CDS (RFC 9615) would act on them
        return "passed", [
            f"{e.who()}'s {e.ask.rdtype} matches the zone's DNSKEYs ({line}: only a parent that bootstraps "
            "DNSSEC from CDS, RFC 9615, would act on it)"
            for e in published
        ]
    deletes = [e for e in published if _delete_request(e)]
    if deletes:
        # RFC 8078: `CDS 0 0 0 00` / `CDNSKEY 0 3 0 AA==` ask the parent to remove the DS (the zone goes insecure).
        return "warned", [
            f"{e.who()} publishes a {e.ask.rdtype} delete request (RFC 8078): a parent that acts on it removes the DS "
            f"and the zone becomes insecure ({line})"
            for e in deletes
        ]
    return "passed", [f"{e.who()}'s {e.ask.rdtype} matches the zone's DNSKEYs" for e in published]


def _delete_request(e: Exchange) -> bool:
    rrset = e.rrset("answer", e.ask.qname, e.ask.rdtype)
    return rrset is not None and len(rrset) > 0 and all(r.algorithm == 0 for r in rrset)


def _recursion(f: Facts) -> tuple[str, list[str]]:
    return _refusals(f, Purpose.AUTH_RECURSION, "does not resolve for others")


def _axfr(f: Facts) -> tuple[str, list[str]]:
    return _refusals(f, Purpose.AUTH_AXFR, "refuses AXFR")


OFF = "the operator turned these questions off (RCODEBOT_SECURITY_CHECKS=false)"


def _refusals(f: Facts, purpose: Purpose, said: str) -> tuple[str, list[str]]:
    """Passed when every server that answered refused; a server that did not answer was not tested at all, and
    beyond the first three that serve the zone none is asked (the evidence says how many were left)."""
    if not f.r.security:
        return "not checked", [OFF]
    asked = [e for e in f.r.by_purpose(purpose) if e.outcome is not Outcome.SKIPPED]
    answered = [e for e in asked if e.answered]
    lines = [f"{e.who()} {said} ({e.rcode_text})" for e in answered]
    lines += [f"{e.who()} was not tested: {e.error or e.outcome}" for e in asked if not e.answered]
    left = len({s.address for s in f.healthy} - {e.ask.server for e in asked})
    if left:
        lines.append(f"{left} more server address(es) of {_zone(f)} were not asked (only the first three are)")
    if not answered:
        return "not checked", lines or [f"no server that serves {_zone(f)} was asked (the first three that answer are)"]
    return "passed", lines


def _diversity(f: Facts) -> tuple[str, list[str]]:
    """Zonemaster CONNECTIVITY04: nameservers in one /24 (IPv4) or /48 (IPv6) share one network's fate."""
    addresses = sorted({a for ns in f.r.nameservers for a in ns.addresses})
    if not addresses:
        return "not checked", ["no nameserver address is known"]
    if len(addresses) == 1:
        return "warned", [f"the zone has a single nameserver address ({addresses[0]}): one failure takes it offline"]
    problems: list[str] = []
    for version, length in ((4, 24), (6, 48)):
        family = [ipaddress.ip_address(a) for a in addresses if ipaddress.ip_address(a).version == version]
        if len(family) > 1:
            prefixes = {ipaddress.ip_network(f"{a}/{length}", strict=False) for a in family}
            if len(prefixes) == 1:
                problems.append(
                    f"every IPv{version} nameserver address ({', '.join(map(str, family))}) is in {next(iter(prefixes))}"
                )
    if problems:
        return "warned", problems
    return "passed", [f"{len(addresses)} nameserver addresses in more than one /24 (IPv4) or /48 (IPv6)"]


def _resolvers(f: Facts) -> tuple[str, list[str]]:
    return "passed", [f.resolver_line(e, f.cds.get(a)) for a, e in f.checks.items()]


def _alias(f: Facts) -> tuple[str, list[str]]:
    for _, address in f.r.resolvers:
        e = f.checks.get(address)
        links = chain(e) if e is not None else []
        if links:
            path = " → ".join([links[0][0], *(t for _, t in links)])
            return "passed", [f"{path}: the chain ends at a name with the data ({f.resolver_label(address)})"]
    return "passed", [f"{f.r.name} is not an alias (no CNAME in the resolvers' answers)"]


SPECS: tuple[_Spec, ...] = (
    _Spec("delegation", "Delegation: the parent points at servers that serve the zone", ("lame_delegation",), _delegation),
    _Spec("glue", "Glue for nameservers inside the zone", ("missing_glue",), _glue),
    _Spec("ns_sets", "The parent's and the zone's NS sets agree", ("delegation_mismatch",), _ns_sets),
    _Spec("servers_udp", "Every nameserver answers over UDP", ("ns_unreachable", "not_implemented"), _udp),
    _Spec("servers_tcp", "Every nameserver answers over TCP", ("tcp_broken",), _tcp),
    _Spec("edns", "Every nameserver handles EDNS", ("edns_broken",), _edns),
    _Spec("soa_serials", "SOA serials agree", ("serial_mismatch",), _serials),
    _Spec("answers", "The nameservers give the same answer", ("inconsistent_answers",), _answers),
    _Spec(
        "dnssec_chain",
        "DNSSEC chain of trust (DS -> DNSKEY -> RRSIG)",
        ("dnssec_bogus",),
        _chain,
        ("dnskey_missing", "ds_mismatch", "rrsig_missing", "unsupported_algorithm", "other"),
    ),
    _Spec(
        "signature_windows",
        "DNSSEC signature validity windows",
        ("dnssec_bogus", "signature_expiring"),
        _windows,
        ("signature_expired", "signature_not_yet_valid"),
    ),
    _Spec("nsec3", "NSEC3 parameters (RFC 9276)", ("nsec3_iterations",), _nsec3),
    _Spec("cds", "CDS/CDNSKEY match the zone's keys", ("cds_mismatch",), _cds),
    _Spec("recursion", "No nameserver is an open resolver", ("open_recursion",), _recursion),
    _Spec("axfr", "No nameserver hands out the zone (AXFR)", ("zone_transfer_open",), _axfr),
    _Spec("diversity", "Nameserver addresses in more than one network", (), _diversity),
    _Spec(
        "resolvers",
        "The resolvers answer",
        ("resolver_refused", "resolver_unreachable", "resolver_failure"),
        _resolvers,
    ),
    _Spec("alias", "Aliases lead to data", ("dangling_cname",), _alias),
)
CHECKS = tuple(spec.id for spec in SPECS)
