"""Sliding-window rate limits, per key (a Slack user, a channel), with an injected clock.

A live DNS check sends real queries to real servers on the operator's behalf, so one person (or one busy channel)
must not be able to turn the bot into a query cannon. This is pure bookkeeping: the caller passes the clock
(`time.monotonic` in production, a counter in tests) and decides what to tell the user.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to "may this key go now?".

    Attributes:
        allowed: True when the request was admitted (and counted).
        retry_after: seconds until the oldest counted request leaves the window (0 when allowed).
    """

    allowed: bool
    retry_after: float = 0.0

    @property
    def wait_seconds(self) -> int:
        """Whole seconds to tell a person ("try again in N s"), never 0 for a refusal."""
        return max(1, math.ceil(self.retry_after)) if not self.allowed else 0


class RateLimiter:
    """At most `count` admitted requests per key in any `seconds`-long window.

    Memory is bounded: each key keeps at most `count` timestamps, and keys whose window has emptied are dropped
    when the table grows past `max_keys` (then, if every key is still busy, the least recently used goes).
    Safe to call from many threads.
    """

    def __init__(self, count: int, seconds: float, *, clock: Clock, max_keys: int = 10_000) -> None:
        if count < 1 or seconds <= 0:
            raise ValueError("count and seconds must be positive")
        self.count = count
        self.seconds = seconds
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._hits)

    def check(self, key: str) -> Verdict:
        """Admit and count a request for `key`, or say how long to wait; a refusal is not counted."""
        with self._lock:
            now = self._clock()
            hits = self._hits.pop(key, None)  # re-inserted below: dict order doubles as recency order
            if hits is None:
                hits = deque()
            while hits and now - hits[0] >= self.seconds:
                hits.popleft()
            if len(hits) >= self.count:
                self._hits[key] = hits
                return Verdict(False, self.seconds - (now - hits[0]))
            hits.append(now)
            self._hits[key] = hits
            if len(self._hits) > self._max_keys:
                self._prune(now)
            return Verdict(True)

    def peek(self, key: str) -> Verdict:
        """What `check` would answer, without counting anything."""
        with self._lock:
            now = self._clock()
            hits = [t for t in self._hits.get(key, ()) if now - t < self.seconds]
            if len(hits) >= self.count:
                return Verdict(False, self.seconds - (now - hits[0]))
            return Verdict(True)

    def _prune(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or now - hits[-1] >= self.seconds]:
            del self._hits[key]
        while len(self._hits) > self._max_keys:
            del self._hits[next(iter(self._hits))]


def check_all(limiters: list[tuple[RateLimiter, str]]) -> Verdict:
    """Admit a request only when every (limiter, key) pair has room, and count it in all of them.

    Checking first and counting after means a request refused by the channel limit does not use up the
    user's allowance.
    """
    waits = [limiter.peek(key) for limiter, key in limiters]
    refused = [v for v in waits if not v.allowed]
    if refused:
        return Verdict(False, max(v.retry_after for v in refused))
    results = [limiter.check(key) for limiter, key in limiters]
    refused = [v for v in results if not v.allowed]  # a race with another thread between peek and check
    if refused:
        return Verdict(False, max(v.retry_after for v in refused))
    return Verdict(True)
