"""The one table of causes: every cause id, its family, its words, its knowledge reference, and its rank.

A family (`delegation`, `servers`, `dnssec`, `consistency`, `aliases`, `resolvers`, `security`) only says what it found, as
`Finding` values; this module turns them into `Cause` values (summary, fix steps and the knowledge entry, in
/rcode's voice) and ranks them: a cause that explains the failure the resolvers returned comes first, then the
table's order. Cause ids are a fixed vocabulary (`CAUSES`) that tools consume through the JSON: add, never rename.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.check import dnssec_checks
from bot.core.check.diagnosis.model import Cause, KnowledgeLike


@dataclass(frozen=True, slots=True)
class Finding:
    """What a family of checks found, before it is worded and ranked.

    Attributes:
        cause: a cause id of the table.
        detail: the sub-kind (dnssec_bogus: `signature_expired`, …), or None.
        evidence: what was seen, one line each (duplicates are dropped).
        explains: True when it explains the failure the resolvers returned.
        leads: rank it before every other explaining cause (an EDNS-broken zone also fails DNSSEC: EDNS is the root).
        fallback: keep it only when no other finding explains the failure ("SERVFAIL for a reason we cannot see").
        advisory: it does not affect resolution (an open resolver, an open zone transfer): it stands beside an `ok`
            verdict, marked as not the cause, instead of turning it into `degraded`.
    """

    cause: str
    detail: str | None
    evidence: tuple[str, ...]
    explains: bool = False
    leads: bool = False
    fallback: bool = False
    advisory: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """One cause of the table: id, family, label (a few words), summary, fix steps, knowledge reference."""

    id: str
    family: str
    label: str
    summary: str
    fix: tuple[str, ...]
    ref: tuple[str, int] | None  # ("ede", 22) or ("rcode", 2): the code a resolver returns for this failure


# In rank order: when several causes explain the same failure, the first one here is named first.
TABLE = (
    Row(
        "dnssec_bogus",
        "dnssec",
        "DNSSEC validation fails",
        "",  # the summary and fix depend on the detail: DNSSEC_TEXT
        (),
        None,
    ),
    Row(
        "missing_glue",
        "delegation",
        "glue missing or stale",
        "The parent delegates to nameservers inside the zone itself (in-bailiwick) without glue addresses, or with "
        "glue that differs from the addresses the zone serves for them: resolvers cannot find those servers at all "
        "(there is no other way to learn their addresses), or go to an old address.",
        (
            "At the registrar, register the nameserver host (glue) with its current addresses: the A/AAAA records the "
            "zone serves for it.",
            "Check with `dig @PARENT-SERVER ZONE NS +norec`: every in-zone nameserver needs an address in the "
            "ADDITIONAL section.",
        ),
        ("ede", 22),
    ),
    Row(
        "lame_delegation",
        "delegation",
        "lame delegation",
        "A nameserver the delegation points to does not serve the zone (it refuses, or answers without AA).",
        (
            "Fix the delegation: at the registrar, list only nameservers that serve the zone, or add the zone to the "
            "server that refuses it.",
            "Check each server directly: `dig @SERVER ZONE SOA +norec` must answer NOERROR with the aa flag.",
        ),
        ("ede", 22),
    ),
    Row(
        "ns_unreachable",
        "servers",
        "nameserver unreachable",
        "A nameserver of the zone does not answer at all (or has no address), so resolvers time out on it.",
        (
            "Check that the server is running and listening on port 53 over UDP and TCP, and that no firewall or ACL "
            "drops queries.",
            "If the server is gone for good, remove it from the NS records at the parent and in the zone.",
        ),
        ("ede", 22),
    ),
    Row(
        "edns_broken",
        "servers",
        "nameserver breaks on EDNS",
        "A nameserver fails queries that carry EDNS (FORMERR, BADVERS or silence), which every modern resolver sends.",
        (
            "Upgrade the server software, or fix the firewall/load balancer that drops or mangles EDNS (OPT) queries "
            "or large UDP answers.",
            "Test with `dig @SERVER ZONE SOA +norec +edns=0` and `+noedns`: both must answer.",
        ),
        ("rcode", 1),
    ),
    Row(
        "tcp_broken",
        "servers",
        "nameserver fails over TCP",
        "A nameserver answers over UDP but not over TCP. Answers too large for UDP (DNSSEC, many records) are "
        "truncated and retried over TCP, so they fail, and TCP is required of every server (RFC 7766, RFC 9210).",
        (
            "Allow TCP port 53 to the server through every firewall, load balancer and security group, and check that "
            "the server listens on TCP.",
            "Test with `dig @SERVER ZONE SOA +norec +tcp`: it must answer like the UDP query.",
        ),
        ("rcode", 2),
    ),
    Row(
        "not_implemented",
        "servers",
        "the server does not implement the query (NOTIMP)",
        "The server answered NOTIMP: it does not implement this kind of query.",
        (
            "Use a resolver or server that implements standard queries; NOTIMP to a plain QUERY means a broken or "
            "misconfigured server.",
        ),
        ("rcode", 4),
    ),
    Row(
        "resolver_refused",
        "resolvers",
        "the resolver refuses",
        "The resolver refuses to answer this client (an access-control list, or it is not a public resolver).",
        ("Ask a resolver this client is allowed to use, or allow this client in the resolver's access control.",),
        ("rcode", 5),
    ),
    Row(
        "resolver_unreachable",
        "resolvers",
        "the resolver is unreachable",
        "The resolver gives no usable answer: nothing comes back, its port is closed, or the reply is not valid DNS.",
        (
            "Check the resolver's address and that it is running; check firewalls between this bot and it.",
            "Meanwhile, use another resolver.",
        ),
        None,
    ),
    Row(
        "dangling_cname",
        "aliases",
        "the alias points at a name that does not resolve",
        "The name is an alias (CNAME) whose chain ends at a name that does not exist. The usual story: the record was left pointing at a cloud resource (a load balancer, a bucket, "
        "a CDN or app hostname) that was deleted. Anyone who can claim that target name can serve content for "
        "this name (subdomain takeover).",
        (
            "Delete the CNAME if the service is gone, or point it at the service's current hostname.",
            "Check the chain with `dig NAME TYPE`: each CNAME in the answer is one link, and the last target must "
            "have the records.",
        ),
        ("rcode", 3),
    ),
    Row(
        "serial_mismatch",
        "consistency",
        "nameservers serve different SOA serials",
        "The zone's nameservers serve different SOA serials: a secondary has not caught up with the primary, so "
        "resolvers see old or new data depending on which server they ask.",
        (
            "Check zone transfers (NOTIFY, AXFR/IXFR allowed from the primary, the secondary's logs).",
            "Compare `dig @SERVER ZONE SOA +norec` on every server until the serials agree.",
        ),
        None,
    ),
    Row(
        "inconsistent_answers",
        "consistency",
        "nameservers give different answers",
        "The zone's nameservers (or the resolvers) give different answers to the same question.",
        ("Make every nameserver serve the same zone data (check transfers and any per-server or geo configuration).",),
        None,
    ),
    Row(
        "delegation_mismatch",
        "delegation",
        "the parent and the zone list different nameservers",
        "The NS set the parent publishes differs from the NS set the zone itself publishes.",
        ("Make the NS records at the registrar (parent) and in the zone list the same servers.",),
        None,
    ),
    Row(
        "signature_expiring",
        "dnssec",
        "DNSSEC signatures expire soon",
        "The zone's signatures are valid now, but expire within the warning window and have not been renewed: "
        "if re-signing does not run before then, validating resolvers answer SERVFAIL for the whole zone.",
        (
            "Check the signer: that re-signing runs (cron job, inline-signing, the DNS host's automatic signing) and "
            "that every secondary has transferred the re-signed zone.",
            "Re-sign now if the job is stuck; watch the RRSIG expiration with `dig ZONE SOA +dnssec`.",
        ),
        ("ede", 7),
    ),
    Row(
        "cds_mismatch",
        "dnssec",
        "CDS/CDNSKEY do not match the zone's keys",
        "The zone publishes CDS or CDNSKEY records (RFC 7344, RFC 8078) that match none of its DNSKEYs, or that "
        "disagree with each other. A parent that polls them (many registries do) would publish a DS that matches "
        "no key, and every validating resolver would then answer SERVFAIL.",
        (
            "Publish CDS/CDNSKEY for the key that signs the DNSKEY set (the KSK), or remove them; in a key rollover, "
            "publish them only once the new key is in the DNSKEY set.",
            "Compare `dig ZONE CDS` and `dig ZONE CDNSKEY` with `dig ZONE DNSKEY` (key tags and digests).",
        ),
        ("ede", 9),
    ),
    Row(
        "nsec3_iterations",
        "dnssec",
        "NSEC3 parameters that validators distrust",
        "The zone's NSEC3 uses extra iterations or a salt, against RFC 9276 (0 iterations, no salt). Past about 50 "
        "iterations, validating resolvers treat the zone's denials (NXDOMAIN, NODATA) as insecure, unauthenticated, "
        "and some answer SERVFAIL with EDE 27 instead; below that, iterations only cost every resolver CPU and a "
        "salt adds nothing.",
        (
            "Re-sign with NSEC3 iterations 0 and no salt (`dnssec-policy` nsec3param iterations 0 optout no "
            "salt-length 0; Knot `nsec3-iterations: 0`, `nsec3-salt-length: 0`), or use NSEC.",
        ),
        ("ede", 27),
    ),
    Row(
        "resolver_failure",
        "resolvers",
        "the resolver fails (SERVFAIL) for a reason the probe cannot see",
        "The resolver answers SERVFAIL and nothing the probe could see explains it (the zone's servers answer and "
        "DNSSEC looks valid).",
        ("Try again in a minute (a cached failure expires), then compare other resolvers; check the resolver's logs.",),
        ("rcode", 2),
    ),
    Row(
        "open_recursion",
        "security",
        "a nameserver of the zone is an open resolver",
        "An authoritative server of the zone also resolves names it does not serve, for this bot and so most "
        "likely for anyone who can reach it (check from outside your network). Open resolvers are used to amplify "
        "denial-of-service attacks, and a resolver that shares a process with an authoritative server can be "
        "poisoned or confused between the two roles. This is not why the name fails; it is a risk.",
        (
            "Turn recursion off on authoritative servers (BIND `recursion no;`), or restrict it to your own networks "
            "(`allow-recursion`, Unbound `access-control`).",
            "Check with `dig @SERVER . SOA`: an authoritative server answers REFUSED (or with a referral), not with "
            "`ra` and the root's SOA.",
        ),
        ("rcode", 5),
    ),
    Row(
        "zone_transfer_open",
        "security",
        "a nameserver hands the whole zone to anyone (AXFR)",
        "A server of the zone answers a zone transfer (AXFR) from any address: anyone can list every name in the "
        "zone, internal hosts included. This is not why the name fails; it is a leak.",
        (
            "Allow transfers only to the secondaries, by address and TSIG key (BIND `allow-transfer`, NSD "
            "`provide-xfr`, Knot `acl` with `action: transfer`).",
            "Check with `dig @SERVER ZONE AXFR`: it must fail (`Transfer failed.`) from anywhere but a secondary.",
        ),
        ("rcode", 5),
    ),
)


CAUSES = tuple(row.id for row in TABLE)
ROWS = {row.id: row for row in TABLE}
CAUSE_LABELS = {row.id: row.label for row in TABLE}
DNSSEC_DETAILS = dnssec_checks.DETAIL_ORDER

# EDE -> the dnssec_bogus detail it names (RFC 8914; Unbound's validator reasons).
EDE_DETAIL = {
    1: "unsupported_algorithm",
    2: "unsupported_algorithm",
    5: "other",
    6: "other",
    7: "signature_expired",
    8: "signature_not_yet_valid",
    9: "dnskey_missing",
    10: "rrsig_missing",
    11: "other",
    12: "other",
    25: "signature_expired",
    27: "unsupported_algorithm",
}
DNSSEC_EDES = frozenset(EDE_DETAIL)
# The knowledge entry that explains each dnssec_bogus detail.
DETAIL_EDE = {
    "signature_expired": 7,
    "signature_not_yet_valid": 8,
    "ds_mismatch": 9,
    "dnskey_missing": 9,
    "rrsig_missing": 10,
    "unsupported_algorithm": 1,
    "other": 6,
}


def rank(findings: Sequence[Finding], kb: KnowledgeLike) -> list[Cause]:
    """Word the findings and order them: explaining causes first (a leading one before the rest), then the table.

    Fallback findings are dropped when another finding explains the failure.
    """
    explained = any(f.explains for f in findings if not f.fallback)
    kept = [f for f in findings if not (f.fallback and explained)]
    order = {cause: index for index, cause in enumerate(CAUSES)}
    kept.sort(key=lambda f: (f.advisory and not f.explains, not f.explains, not (f.leads and f.explains), order[f.cause]))
    return [_cause(f, kb) for f in kept]


def reorder(causes: Sequence[Cause], before: Sequence[Cause] = ()) -> tuple[Cause, ...]:
    """Causes already worded, ranked again after more were added (the trace's): the same order as `rank`, with
    `before`'s order kept among the causes it held (the check may have promoted one, e.g. a leading EDNS failure)."""
    held = [c.id for c in before]
    index = {cause: i for i, cause in enumerate(CAUSES)}
    return tuple(
        sorted(
            causes,
            key=lambda c: (
                c.advisory and not c.explains,
                not c.explains,
                held.index(c.id) if c.id in held else len(held),
                index[c.id],
            ),
        )
    )


def make_cause(kb: KnowledgeLike, cause: str, detail: str | None, evidence: Sequence[str], *, explains: bool) -> Cause:
    """A Cause with its summary, fix steps and knowledge reference (also used for the trace's findings)."""
    return _cause(Finding(cause, detail, tuple(evidence), explains=explains), kb)


def merge(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per cause id and detail: evidence joined, explaining if any explains, advisory only if all are
    (the check and the trace can both find missing glue or a lame server)."""
    merged: dict[tuple[str, str | None], Finding] = {}
    for f in findings:
        key = (f.cause, f.detail)
        old = merged.get(key)
        if old is None:
            merged[key] = f
            continue
        merged[key] = Finding(
            f.cause,
            f.detail,
            tuple(dict.fromkeys(old.evidence + f.evidence)),
            explains=old.explains or f.explains,
            leads=old.leads or f.leads,
            fallback=old.fallback and f.fallback,
            advisory=old.advisory and f.advisory,
        )
    return list(merged.values())


def _cause(f: Finding, kb: KnowledgeLike) -> Cause:
    row = ROWS[f.cause]
    dnssec = f.cause == "dnssec_bogus"
    summary, fix = DNSSEC_TEXT[f.detail or "other"] if dnssec else (row.summary, row.fix)
    ref = ("ede", DETAIL_EDE[f.detail or "other"]) if dnssec else row.ref
    reference = ""
    fixes = list(fix)
    if ref is not None:
        kind, value = ref
        entry = kb.ede(value) if kind == "ede" else kb.rcode(value)
        reference = entry.label
        if f.explains or dnssec:
            # The code a resolver returns for this failure, in /rcode's words, and its first fix steps (only when
            # it is failing: beside a name that resolves, how to debug a SERVFAIL is noise).
            summary = f"{summary} {entry.label}: {entry.summary}"
            fixes += [x for x in entry.fix[:2] if x not in fixes]
    return Cause(
        f.cause,
        f.detail,
        summary,
        tuple(dict.fromkeys(f.evidence)),
        tuple(fixes),
        f.explains,
        reference,
        row.label,
        advisory=f.advisory and not f.explains,
        family=row.family,
    )


DNSSEC_TEXT: dict[str, tuple[str, tuple[str, ...]]] = {
    "signature_expired": (
        "The zone's DNSSEC signatures have expired, so validating resolvers reject its answers (SERVFAIL); with CD "
        "set they answer.",
        (
            "Re-sign the zone now, then find out why automatic re-signing stopped (signer cron job, inline-signing, "
            "a stuck zone transfer to the secondaries).",
        ),
    ),
    "signature_not_yet_valid": (
        "The zone's DNSSEC signatures are not valid yet (inception in the future), so validating resolvers reject "
        "its answers.",
        ("Check the signer's clock (NTP) and re-sign the zone with an inception in the past.",),
    ),
    "ds_mismatch": (
        "The DS record at the parent matches none of the zone's DNSKEYs: the chain of trust is broken.",
        (
            "Publish the DS of the zone's current KSK at the registrar (or put the old key back) and remove stale DS "
            "records; wait out the DS TTL.",
        ),
    ),
    "dnskey_missing": (
        "The parent publishes a DS record, but the zone serves no DNSKEY (DNSSEC was turned off, or the DNS host "
        "changed, without removing the DS).",
        ("Remove the DS record at the registrar, or sign the zone again with the key the DS matches.",),
    ),
    "rrsig_missing": (
        "The zone is signed but serves records without signatures.",
        ("Re-sign the zone completely and check that every server (and any middlebox) passes RRSIGs through.",),
    ),
    "unsupported_algorithm": (
        "The zone is signed with an algorithm (or the DS uses a digest) that validators do not implement.",
        ("Roll the zone to a supported algorithm (ECDSAP256SHA256, 13, is the usual choice) and update the DS.",),
    ),
    "other": (
        "DNSSEC validation fails for this name (bad or mismatched signatures).",
        ("Analyse the chain of trust with `delv` or DNSViz and re-sign the zone.",),
    ),
}
