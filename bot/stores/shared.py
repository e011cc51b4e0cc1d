"""The state every instance of the bot must agree on: which deliveries were handled, and the live-check allowances.

One process keeps it in memory (`MemoryState`: nothing to set up). Several processes (gunicorn workers, hosts
behind a load balancer, Socket Mode connections, across which Slack spreads events) must share it, or a delivery
retried onto another instance gets a second reply and every allowance is multiplied by the number of instances:
`RedisState` keeps it in Redis (`RCODEBOT_REDIS_URL`).

- Dedupe is `SET key 1 NX EX ttl`: one atomic command, the first writer wins.
- Allowances are a moving window in Redis from the `limits` library (`MovingWindowRateLimiter`, a Lua script per
  hit), not a hand-written one. Its `redis` extra asks for redis-py below 8, but what it uses of redis-py works
  unchanged with 8.2 (measured: `tests/stores/test_shared.py` runs it against a real redis-server), so the project
  pins redis-py 8 and installs `limits` without the extra.
- Redis going away must not stop the bot: every call that fails (or takes longer than half a second) falls back to
  this process's memory, with one log line saying that duplicate replies and extra live checks are possible until
  Redis is back. Redis is tried again every few seconds, and one line says when it is back. Errors are counted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from limits import RateLimitItem

from bot.core.dedupe import DEFAULT_TTL, SeenEvents
from bot.core.ratelimit import Clock, RateLimiter, Verdict, check_all
from bot.settings import RateLimit

log = logging.getLogger("rcodebot.stores")

PREFIX = "rcodebot:"
RETRY_SECONDS = 5.0
REDIS_TIMEOUT = 0.5


class SharedState(Protocol):
    """What the listeners ask of the shared state."""

    backend: str

    def first_time(self, key: str) -> bool:
        """Record a delivery (or click) id; True the first time any instance sees it."""
        ...

    def admit(self, user_key: str, channel_key: str | None) -> Verdict:
        """Count one live check against the user's and the channel's allowance (both must have room)."""
        ...


class MemoryState:
    """The state of one process: `bot.core.dedupe` and `bot.core.ratelimit`."""

    backend = "memory"

    def __init__(self, user_rate: RateLimit, channel_rate: RateLimit, *, clock: Clock = time.monotonic) -> None:
        self.seen = SeenEvents(clock=clock)
        self.user = RateLimiter(user_rate.count, user_rate.seconds, clock=clock)
        self.channel = RateLimiter(channel_rate.count, channel_rate.seconds, clock=clock)

    def first_time(self, key: str) -> bool:
        return self.seen.first_time(key)

    def admit(self, user_key: str, channel_key: str | None) -> Verdict:
        pairs = [(self.user, user_key)]
        if channel_key is not None:
            pairs.append((self.channel, channel_key))
        return check_all(pairs)


class RedisState:
    """The state in Redis, shared by every instance that names the same server; memory while Redis is away."""

    backend = "redis"

    def __init__(
        self,
        url: str,
        user_rate: RateLimit,
        channel_rate: RateLimit,
        *,
        fallback: MemoryState | None = None,
        wall: Callable[[], float] = time.time,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        import redis
        from limits import RateLimitItemPerSecond
        from limits.storage import RedisStorage
        from limits.strategies import MovingWindowRateLimiter

        self._redis = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
        storage = RedisStorage(
            url,
            key_prefix=PREFIX + "limits",
            wrap_exceptions=True,
            socket_timeout=REDIS_TIMEOUT,
            socket_connect_timeout=REDIS_TIMEOUT,
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._user = RateLimitItemPerSecond(user_rate.count, int(user_rate.seconds))
        self._channel = RateLimitItemPerSecond(channel_rate.count, int(channel_rate.seconds))
        self._errors_from: tuple[type[BaseException], ...] = (redis.RedisError, OSError, _storage_error())
        self.fallback = fallback or MemoryState(user_rate, channel_rate)
        self._wall = wall
        self._on_error = on_error
        self._lock = threading.Lock()
        self._down_until = 0.0
        self.errors = 0
        self.down = False

    # ------------------------------------------------------------------------------------------- the state

    def first_time(self, key: str) -> bool:
        if self._skip():
            return self.fallback.first_time(key)
        try:
            first = bool(self._redis.set(PREFIX + "seen:" + key, b"1", nx=True, ex=int(DEFAULT_TTL)))
        except self._errors_from as err:
            self._failed("dedupe", err)
            return self.fallback.first_time(key)
        self._ok()
        return first

    def admit(self, user_key: str, channel_key: str | None) -> Verdict:
        if self._skip():
            return self.fallback.admit(user_key, channel_key)
        pairs: list[tuple[RateLimitItem, str]] = [(self._user, user_key)]
        if channel_key is not None:
            pairs.append((self._channel, channel_key))
        try:
            verdict = self._admit(pairs)
        except self._errors_from as err:
            self._failed("allowances", err)
            return self.fallback.admit(user_key, channel_key)
        self._ok()
        return verdict

    def _admit(self, pairs: list[tuple[RateLimitItem, str]]) -> Verdict:
        # As `check_all`: test every window first, count in all of them only when all have room, so a refusal by
        # the channel's allowance does not use up the user's.
        limiter = self._limiter
        refused = [(item, key) for item, key in pairs if not limiter.test(item, key)]
        if not refused:
            hits = [(item, key) for item, key in pairs if not limiter.hit(item, key)]
            if not hits:
                return Verdict(True)
            refused = hits  # another instance took the last room between the test and the hit
        now = self._wall()
        waits = [limiter.get_window_stats(item, key).reset_time - now for item, key in refused]
        return Verdict(False, max(0.0, max(waits)))

    # ------------------------------------------------------------------------------------------ Redis away

    def _skip(self) -> bool:
        """While Redis is known to be away, go straight to memory (no half-second timeout per request)."""
        return self.down and time.monotonic() < self._down_until

    def _failed(self, what: str, err: BaseException) -> None:
        with self._lock:
            self.errors += 1
            first = not self.down
            self.down = True
            self._down_until = time.monotonic() + RETRY_SECONDS
        if self._on_error is not None:
            self._on_error(what)
        if first:
            log.warning(
                "Redis unreachable (%s: %s): using this process's memory for %s; duplicate replies and extra live "
                "checks are possible until Redis is back",
                type(err).__name__,
                str(err)[:200],
                what,
            )

    def _ok(self) -> None:
        if self.down:
            with self._lock:
                was_down, self.down = self.down, False
            if was_down:
                log.warning("Redis is reachable again: deliveries and allowances are shared again")


def _storage_error() -> type[BaseException]:
    from limits.errors import StorageError

    return StorageError


def create(
    redis_url: str | None, user_rate: RateLimit, channel_rate: RateLimit, *, clock: Clock = time.monotonic
) -> MemoryState | RedisState:
    """The state for a running app: in Redis when a URL is configured, else in this process."""
    memory = MemoryState(user_rate, channel_rate, clock=clock)
    if redis_url is None:
        return memory
    from bot import metrics

    return RedisState(redis_url, user_rate, channel_rate, fallback=memory, on_error=metrics.redis_error)
