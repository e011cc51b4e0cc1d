"""The lab's misbehaving network parts, run as one subprocess: silent servers and an EDNS-intolerant middlebox.

    python middlebox.py --silent 127.53.9.1 --silent 127.53.9.2 --noedns 127.53.9.5=127.53.2.1

--silent ADDR       bind UDP and TCP port 53, read everything, never answer (a nameserver behind a black hole).
--noedns ADDR=UP    the classic broken firewall in front of a nameserver: any query carrying an OPT record gets
                    FORMERR (no OPT in the reply), everything else is relayed to UP and the reply sent back.
--dropedns ADDR=UP  the other classic: queries with an OPT record are silently dropped, the rest relayed.
--udponly ADDR=UP   a nameserver behind a firewall that lets only UDP through: every UDP query is relayed to UP,
                    and nothing listens on TCP, so a TCP connection is refused (RST).

Prints "ready" on stdout once every socket is bound, then runs until SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import socket
import struct
import sys
import threading
from collections.abc import Callable
from functools import partial

import dns.exception
import dns.message
import dns.rcode

PORT = 53


def silent_udp(sock: socket.socket) -> None:
    while True:
        sock.recvfrom(65535)


def silent_tcp(sock: socket.socket) -> None:
    held: list[socket.socket] = []  # keep connections open and unread-from: the client waits for its timeout
    while True:
        conn, _ = sock.accept()
        held.append(conn)


DROP = b""  # the verdict "send nothing back"


def refuse_edns(wire: bytes, drop: bool = False) -> bytes | None:
    """FORMERR (without OPT) for a query with EDNS, or DROP; None when the query should pass through."""
    try:
        query = dns.message.from_wire(wire)
    except dns.exception.DNSException:
        return None
    if query.edns < 0:
        return None
    if drop:
        return DROP
    reply = dns.message.make_response(query)
    reply.use_edns(False)
    reply.set_rcode(dns.rcode.FORMERR)
    return reply.to_wire()


def relay_udp(wire: bytes, upstream: str) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as out:
        out.settimeout(3)
        out.sendto(wire, (upstream, PORT))
        try:
            return out.recv(65535)
        except OSError:
            return None


def serve_udp(sock: socket.socket, upstream: str, screen: Callable[[bytes], bytes | None]) -> None:
    """Answer each UDP query with what `screen` says (DROP: nothing), or relay it to `upstream` when it says None."""

    def handle(wire: bytes, client: tuple[str, int]) -> None:
        reply = screen(wire)
        if reply is None:
            reply = relay_udp(wire, upstream)
        if reply:
            sock.sendto(reply, client)

    while True:
        wire, client = sock.recvfrom(65535)
        threading.Thread(target=handle, args=(wire, client), daemon=True).start()


def read_exact(conn: socket.socket, count: int) -> bytes | None:
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def noedns_tcp(sock: socket.socket, upstream: str, drop: bool) -> None:
    def handle(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                while True:
                    head = read_exact(conn, 2)
                    if head is None:
                        return
                    wire = read_exact(conn, struct.unpack("!H", head)[0])
                    if wire is None:
                        return
                    reply = refuse_edns(wire, drop)
                    if reply == DROP:
                        continue
                    if reply is None:
                        with socket.create_connection((upstream, PORT), timeout=3) as out:
                            out.sendall(head + wire)
                            size = read_exact(out, 2)
                            if size is None:
                                return
                            reply = read_exact(out, struct.unpack("!H", size)[0])
                            if reply is None:
                                return
                    conn.sendall(struct.pack("!H", len(reply)) + reply)
            except OSError:
                return

    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def bind_pair(address: str) -> tuple[socket.socket, socket.socket]:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((address, PORT))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((address, PORT))
    tcp.listen(64)
    return udp, tcp


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--silent", action="append", default=[], metavar="ADDR")
    parser.add_argument("--noedns", action="append", default=[], metavar="ADDR=UPSTREAM")
    parser.add_argument("--dropedns", action="append", default=[], metavar="ADDR=UPSTREAM")
    parser.add_argument("--udponly", action="append", default=[], metavar="ADDR=UPSTREAM")
    args = parser.parse_args(argv)
    threads = []
    for address in args.silent:
        udp, tcp = bind_pair(address)
        threads += [threading.Thread(target=silent_udp, args=(udp,)), threading.Thread(target=silent_tcp, args=(tcp,))]
    for pairs, drop in ((args.noedns, False), (args.dropedns, True)):
        for pair in pairs:
            address, upstream = pair.split("=", 1)
            udp, tcp = bind_pair(address)
            threads += [
                threading.Thread(target=serve_udp, args=(udp, upstream, partial(refuse_edns, drop=drop))),
                threading.Thread(target=noedns_tcp, args=(tcp, upstream, drop)),
            ]
    for pair in args.udponly:
        address, upstream = pair.split("=", 1)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((address, PORT))
        threads.append(threading.Thread(target=serve_udp, args=(udp, upstream, lambda wire: None)))
    for thread in threads:
        thread.daemon = True
        thread.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
