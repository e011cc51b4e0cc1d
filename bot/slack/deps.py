"""What every listener needs, built once per process: settings, knowledge, rate limits and the dedupe memory."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace

from bot.core.codes.knowledge import Knowledge
from bot.core.dedupe import SeenEvents
from bot.core.ratelimit import Clock, RateLimiter, Verdict, check_all
from bot.settings import RateLimit, Settings
from bot.stores.engine import default_url, make_engine
from bot.stores.settings import SettingsStore
from bot.workspace import WorkspaceSettings, bounded, effective_probe


def settings_store(settings: Settings) -> SettingsStore:
    """The settings store over RCODEBOT_DATABASE_URL, else the embedded SQLite file (in memory with no data dir)."""
    return SettingsStore(make_engine(settings.database_url or default_url(settings.data_dir)))


@dataclass(frozen=True, slots=True)
class Deps:
    """Process-wide state shared by the listeners (one gunicorn worker, or one Socket Mode process)."""

    settings: Settings
    knowledge: Knowledge
    user_limiter: RateLimiter
    channel_limiter: RateLimiter
    seen: SeenEvents
    #: per-channel mutes and per-workspace settings, shared by every instance through the database.
    store: SettingsStore = field(default_factory=lambda: SettingsStore(make_engine(default_url(None))))
    #: limiters for workspaces that chose stricter allowances, by (kind, count, seconds); bounded by the few
    #: distinct allowances workspaces choose.
    workspace_limiters: dict[tuple[str, int, float], RateLimiter] = field(default_factory=dict)
    clock: Clock = time.monotonic
    _limiters_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(
        cls,
        settings: Settings,
        knowledge: Knowledge,
        *,
        clock: Clock = time.monotonic,
        store: SettingsStore | None = None,
    ) -> Deps:
        """Fresh limiters and dedupe memory for one running app."""
        return cls(
            store=store if store is not None else settings_store(settings),
            settings=settings,
            knowledge=knowledge,
            user_limiter=RateLimiter(settings.user_rate.count, settings.user_rate.seconds, clock=clock),
            channel_limiter=RateLimiter(settings.channel_rate.count, settings.channel_rate.seconds, clock=clock),
            seen=SeenEvents(clock=clock),
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

    def _workspace_limiter(self, kind: str, limit: RateLimit) -> RateLimiter:
        key = (kind, limit.count, limit.seconds)
        with self._limiters_lock:
            limiter = self.workspace_limiters.get(key)
            if limiter is None:
                limiter = self.workspace_limiters[key] = RateLimiter(limit.count, limit.seconds, clock=self.clock)
            return limiter

    def admit_probe(self, team: str | None, user: str | None, channel: str | None) -> Verdict:
        """Count one live check against the user's and the channel's allowance (both must have room).

        Keyed by the user and channel ids alone: Slack ids do not repeat across workspaces, and the team id does not
        come the same way everywhere (on Enterprise Grid a button click can carry `team: null` where the slash
        command carried the workspace), so a team in the key would give one person two allowances. Without a user
        id, the team stands in (one shared allowance rather than none).
        """
        person = f"user:{user}" if user else f"team:{team or '-'}"
        pairs = [(self.user_limiter, person)]
        if channel:
            pairs.append((self.channel_limiter, f"channel:{channel}"))
        # A workspace's stricter allowances count on top of the operator's (never instead of them).
        chosen = self.workspace(team)
        if chosen.user_rate is not None:
            pairs.append((self._workspace_limiter("user", chosen.user_rate), person))
        if chosen.channel_rate is not None and channel:
            pairs.append((self._workspace_limiter("channel", chosen.channel_rate), f"channel:{channel}"))
        return check_all(pairs)
