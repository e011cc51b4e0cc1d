"""The database: one SQLAlchemy engine per URL, cross-instance locks, and versioned, create-only migrations.

`RCODEBOT_DATABASE_URL` (read by `bot.settings`) names it: an embedded SQLite file by default (one process needs
nothing else), PostgreSQL (`postgresql+psycopg://…`) when several instances share state.

Why the pieces look the way they do:
- SQLite through Python's `sqlite3` does not begin a transaction before a SELECT, so "read, decide, write" would
  not be atomic. The engine takes over BEGIN (SQLAlchemy's documented pysqlite recipe) and `exclusive()` opens
  with `BEGIN IMMEDIATE`, which takes SQLite's write lock at once: a second process waits (busy timeout) instead
  of reading the same old row. WAL lets readers go on meanwhile.
- PostgreSQL: `exclusive()` takes a transaction-scoped advisory lock (`pg_advisory_xact_lock`) on a key, so only
  callers of the same key wait, and the lock goes away with the transaction, even if the process dies.
- Migrations are per component (`installations`, later `settings`…), each a list of numbered steps that only
  create or add (never drop or rewrite a table), recorded in `rcodebot_schema` and applied under `exclusive()`,
  so two instances starting at once never apply a step twice. A component's module owns its own steps.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import Column, Integer, MetaData, String, Table, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from bot.core.errors import ConfigError
from bot.settings import redact_url

log = logging.getLogger("rcodebot.database")

#: How long a SQLite connection waits for another process's write lock before giving up (seconds).
SQLITE_BUSY_SECONDS = 30.0

_metadata = MetaData()
#: One row per component: the number of the last migration step applied.
SCHEMA_TABLE = Table(
    "rcodebot_schema",
    _metadata,
    Column("component", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
)

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """The process's engine for `url` (one pool per URL; a bad URL is a ConfigError, never a traceback)."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = create_engine(url)
        return engine


def create_engine(url: str) -> Engine:
    """A new engine for `url`; SQLite files get their directory, WAL, a busy timeout and real transactions."""
    try:
        parsed = sqlalchemy.engine.make_url(url)
    except ArgumentError:
        raise ConfigError(problem=f"RCODEBOT_DATABASE_URL={redact_url(url)!r} is not a database URL") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() == "postgresql":
        # pre_ping: a connection the server closed (restart, failover) is replaced instead of failing a request.
        # connect_timeout: a database that went away costs a request a few seconds at most, never a hang.
        return sqlalchemy.create_engine(
            parsed, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args={"connect_timeout": 3}
        )
    raise ConfigError(problem=f"RCODEBOT_DATABASE_URL: {parsed.drivername} is not supported (SQLite or PostgreSQL)")


def _sqlite_engine(parsed: sqlalchemy.engine.URL) -> Engine:
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ConfigError(problem=f"cannot create the data directory {path.parent}: {err.strerror}") from None
    memory = database in ("", ":memory:")
    engine = sqlalchemy.create_engine(
        parsed,
        connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
        # In memory, every new connection would be a new, empty database: one connection, shared by every thread.
        **({"poolclass": sqlalchemy.pool.StaticPool} if memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # sqlite3 must not issue BEGIN itself: the "begin" event does
        cursor = dbapi_connection.cursor()
        try:
            if database and database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("rcodebot_exclusive", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def lock_id(key: str) -> int:
    """A stable signed 64-bit number for `key` (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


@contextmanager
def exclusive(engine: Engine, key: str) -> Iterator[Connection]:
    """A transaction that no other holder of `key` runs at the same time, on any instance; commits on success.

    PostgreSQL: an advisory lock on `key` for the transaction. SQLite: `BEGIN IMMEDIATE` (the whole database;
    SQLite is for one machine, and a busy process waits up to SQLITE_BUSY_SECONDS).
    """
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.execution_options(rcodebot_exclusive=True)
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(sqlalchemy.text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_id(key)})
            yield connection


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of a component's schema: number `version`, applied once, on a connection inside a transaction.

    Steps only create or add (tables, columns, indexes); a step never drops or rewrites data, so a database
    made by any earlier release upgrades without losing a row.
    """

    component: str
    version: int
    description: str
    apply: Callable[[Connection], None]


def migrate(engine: Engine, migrations: Sequence[Migration]) -> dict[str, int]:
    """Apply every step not yet applied, in order, under one exclusive lock; returns component -> version.

    SQLite can answer "database is locked" at once, without waiting in its busy handler, while another process
    switches a new file to WAL or recovers its log (several instances starting together on one new file): that is
    retried, with a short back-off, for up to SQLITE_BUSY_SECONDS; any other error is one line."""
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    delay = 0.05
    while True:
        try:
            return _migrate(engine, migrations)
        except OperationalError as err:
            locked = engine.dialect.name == "sqlite" and "locked" in _reason(err).lower()
            if not locked or time.monotonic() + delay > deadline:
                raise ConfigError(
                    problem=f"cannot prepare the database {redact_url(str(engine.url))}: {_reason(err)}"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _migrate(engine: Engine, migrations: Sequence[Migration]) -> dict[str, int]:
    """One attempt of `migrate`; a SQLite lock error is left to the caller to retry."""
    try:
        with exclusive(engine, "rcodebot-schema") as connection:
            SCHEMA_TABLE.create(connection, checkfirst=True)
            versions = {row.component: row.version for row in connection.execute(SCHEMA_TABLE.select())}
            for step in sorted(migrations, key=lambda m: (m.component, m.version)):
                current = versions.get(step.component, 0)
                if step.version <= current:
                    continue
                if step.version != current + 1:
                    raise ConfigError(
                        problem=f"migration {step.component} {step.version} follows a missing step {current + 1}"
                    )
                log.info("database: %s schema %d: %s", step.component, step.version, step.description)
                step.apply(connection)
                if current == 0:
                    connection.execute(SCHEMA_TABLE.insert().values(component=step.component, version=step.version))
                else:
                    connection.execute(
                        SCHEMA_TABLE.update().where(SCHEMA_TABLE.c.component == step.component).values(version=step.version)
                    )
                versions[step.component] = step.version
            return versions
    except OperationalError:
        raise
    except SQLAlchemyError as err:
        raise ConfigError(problem=f"cannot prepare the database {redact_url(str(engine.url))}: {_reason(err)}") from None


def _reason(err: SQLAlchemyError) -> str:
    """The driver's one-line reason, without SQL or parameters (which could hold data)."""
    original = getattr(err, "orig", None)
    text = str(original if original is not None else err).strip().splitlines()
    return text[0][:300] if text else type(err).__name__
