"""Schema steps: an empty database and one made by the previous release end at the same schema, rows kept."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy

from bot.core.errors import ConfigError
from bot.stores import database, installations
from bot.stores.database import Migration

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
ALL = installations.MIGRATIONS


def _schema(engine: sqlalchemy.Engine) -> dict[str, list[tuple[str, str, bool]]]:
    inspector = sqlalchemy.inspect(engine)
    return {
        table: sorted((c["name"], str(c["type"]), bool(c["nullable"])) for c in inspector.get_columns(table))
        for table in sorted(inspector.get_table_names())
    }


def _load_snapshot(engine: sqlalchemy.Engine, version: int) -> None:
    """Build the database exactly as the frozen DDL and rows of release `version` describe it."""
    script = (SNAPSHOTS / f"schema-v{version}.{engine.dialect.name}.sql").read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.startswith("--"))
    with engine.begin() as connection:
        for statement in filter(None, (s.strip() for s in code.split(";"))):
            connection.exec_driver_sql(statement)


def test_an_empty_database_gets_every_step(database_url: str) -> None:
    engine = database.create_engine(database_url)
    versions = database.migrate(engine, ALL)
    assert versions == {installations.COMPONENT: max(m.version for m in ALL)}
    assert {"rcodebot_schema", "slack_installations", "slack_bots", "slack_oauth_states"} <= set(_schema(engine))
    assert database.migrate(engine, ALL) == versions  # a second start changes nothing
    engine.dispose()


def test_the_previous_release_upgrades_without_losing_an_installation(database_url: str) -> None:
    old = database.create_engine(database_url)
    _load_snapshot(old, 1)
    database.migrate(old, ALL)
    store = installations.installation_store(old, client_id="111.222")
    found = store.find_installation(enterprise_id=None, team_id="T0OLD")
    assert found is not None
    assert (found.bot_token, found.bot_refresh_token, found.team_name) == (
        "xoxb-old-workspace",
        "xoxe-1-old-refresh",
        "Old Workspace",
    )
    bot = store.find_bot(enterprise_id=None, team_id="T0OLD")
    assert bot is not None and bot.bot_token == "xoxb-old-workspace"
    # ...and it ends with exactly the schema a new database gets, so no table change can skip its step.
    fresh = database.create_engine(_sibling(database_url))
    database.migrate(fresh, ALL)
    assert _schema(old) == _schema(fresh)
    old.dispose()
    fresh.dispose()


def _sibling(url: str) -> str:
    """Another empty database next to `url` (same server, or same directory)."""
    if url.startswith("sqlite"):
        return url.replace("rcodebot.db", "fresh.db")
    base, _, name = url.rpartition("/")
    admin = database.create_engine(f"{base}/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}_fresh"')
    admin.dispose()
    return f"{base}/{name}_fresh"


def test_steps_apply_once_when_instances_start_together(database_url: str) -> None:
    applied: list[int] = []

    def step(connection: sqlalchemy.Connection) -> None:
        applied.append(1)
        connection.exec_driver_sql("CREATE TABLE once_only (id INTEGER PRIMARY KEY)")

    steps = (*ALL, Migration("probe", 1, "a table", step))
    engines = [database.create_engine(database_url) for _ in range(3)]
    failures: list[BaseException] = []

    def start(engine: sqlalchemy.Engine) -> None:
        try:
            database.migrate(engine, steps)
        except BaseException as err:  # an instance that could not start is the failure this test is about
            failures.append(err)

    threads = [threading.Thread(target=start, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert applied == [1]
    assert database.migrate(engines[0], steps)["probe"] == 1
    for engine in engines:
        engine.dispose()


def test_a_missing_step_is_refused(tmp_path: Path) -> None:
    engine = database.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ConfigError, match="missing step"):
        database.migrate(engine, (Migration("gap", 2, "skips 1", lambda c: None),))


def test_an_unreachable_database_is_one_line() -> None:
    engine = database.create_engine("postgresql+psycopg://nobody:secret@127.0.0.1:9/none?connect_timeout=2")
    with pytest.raises(ConfigError) as caught:
        database.migrate(engine, ALL)
    assert "secret" not in str(caught.value) and "cannot prepare the database" in str(caught.value)
