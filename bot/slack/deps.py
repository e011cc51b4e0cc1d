"""What every listener needs, built once per process: settings, knowledge, rate limits and the dedupe memory."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot import metrics
from bot.core.codes.knowledge import Knowledge
from bot.core.ratelimit import Clock, Verdict
from bot.services import dnscheck
from bot.settings import Settings
from bot.slack.probes import ProbeRunner
from bot.stores import shared


@dataclass(frozen=True, slots=True)
class Deps:
    """What the listeners share: settings, knowledge, and the state every instance must agree on (`seen`: which
    deliveries were handled; the live-check allowances), in this process or in Redis (`bot.stores.shared`)."""

    settings: Settings
    knowledge: Knowledge
    seen: shared.MemoryState | shared.RedisState
    probes: ProbeRunner

    @classmethod
    def create(cls, settings: Settings, knowledge: Knowledge, *, clock: Clock = time.monotonic) -> Deps:
        """The shared state for one running app (fresh memory, or the Redis that RCODEBOT_REDIS_URL names)."""
        state = shared.create(settings.redis_url, settings.user_rate, settings.channel_rate, clock=clock)
        probes = ProbeRunner(
            lambda request, for_settings: dnscheck.run(request, for_settings, knowledge),
            cache_ttl=settings.probe_cache_ttl,
            max_running=settings.max_probes,
            max_waiting=settings.max_waiting_probes,
            redis_url=settings.redis_url,
            clock=clock,
        )
        return cls(settings=settings, knowledge=knowledge, seen=state, probes=probes)

    def admit_probe(self, team: str | None, user: str | None, channel: str | None) -> Verdict:
        """Count one live check against the user's and the channel's allowance (both must have room).

        Keyed by the user and channel ids alone: Slack ids do not repeat across workspaces, and the team id does not
        come the same way everywhere (on Enterprise Grid a button click can carry `team: null` where the slash
        command carried the workspace), so a team in the key would give one person two allowances. Without a user
        id, the team stands in (one shared allowance rather than none).
        """
        verdict = self.seen.admit(
            f"user:{user}" if user else f"team:{team or '-'}", f"channel:{channel}" if channel else None
        )
        if not verdict.allowed:
            metrics.rate_limited()
        return verdict
