"""RCODEBOT_ROOT_HINTS (bot/settings.py): where a trace starts — IANA's roots, a list of addresses, or a hints file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.check.roots import IANA_ROOT_HINTS
from bot.core.errors import ConfigError
from bot.settings import Settings


def test_default_is_ianas_root_servers() -> None:
    assert Settings.from_env({}).probe.root_hints == IANA_ROOT_HINTS
    assert ("a.root-servers.net.", "198.41.0.4") in IANA_ROOT_HINTS


def test_addresses() -> None:
    hints = Settings.from_env({"RCODEBOT_ROOT_HINTS": "127.53.0.1, [2001:db8::53]"}).probe.root_hints
    assert hints == (("127.53.0.1", "127.53.0.1"), ("2001:db8::53", "2001:db8::53"))


def test_named_root_file(tmp_path: Path) -> None:
    hints = tmp_path / "named.root"
    hints.write_text(
        ";       This file holds the information on root name servers\n"
        ".                        3600000      NS    A.ROOT-SERVERS.NET.\n"
        "A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4\n"
        "A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30\n"
        "b.root-servers.lab 300 IN A 127.53.0.2 ; a comment\n"
    )
    got = Settings.from_env({"RCODEBOT_ROOT_HINTS": str(hints)}).probe.root_hints
    assert got == (
        ("a.root-servers.net.", "198.41.0.4"),
        ("a.root-servers.net.", "2001:503:ba3e::2:30"),
        ("b.root-servers.lab.", "127.53.0.2"),
    )


@pytest.mark.parametrize("value", ["/nonexistent/root.hints", "not an address"])
def test_unreadable_or_malformed_is_one_line(value: str) -> None:
    with pytest.raises(ConfigError, match="RCODEBOT_ROOT_HINTS"):
        Settings.from_env({"RCODEBOT_ROOT_HINTS": value})


def test_file_without_addresses(tmp_path: Path) -> None:
    empty = tmp_path / "hints"
    empty.write_text(". 3600000 NS a.root-servers.net.\n")
    with pytest.raises(ConfigError, match="holds no A or AAAA"):
        Settings.from_env({"RCODEBOT_ROOT_HINTS": str(empty)})


@given(st.text(max_size=300))
def test_any_hints_file_gives_addresses_or_one_config_error(text: str) -> None:
    import ipaddress
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".hints", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    try:
        hints = Settings.from_env({"RCODEBOT_ROOT_HINTS": handle.name}).probe.root_hints
    except ConfigError as err:
        assert "RCODEBOT_ROOT_HINTS" in str(err)
        return
    finally:
        Path(handle.name).unlink()
    assert hints
    for name, address in hints:
        assert name.endswith(".") and ipaddress.ip_address(address)
