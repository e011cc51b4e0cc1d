"""Sliding-window rate limits with a fake clock: admits, refuses with the right wait, forgets, stays bounded."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.ratelimit import RateLimiter, Verdict, check_all
from tests.conftest import examples


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_admits_count_then_refuses_with_the_time_left() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, 60, clock=clock)
    assert [limiter.check("u").allowed for _ in range(3)] == [True, True, True]
    clock.now += 10
    refused = limiter.check("u")
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(50)
    assert refused.wait_seconds == 50


def test_window_slides_and_keys_are_independent() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, 30, clock=clock)
    assert limiter.check("a").allowed
    assert limiter.check("b").allowed
    assert not limiter.check("a").allowed
    clock.now += 30
    assert limiter.check("a").allowed


def test_a_refusal_is_not_counted() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, 10, clock=clock)
    limiter.check("u")
    for _ in range(5):
        clock.now += 1
        assert not limiter.check("u").allowed
    clock.now = 1010.0
    assert limiter.check("u").allowed


def test_wait_seconds_is_never_zero_for_a_refusal() -> None:
    assert Verdict(False, 0.01).wait_seconds == 1
    assert Verdict(True).wait_seconds == 0


def test_check_all_counts_nothing_when_one_limit_refuses() -> None:
    clock = FakeClock()
    user = RateLimiter(5, 60, clock=clock)
    channel = RateLimiter(1, 60, clock=clock)
    assert check_all([(user, "u1"), (channel, "c")]).allowed
    refused = check_all([(user, "u2"), (channel, "c")])
    assert not refused.allowed
    # u2 was not charged for the refused request: it still has all five.
    assert [user.check("u2").allowed for _ in range(5)] == [True] * 5


def test_table_of_keys_stays_bounded() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, 60, clock=clock, max_keys=100)
    for i in range(1000):
        limiter.check(f"user{i}")
    assert len(limiter) <= 100


def test_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0, 60, clock=FakeClock())
    with pytest.raises(ValueError):
        RateLimiter(1, 0, clock=FakeClock())


@settings(max_examples=examples(200), deadline=None)
@given(
    count=st.integers(1, 5),
    seconds=st.integers(1, 50),
    steps=st.lists(st.tuples(st.floats(0, 20, allow_nan=False), st.sampled_from("abc")), max_size=60),
)
def test_never_more_than_count_admitted_in_any_window(count: int, seconds: int, steps: list[tuple[float, str]]) -> None:
    clock = FakeClock()
    limiter = RateLimiter(count, seconds, clock=clock)
    admitted: dict[str, list[float]] = {}
    for delta, key in steps:
        clock.now += delta
        verdict = limiter.check(key)
        if verdict.allowed:
            admitted.setdefault(key, []).append(clock.now)
        else:
            assert 0 < verdict.retry_after <= seconds
    for times in admitted.values():
        for i, start in enumerate(times):
            assert len([t for t in times[i:] if t - start < seconds]) <= count
