"""A workspace's own resolvers and allowances stay inside the operator's bounds."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.settings import ProbeSettings, RateLimit
from bot.workspace import (
    BadWorkspaceSetting,
    WorkspaceSettings,
    bounded,
    effective_probe,
    parse_rate,
    parse_resolvers,
)

OPERATOR = ProbeSettings(
    resolvers=("system", "1.1.1.1", "9.9.9.9"), allowed_resolvers=("1.1.1.1", "9.9.9.9", "8.8.8.8", "10.0.0.53")
)
CEILING = RateLimit(5, 60.0)


def test_resolvers_on_the_allow_list_are_taken_normalised() -> None:
    assert parse_resolvers("9.9.9.9, @1.1.1.1 9.9.9.9", OPERATOR) == ("9.9.9.9", "1.1.1.1")
    assert parse_resolvers("  ", OPERATOR) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("192.0.2.1", "allow-list"),
        ("10.0.0.53", "private"),  # on the list, but private addresses are off for Slack users
        ("resolver.example", "not an IP address"),
        ("127.0.0.1", "allow-list"),
        (",".join(["1.1.1.1"] * 9), "At most"),
    ],
)
def test_a_workspace_cannot_point_the_probe_where_the_operator_forbids(text: str, reason: str) -> None:
    with pytest.raises(BadWorkspaceSetting, match=reason):
        parse_resolvers(text, OPERATOR)


def test_private_resolvers_follow_the_operators_allow_private() -> None:
    lab = ProbeSettings(resolvers=("127.53.53.1",), allow_private=True)
    assert parse_resolvers("127.53.53.1", lab) == ("127.53.53.1",)


def test_allowances_may_only_be_stricter() -> None:
    assert parse_rate("3/60", CEILING, "per person") == RateLimit(3, 60.0)
    assert parse_rate("5/120", CEILING, "per person") == RateLimit(5, 120.0)
    assert parse_rate("", CEILING, "per person") is None
    for looser in ("6/60", "5/30", "1/1"):
        with pytest.raises(BadWorkspaceSetting, match="more than this bot's limit of 5/60"):
            parse_rate(looser, CEILING, "per person")
    for bad in ("five", "0/60", "3/0", "3/100000", "1/nan", "1/inf", "1/-5"):
        with pytest.raises(BadWorkspaceSetting):
            parse_rate(bad, CEILING, "per person")


def test_the_workspace_resolvers_become_the_checks_default() -> None:
    probe = effective_probe(OPERATOR, WorkspaceSettings(resolvers=("9.9.9.9",)))
    assert probe.resolvers == ("9.9.9.9",)
    assert probe.resolver_allow_list == OPERATOR.resolver_allow_list  # @resolver rules unchanged
    assert effective_probe(OPERATOR, WorkspaceSettings()) is OPERATOR


def test_stored_settings_outside_tightened_bounds_fall_back() -> None:
    stored = WorkspaceSettings(resolvers=("8.8.8.8",), user_rate=RateLimit(4, 60.0), channel_rate=RateLimit(1, 60.0))
    tighter = ProbeSettings(resolvers=("1.1.1.1",))
    kept = bounded(stored, tighter, RateLimit(2, 60.0), RateLimit(20, 60.0))
    assert kept == WorkspaceSettings(resolvers=None, user_rate=None, channel_rate=RateLimit(1, 60.0))


@given(st.text(max_size=200))
def test_any_resolver_text_is_a_tuple_or_a_readable_refusal(text: str) -> None:
    try:
        chosen = parse_resolvers(text, OPERATOR)
    except BadWorkspaceSetting as err:
        assert str(err)
        return
    assert chosen is None or set(chosen) <= {"1.1.1.1", "9.9.9.9", "8.8.8.8"}


@given(st.text(max_size=40))
@example("1/nan")
def test_any_rate_text_is_within_the_ceiling_or_a_readable_refusal(text: str) -> None:
    try:
        limit = parse_rate(text, CEILING, "per person")
    except BadWorkspaceSetting as err:
        assert str(err)
        return
    assert limit is None or (limit.count <= 5 and limit.count / limit.seconds <= 5 / 60)
