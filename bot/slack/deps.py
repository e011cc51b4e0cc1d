"""What every listener needs, built once per process: settings, knowledge, rate limits and the dedupe memory."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.core.codes.knowledge import Knowledge
from bot.core.dedupe import SeenEvents
from bot.core.ratelimit import Clock, RateLimiter, Verdict, check_all
from bot.settings import Settings
from bot.stores.engine import default_url, make_engine
from bot.stores.settings import SettingsStore


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
        )

    def admit_probe(self, team: str | None, user: str | None, channel: str | None) -> Verdict:
        """Count one live check against the user's and the channel's allowance (both must have room).

        Keyed by the user and channel ids alone: Slack ids do not repeat across workspaces, and the team id does not
        come the same way everywhere (on Enterprise Grid a button click can carry `team: null` where the slash
        command carried the workspace), so a team in the key would give one person two allowances. Without a user
        id, the team stands in (one shared allowance rather than none).
        """
        pairs = [(self.user_limiter, f"user:{user}" if user else f"team:{team or '-'}")]
        if channel:
            pairs.append((self.channel_limiter, f"channel:{channel}"))
        return check_all(pairs)
