"""`rcodebot dnscheck`: placeholder until its issue lands (the owner replaces this module)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.cli import Context


def add_parser(sub: Any) -> None:
    """Declare the subcommand."""
    parser = sub.add_parser("dnscheck", help="(not built yet)")
    parser.add_argument("rest", nargs="*")
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    """Not built yet."""
    from bot.core.errors import UsageError

    raise UsageError("rcodebot dnscheck is not built yet")
