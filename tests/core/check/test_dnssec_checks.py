"""DNSSEC checks on hand-signed data: keys and signatures made with dnspython, the clock passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from bot.core.check import dnssec_checks
from bot.core.check.dnssec_checks import Signed

ZONE = "example."
NOW = 1_800_000_000
DAY = 86_400


@dataclass
class Key:
    private: ec.EllipticCurvePrivateKey
    dnskey: dns.rdata.Rdata


def _key(flags: int = 257) -> Key:
    private = ec.generate_private_key(ec.SECP256R1())
    return Key(private, dns.dnssec.make_dnskey(private.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, flags=flags))


KSK = _key()
OTHER = _key()


def _rrset(name: str, rdtype: str, *texts: str) -> dns.rrset.RRset:
    return dns.rrset.from_text(name, 300, "IN", rdtype, *texts)


def _sign(
    rrset: dns.rrset.RRset, key: Key = KSK, inception: int = NOW - DAY, expiration: int = NOW + 7 * DAY
) -> dns.rrset.RRset:
    sig = dns.dnssec.sign(
        rrset, key.private, dns.name.from_text(ZONE), key.dnskey, inception=inception, expiration=expiration
    )
    return dns.rrset.from_rdata(rrset.name, 300, sig)


def _check(
    *,
    ds_key: Key | None = KSK,
    digest: str = "SHA256",
    keys: tuple[Key, ...] = (KSK,),
    sign_key: Key = KSK,
    inception: int = NOW - DAY,
    expiration: int = NOW + 7 * DAY,
    unsigned_answer: bool = False,
    tamper: bool = False,
    ds_algorithm: int | None = None,
    dnskey_answered: bool = True,
) -> list[dnssec_checks.Finding]:
    dnskey = dns.rrset.from_rdata(ZONE, 300, *[k.dnskey for k in keys]) if keys else None
    ds = None
    if ds_key is not None:
        made = dns.dnssec.make_ds(ZONE, ds_key.dnskey, digest, policy=dns.dnssec.allow_all_policy)
        if ds_algorithm is not None:
            made = made.replace(algorithm=ds_algorithm)
        ds = dns.rrset.from_rdata(ZONE, 300, made)
    soa = _rrset(ZONE, "SOA", "ns1.example. hostmaster.example. 1 7200 3600 1209600 300")
    answer = _rrset("www.example.", "A", "192.0.2.1")
    signed: list[Signed] = []
    if dnskey is not None:
        signed.append(Signed("the DNSKEY RRset", dnskey, _sign(dnskey, sign_key, inception, expiration), "ns1"))
        signed.append(Signed("SOA example.", soa, _sign(soa, sign_key, inception, expiration), "ns1"))
        sigs = None if unsigned_answer else _sign(answer, sign_key, inception, expiration)
        if tamper:
            answer = _rrset("www.example.", "A", "192.0.2.66")
        signed.append(Signed("www.example. A", answer, sigs, "ns1"))
    return dnssec_checks.check(
        ZONE,
        ds=ds,
        ds_source="from parent",
        dnskey=dnskey,
        dnskey_source="ns1",
        dnskey_answered=dnskey_answered,
        signed=signed,
        now=NOW,
    )


def test_healthy_chain_has_no_findings() -> None:
    assert _check() == []


@pytest.mark.parametrize("digest", ["SHA1", "SHA384"])
def test_other_ds_digests_match_too(digest: str) -> None:
    """SHA-1 DS records are still published by many parents; the library's policy must not turn them into a mismatch."""
    assert _check(digest=digest) == []


def test_unsigned_zone_without_ds_has_no_findings() -> None:
    assert _check(ds_key=None, keys=()) == []


