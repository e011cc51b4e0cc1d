"""The SQLAlchemy engine for the bot's database: an embedded SQLite file by default, PostgreSQL when scaled.

`RCODEBOT_DATABASE_URL` names the database (`postgresql+psycopg://user:pass@host/db` for several instances). Without
it, one process keeps its data in `rcodebot.db` in the data directory (`RCODEBOT_DATA_DIR`, default
`$XDG_DATA_HOME/rcodebot`, else `~/.local/share/rcodebot`), so a restart loses nothing; with no data directory at
all (`RCODEBOT_DATA_DIR=off`, or no home), an in-memory SQLite database that lives as long as the process.

Connections time out after a few seconds, so a database that went away costs a request at most that long (the
settings store then answers with what it knew).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

#: Seconds to wait for a connection (PostgreSQL) or a lock (SQLite).
CONNECT_TIMEOUT = 3
DATABASE_FILE = "rcodebot.db"
IN_MEMORY = "sqlite://"


def default_url(data_dir: Path | None) -> str:
    """The embedded database: a SQLite file in `data_dir`, or in memory when there is none."""
    if data_dir is None:
        return IN_MEMORY
    return f"sqlite:///{data_dir / DATABASE_FILE}"


def make_engine(url: str) -> Engine:
    """An engine for `url`, with timeouts; a SQLite file's directory is created (mode 0700)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            # One connection shared by every thread: each new connection would be a new, empty database.
            return create_engine(
                url, poolclass=StaticPool, connect_args={"check_same_thread": False, "timeout": CONNECT_TIMEOUT}
            )
        Path(database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return create_engine(url, connect_args={"check_same_thread": False, "timeout": CONNECT_TIMEOUT})
    connect_args: dict[str, object] = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
