"""DNSSEC checks on what the zone's servers and its parent served: pure functions over dnspython values.

These say *why* a validating resolver calls a zone bogus, the way Zonemaster's DNSSEC02/08/09 and DNSViz do:
the DS at the parent against the DNSKEYs at the child (digests recomputed with `dns.dnssec.make_ds`), the RRSIG
validity windows on the answer, the DNSKEY and the SOA (with an explicit `now`, so tests are deterministic),
whether the algorithms are ones validators implement (RFC 8624), and whether the signatures verify at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dns.dnssec
import dns.exception
import dns.name
import dns.rdatatype
import dns.rrset

# RFC 8624 §3.1: algorithms a validator MUST or RECOMMENDED implement (plus Ed448, MAY, widely available).
SUPPORTED_ALGORITHMS = frozenset({5, 7, 8, 10, 13, 14, 15, 16})
# RFC 8624 §3.3: DS digest types a validator implements (SHA-1, SHA-256, SHA-384).
SUPPORTED_DIGESTS = frozenset({1, 2, 4})

# dnspython's default policy refuses to *create* SHA-1 DS digests; a diagnosis must still recompute them to compare
# with what the parent publishes (which algorithms validators accept is decided above, not by the library's policy).
_ANY = dns.dnssec.allow_all_policy

# Which detail explains a bogus zone first: a broken chain of trust outranks a stale signature, which outranks
# a signature that is merely missing somewhere.
DETAIL_ORDER = (
    "dnskey_missing",
    "ds_mismatch",
    "signature_expired",
    "signature_not_yet_valid",
    "rrsig_missing",
    "unsupported_algorithm",
    "other",
)


@dataclass(frozen=True, slots=True)
class Signed:
    """An RRset a server served with DO set, and the RRSIGs that came with it.

    Attributes:
        what: how to name it in evidence (`SOA`, `DNSKEY`, `www.example. A`).
        rrset: the data.
        sigs: the RRSIG RRset covering it (None when there was none).
        source: who served it (`127.53.1.1 (ns1.example.)`).
    """

    what: str
    rrset: dns.rrset.RRset
    sigs: dns.rrset.RRset | None
    source: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One DNSSEC problem: a `dnssec_bogus` detail and the evidence for it."""

    detail: str
    evidence: str


def check(
    zone: str,
    *,
    ds: dns.rrset.RRset | None,
    ds_source: str,
    dnskey: dns.rrset.RRset | None,
    dnskey_source: str,
    dnskey_answered: bool,
    signed: Sequence[Signed],
    now: float,
) -> list[Finding]:
    """Everything wrong with the zone's DNSSEC as served, most explanatory first.

    Args:
        zone: the zone apex (absolute text).
        ds: the DS RRset the parent served (None when it has none or did not say).
        dnskey: the DNSKEY RRset the zone's server served (None when it has none).
        dnskey_answered: the DNSKEY query got an authoritative answer, so "no DNSKEY" is a fact, not a timeout.
        signed: the RRsets to check signatures on (answer, SOA, DNSKEY, denial-of-existence records).
        now: seconds since the epoch.
    """
    origin = dns.name.from_text(zone)
    findings: list[Finding] = []
    keys = [k for k in dnskey] if dnskey is not None else []
    has_ds = ds is not None and len(ds) > 0
    if has_ds and not keys and dnskey_answered:
        tags = ", ".join(str(d.key_tag) for d in ds or ())
        findings.append(
            Finding(
                "dnskey_missing",
                f"the parent publishes DS for {zone} (key tag {tags}, {ds_source}) "
                f"but {dnskey_source} serves no DNSKEY: the zone is not signed",
            )
        )
    matched_tags: set[int] = set()
    if has_ds and keys and ds is not None:
        usable = [d for d in ds if d.algorithm in SUPPORTED_ALGORITHMS and d.digest_type in SUPPORTED_DIGESTS]
        if not usable:
            findings.append(
                Finding(
                    "unsupported_algorithm",
                    f"every DS for {zone} uses an algorithm or digest "
                    f"validators do not implement ({_ds_text(ds)}, {ds_source})",
                )
            )
        for d in usable:
            for key in keys:
                if dns.dnssec.key_id(key) != d.key_tag or key.algorithm != d.algorithm:
                    continue
                try:
                    if dns.dnssec.make_ds(origin, key, d.digest_type, policy=_ANY) == d:
                        matched_tags.add(d.key_tag)
                except (dns.exception.DNSException, ValueError):
                    continue
        if usable and not matched_tags:
            findings.append(
                Finding(
                    "ds_mismatch",
                    f"no DNSKEY of {zone} matches the parent's DS: the parent has "
                    f"{_ds_text(ds)} ({ds_source}); {dnskey_source} serves key tags "
                    f"{_key_tags(keys)}",
                )
            )
    if keys:
        algorithms = sorted({int(k.algorithm) for k in keys})
        if not any(a in SUPPORTED_ALGORITHMS for a in algorithms):
            findings.append(
                Finding(
                    "unsupported_algorithm",
                    f"the DNSKEYs of {zone} use only algorithm(s) "
                    f"{', '.join(_alg(a) for a in algorithms)}, which validators do not implement "
                    f"({dnskey_source})",
                )
            )
    if keys and dnskey is not None:
        findings.extend(_signature_findings(origin, dnskey, signed, now))
        if matched_tags:
            dnskey_sigs = next((s.sigs for s in signed if s.rrset.rdtype == dns.rdatatype.DNSKEY), None)
            if dnskey_sigs is not None and not any(sig.key_tag in matched_tags for sig in dnskey_sigs):
                findings.append(
                    Finding(
                        "other",
                        f"the DNSKEY RRset of {zone} is not signed by the key the parent's "
                        f"DS points to (key tag {', '.join(map(str, sorted(matched_tags)))}); "
                        f"it is signed by key tag {', '.join(str(s.key_tag) for s in dnskey_sigs)}",
                    )
                )
    order = {detail: i for i, detail in enumerate(DETAIL_ORDER)}
    unique = list({(f.detail, f.evidence): f for f in findings}.values())
    return sorted(unique, key=lambda f: order.get(f.detail, len(order)))


