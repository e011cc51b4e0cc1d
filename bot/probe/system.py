"""The machine's own resolvers ("system" in the resolver list): the nameserver lines of /etc/resolv.conf."""

from __future__ import annotations

import ipaddress
from pathlib import Path

RESOLV_CONF = Path("/etc/resolv.conf")
MAX_SYSTEM_RESOLVERS = 3  # what the C library uses (MAXNS)


def system_resolvers(path: Path = RESOLV_CONF) -> list[str]:
    """The IP addresses of the `nameserver` lines (at most three, as libc), or [] when there are none."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return parse_resolv_conf(lines)


def parse_resolv_conf(lines: list[str]) -> list[str]:
    """`nameserver 127.0.0.53` lines -> addresses (zone ids such as `%eth0` dropped, invalid lines ignored)."""
    found: list[str] = []
    for line in lines:
        words = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(words) >= 2 and words[0] == "nameserver":
            try:
                address = str(ipaddress.ip_address(words[1].split("%", 1)[0]))
            except ValueError:
                continue
            if address not in found:
                found.append(address)
    return found[:MAX_SYSTEM_RESOLVERS]
