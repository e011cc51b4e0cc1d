"""Compact denial of existence (RFC 9824) through the live check, against a small server on loopback that
produces it (tests/probe/compactdns.py): NOERROR + NSEC at the name with NXNAME is an NXDOMAIN verdict."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.core.codes import knowledge
from bot.services import dnscheck
from bot.settings import ProbeSettings, Settings
from tests.probe import compactdns

ADDRESS = "127.53.60.1"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with compactdns.serving(ADDRESS) as address:
        yield address


def _check(server: str, text: str) -> dict[str, object]:
    settings = Settings(probe=ProbeSettings(resolvers=(server,), query_timeout=1.0, deadline=5.0))
    reply = dnscheck.run(dnscheck.parse(text, settings.probe, trusted=True), settings, knowledge.load_default())
    data: dict[str, object] = reply.to_json()
    return data


def test_noerror_with_nxname_is_nxdomain(server: str) -> None:
    data = _check(server, "gone.compact.test")
    assert data["verdict"] == "nxdomain", data["text"]
    assert str(data["headline"]).startswith("gone.compact.test. does not exist (NXDOMAIN)")
    assert data["resolvers"][0]["rcode"] == "NOERROR"  # type: ignore[index]
    notes = "\n".join(data["notes"])  # type: ignore[arg-type]
    assert "compact denial of existence (RFC 9824)" in notes and "NXNAME" in notes
    assert data["zone"] == compactdns.ZONE


def test_nsec_without_nxname_stays_nodata(server: str) -> None:
    data = _check(server, "www.compact.test TXT")
    assert data["verdict"] == "nodata"
    assert not any("compact denial" in n for n in data["notes"])  # type: ignore[union-attr]


def test_existing_name_is_ok(server: str) -> None:
    data = _check(server, "www.compact.test")
    assert data["verdict"] == "ok" and data["answer"]
    assert not any("compact denial" in n for n in data["notes"])  # type: ignore[union-attr]
