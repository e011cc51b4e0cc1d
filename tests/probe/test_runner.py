"""The async sender against small misbehaving servers on loopback: garbage, truncation, silence, the deadline.

The lab's real servers behave like real servers; these ones behave like the broken middleboxes and appliances a
probe meets in the wild, and each misbehaviour must come back as an `Outcome`, never as an exception.
"""

from __future__ import annotations

import ipaddress
import socket
import socketserver
import struct
import threading
from collections.abc import Iterator

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.check.observations import Outcome, Purpose
from bot.probe import run
from bot.probe.system import parse_resolv_conf

GARBAGE, TRUNCATE, SILENT, GOOD = "127.77.0.1", "127.77.0.2", "127.77.0.3", "127.77.0.4"


def _answer(wire: bytes, *, truncate: bool) -> bytes:
    query = dns.message.from_wire(wire)
    reply = dns.message.make_response(query)
    reply.flags |= dns.flags.RA
    if truncate:
        reply.flags |= dns.flags.TC
    else:
        question = query.question[0]
        if question.rdtype == dns.rdatatype.A:
            reply.answer.append(dns.rrset.from_text(question.name, 60, "IN", "A", *[f"192.0.2.{i}" for i in range(1, 40)]))
    return reply.to_wire()


class _UDP(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data, sock = self.request
        where = self.server.server_address[0]
        if where == GARBAGE:
            sock.sendto(b"\x00\x01 this is not DNS", self.client_address)
        elif where in (TRUNCATE, GOOD):
            sock.sendto(_answer(data, truncate=where == TRUNCATE), self.client_address)


class _TCP(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        length = struct.unpack("!H", self.request.recv(2))[0]
        data = self.request.recv(length)
        wire = _answer(data, truncate=False)
        self.request.sendall(struct.pack("!H", len(wire)) + wire)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind((GARBAGE, 0))
    chosen = probe.getsockname()[1]
    probe.close()
    servers: list[socketserver.BaseServer] = []
    for address in (GARBAGE, TRUNCATE, SILENT, GOOD):
        servers.append(socketserver.ThreadingUDPServer((address, chosen), _UDP))
    servers.append(socketserver.ThreadingTCPServer((TRUNCATE, chosen), _TCP))
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    yield chosen
    for server in servers:
        server.shutdown()
        server.server_close()


def _check(port: int, resolver: str, **kwargs: float) -> object:
    settings = {"query_timeout": 0.5, "deadline": 3.0, "budget": 60, **kwargs}
    return run(
        "example.test.",
        "A",
        [(resolver, resolver)],
        allow_private=True,
        port=port,
        query_timeout=settings["query_timeout"],
        deadline=settings["deadline"],
        budget=int(settings["budget"]),
    )


def test_garbage_is_an_outcome(port: int) -> None:
    result = _check(port, GARBAGE)
    check = result.get(f"check {GARBAGE} example.test. A")  # type: ignore[attr-defined]
    assert check.outcome is Outcome.GARBAGE and "not valid DNS" in check.error


def test_truncated_udp_is_retried_over_tcp(port: int) -> None:
    result = _check(port, TRUNCATE)
    check = result.get(f"check {TRUNCATE} example.test. A")  # type: ignore[attr-defined]
    assert (check.outcome, check.transport, check.tc) == (Outcome.ANSWER, "udp+tcp", False)
    assert len(check.message.answer[0]) == 39
    assert result.queries_sent >= 2  # type: ignore[attr-defined]


def test_silence_is_a_timeout_and_the_resolver_is_asked_if_it_is_alive(port: int) -> None:
    result = _check(port, SILENT)
    check = result.get(f"check {SILENT} example.test. A")  # type: ignore[attr-defined]
    assert check.outcome is Outcome.TIMEOUT and "no answer within 0.5 s over UDP" == check.error
    assert [e.ask.qname for e in result.by_purpose(Purpose.ALIVE)] == ["."]  # type: ignore[attr-defined]


def test_nothing_listening_is_port_closed(port: int) -> None:
    result = _check(port, "127.77.0.9")
    check = result.get("check 127.77.0.9 example.test. A")  # type: ignore[attr-defined]
    assert check.outcome is Outcome.PORT_CLOSED


def test_deadline_cuts_the_check_short(port: int) -> None:
    result = _check(port, SILENT, query_timeout=5.0, deadline=0.3)
    assert result.deadline_hit  # type: ignore[attr-defined]
    assert any("deadline" in note for note in result.notes)  # type: ignore[attr-defined]
    assert all(e.outcome is Outcome.TIMEOUT for e in result.exchanges)  # type: ignore[attr-defined]
    assert any("deadline" in e.error for e in result.exchanges)  # type: ignore[attr-defined]


def test_budget_is_counted_per_query(port: int) -> None:
    result = _check(port, GOOD, budget=2)
    assert result.queries_sent == 2  # type: ignore[attr-defined]
    skipped = [e for e in result.exchanges if e.outcome is Outcome.SKIPPED]  # type: ignore[attr-defined]
    assert skipped and all("budget of 2" in e.error for e in skipped)


def test_query_flags_are_sent_as_planned(port: int) -> None:
    result = _check(port, GOOD)
    check = result.get(f"check {GOOD} example.test. A")  # type: ignore[attr-defined]
    assert {"qr", "rd", "ra"} <= set(check.flags)
    soa = result.by_purpose(Purpose.ZONE_SOA)[0]  # type: ignore[attr-defined]
    assert soa.ask.cd


def test_resolv_conf_parsing() -> None:
    lines = [
        "# comment",
        "nameserver 127.0.0.53",
        "nameserver fe80::1%eth0",
        "nameserver bogus",
        "search example.com",
        "nameserver 10.0.0.1 ; trailing",
        "nameserver 127.0.0.53",
        "nameserver 10.0.0.2",
        "nameserver 10.0.0.3",
    ]
    assert parse_resolv_conf(lines) == ["127.0.0.53", "fe80::1", "10.0.0.1"]


def test_run_works_from_inside_an_event_loop(port: int) -> None:
    """An async front end may call the blocking `run`; it must not trip over the running loop."""
    import asyncio

    async def inside() -> object:
        return _check(port, GOOD)

    result = asyncio.run(inside())
    assert result.get(f"check {GOOD} example.test. A").outcome is Outcome.ANSWER  # type: ignore[attr-defined]


@given(st.lists(st.text(max_size=60), max_size=20))
def test_resolv_conf_parsing_never_crashes(lines: list[str]) -> None:
    found = parse_resolv_conf(lines)
    assert len(found) <= 3 and len(set(found)) == len(found)
    for address in found:
        ipaddress.ip_address(address)


def test_questions_with_a_fallback_wait_less(port: int) -> None:
    """Zone-finding falls back to the parent's referral, so it waits half the query timeout (never under 1 s)."""
    result = _check(port, SILENT, query_timeout=2.0, deadline=5.0)
    check = result.get(f"check {SILENT} example.test. A")  # type: ignore[attr-defined]
    soa = result.by_purpose(Purpose.ZONE_SOA)[0]  # type: ignore[attr-defined]
    assert check.error == "no answer within 2.0 s over UDP"
    assert soa.error == "no answer within 1.0 s over UDP"
