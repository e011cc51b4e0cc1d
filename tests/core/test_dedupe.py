"""The event_id memory: a repeat within the TTL is caught, old ids are forgotten, the size stays bounded."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.dedupe import SeenEvents


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_repeat_is_caught_within_ttl_and_forgotten_after() -> None:
    clock = FakeClock()
    seen = SeenEvents(clock=clock, ttl=300)
    assert seen.first_time("Ev1")
    clock.now = 299
    assert not seen.first_time("Ev1")
    clock.now = 301
    assert seen.first_time("Ev1")


def test_a_forgotten_id_is_new_again() -> None:
    seen = SeenEvents(clock=lambda: 0.0)
    assert seen.first_time("diagram:C1:1.2") and not seen.first_time("diagram:C1:1.2")
    seen.forget("diagram:C1:1.2")
    seen.forget("never-seen")  # forgetting what was never recorded is harmless
    assert seen.first_time("diagram:C1:1.2") and not seen.first_time("diagram:C1:1.2")


def test_size_is_bounded_oldest_go_first() -> None:
    clock = FakeClock()
    seen = SeenEvents(clock=clock, ttl=3600, max_size=3)
    for key in ("a", "b", "c", "d"):
        assert seen.first_time(key)
    assert len(seen) == 3
    assert seen.first_time("a")  # evicted, so it counts as new
    assert not seen.first_time("d")


def test_expired_ids_are_dropped_not_just_ignored() -> None:
    clock = FakeClock()
    seen = SeenEvents(clock=clock, ttl=10)
    for i in range(100):
        seen.first_time(f"e{i}")
    clock.now = 11
    seen.first_time("new")
    assert len(seen) == 1


def test_rejects_nonsense_bounds() -> None:
    with pytest.raises(ValueError):
        SeenEvents(clock=FakeClock(), ttl=0)
    with pytest.raises(ValueError):
        SeenEvents(clock=FakeClock(), max_size=0)


@given(st.lists(st.text(min_size=1, max_size=4), max_size=80))
def test_first_time_is_true_exactly_once_per_id_without_eviction(keys: list[str]) -> None:
    seen = SeenEvents(clock=FakeClock(), ttl=60, max_size=1000)
    firsts = [k for k in keys if seen.first_time(k)]
    assert sorted(firsts) == sorted(set(keys))
