"""/dnscheck: validate the request fast (`parse`), say "Checking…" (`progress`), then probe and diagnose (`run`).

`parse` is pure and quick, so Slack calls it inside the 3-second ack and a bad name never reaches the probe; `run`
blocks for up to the check's deadline and is called from a lazy listener (Slack) or directly (CLI, chat shell).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot import metrics
from bot.core.check import graph
from bot.core.check import target as target_mod
from bot.core.check.diagnosis import Diagnosis, diagnose, with_report
from bot.core.check.observations import ProbeResult
from bot.core.check.target import is_public
from bot.core.check.trace import TraceResult
from bot.core.check.trace_diagnosis import with_trace
from bot.core.codes.knowledge import Knowledge
from bot.core.errors import NotAllowed
from bot.probe import run as probe_run
from bot.probe import system_resolvers
from bot.probe.trace import run_with_trace
from bot.render import diagnosis as render
from bot.render.escape import mrkdwn
from bot.render.reply import Reply
from bot.settings import ProbeSettings, Settings

USAGE = target_mod.USAGE
log = logging.getLogger("rcodebot.dnscheck")


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """A validated, allowed check.

    Attributes:
        name: absolute IDNA name text (`xn--bcher-kva.example.`).
        rdtype: type mnemonic (`A`).
        display: the name as typed, for people (`bücher.example`, or the IP address for a PTR check).
        resolvers: resolvers named with @ (empty: use the configured ones).
        trusted: the operator (CLI, shell) rather than a Slack user.
        allow_private: whether the probe may query private/loopback/link-local addresses (NS addresses included).
        trace: also walk the delegation from the root hints (`trace`).
        report: list every check, passed, warned or failed (`report`).
    """

    name: str
    rdtype: str
    display: str
    resolvers: tuple[str, ...] = ()
    trusted: bool = False
    allow_private: bool = False
    trace: bool = False
    report: bool = False


def parse(
    text: str, probe: ProbeSettings, *, trusted: bool, system: Callable[[], list[str]] = system_resolvers
) -> CheckRequest:
    """`NAME [TYPE] [@RESOLVER…] [trace] [report]` -> a CheckRequest; no network (`@system` reads /etc/resolv.conf).

    Raises:
        UsageError, BadName, BadType: the request cannot be understood.
        NotAllowed: an untrusted user named a resolver off the allow-list, or a private one; `@system` counts as
            private when /etc/resolv.conf names only private or local addresses (a local stub such as 127.0.0.53).
    """
    target = target_mod.from_text(text)
    target_mod.check_policy(target, allow_list=probe.resolver_allow_list, allow_private=probe.allow_private, trusted=trusted)
    if not trusted and not probe.allow_private and target_mod.SYSTEM in target.resolvers:
        local = system()
        if not any(is_public(address) for address in local):
            shown = ", ".join(local) or "no nameserver"
            raise NotAllowed(
                reason=f"@system is this machine's own resolver ({shown}), a private or local address; "
                "this bot does not query those."
            )
    display = target.display or target.name
    if target.reverse_of:
        display = f"{target.reverse_of} ({target.name})"
    return CheckRequest(
        name=target.name,
        rdtype=target.rdtype,
        display=display,
        resolvers=target.resolvers,
        trusted=trusted,
        allow_private=trusted or probe.allow_private,
        trace=target.trace,
        report=target.report,
    )


def as_text(request: CheckRequest) -> str:
    """The request as `parse` reads it back (`NAME TYPE [@RESOLVER…] [trace] [report]`): a button's value names
    the same check, so its click is served from the same cache entry."""
    parts = [request.name, request.rdtype, *(f"@{r}" for r in request.resolvers)]
    if request.trace:
        parts.append("trace")
    if request.report:
        parts.append("report")
    return " ".join(parts)


def progress(request: CheckRequest) -> Reply:
    """The message shown while the probe runs."""
    return render.progress(request.display, request.name, request.rdtype, request.resolvers)


def resolvers_for(
    request: CheckRequest, probe: ProbeSettings, system: Callable[[], list[str]] = system_resolvers
) -> list[tuple[str, str]]:
    """(label, address) pairs to ask: the request's @resolvers or the configured ones, "system" expanded to the
    nameservers of /etc/resolv.conf (read here, in the shell, never in the core). Without `allow_private`, the
    system's private and local addresses (a local stub such as 127.0.0.53) are left out."""
    chosen = request.resolvers or probe.resolvers
    pairs: list[tuple[str, str]] = []
    for item in chosen:
        if item == target_mod.SYSTEM:
            pairs += [("system", a) for a in system() if request.allow_private or is_public(a)]
        else:
            pairs.append((item, item))
    return list(dict.fromkeys(pairs))


