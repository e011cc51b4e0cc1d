"""What every listener needs, built once per process: settings, knowledge, rate limits and the dedupe memory."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace

from bot import metrics
from bot.core.codes.knowledge import Knowledge
from bot.core.ratelimit import Clock, Verdict
from bot.services import dnscheck
from bot.settings import RateLimit, Settings
from bot.slack.probes import ProbeRunner
from bot.stores import shared
from bot.stores.database import engine_for
from bot.stores.settings import SettingsStore
from bot.workspace import WorkspaceSettings, bounded, effective_probe


def settings_store(settings: Settings) -> SettingsStore:
    """The settings store over RCODEBOT_DATABASE_URL, else the embedded SQLite file (in memory with no data dir)."""
    return SettingsStore(engine_for(settings.database_url))


@dataclass(frozen=True, slots=True)
class Deps:
    """What the listeners share: settings, knowledge, and the state every instance must agree on (`seen`: which
    deliveries were handled; the live-check allowances), in this process or in Redis (`bot.stores.shared`); and the
    per-channel and per-workspace settings (`store`), in the database."""

    settings: Settings
    knowledge: Knowledge
    seen: shared.MemoryState | shared.RedisState
    probes: ProbeRunner
    #: per-channel mutes and per-workspace settings, shared by every instance through the database.
    store: SettingsStore = field(default_factory=lambda: SettingsStore(engine_for("sqlite://")))
    #: the allowances of workspaces that chose stricter ones, by (per person, per channel); in Redis like the
    #: operator's when RCODEBOT_REDIS_URL is set. Bounded by the few distinct allowances workspaces choose.
    workspace_states: dict[tuple[RateLimit, RateLimit], shared.MemoryState | shared.RedisState] = field(default_factory=dict)
    clock: Clock = time.monotonic
    _states_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(
        cls,
        settings: Settings,
        knowledge: Knowledge,
        *,
        clock: Clock = time.monotonic,
        store: SettingsStore | None = None,
    ) -> Deps:
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
        return cls(
            settings=settings,
            knowledge=knowledge,
            seen=state,
            probes=probes,
            store=store if store is not None else settings_store(settings),
            clock=clock,
        )

    def workspace(self, team: str | None) -> WorkspaceSettings:
        """The workspace's own settings, within the operator's current bounds (anything outside falls back)."""
        chosen = self.store.workspace(team)
        if chosen.is_default:
            return chosen
        return bounded(chosen, self.settings.probe, self.settings.user_rate, self.settings.channel_rate)

    def settings_for(self, team: str | None) -> Settings:
        """The settings a check for `team` runs with: its own resolvers, when it chose some."""
        chosen = self.workspace(team)
        if chosen.resolvers is None:
            return self.settings
        return replace(self.settings, probe=effective_probe(self.settings.probe, chosen))

    def _workspace_state(self, user_rate: RateLimit, channel_rate: RateLimit) -> shared.MemoryState | shared.RedisState:
        key = (user_rate, channel_rate)
        with self._states_lock:
            state = self.workspace_states.get(key)
            if state is None:
                state = shared.create(self.settings.redis_url, user_rate, channel_rate, clock=self.clock)
                self.workspace_states[key] = state
            return state

    def admit_probe(self, team: str | None, user: str | None, channel: str | None) -> Verdict:
        """Count one live check against the user's and the channel's allowance (both must have room).

        Keyed by the user and channel ids alone: Slack ids do not repeat across workspaces, and the team id does not
        come the same way everywhere (on Enterprise Grid a button click can carry `team: null` where the slash
        command carried the workspace), so a team in the key would give one person two allowances. Without a user
        id, the team stands in (one shared allowance rather than none).

        A workspace that chose stricter allowances is counted against them first (keys prefixed `ws:`, so they
        never share a window with the operator's), then against the operator's: a refusal by the workspace's does
        not use up the operator's.
        """
        person = f"user:{user}" if user else f"team:{team or '-'}"
        room = f"channel:{channel}" if channel else None
        chosen = self.workspace(team)
        if chosen.user_rate is not None or chosen.channel_rate is not None:
            state = self._workspace_state(
                chosen.user_rate or self.settings.user_rate, chosen.channel_rate or self.settings.channel_rate
            )
            verdict = state.admit(f"ws:{person}", f"ws:{room}" if room else None)
            if not verdict.allowed:
                metrics.rate_limited()
                return verdict
        verdict = self.seen.admit(person, room)
        if not verdict.allowed:
            metrics.rate_limited()
        return verdict
