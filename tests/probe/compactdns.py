"""A small DNS server (dnspython, UDP and TCP on loopback) that denies existence the compact way (RFC 9824).

No Debian server produces compact denial (it comes from servers that sign on the fly), so the test suite runs its
own: it serves `compact.test.` (SOA, NS ns.compact.test. = its own address, www A) and answers every name that does
not exist with NOERROR and an NSEC at the name whose bitmap is RRSIG NSEC NXNAME (next name `\\000.NAME`), and a
type that does not exist at an existing name with an NSEC without NXNAME (plain NODATA). It answers queries with RD
too, setting RA, so the check can use it as its resolver; names outside the zone get REFUSED.
"""

from __future__ import annotations

import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

ZONE = "compact.test."
RECORDS: dict[tuple[str, str], list[str]] = {
    (ZONE, "SOA"): [f"ns.{ZONE} hostmaster.{ZONE} 1 7200 3600 1209600 300"],
    (ZONE, "NS"): [f"ns.{ZONE}"],
    (f"www.{ZONE}", "A"): ["192.0.2.9"],
}


def answer(wire: bytes, address: str) -> bytes | None:
    """The reply to one query, as wire bytes (None for something that does not parse)."""
    try:
        query = dns.message.from_wire(wire)
    except Exception:
        return None
    reply = dns.message.make_response(query)
    if query.flags & dns.flags.RD:
        reply.flags |= dns.flags.RA
    question = query.question[0]
    qname, qtype = question.name, dns.rdatatype.to_text(question.rdtype)
    zone = dns.name.from_text(ZONE)
    if not qname.is_subdomain(zone):
        reply.set_rcode(dns.rcode.REFUSED)
        return reply.to_wire()
    reply.flags |= dns.flags.AA
    name = qname.to_text()
    records = dict(RECORDS)
    records[(f"ns.{ZONE}", "A")] = [address]
    if (name, qtype) in records:
        reply.answer.append(dns.rrset.from_text(name, 300, "IN", qtype, *records[(name, qtype)]))
        return reply.to_wire()
    exists = any(owner == name for owner, _ in records)
    soa = dns.rrset.from_text(ZONE, 300, "IN", "SOA", *records[(ZONE, "SOA")])
    types = sorted({t for owner, t in records if owner == name})
    bitmap = "RRSIG NSEC " + (" ".join(types) if exists else "NXNAME")
    reply.authority += [soa, dns.rrset.from_text(name, 300, "IN", "NSEC", f"\\000.{name} {bitmap}")]
    return reply.to_wire()


@contextmanager
def serving(address: str, port: int = 53) -> Iterator[str]:
    """Run the server on address:port (UDP and TCP) for the duration of the block."""

    class Udp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data, sock = self.request
            out = answer(data, address)
            if out is not None:
                sock.sendto(out, self.client_address)

    class Tcp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            head = self.request.recv(2)
            if len(head) < 2:
                return
            (length,) = struct.unpack("!H", head)
            out = answer(self.request.recv(length), address)
            if out is not None:
                self.request.sendall(struct.pack("!H", len(out)) + out)

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    udp = socketserver.ThreadingUDPServer((address, port), Udp)
    tcp = socketserver.ThreadingTCPServer((address, port), Tcp)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (udp, tcp)]
    for thread in threads:
        thread.start()
    try:
        yield address
    finally:
        for server in (udp, tcp):
            server.shutdown()
            server.server_close()
