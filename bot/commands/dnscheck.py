"""`rcodebot dnscheck NAME [TYPE] [--resolver IP]… [--timeout S] [--deadline S] [--json]`: the live probe."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.commands.context import Context, ExitStatus

if TYPE_CHECKING:
    from bot.core.check.graph import Graph


def add_parser(sub: Any) -> None:
    """Declare `dnscheck`."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "dnscheck",
        usage="rcodebot dnscheck NAME [TYPE] [--resolver IP]... [--timeout S] [--deadline S] [--trace] [--report] [--json]",
        help="probe a name live and say why it fails (DNSSEC, lame or unreachable nameservers, serials, …)",
        description="Probe a name live: ask the resolvers, find the zone and its delegation, ask every nameserver "
        "directly, check DNSSEC, and say what is wrong and how to fix it. NAME may be a URL, an e-mail address or an "
        "IP address (its PTR name); @RESOLVER words work as in Slack.",
        epilog="Exit status: 0 for ok, nxdomain or nodata; 5 for degraded (it resolves, but a cause was found); 3 when "
        "the name fails to resolve; 2 for bad input; 4 when "
        "--diagram cannot be drawn (Graphviz missing) or written.",
    )
    parser.add_argument(
        "target", nargs="+", metavar="NAME [TYPE]", help="a name (or a URL, e-mail or IP address), then a type"
    )
    parser.add_argument(
        "--resolver",
        "-r",
        action="append",
        default=[],
        metavar="IP",
        help="ask this resolver (repeatable; default: the configured resolvers)",
    )
    parser.add_argument("--timeout", type=float, metavar="S", help="seconds to wait for each answer")
    parser.add_argument("--deadline", type=float, metavar="S", help="seconds the whole check may take")
    parser.add_argument(
        "--trace",
        action="store_true",
        help="also walk the delegation from the root hints, as dig +trace (RCODEBOT_ROOT_HINTS; default IANA's roots)",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="list every check (delegation, each server over UDP and TCP, consistency, DNSSEC, NSEC3, CDS, open "
        "recursion, AXFR, address diversity) as passed, warned or failed, with the evidence",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (a stable interface)")
    parser.add_argument(
        "--diagram",
        metavar="FILE",
        help="also draw the check (zones, servers, the DNSSEC chain) into FILE.svg or FILE.png (needs Graphviz)",
    )
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    """Check the name; the operator is trusted, so any resolver and private addresses are allowed."""
    from bot.core.errors import BadName, BadType, NotAllowed, UsageError
    from bot.services import dnscheck

    as_json = bool(ctx.args.json)
    words = [*ctx.args.target, *(f"@{r.lstrip('@')}" for r in ctx.args.resolver), *(["+trace"] if ctx.args.trace else [])]
    if ctx.args.report:
        words.append("report")
    settings = ctx.settings
    changes: dict[str, object] = {}
    for flag, key, low, high in (("timeout", "query_timeout", 0.05, 60.0), ("deadline", "deadline", 0.1, 600.0)):
        value = getattr(ctx.args, flag)
        if value is not None:
            if not low <= value <= high:
                ctx.emit_error(UsageError(f"--{flag} must be between {low:g} and {high:g} seconds"), as_json=as_json)
                return ExitStatus.USAGE
            changes[key] = value
    if changes:
        settings = settings.with_probe(**changes)
    try:
        request = dnscheck.parse(" ".join(words), settings.probe, trusted=True)
    except (UsageError, BadName, BadType, NotAllowed) as err:
        ctx.emit_error(err, as_json=as_json)
        return ExitStatus.USAGE
    diagram = ctx.args.diagram
    if diagram is not None and not str(diagram).lower().endswith((".svg", ".png")):
        ctx.emit_error(UsageError("--diagram needs a file name ending in .svg or .png"), as_json=as_json)
        return ExitStatus.USAGE
    reply = dnscheck.run(request, settings, ctx.knowledge)
    if diagram is not None and reply.graph is not None:  # no graph: no resolver to ask, the error answer says so
        status = _draw(ctx, reply.graph, str(diagram))
        if status is not None:
            ctx.emit(reply, as_json=as_json)
            return status
    ctx.emit(reply, as_json=as_json)
    verdict = reply.data.get("verdict")
    if verdict in ("ok", "nxdomain", "nodata"):
        return ExitStatus.OK
    if verdict == "degraded":
        return ExitStatus.DEGRADED
    return ExitStatus.DNS_FAILURE


def _draw(ctx: Context, graph: Graph, name: str) -> int | None:
    """Write the picture; None when it worked, else the exit status (the check's answer is still printed)."""
    from pathlib import Path

    from bot.render import diagram

    path = Path(name) if Path(name).is_absolute() else ctx.env.cwd / name
    try:
        data = diagram.render(graph, "png" if name.lower().endswith(".png") else "svg")
    except diagram.GraphvizMissing as err:
        ctx.env.stderr.write(f"rcodebot: {err}\n")
        return ExitStatus.CONFIG
    try:
        path.write_bytes(data)
    except OSError as err:
        ctx.env.stderr.write(f"rcodebot: cannot write {name}: {err.strerror or err}\n")
        return ExitStatus.CONFIG
    ctx.env.stderr.write(f"rcodebot: diagram written to {name}\n")
    return None