@pytest.mark.parametrize(
    ("kwargs", "detail", "fragment"),
    [
        ({"expiration": NOW - 2 * DAY, "inception": NOW - 30 * DAY}, "signature_expired", "expired 2027-01-13"),
        ({"inception": NOW + DAY, "expiration": NOW + 30 * DAY}, "signature_not_yet_valid", "valid only from 2027-01-16"),
        ({"ds_key": OTHER}, "ds_mismatch", "matches the parent's DS"),
        ({"keys": ()}, "dnskey_missing", "serves no DNSKEY"),
        ({"unsigned_answer": True}, "rrsig_missing", "www.example. A with no RRSIG"),
        ({"tamper": True}, "other", "does not verify"),
        ({"ds_algorithm": 100}, "unsupported_algorithm", "algorithm 100"),
        ({"keys": (KSK, OTHER), "sign_key": OTHER}, "other", "not signed by the key the parent's DS points to"),
    ],
)
def test_each_kind_of_breakage(kwargs: dict[str, object], detail: str, fragment: str) -> None:
    findings = _check(**kwargs)  # type: ignore[arg-type]
    assert findings, "expected a finding"
    assert findings[0].detail == detail
    assert any(fragment in f.evidence for f in findings), [f.evidence for f in findings]


def test_dnskey_missing_needs_an_authoritative_answer() -> None:
    """A DNSKEY query that timed out proves nothing: no finding without an answer."""
    assert _check(keys=(), dnskey_answered=False) == []


def test_one_current_signature_is_enough() -> None:
    """During a key roll an RRset may carry an old expired signature beside a current one."""
    dnskey = dns.rrset.from_rdata(ZONE, 300, KSK.dnskey)
    answer = _rrset("www.example.", "A", "192.0.2.1")
    old = _sign(answer, inception=NOW - 30 * DAY, expiration=NOW - DAY)
    new = _sign(answer)
    both = dns.rrset.from_rdata(answer.name, 300, *old, *new)
    ds = dns.rrset.from_rdata(ZONE, 300, dns.dnssec.make_ds(ZONE, KSK.dnskey, "SHA256"))
    findings = dnssec_checks.check(
        ZONE,
        ds=ds,
        ds_source="",
        dnskey=dnskey,
        dnskey_source="ns1",
        dnskey_answered=True,
        signed=[Signed("www.example. A", answer, both, "ns1")],
        now=NOW,
    )
    assert findings == []


def test_data_signed_by_another_zone_is_not_judged_with_this_zones_keys() -> None:
    """A server that also serves a child zone may add a CNAME target from it, signed by the child's key."""
    dnskey = dns.rrset.from_rdata(ZONE, 300, KSK.dnskey)
    child_rrset = _rrset("www.sub.example.", "A", "192.0.2.7")
    child_sig = dns.dnssec.sign(
        child_rrset,
        OTHER.private,
        dns.name.from_text("sub.example."),
        OTHER.dnskey,
        inception=NOW - DAY,
        expiration=NOW + DAY,
    )
    sigs = dns.rrset.from_rdata(child_rrset.name, 300, child_sig)
    ds = dns.rrset.from_rdata(ZONE, 300, dns.dnssec.make_ds(ZONE, KSK.dnskey, "SHA256"))
    findings = dnssec_checks.check(
        ZONE,
        ds=ds,
        ds_source="",
        dnskey=dnskey,
        dnskey_source="ns1",
        dnskey_answered=True,
        signed=[Signed("www.sub.example. A", child_rrset, sigs, "ns1")],
        now=NOW,
    )
    assert findings == []


# --------------------------------------------------------------------------------------------- before it breaks


def _signed_soa(expiration: int, inception: int = NOW - DAY, key: Key = KSK) -> Signed:
    soa = _rrset(ZONE, "SOA", "ns1.example. hostmaster.example. 1 7200 3600 1209600 300")
    return Signed("SOA example.", soa, _sign(soa, key, inception, expiration), "ns1")


def test_signatures_expiring_within_the_window_are_reported() -> None:
    origin = dns.name.from_text(ZONE)
    soon = dnssec_checks.expiring([_signed_soa(NOW + DAY, NOW - 20 * DAY)], origin, NOW, 3 * DAY)
    assert len(soon) == 1 and "ns1 served SOA example. with an RRSIG" in soon[0] and "in 24 hours" in soon[0]
    assert dnssec_checks.expiring([_signed_soa(NOW + 5 * DAY)], origin, NOW, 3 * DAY) == []
    assert dnssec_checks.expiring([_signed_soa(NOW + DAY, NOW - 20 * DAY)], origin, NOW, 0) == []  # turned off


