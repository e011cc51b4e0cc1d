"""The settings store on a real SQLite database: shared by two stores (two instances), cached for at most a second,
and answering with what it knew when the database goes away."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.settings import RateLimit, Settings, database_url_from
from bot.stores.database import create_engine as make_engine
from bot.stores.settings import TTL_SECONDS, SettingsStore, SettingsUnavailable
from bot.workspace import DEFAULT, WorkspaceSettings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def two_stores(path: Path) -> tuple[SettingsStore, SettingsStore, Clock]:
    """Two instances of the bot on one database file, each with its own engine and cache."""
    clock = Clock()
    url = database_url_from({"RCODEBOT_DATA_DIR": str(path)})
    return SettingsStore(make_engine(url), clock=clock), SettingsStore(make_engine(url), clock=clock), clock


def test_a_mute_reaches_the_other_instance_within_a_second(tmp_path: Path) -> None:
    one, two, clock = two_stores(tmp_path)
    assert not two.is_muted("C1")  # read (and cached) by the second instance
    one.set_muted("T1", "C1", True, "U1")
    assert one.is_muted("C1")  # the instance that changed it sees it at once
    clock.now += TTL_SECONDS / 2
    assert not two.is_muted("C1")  # still within its cache's second
    clock.now += TTL_SECONDS / 2
    assert two.is_muted("C1")  # a second after the change, every instance has it
    two.set_muted("T1", "C1", False, "U2")
    clock.now += TTL_SECONDS
    assert not one.is_muted("C1")
    assert not one.is_muted("C2")  # another channel was never muted


def test_workspace_settings_round_trip_and_reach_the_other_instance(tmp_path: Path) -> None:
    one, two, clock = two_stores(tmp_path)
    assert two.workspace("T1") == DEFAULT and two.workspace(None) == DEFAULT
    chosen = WorkspaceSettings(resolvers=("192.0.2.53", "2001:db8::53"), user_rate=RateLimit(2, 60.0))
    one.set_workspace("T1", chosen, "U1")
    clock.now += TTL_SECONDS
    assert two.workspace("T1") == chosen
    assert two.workspace("T2") == DEFAULT
    one.set_workspace("T1", DEFAULT, "U1")  # back to the operator's settings
    clock.now += TTL_SECONDS
    assert two.workspace("T1").is_default


def test_deleting_a_workspace_forgets_its_settings_and_mutes_only(tmp_path: Path) -> None:
    one, two, clock = two_stores(tmp_path)
    one.set_muted("T1", "C1", True)
    one.set_muted("T2", "C2", True)
    one.set_workspace("T1", WorkspaceSettings(user_rate=RateLimit(1, 60.0)))
    two.delete_team("T1")
    clock.now += TTL_SECONDS
    assert not one.is_muted("C1") and one.workspace("T1") == DEFAULT
    assert one.is_muted("C2")


def test_the_schema_is_created_once_and_left_alone(tmp_path: Path) -> None:
    one, _, _ = two_stores(tmp_path)
    one.set_muted("T1", "C1", True)
    tables = set(inspect(one.engine).get_table_names())
    assert {"rcodebot_channel_settings", "rcodebot_workspace_settings"} <= tables
    # A new store (a restart, a new release) on the same file keeps every row: create-only.
    again = SettingsStore(make_engine(database_url_from({"RCODEBOT_DATA_DIR": str(tmp_path)})))
    assert again.create_schema() and again.is_muted("C1")


def test_in_memory_when_there_is_no_data_dir() -> None:
    assert database_url_from({"RCODEBOT_DATA_DIR": "off"}) == "sqlite://"
    store = SettingsStore(make_engine("sqlite://"))
    store.set_muted("T1", "C1", True)
    store.release_connections()  # before a fork: the in-memory database is its one connection, so it stays
    assert store.is_muted("C1")  # one connection shared across threads keeps the in-memory tables


def test_connections_are_released_before_a_fork_and_reopened_on_use(tmp_path: Path) -> None:
    store = SettingsStore(make_engine(database_url_from({"RCODEBOT_DATA_DIR": str(tmp_path)})))
    store.set_muted("T1", "C1", True)
    assert store.engine.pool.checkedin() == 1
    store.release_connections()
    assert store.engine.pool.checkedin() == 0
    store._cache.clear()
    assert store.is_muted("C1")


def test_the_data_dir_default_follows_xdg_and_can_be_turned_off(tmp_path: Path) -> None:
    assert Settings.from_env({"HOME": "/home/op"}).database_url == "sqlite:////home/op/.local/share/rcodebot/rcodebot.db"
    assert Settings.from_env({"HOME": "/h", "XDG_DATA_HOME": "/x"}).database_url == "sqlite:////x/rcodebot/rcodebot.db"
    assert Settings.from_env({"HOME": "/h", "RCODEBOT_DATA_DIR": "off"}).database_url == "sqlite://"
    url = "postgresql+psycopg://bot@127.0.0.1/rcodebot"
    assert Settings.from_env({"RCODEBOT_DATABASE_URL": url}).database_url == url


def test_a_database_that_goes_away_answers_with_what_was_known(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    one, _, clock = two_stores(tmp_path)
    one.set_muted("T1", "C1", True)
    one.set_workspace("T1", WorkspaceSettings(user_rate=RateLimit(1, 60.0)))
    one.engine.dispose()
    database = tmp_path / "rcodebot.db"
    database.write_bytes(b"this is not a database any more" * 100)  # the file is gone, something else is there
    clock.now += TTL_SECONDS
    with caplog.at_level(logging.WARNING, logger="rcodebot.stores"):
        assert one.is_muted("C1")  # last known value
        assert one.workspace("T1").user_rate == RateLimit(1, 60.0)
        assert not one.is_muted("C9")  # never known: the default
        with pytest.raises(SettingsUnavailable):
            one.set_muted("T1", "C1", False)
        clock.now += TTL_SECONDS
        assert one.is_muted("C1")
    warnings = [r for r in caplog.records if r.name == "rcodebot.stores"]
    assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()  # logged once
    assert all(r.exc_info is None for r in warnings)  # no traceback
    # The database is back (restored from a copy): the store says so once and reads it again.
    database.unlink()
    fresh = sqlite3.connect(database)
    fresh.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="rcodebot.stores"):
        one.engine.dispose()
        clock.now += TTL_SECONDS
        one.set_muted("T1", "C1", False)
        assert not one.is_muted("C1")
    assert [r.getMessage() for r in caplog.records if r.name == "rcodebot.stores"] == ["settings database reachable again"]


def test_an_unreachable_postgresql_is_a_clear_answer_not_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    store = SettingsStore(make_engine("postgresql+psycopg://bot:secret-password@127.0.0.1:9/rcodebot"))
    with caplog.at_level(logging.WARNING, logger="rcodebot.stores"):
        assert not store.is_muted("C1")
        assert store.workspace("T1") == DEFAULT
        with pytest.raises(SettingsUnavailable):
            store.set_muted("T1", "C1", True)
    (warning,) = [r for r in caplog.records if r.name == "rcodebot.stores"]
    assert "secret-password" not in warning.getMessage() and warning.exc_info is None


def test_two_instances_share_settings_on_sqlite_and_postgresql(database_url: str) -> None:
    # The same store code on both engines the bot supports: one instance's change is the other's within a second,
    # and an uninstall's delete_team removes that workspace only.
    a, b = SettingsStore(make_engine(database_url)), SettingsStore(make_engine(database_url))
    assert not b.is_muted("C1")
    a.set_muted("T1", "C1", True)
    a.set_muted("T2", "C2", True)
    deadline = time.monotonic() + 1.5
    while not b.is_muted("C1"):
        assert time.monotonic() < deadline, "the other instance did not see the mute within a second"
        time.sleep(0.05)
    a.delete_team("T1")
    deadline = time.monotonic() + 1.5
    while b.is_muted("C1"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert b.is_muted("C2")
    a.engine.dispose()
    b.engine.dispose()