def _signature_findings(
    origin: dns.name.Name, dnskey: dns.rrset.RRset, signed: Sequence[Signed], now: float
) -> list[Finding]:
    findings: list[Finding] = []
    keyring: dict[dns.name.Name, Any] = {origin: dnskey}
    key_tags = {dns.dnssec.key_id(k) for k in dnskey}
    for item in signed:
        if item.sigs is None or len(item.sigs) == 0:
            findings.append(
                Finding("rrsig_missing", f"{item.source} served {item.what} with no RRSIG, though the zone is signed")
            )
            continue
        sigs = [s for s in item.sigs if s.signer == origin]
        if not sigs:
            continue  # data of another zone the same server also serves (a CNAME target below a cut): not ours
        expired = [s for s in sigs if s.expiration < now]
        early = [s for s in sigs if s.inception > now]
        current = [s for s in sigs if s.inception <= now <= s.expiration]
        if not current:
            if expired:
                s = max(expired, key=lambda x: x.expiration)
                findings.append(
                    Finding(
                        "signature_expired",
                        f"{item.source} served {item.what} with an RRSIG (key tag "
                        f"{s.key_tag}) that expired {_when(s.expiration)}, {_ago(now - s.expiration)} ago",
                    )
                )
            if early:
                s = min(early, key=lambda x: x.inception)
                findings.append(
                    Finding(
                        "signature_not_yet_valid",
                        f"{item.source} served {item.what} with an RRSIG "
                        f"(key tag {s.key_tag}) that is valid only from {_when(s.inception)}, "
                        f"{_ago(s.inception - now)} from now",
                    )
                )
        candidates = current or sigs
        if not any(s.key_tag in key_tags for s in candidates):
            findings.append(
                Finding(
                    "other",
                    f"{item.source} served {item.what} signed by key tag "
                    f"{', '.join(str(s.key_tag) for s in candidates)}, which is not in the zone's "
                    f"DNSKEY set ({_key_tags(list(dnskey))})",
                )
            )
            continue
        if not any(_verifies(item.rrset, s, keyring) for s in candidates if s.key_tag in key_tags):
            unsupported = [s for s in candidates if s.algorithm not in SUPPORTED_ALGORITHMS]
            if unsupported:
                findings.append(
                    Finding(
                        "unsupported_algorithm",
                        f"{item.source} served {item.what} signed with "
                        f"algorithm {_alg(unsupported[0].algorithm)}, which validators do not implement",
                    )
                )
            else:
                findings.append(
                    Finding(
                        "other",
                        f"the RRSIG on {item.what} from {item.source} does not verify with "
                        f"the zone's DNSKEY (a bad signature: data changed after signing, or the "
                        f"wrong key)",
                    )
                )
    return findings


