"""Per-channel and per-workspace settings, kept in the bot's database and shared by every instance.

Schema (create-only: tables are created when missing and never altered or dropped; a later release that needs more
adds a new table or a new nullable column created the same way, so a database made by any release keeps working):

    rcodebot_channel_settings
        channel_id   VARCHAR(32)  primary key    a Slack conversation id (C…, G…)
        team_id      VARCHAR(32)  indexed        the workspace it was set from (deleted with the workspace)
        muted        BOOLEAN      not null       automatic replies to pastes are off
        updated_by   VARCHAR(32)  null           the user who changed it last
        updated_at   TIMESTAMP    not null       when (UTC)

    rcodebot_workspace_settings
        team_id      VARCHAR(32)  primary key
        resolvers    VARCHAR(400) null           "1.1.1.1,9.9.9.9" (null: the operator's RCODEBOT_RESOLVERS)
        user_rate    VARCHAR(40)  null           "3/60" (null: RCODEBOT_RATE_USER)
        channel_rate VARCHAR(40)  null           "10/60" (null: RCODEBOT_RATE_CHANNEL)
        updated_by   VARCHAR(32)  null
        updated_at   TIMESTAMP    not null

Every instance reads through a small cache whose entries live at most `ttl` seconds (1 s), so a change made on
one instance is seen by all of them within a second, while a busy channel costs the database at most one query
per second per instance. The instance that made a change sees it at once.

When the database goes away, reads answer with the last value known (or the default: not muted, the operator's
settings), and the outage is logged once, without a traceback (and once more when it is back); a change cannot be
saved then, and the person who asked is told so (`SettingsUnavailable`), rather than told it worked.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from bot.core.errors import BotError
from bot.settings import RateLimit
from bot.workspace import DEFAULT, WorkspaceSettings, rate_text

log = logging.getLogger("rcodebot.stores")

#: How long a value read from the database is reused (the most a change takes to reach every instance).
TTL_SECONDS = 1.0
MAX_CACHED = 10_000
#: While the database is down, reads try it again at most this often (others answer at once from what was known),
#: so a database that hangs cannot hold every request up for a connection timeout.
RETRY_SECONDS = 5.0

metadata = MetaData()

channel_settings = Table(
    "rcodebot_channel_settings",
    metadata,
    Column("channel_id", String(32), primary_key=True),
    Column("team_id", String(32), nullable=True, index=True),
    Column("muted", Boolean, nullable=False, default=False),
    Column("updated_by", String(32), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

workspace_settings = Table(
    "rcodebot_workspace_settings",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("resolvers", String(400), nullable=True),
    Column("user_rate", String(40), nullable=True),
    Column("channel_rate", String(40), nullable=True),
    Column("updated_by", String(32), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class SettingsUnavailable(BotError):
    """The settings database cannot be reached, so a change was not saved."""

    fmt = "I could not save that: the bot's settings database is not reachable right now. Please try again later."


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _short(err: SQLAlchemyError) -> str:
    """One line about a database error: the driver's own first line (never the SQL, never a URL)."""
    orig = getattr(err, "orig", None)
    text = str(orig if orig is not None else err).strip().splitlines()
    return f"{type(orig or err).__name__}: {text[0][:200] if text else ''}"