def probe(request: CheckRequest, settings: Settings) -> ProbeResult | None:
    """Run the probe (blocking, up to the deadline); None when there is no resolver to ask."""
    return probe_and_trace(request, settings)[0]


def probe_and_trace(request: CheckRequest, settings: Settings) -> tuple[ProbeResult | None, TraceResult | None]:
    """The probe, and the delegation walk beside it when the request asks for `trace` (None otherwise)."""
    resolvers = resolvers_for(request, settings.probe)
    if not resolvers:
        return None, None
    p = settings.probe
    if request.trace:
        return run_with_trace(
            request.name,
            request.rdtype,
            resolvers,
            p.root_hints,
            allow_private=request.allow_private,
            query_timeout=p.query_timeout,
            deadline=p.deadline,
            budget=p.query_budget,
            port=p.port,
            security=p.security_checks,
        )
    result = probe_run(
        request.name,
        request.rdtype,
        resolvers,
        allow_private=request.allow_private,
        query_timeout=p.query_timeout,
        deadline=p.deadline,
        budget=p.query_budget,
        port=p.port,
        security=p.security_checks,
    )
    return result, None


def run(request: CheckRequest, settings: Settings, knowledge: Knowledge) -> Reply:
    """Probe and diagnose; DNS trouble (timeouts, refusals, garbage) is part of the answer, never an exception."""
    started = time.monotonic()
    result, trace = probe_and_trace(request, settings)
    if result is None:
        message = "No resolver to ask: the resolver list is empty and /etc/resolv.conf names no nameserver."
        return Reply(
            text=message,
            fallback=mrkdwn(message),
            data={"name": request.name, "type": request.rdtype, "error": message},
            ok=False,
        )
    window = settings.probe.signature_window_days * 86400
    found = diagnose(result, knowledge, display=request.display, signature_window=window)
    metrics.probe(found.verdict, time.monotonic() - started)
    skipped = _skipped_system(request, settings.probe)
    if skipped:
        note = f"did not ask system ({', '.join(skipped)}): a private or local address (RCODEBOT_ALLOW_PRIVATE allows it)"
        found = replace(found, notes=(*found.notes, note))
    if trace is not None:
        found = with_trace(found, trace, knowledge)
    if request.report:
        found = with_report(found, result, knowledge, signature_window=window)
    return render.reply(found).with_graph(_graph(result, found))


def _graph(result: ProbeResult, found: Diagnosis) -> graph.Graph | None:
    """The picture as data (about a millisecond), so a "Show diagram" click on this result needs no second check.
    A fault in drawing never costs the check its answer: it is logged, and the result has no diagram."""
    try:
        return graph.build(result, found)
    except Exception:
        log.exception("building the diagram of %s %s failed", found.name, found.rdtype)
        return None


def _skipped_system(
    request: CheckRequest, probe: ProbeSettings, system: Callable[[], list[str]] = system_resolvers
) -> list[str]:
    """The system resolver addresses `resolvers_for` left out (to say so in the notes)."""
    if request.allow_private or target_mod.SYSTEM not in (request.resolvers or probe.resolvers):
        return []
    return [a for a in system() if not is_public(a)]
