"""Database fixtures: a real PostgreSQL for the session, and `database_url` parametrized over SQLite and it."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest

from tests.stores.postgres import Postgres, running

_databases = count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server started by the suite on loopback (fails, never skips, when it cannot start)."""
    with running() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file in the test's directory, or a new database on the suite's server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'rcodebot.db'}"
    server: Postgres = request.getfixturevalue("postgres")
    return server.create_database(f"test{next(_databases)}")