class SettingsStore:
    """Channel mutes and workspace settings over a SQLAlchemy engine (SQLite or PostgreSQL), with a short cache.

    Thread-safe: listeners call it from many threads at once.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_cached: int = MAX_CACHED,
    ) -> None:
        self.engine = engine
        self.ttl = ttl
        self._clock = clock
        self._max_cached = max_cached
        self._cache: OrderedDict[tuple[str, str], tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0
        self._schema_ready = False

    # ------------------------------------------------------------------------------------------------ schema

    def create_schema(self) -> bool:
        """Create the tables that are missing (never alters or drops one); False when the database is down."""
        try:
            metadata.create_all(self.engine, checkfirst=True)
        except SQLAlchemyError as err:
            self._went_down(err)
            return False
        self._schema_ready = True
        self._came_back()
        return True

    def release_connections(self) -> None:
        """Close the pool's connections (before gunicorn forks its workers: a SQLite or PostgreSQL connection must
        not be shared by two processes); each process opens its own on first use. An in-memory database is kept:
        its one connection is the database."""
        if not isinstance(self.engine.pool, StaticPool):
            self.engine.dispose()

    def _ensure_schema(self) -> None:
        if not self._schema_ready and not self.create_schema():
            raise SettingsUnavailable()

    # ------------------------------------------------------------------------------------------------ reads

    def is_muted(self, channel: str) -> bool:
        """Whether automatic replies to pastes are off in `channel`."""
        value = self._read(("channel", channel), lambda: self._load_muted(channel), False)
        return bool(value)

    def workspace(self, team: str | None) -> WorkspaceSettings:
        """The workspace's own settings (all None for a workspace that chose nothing, or no team)."""
        if not team:
            return DEFAULT
        value = self._read(("team", team), lambda: self._load_workspace(team), DEFAULT)
        return value if isinstance(value, WorkspaceSettings) else DEFAULT

    def _load_muted(self, channel: str) -> bool:
        with self.engine.connect() as connection:
            muted = connection.execute(
                select(channel_settings.c.muted).where(channel_settings.c.channel_id == channel)
            ).scalar_one_or_none()
        return bool(muted)

    def _load_workspace(self, team: str) -> WorkspaceSettings:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    workspace_settings.c.resolvers, workspace_settings.c.user_rate, workspace_settings.c.channel_rate
                ).where(workspace_settings.c.team_id == team)
            ).one_or_none()
        if row is None:
            return DEFAULT
        return WorkspaceSettings(
            resolvers=tuple(r for r in (row.resolvers or "").split(",") if r) or None,
            user_rate=_rate(row.user_rate, team),
            channel_rate=_rate(row.channel_rate, team),
        )

    def _read(self, key: tuple[str, str], load: Callable[[], Any], default: Any) -> Any:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        if self._down and now < self._retry_at:
            return cached[1] if cached is not None else default
        try:
            if not self._schema_ready and not self.create_schema():
                return cached[1] if cached is not None else default
            value = load()
        except SQLAlchemyError as err:
            self._went_down(err)
            return cached[1] if cached is not None else default
        self._came_back()
        self._remember(key, value, now)
        return value

    def _remember(self, key: tuple[str, str], value: Any, now: float) -> None:
        with self._lock:
            self._cache[key] = (now, value)
            self._cache.move_to_end(key)
            while len(self._cache) > self._max_cached:
                self._cache.popitem(last=False)

    # ----------------------------------------------------------------------------------------------- writes

    def set_muted(self, team: str | None, channel: str, muted: bool, user: str | None = None) -> None:
        """Turn automatic replies in `channel` off (`muted=True`) or on; SettingsUnavailable when not saved."""
        values = {"team_id": team, "muted": muted, "updated_by": user, "updated_at": _now()}
        self._upsert(channel_settings, channel_settings.c.channel_id, channel, values)
        self._remember(("channel", channel), muted, self._clock())

    def set_workspace(self, team: str, chosen: WorkspaceSettings, user: str | None = None) -> None:
        """Save a workspace's settings (already validated: `bot.workspace.parse_*`); SettingsUnavailable when not
        saved."""
        values = {
            "resolvers": ",".join(chosen.resolvers) if chosen.resolvers else None,
            "user_rate": rate_text(chosen.user_rate) if chosen.user_rate else None,
            "channel_rate": rate_text(chosen.channel_rate) if chosen.channel_rate else None,
            "updated_by": user,
            "updated_at": _now(),
        }
        self._upsert(workspace_settings, workspace_settings.c.team_id, team, values)
        self._remember(("team", team), chosen, self._clock())

    def delete_team(self, team: str) -> None:
        """Forget everything a workspace set (its channels' mutes included): for an uninstall."""
        self._ensure_schema()
        try:
            with self.engine.begin() as connection:
                connection.execute(delete(channel_settings).where(channel_settings.c.team_id == team))
                connection.execute(delete(workspace_settings).where(workspace_settings.c.team_id == team))
        except SQLAlchemyError as err:
            self._went_down(err)
            raise SettingsUnavailable() from None
        with self._lock:
            self._cache.clear()

    def _upsert(self, table: Table, key_column: Column[Any], key: str, values: dict[str, Any]) -> None:
        """Update the row, or insert it; a concurrent insert of the same key (another instance) becomes an update."""
        self._ensure_schema()
        try:
            for _ in range(3):
                try:
                    with self.engine.begin() as connection:
                        changed = connection.execute(update(table).where(key_column == key).values(**values)).rowcount
                        if not changed:
                            connection.execute(insert(table).values({key_column.name: key, **values}))
                    break
                except IntegrityError:
                    continue  # another instance inserted it between our update and insert: update it now
        except SQLAlchemyError as err:
            self._went_down(err)
            raise SettingsUnavailable() from None
        self._came_back()

    # ----------------------------------------------------------------------------------------------- health

    def _went_down(self, err: SQLAlchemyError) -> None:
        with self._lock:
            first = not self._down
            self._down = True
            self._schema_ready = False  # a database that comes back may be a new, empty one
            self._retry_at = self._clock() + RETRY_SECONDS
        if first:
            log.warning("settings database unreachable (%s): using the last known settings", _short(err))

    def _came_back(self) -> None:
        with self._lock:
            was_down = self._down
            self._down = False
        if was_down:
            log.warning("settings database reachable again")


def _rate(text: str | None, team: str) -> RateLimit | None:
    if not text:
        return None
    try:
        return RateLimit.from_text("rate", text)
    except BotError:
        log.warning("workspace %s: ignoring a malformed stored allowance %r", team, text[:40])
        return None