def _verifies(rrset: dns.rrset.RRset, sig: Any, keyring: dict[dns.name.Name, Any]) -> bool:
    """Whether one RRSIG verifies cryptographically, ignoring its validity window (checked separately)."""
    try:
        dns.dnssec.validate_rrsig(rrset, sig, keyring, now=float(sig.inception), policy=_ANY)
    except (dns.exception.DNSException, ValueError, TypeError):
        return False
    return True


def _ds_text(ds: dns.rrset.RRset | None) -> str:
    if ds is None:
        return "no DS"
    return "; ".join(f"DS key tag {d.key_tag}, algorithm {_alg(d.algorithm)}, digest type {d.digest_type}" for d in ds)


def _key_tags(keys: list[object]) -> str:
    parts = []
    for key in keys:
        try:
            parts.append(f"{dns.dnssec.key_id(key)} (algorithm {_alg(getattr(key, 'algorithm', 0))})")  # type: ignore[arg-type]
        except (ValueError, TypeError, AttributeError):
            continue
    return ", ".join(parts) or "none"


def _alg(value: int) -> str:
    try:
        name = dns.dnssec.algorithm_to_text(value)
    except (ValueError, TypeError):
        return str(value)
    return str(int(value)) if name == str(int(value)) else f"{int(value)} ({name})"


def _when(timestamp: int) -> str:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _ago(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} hours"
    if seconds >= 120:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds:.0f} seconds"


# --------------------------------------------------------------------------------------------- before it breaks

DEFAULT_SIGNATURE_WINDOW = 3 * 86400.0  # signatures that expire within this are reported (RCODEBOT_SIGNATURE_WINDOW_DAYS)
# RFC 9276 §3.2: validators treat NSEC3 with more iterations than this as insecure (BIND 9.20, PowerDNS Recursor and
# Knot Resolver 6 draw the line at 50; Unbound and BIND 9.18 at 150), and may answer SERVFAIL (EDE 27) above it.
NSEC3_ITERATIONS_LIMIT = 50
# A signature is stale, not merely short-lived, once it has lived this many times the time it has left: online
# signers (Cloudflare and other sign-on-answer providers) make RRSIGs valid for about a day from a moment ago, and a
# signer that re-signs on schedule (BIND, Knot, PowerDNS, OpenDNSSEC) renews well before 3/4 of the validity.
STALE_RATIO = 3.0


def expiring(signed: Sequence[Signed], origin: dns.name.Name, now: float, window: float) -> list[str]:
    """Evidence for signatures that are valid now but all expire within `window` seconds: the re-signing job has
    not renewed them yet, and once they lapse validating resolvers answer SERVFAIL (EDE 7).

    An RRset is fine as long as one of its current signatures lasts beyond the window (a key rollover or a
    re-signing in progress leaves old and new signatures side by side), or was made recently (it has lived less
    than `STALE_RATIO` times what it has left): an online signer's day-long signature made an hour ago is how
    that signer works, not a stalled re-signing job."""
    if window <= 0:
        return []
    found: list[str] = []
    for item in signed:
        sigs = [s for s in (item.sigs or ()) if s.signer == origin and s.inception <= now <= s.expiration]
        if not sigs:
            continue
        last = max(sigs, key=lambda s: s.expiration)
        left = last.expiration - now
        if left < window and now - last.inception > STALE_RATIO * left:
            found.append(
                f"{item.source} served {item.what} with an RRSIG (key tag {last.key_tag}) that expires "
                f"{_when(last.expiration)}, in {_ago(last.expiration - now)}"
            )
    return found


@dataclass(frozen=True, slots=True)
class Nsec3Finding:
    """NSEC3 parameters RFC 9276 advises against: `beyond_limit` when validators stop trusting the denials."""

    evidence: str
    beyond_limit: bool


