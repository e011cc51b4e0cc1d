"""Live checks as the Slack side runs them: a short-lived cache, identical checks coalesced, a global cap.

- **Cache.** The same check (name, type, resolvers, options) asked again within `RCODEBOT_PROBE_CACHE_TTL` seconds
  (default 60; 0 turns it off) is answered from the cache and says so ("cached result from 12 s ago", and
  `"cached": true` in the data). An incident brings many people to the same name at once; each would otherwise
  send the same queries to the same servers. With Redis the cache is shared, so a check run by one instance serves
  the others.
- **Coalescing.** A check identical to one that is running waits for that one's result instead of running again
  (in this process by a shared future; across instances by a Redis lock that the others wait on).
- **Cap.** At most `RCODEBOT_MAX_PROBES` checks run at once (default 8; counted across instances when Redis is
  set, as leases in a sorted set that expire, so a crashed instance cannot hold a slot), and at most
  `RCODEBOT_MAX_WAITING_PROBES` (default 24) wait for a slot; beyond that a check is refused with a clear answer.
  A check that has to wait tells its user so. The lazy listeners' pool (`bot.slack.app.LAZY_WORKERS`) is larger
  than the running and waiting checks together, so cheap replies (pastes, /rcode) always find a thread.
Redis trouble never stops a check: the cache, the lock and the leases then fall back to this process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from bot.core.errors import BotError
from bot.core.ratelimit import Clock
from bot.render.reply import Reply
from bot.services import dnscheck
from bot.settings import Settings

log = logging.getLogger("rcodebot.probes")

PREFIX = "rcodebot:probe:"
POLL = 0.2
Run = Callable[[dnscheck.CheckRequest, Settings], Reply]
Notify = Callable[[str], None]


class Busy(BotError):
    """Too many checks are running and waiting: the user is told to try again shortly."""

    fmt = "The bot is running as many live checks as it can ({why}). Try again in a minute."


def check_key(request: dnscheck.CheckRequest, settings: Settings) -> str:
    """What makes two checks the same check: everything in the request but how the name was typed, and the
    resolvers it will really ask."""
    fields = {k: v for k, v in dataclasses.asdict(request).items() if k != "display"}
    fields["resolvers"] = list(dnscheck.resolvers_for(request, settings.probe))
    fields["port"] = settings.probe.port
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _dump(reply: Reply) -> str:
    return json.dumps(
        {"text": reply.text, "fallback": reply.fallback, "blocks": reply.block_dicts(), "data": reply.data, "ok": reply.ok},
        default=str,
    )


def _load(raw: str | bytes, age: float) -> Reply:
    """A cached reply, marked as such in its text, its blocks and its data."""
    from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject

    stored = json.loads(raw)
    seconds = max(0, round(age))
    note = f"Cached result from {seconds} s ago: the same check ran just before."
    blocks = [b for b in (Block.parse(d) for d in stored["blocks"]) if b is not None]
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f":recycle: {note}")]))
    data = {**stored["data"], "cached": True, "cached_age_seconds": seconds}
    return Reply(
        text=f"{stored['text'].rstrip()}\n({note})\n", fallback=stored["fallback"], blocks=blocks, data=data, ok=stored["ok"]
    )


class ProbeRunner:
    """Runs the Slack side's live checks through the cache, the coalescing and the cap (see the module docstring)."""

    def __init__(
        self,
        run: Run,
        *,
        cache_ttl: float,
        max_running: int,
        max_waiting: int,
        redis_url: str | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self._run = run
        self.cache_ttl = cache_ttl
        self.max_running = max_running
        self.max_waiting = max_waiting
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, str]] = {}
        self._inflight: dict[str, Future[Reply]] = {}
        self._running = 0
        self._waiting = 0
        self._slot_free = threading.Condition(self._lock)
        self._redis: Any = None
        if redis_url is not None:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._redis_errors: tuple[type[BaseException], ...] = (OSError,)
        if self._redis is not None:
            import redis

            self._redis_errors = (redis.RedisError, OSError)

    # ------------------------------------------------------------------------------------------ the entry

    def run(self, request: dnscheck.CheckRequest, settings: Settings, *, waiting: Notify | None = None) -> Reply:
        """The check's reply: cached, shared with an identical running check, or run once a slot is free."""
        key = check_key(request, settings)
        cached = self._cached(key)
        if cached is not None:
            return cached
        with self._lock:
            running = self._inflight.get(key)
            if running is None:
                mine: Future[Reply] = Future()
                self._inflight[key] = mine
        if running is not None:
            return running.result(timeout=settings.probe.deadline + 30)
        try:
            reply = self._run_once(key, request, settings, waiting)
            mine.set_result(reply)
            return reply
        except BaseException as err:
            mine.set_exception(err)
            raise
        finally:
            with self._lock:
                self._inflight.pop(key, None)

    def _run_once(self, key: str, request: dnscheck.CheckRequest, settings: Settings, waiting: Notify | None) -> Reply:
        lease = self._redis_lock(key, settings)
        if lease is False:  # another instance runs this check now: its result will be in the cache
            shared = self._wait_for_cache(key, settings.probe.deadline + 5)
            if shared is not None:
                return shared
        with self._slot(settings, waiting):
            cached = self._cached(key)  # it may have been cached while this check waited for a slot
            if cached is not None:
                return cached
            reply = self._run(request, settings)
        if self.cache_ttl > 0 and "error" not in reply.data:  # failures too: an incident brings many to one name
            self._store(key, reply)
        if lease:
            self._redis_call(lambda r: r.delete(PREFIX + "lock:" + key))
        return reply

    # ------------------------------------------------------------------------------------------ the cache

    def _cached(self, key: str) -> Reply | None:
        if self.cache_ttl <= 0:
            return None
        if self._redis is not None:
            raw = self._redis_call(lambda r: r.get(PREFIX + key))
            if raw:
                stored = json.loads(raw)
                return _load(stored["reply"], time.time() - stored["at"])
        with self._lock:
            entry = self._cache.get(key)
            now = self._clock()
            if entry is None or entry[0] <= now:
                self._cache.pop(key, None)
                return None
            expires, raw_reply = entry
        return _load(raw_reply, self.cache_ttl - (expires - now))

    def _store(self, key: str, reply: Reply) -> None:
        raw = _dump(reply)
        with self._lock:
            now = self._clock()
            self._cache[key] = (now + self.cache_ttl, raw)
            for old in [k for k, (exp, _) in self._cache.items() if exp <= now]:
                del self._cache[old]
        if self._redis is not None:
            payload = json.dumps({"at": time.time(), "reply": raw})
            self._redis_call(lambda r: r.set(PREFIX + key, payload, ex=max(1, int(self.cache_ttl))))

    def _wait_for_cache(self, key: str, timeout: float) -> Reply | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            cached = self._cached(key)
            if cached is not None:
                return cached
            if not self._redis_call(lambda r: r.exists(PREFIX + "lock:" + key)):
                return None  # the other instance gave up (or failed): run it here
            time.sleep(POLL)
        return None

    # ------------------------------------------------------------------------------------------ the cap

    class _Slot:
        def __init__(self, runner: ProbeRunner, settings: Settings, waiting: Notify | None) -> None:
            self.runner, self.settings, self.waiting = runner, settings, waiting
            self.lease: str | None = None

        def __enter__(self) -> None:
            self.lease = self.runner._acquire(self.settings, self.waiting)

        def __exit__(self, *exc: object) -> None:
            self.runner._release(self.lease)

    def _slot(self, settings: Settings, waiting: Notify | None) -> ProbeRunner._Slot:
        return ProbeRunner._Slot(self, settings, waiting)

    def _acquire(self, settings: Settings, waiting: Notify | None) -> str | None:
        told = False
        deadline = time.monotonic() + settings.probe.deadline * 3 + 10
        with self._lock:
            if self._running >= self.max_running or not self._global_room():
                if self._waiting >= self.max_waiting:
                    raise Busy(why=f"{self._running} running, {self._waiting} waiting")
            self._waiting += 1
        try:
            while True:
                with self._lock:
                    if self._running < self.max_running:
                        lease = self._global_lease(settings)
                        if lease is not None:
                            self._running += 1
                            return lease or None
                    if not told and waiting is not None:
                        told = True
                        count = self._running
                        self._lock.release()
                        try:
                            waiting(
                                f"Waiting for a free slot: {count or 'the most'} live checks are running at once "
                                "(the bot runs a limited number). Yours starts as soon as one finishes."
                            )
                        finally:
                            self._lock.acquire()
                    if time.monotonic() > deadline:
                        raise Busy(why="no slot became free in time")
                    self._slot_free.wait(POLL)
        finally:
            with self._lock:
                self._waiting -= 1

    def _release(self, lease: str | None) -> None:
        with self._lock:
            self._running -= 1
            self._slot_free.notify()
        if lease:
            self._redis_call(lambda r: r.zrem(PREFIX + "running", lease))

    def _global_room(self) -> bool:
        if self._redis is None:
            return True
        now = time.time()
        count = self._redis_call(
            lambda r: (r.zremrangebyscore(PREFIX + "running", "-inf", now), r.zcard(PREFIX + "running"))[1]
        )
        return count is None or int(count) < self.max_running

    def _global_lease(self, settings: Settings) -> str | None:
        """A lease on one of the slots counted across instances: its id, "" without Redis (or with Redis away), or
        None when every slot is taken."""
        if self._redis is None:
            return ""
        lease = uuid.uuid4().hex
        expires = time.time() + settings.probe.deadline + 30

        def take(r: Any) -> bool:
            r.zremrangebyscore(PREFIX + "running", "-inf", time.time())
            r.zadd(PREFIX + "running", {lease: expires})
            rank = r.zrank(PREFIX + "running", lease)  # by expiry: the latest comers are the ones over the cap
            if rank is not None and int(r.zcard(PREFIX + "running")) > self.max_running and rank >= self.max_running:
                r.zrem(PREFIX + "running", lease)
                return False
            return True

        taken = self._redis_call(take)
        if taken is None:
            return ""
        return lease if taken else None

    # ------------------------------------------------------------------------------------------ Redis

    def _redis_lock(self, key: str, settings: Settings) -> bool | None:
        """True: this instance runs the check; False: another one does; None: no Redis (or Redis away)."""
        if self._redis is None:
            return None
        got = self._redis_call(lambda r: r.set(PREFIX + "lock:" + key, b"1", nx=True, ex=int(settings.probe.deadline) + 10))
        if got is None:
            return None
        return bool(got)

    def _redis_call(self, fn: Callable[[Any], Any]) -> Any:
        try:
            return fn(self._redis)
        except self._redis_errors as err:
            from bot import metrics

            metrics.redis_error("probes")
            log.warning("Redis call for live checks failed (%s): using this process only", type(err).__name__)
            return None
