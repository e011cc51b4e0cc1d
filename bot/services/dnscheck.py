"""/dnscheck: validate the request fast (`parse`), say "Checking…" (`progress`), then probe and diagnose (`run`).

`parse` is pure and quick, so Slack calls it inside the 3-second ack and a bad name never reaches the probe; `run`
blocks for up to the check's deadline and is called from a lazy listener (Slack) or directly (CLI, chat shell).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot import metrics
from bot.core.check import target as target_mod
from bot.core.check.diagnosis import diagnose
from bot.core.check.observations import ProbeResult
from bot.core.codes.knowledge import Knowledge
from bot.probe import run as probe_run
from bot.probe import system_resolvers
from bot.render import diagnosis as render
from bot.render.escape import mrkdwn
from bot.render.reply import Reply
from bot.settings import ProbeSettings, Settings

USAGE = target_mod.USAGE


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
    """

    name: str
    rdtype: str
    display: str
    resolvers: tuple[str, ...] = ()
    trusted: bool = False
    allow_private: bool = False


def parse(text: str, probe: ProbeSettings, *, trusted: bool) -> CheckRequest:
    """`NAME [TYPE] [@RESOLVER…]` -> a CheckRequest; no network.

    Raises:
        UsageError, BadName, BadType: the request cannot be understood.
        NotAllowed: an untrusted user named a resolver off the allow-list, or a private one.
    """
    target = target_mod.from_text(text)
    target_mod.check_policy(target, allow_list=probe.resolver_allow_list, allow_private=probe.allow_private, trusted=trusted)
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
    )


def progress(request: CheckRequest) -> Reply:
    """The message shown while the probe runs."""
    return render.progress(request.display, request.name, request.rdtype, request.resolvers)


def resolvers_for(
    request: CheckRequest, probe: ProbeSettings, system: Callable[[], list[str]] = system_resolvers
) -> list[tuple[str, str]]:
    """(label, address) pairs to ask: the request's @resolvers or the configured ones, "system" expanded to the
    nameservers of /etc/resolv.conf (read here, in the shell, never in the core)."""
    chosen = request.resolvers or probe.resolvers
    pairs: list[tuple[str, str]] = []
    for item in chosen:
        if item == target_mod.SYSTEM:
            pairs += [("system", address) for address in system()]
        else:
            pairs.append((item, item))
    return list(dict.fromkeys(pairs))


def probe(request: CheckRequest, settings: Settings) -> ProbeResult | None:
    """Run the probe (blocking, up to the deadline); None when there is no resolver to ask."""
    resolvers = resolvers_for(request, settings.probe)
    if not resolvers:
        return None
    p = settings.probe
    return probe_run(
        request.name,
        request.rdtype,
        resolvers,
        allow_private=request.allow_private,
        query_timeout=p.query_timeout,
        deadline=p.deadline,
        budget=p.query_budget,
        port=p.port,
    )


def run(request: CheckRequest, settings: Settings, knowledge: Knowledge) -> Reply:
    """Probe and diagnose; DNS trouble (timeouts, refusals, garbage) is part of the answer, never an exception."""
    started = time.monotonic()
    result = probe(request, settings)
    if result is None:
        message = "No resolver to ask: the resolver list is empty and /etc/resolv.conf names no nameserver."
        return Reply(
            text=message,
            fallback=mrkdwn(message),
            data={"name": request.name, "type": request.rdtype, "error": message},
            ok=False,
        )
    diagnosis = diagnose(result, knowledge, display=request.display)
    metrics.probe(diagnosis.verdict, time.monotonic() - started)
    return render.reply(diagnosis)
