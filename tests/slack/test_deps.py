"""The process-wide pieces every listener shares: one live-check allowance per person and per channel."""

from __future__ import annotations

from bot.core.codes import knowledge
from bot.settings import RateLimit, Settings
from bot.slack.deps import Deps


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def deps(user: str = "2/60", channel: str = "10/60") -> tuple[Deps, Clock]:
    u, c = RateLimit.from_text("user", user), RateLimit.from_text("channel", channel)
    settings = Settings(user_rate=u, channel_rate=c)
    clock = Clock()
    return Deps.create(settings, knowledge.load(settings.knowledge_path), clock=clock), clock


def test_a_missing_team_id_does_not_give_a_second_allowance() -> None:
    """Enterprise Grid: the slash command carries the workspace, the button click `team: null`."""
    shared, _ = deps()
    assert shared.admit_probe("T1", "U1", "C1").allowed
    assert shared.admit_probe(None, "U1", "C2").allowed
    assert not shared.admit_probe("T1", "U1", "C3").allowed
    assert shared.admit_probe("T1", "U2", "C3").allowed  # another person has their own


def test_the_channel_allowance_is_shared_by_everyone_in_it() -> None:
    shared, clock = deps(user="5/60", channel="2/60")
    assert shared.admit_probe("T1", "U1", "C1").allowed
    assert shared.admit_probe(None, "U2", "C1").allowed
    refused = shared.admit_probe("T1", "U3", "C1")
    assert not refused.allowed and refused.wait_seconds > 0
    clock.now += 61
    assert shared.admit_probe("T1", "U3", "C1").allowed


def test_without_a_user_id_the_team_shares_one_allowance() -> None:
    shared, _ = deps(user="1/60")
    assert shared.admit_probe("T1", None, None).allowed
    assert not shared.admit_probe("T1", None, None).allowed