def test_a_fresh_signature_beside_an_old_one_is_enough() -> None:
    """During re-signing, old and new RRSIGs sit side by side: the RRset is fine while one lasts."""
    old, new = _signed_soa(NOW + DAY, NOW - 20 * DAY), _signed_soa(NOW + 20 * DAY, key=OTHER)
    assert old.sigs is not None and new.sigs is not None
    both = Signed(old.what, old.rrset, dns.rrset.from_rdata(old.rrset.name, 300, *old.sigs, *new.sigs), "ns1")
    assert dnssec_checks.expiring([both], dns.name.from_text(ZONE), NOW, 3 * DAY) == []


def test_expired_signatures_are_not_expiring() -> None:
    """Already expired is dnssec_bogus:signature_expired, not a warning."""
    assert dnssec_checks.expiring([_signed_soa(NOW - DAY, NOW - 9 * DAY)], dns.name.from_text(ZONE), NOW, 3 * DAY) == []


@pytest.mark.parametrize(
    ("iterations", "salt", "found", "beyond"),
    [
        (0, b"", 0, False),
        (0, b"\xab", 1, False),
        (10, b"", 1, False),
        (50, b"", 1, False),
        (51, b"", 1, True),
        (200, b"\xab\xcd", 1, True),
    ],
)
def test_nsec3_parameters_against_rfc_9276(iterations: int, salt: bytes, found: int, beyond: bool) -> None:
    out = dnssec_checks.nsec3([("ns1", iterations, salt)])
    assert len(out) == found
    if out:
        assert out[0].beyond_limit is beyond
        assert ("validators treat its denials as insecure" in out[0].evidence) is beyond
        if salt:
            assert salt.hex().upper() in out[0].evidence


def _cds_check(*, cds_keys: tuple[Key, ...] = (), cdnskey_keys: tuple[Key, ...] = (), delete: bool = False) -> list[str]:
    dnskey = dns.rrset.from_rdata(ZONE, 300, KSK.dnskey)
    cds = [dns.dnssec.make_ds(ZONE, k.dnskey, "SHA256") for k in cds_keys]
    texts = [d.to_text() for d in cds] + (["0 0 0 00"] if delete else [])
    cds_rrset = _rrset(ZONE, "CDS", *texts) if texts else None
    keys = [k.dnskey.to_text() for k in cdnskey_keys] + (["0 3 0 AA=="] if delete else [])
    cdnskey_rrset = _rrset(ZONE, "CDNSKEY", *keys) if keys else None
    return dnssec_checks.cds(ZONE, cds_rrset=cds_rrset, cdnskey_rrset=cdnskey_rrset, dnskey=dnskey, source="ns1")


def test_cds_for_the_current_key_is_fine() -> None:
    assert _cds_check(cds_keys=(KSK,), cdnskey_keys=(KSK,)) == []
    assert _cds_check() == []  # none published
    assert _cds_check(delete=True) == []  # the delete request names no key


def test_cds_for_a_key_the_zone_does_not_have() -> None:
    found = _cds_check(cds_keys=(OTHER,), cdnskey_keys=(OTHER,))
    assert len(found) == 2
    assert "publishes CDS key tag" in found[0] and "matches none of the zone's DNSKEYs" in found[0]
    assert "publishes a CDNSKEY" in found[1]


def test_cds_and_cdnskey_that_name_different_keys() -> None:
    found = _cds_check(cds_keys=(KSK,), cdnskey_keys=(KSK, OTHER))
    assert any("name different keys" in line for line in found)


def test_a_cds_delete_request_must_stand_alone() -> None:
    assert _cds_check(delete=True) == []
    mixed = _cds_check(cds_keys=(KSK,), delete=True)  # the CDNSKEY holds only its delete request: that one is fine
    assert len(mixed) == 1 and "publishes the CDS delete request beside 1 other CDS record" in mixed[0]
    both = _cds_check(cds_keys=(KSK,), cdnskey_keys=(KSK,), delete=True)
    assert sorted(line.split(" delete request")[0] for line in both) == [
        "ns1 publishes the CDNSKEY",
        "ns1 publishes the CDS",
    ]
