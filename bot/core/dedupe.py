"""Remember which Slack deliveries were already handled, so a redelivery gets no second reply.

Slack redelivers an event (same `event_id`) when it did not see a 2xx within 3 seconds, and again after about one
and five minutes. Bolt does not deduplicate, and Bolt 1.30 sets `x-slack-retry-num: 0` even on a first delivery,
so the header is no signal: the event_id is. The memory is bounded by age (`ttl`) and by size (`max_size`), so a
long-running bot under load stays flat. Pure: the clock is injected.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

Clock = Callable[[], float]

#: Slack's last retry comes about five minutes after the first delivery; keep ids a little longer than that.
DEFAULT_TTL = 15 * 60.0
DEFAULT_MAX_SIZE = 20_000


class SeenEvents:
    """A time- and size-bounded set of delivery ids. Safe to call from many threads."""

    def __init__(self, *, clock: Clock, ttl: float = DEFAULT_TTL, max_size: int = DEFAULT_MAX_SIZE) -> None:
        if ttl <= 0 or max_size < 1:
            raise ValueError("ttl and max_size must be positive")
        self.ttl = ttl
        self.max_size = max_size
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # id -> time first seen, oldest first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def first_time(self, key: str) -> bool:
        """Record `key`; True the first time it is seen within `ttl`, False for a repeat."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            if key in self._seen:
                return False
            self._seen[key] = now
            while len(self._seen) > self.max_size:
                self._seen.popitem(last=False)
            return True

    def forget(self, key: str) -> None:
        """Drop `key`, so it counts as new again (work recorded by `first_time` that failed, and may be retried)."""
        with self._lock:
            self._seen.pop(key, None)

    def _expire(self, now: float) -> None:
        while self._seen:
            oldest_key, first_seen = next(iter(self._seen.items()))
            if now - first_seen < self.ttl:
                break
            del self._seen[oldest_key]
