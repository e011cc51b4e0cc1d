"""The shared state (`bot.stores.shared`) against a real redis-server: two instances act as one, and Redis going
away neither stops the bot nor loses the way back."""

from __future__ import annotations

import logging
import time
import uuid

import pytest

from bot.settings import RateLimit
from bot.stores import shared
from tests.redis_server import RedisServer


def unique_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


USER = RateLimit(2, 60.0)
CHANNEL = RateLimit(3, 60.0)


def pair(url: str) -> tuple[shared.RedisState, shared.RedisState]:
    return shared.RedisState(url, USER, CHANNEL), shared.RedisState(url, USER, CHANNEL)


def test_a_delivery_seen_by_one_instance_is_seen_by_all(redis_server: RedisServer) -> None:
    a, b = pair(redis_server.url)
    event = unique_id("Ev")
    assert a.first_time(event)
    assert not b.first_time(event) and not a.first_time(event)
    assert b.first_time(unique_id("Ev"))


def test_an_allowance_is_spent_across_instances(redis_server: RedisServer) -> None:
    a, b = pair(redis_server.url)
    user = f"user:{unique_id('U')}"
    assert a.admit(user, None).allowed
    assert b.admit(user, None).allowed
    refused = a.admit(user, None)
    assert not refused.allowed and 55 < refused.retry_after <= 60
    assert not b.admit(user, None).allowed


def test_a_channel_refusal_does_not_use_up_the_users_allowance(redis_server: RedisServer) -> None:
    a, b = pair(redis_server.url)
    channel = f"channel:{unique_id('C')}"
    for n in range(3):
        assert (a if n % 2 else b).admit(f"user:{unique_id('U')}", channel).allowed
    user = f"user:{unique_id('U')}"
    assert not a.admit(user, channel).allowed
    assert a.admit(user, None).allowed and b.admit(user, None).allowed  # both of the user's checks are still there


def test_redis_going_away_falls_back_to_memory_and_comes_back(
    tmp_path_factory: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared, "RETRY_SECONDS", 0.2)
    server = RedisServer(tmp_path_factory.mktemp("redis-dies")).start()
    errors: list[str] = []
    state = shared.RedisState(server.url, USER, CHANNEL, on_error=errors.append)
    try:
        event = unique_id("Ev")
        assert state.first_time(event)
        server.kill()
        caplog.set_level(logging.WARNING, logger="rcodebot.stores")
        started = time.monotonic()
        # Replies continue: the memory answers (it has not seen this one), with one warning and the error counted.
        fresh = unique_id("Ev")
        assert state.first_time(fresh) and not state.first_time(fresh)
        assert state.admit(f"user:{unique_id('U')}", None).allowed
        assert time.monotonic() - started < 3
        assert state.down and state.errors >= 1 and errors and errors[0] == "dedupe"
        warnings = [r.getMessage() for r in caplog.records if r.name == "rcodebot.stores"]
        assert len(warnings) == 1 and "duplicate replies" in warnings[0]
        server.start()  # same port
        time.sleep(0.3)
        back = unique_id("Ev")
        assert state.first_time(back)
        assert not state.down
        assert "reachable again" in caplog.records[-1].getMessage()
        assert not shared.RedisState(server.url, USER, CHANNEL).first_time(back)  # written to Redis again
    finally:
        server.kill()


def test_without_a_url_the_state_is_this_process(redis_server: RedisServer) -> None:
    assert shared.create(None, USER, CHANNEL).backend == "memory"
    assert shared.create(redis_server.url, USER, CHANNEL).backend == "redis"
