"""The engine helper and the cross-instance lock, on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import Column, Integer, MetaData, String, Table

from bot.core.errors import ConfigError
from bot.stores import database

_metadata = MetaData()
COUNTER = Table("counter", _metadata, Column("name", String(10), primary_key=True), Column("value", Integer))


def test_a_sqlite_file_gets_its_directory_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "rcodebot.db"
    engine = database.create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert path.parent.is_dir() and path.exists()


def test_engine_for_is_one_engine_per_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert database.engine_for(url) is database.engine_for(url)
    assert database.engine_for(url) is not database.engine_for(f"sqlite:///{tmp_path / 'b.db'}")


@pytest.mark.parametrize("url", ["nonsense", "mysql://u@h/db"])
def test_an_unusable_url_is_one_line(url: str) -> None:
    with pytest.raises(ConfigError):
        database.create_engine(url)


def test_a_directory_that_cannot_be_made_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError, match="cannot create the data directory"):
        database.create_engine(f"sqlite:///{blocker / 'sub' / 'rcodebot.db'}")


def test_exclusive_serialises_read_modify_write_across_engines(database_url: str) -> None:
    """Two engines stand for two instances: each reads the counter, waits, writes +1. Without the lock both
    would read 0 and the result would be 1."""
    engines = [database.create_engine(database_url) for _ in range(2)]
    _metadata.create_all(engines[0])
    with engines[0].begin() as connection:
        connection.execute(COUNTER.insert().values(name="n", value=0))
    errors: list[BaseException] = []

    def bump(engine: sqlalchemy.Engine) -> None:
        try:
            with database.exclusive(engine, "counter:n") as connection:
                value = connection.execute(sqlalchemy.select(COUNTER.c.value)).scalar_one()
                time.sleep(0.3)
                connection.execute(COUNTER.update().values(value=value + 1))
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=bump, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    with engines[1].connect() as connection:
        assert connection.execute(sqlalchemy.select(COUNTER.c.value)).scalar_one() == 2
    for engine in engines:
        engine.dispose()


def test_exclusive_rolls_back_on_error(database_url: str) -> None:
    engine = database.create_engine(database_url)
    _metadata.create_all(engine)
    with pytest.raises(RuntimeError):
        with database.exclusive(engine, "k") as connection:
            connection.execute(COUNTER.insert().values(name="gone", value=1))
            raise RuntimeError("boom")
    with engine.connect() as connection:
        assert connection.execute(sqlalchemy.select(COUNTER.c.name)).all() == []
    engine.dispose()


def test_lock_ids_are_stable_signed_64_bit() -> None:
    assert database.lock_id("token:E:T") == database.lock_id("token:E:T")
    assert database.lock_id("a") != database.lock_id("b")
    assert all(-(2**63) <= database.lock_id(k) < 2**63 for k in ("a", "b", "rcodebot-schema"))
