"""The process-wide pieces every listener shares: one live-check allowance per person and per channel."""

from __future__ import annotations

import uuid
from pathlib import Path

from bot.core.codes import knowledge
from bot.settings import RateLimit, Settings
from bot.slack.deps import Deps
from tests.redis_server import RedisServer


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


def test_a_workspace_with_a_stricter_allowance_gets_it_on_top_of_the_operators() -> None:
    from bot.workspace import WorkspaceSettings

    shared, clock = deps(user="5/60", channel="10/60")
    shared.store.set_workspace("T1", WorkspaceSettings(user_rate=RateLimit(1, 60.0), channel_rate=RateLimit(2, 60.0)))
    assert shared.admit_probe("T1", "U1", "C1").allowed
    assert not shared.admit_probe("T1", "U1", "C2").allowed  # the workspace allows one per person
    assert shared.admit_probe("T1", "U2", "C1").allowed
    assert not shared.admit_probe("T1", "U3", "C1").allowed  # and two per channel
    for n in range(4):  # another workspace keeps the operator's five per person
        assert shared.admit_probe("T2", "U9", f"C9{n}").allowed
    clock.now += 61
    assert shared.admit_probe("T1", "U1", "C3").allowed


def test_a_workspace_resolver_choice_is_used_only_within_the_operators_bounds() -> None:
    from bot.settings import ProbeSettings
    from bot.workspace import WorkspaceSettings

    probe = ProbeSettings(resolvers=("1.1.1.1", "9.9.9.9"))
    settings = Settings(probe=probe)
    shared = Deps.create(settings, knowledge.load(settings.knowledge_path))
    shared.store.set_workspace("T1", WorkspaceSettings(resolvers=("9.9.9.9",)))
    assert shared.settings_for("T1").probe.resolvers == ("9.9.9.9",)
    assert shared.settings_for("T2") is settings and shared.settings_for(None) is settings
    # A value the operator no longer allows (the allow-list shrank since it was saved) falls back to the operator's.
    shared.store.set_workspace("T3", WorkspaceSettings(resolvers=("8.8.8.8",), user_rate=RateLimit(50, 60.0)))
    assert shared.settings_for("T3") is settings
    assert shared.workspace("T3") == WorkspaceSettings()


def test_two_instances_share_a_workspaces_allowance_through_redis_and_the_database(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    from bot.workspace import WorkspaceSettings

    settings = Settings(
        redis_url=redis_server.url, user_rate=RateLimit(5, 60.0), database_url=f"sqlite:///{tmp_path / 'rcodebot.db'}"
    )
    kb = knowledge.load(settings.knowledge_path)
    one, two = Deps.create(settings, kb), Deps.create(settings, kb)
    team, user = f"T{uuid.uuid4().hex[:10]}", f"U{uuid.uuid4().hex[:10]}"
    one.store.set_workspace(team, WorkspaceSettings(user_rate=RateLimit(2, 60.0)))
    assert one.admit_probe(team, user, None).allowed
    assert two.admit_probe(team, user, None).allowed
    assert not one.admit_probe(team, user, None).allowed  # two for the workspace, whichever instance counted them
    assert not two.admit_probe(team, user, None).allowed
