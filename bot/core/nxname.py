"""Compact denial of existence (RFC 9824), the one test both the paste reader and the live check use.

A server that signs on the fly (Cloudflare, NS1, Route 53, PowerDNS live-signing) answers a name that does not
exist with NOERROR and an NSEC record *at the name* whose type bitmap holds NXNAME (type 128) next to RRSIG and
NSEC, instead of NXDOMAIN: one signature instead of a zone walk. Resolvers that know RFC 9824 turn it back into
NXDOMAIN; older ones pass the NOERROR on, so a check that calls it NODATA would send people looking for a missing
record type on a name that does not exist at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the paste reader only needs `has_nxname`: importing dns.message costs a pasted-output
    import dns.message  # explanation a third of its start-up (benchmarks/bench_startup.py)

NXNAME = 128
_NAMES = frozenset({"NXNAME", f"TYPE{NXNAME}"})  # tools that predate RFC 9824 print TYPE128


def has_nxname(types: Iterable[str]) -> bool:
    """True when a type list as tools print it (`RRSIG NSEC NXNAME`, or `TYPE128`) holds the NXNAME bit."""
    return any(t.upper() in _NAMES for t in types)


def compact_denial(message: dns.message.Message, qname: str) -> bool:
    """True for a NOERROR reply with no answer whose authority holds an NSEC owned by `qname` with the NXNAME bit."""
    import dns.name
    import dns.rdatatype

    if message.rcode() != 0 or message.answer:
        return False
    owner = dns.name.from_text(qname)
    for rrset in message.authority:
        if rrset.rdtype != dns.rdatatype.NSEC or rrset.name != owner:
            continue
        for rdata in rrset:
            if NXNAME in _bitmap(rdata.windows):
                return True
    return False


def _bitmap(windows: Iterable[tuple[int, bytes]]) -> list[int]:
    """The type numbers of an NSEC type bitmap (RFC 4034 4.1.2 windows)."""
    found: list[int] = []
    for window, bits in windows:
        for index, byte in enumerate(bits):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    found.append(window * 256 + index * 8 + bit)
    return found
