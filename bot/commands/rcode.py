"""`rcodebot rcode QUERY… [--json]`: explain or compare DNS response codes."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands.context import Context, ExitStatus
from bot.core.codes.query import USAGE
from bot.core.errors import UnknownCode, UsageError


def add_parser(sub: Any) -> None:
    """Declare `rcode`."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "rcode",
        help="explain or compare DNS response codes (2 vs 4, servfail vs notimp, ede 9, nodata)",
        description=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("query", nargs="*", help="codes by number or name, e.g. 2 vs 4")
    parser.add_argument("--json", action="store_true", help="print one JSON object (a stable interface)")
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    """Answer the query; exit 2 (with an error object under --json) when it names no known code."""
    from bot.services import rcode

    text = " ".join(ctx.args.query)
    as_json = bool(ctx.args.json)
    try:
        reply = rcode.answer(text, ctx.knowledge)
    except UnknownCode as err:
        ctx.emit_error(err, as_json=as_json, extra={"suggestions": err.suggestions})
        return ExitStatus.USAGE
    except UsageError as err:
        ctx.emit_error(err, as_json=as_json, extra={"suggestions": []})
        return ExitStatus.USAGE
    ctx.emit(reply, as_json=as_json)
    return ExitStatus.OK