def nsec3(params: Sequence[tuple[str, int, bytes]], limit: int = NSEC3_ITERATIONS_LIMIT) -> list[Nsec3Finding]:
    """NSEC3 parameters (source, iterations, salt) against RFC 9276: zero extra iterations and no salt.

    Iterations cost every validator (and only it) a hash per iteration per name; past the limit validators treat
    the zone's denials as insecure, or answer SERVFAIL (EDE 27). A salt adds nothing since every name is hashed
    with the same one; it only makes re-salting a chore."""
    out: list[Nsec3Finding] = []
    for source, iterations, salt in dict.fromkeys(params):
        if iterations <= 0 and not salt:
            continue
        parts = [f"{iterations} extra iterations"] if iterations > 0 else []
        if salt:
            parts.append(f"a salt ({salt.hex().upper()})")
        beyond = iterations > limit
        out.append(
            Nsec3Finding(
                f"{source} uses NSEC3 with {' and '.join(parts)}"
                + (f"; above {limit}, validators treat its denials as insecure or answer SERVFAIL" if beyond else ""),
                beyond,
            )
        )
    return out


def cds(
    zone: str,
    *,
    cds_rrset: dns.rrset.RRset | None,
    cdnskey_rrset: dns.rrset.RRset | None,
    dnskey: dns.rrset.RRset | None,
    source: str,
) -> list[str]:
    """CDS/CDNSKEY (RFC 7344, RFC 8078) against the zone's DNSKEYs: what a parent that acts on them would publish.

    A CDS must be the digest of one of the zone's DNSKEYs, a CDNSKEY must be one of them, and the two sets must
    name the same keys. The delete request (`CDS 0 0 0 00`, `CDNSKEY 0 3 0 AA==`) names no key; it must stand alone
    in its RRset (RFC 8078 §4), or parents ignore it or read the other records instead.
    """
    origin = dns.name.from_text(zone)
    keys = list(dnskey) if dnskey is not None else []
    tags: dict[int, list[Any]] = {}
    for k in keys:
        tags.setdefault(dns.dnssec.key_id(k), []).append(k)  # key tags collide (RFC 4034 Appendix B): keep them all
    out: list[str] = []
    cds_tags: set[int] = set()
    cdnskey_tags: set[int] = set()
    for record in cds_rrset or ():
        if record.algorithm == 0:
            continue  # delete
        cds_tags.add(record.key_tag)
        matches = unknown = False
        for key in tags.get(record.key_tag, ()):
            if key.algorithm != record.algorithm:
                continue
            try:
                made = dns.dnssec.make_ds(origin, key, record.digest_type, policy=_ANY)
            except (dns.exception.DNSException, ValueError, TypeError):
                unknown = True  # a digest type this bot cannot compute (GOST, a future one): no verdict
                continue
            if made.digest == record.digest:
                matches = True
                break
        if not matches and not unknown:
            out.append(
                f"{source} publishes CDS key tag {record.key_tag} (algorithm {_alg(record.algorithm)}, digest type "
                f"{record.digest_type}), which matches none of the zone's DNSKEYs ({_key_tags(keys)})"
            )
    for record in cdnskey_rrset or ():
        if record.algorithm == 0:
            continue
        tag = dns.dnssec.key_id(record)
        cdnskey_tags.add(tag)
        if not any(k.key == record.key and k.algorithm == record.algorithm for k in keys):
            out.append(
                f"{source} publishes a CDNSKEY (key tag {tag}, algorithm {_alg(record.algorithm)}) that is not among the "
                f"zone's DNSKEYs ({_key_tags(keys)})"
            )
    for kind, rrset in (("CDS", cds_rrset), ("CDNSKEY", cdnskey_rrset)):
        records = list(rrset or ())
        if len(records) > 1 and any(r.algorithm == 0 for r in records):
            out.append(
                f"{source} publishes the {kind} delete request beside {len(records) - 1} other {kind} record(s): "
                "RFC 8078 says it must stand alone, so a parent ignores the request or acts on the others"
            )
    if cds_tags and cdnskey_tags and cds_tags != cdnskey_tags:
        out.append(
            f"{source}'s CDS (key tags {', '.join(map(str, sorted(cds_tags)))}) and CDNSKEY (key tags "
            f"{', '.join(map(str, sorted(cdnskey_tags)))}) name different keys"
        )
    return out
