"""The guard itself: a test that reaches beyond loopback must fail."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import NetworkGuardError, _violations


def test_connect_to_public_address_is_refused() -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        with pytest.raises(NetworkGuardError):
            s.connect(("192.0.2.1", 53))
        with pytest.raises(NetworkGuardError):
            s.sendto(b"x", ("9.9.9.9", 53))
    finally:
        s.close()
        _violations.clear()


def test_name_lookup_is_refused() -> None:
    with pytest.raises(NetworkGuardError):
        socket.getaddrinfo("example.com", 53)
    _violations.clear()


def test_loopback_is_allowed() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        client.sendto(b"ping", server.getsockname())
        assert server.recvfrom(16)[0] == b"ping"
        assert socket.getaddrinfo("127.0.0.1", 53)
    finally:
        client.close()
        server.close()
