"""Installations and OAuth state in the database: slack_sdk's own SQLAlchemy stores, and their schema steps.

The tables are slack_sdk's (`slack_installations`, `slack_bots`, `slack_oauth_states`), created by the
`installations` component's migrations (`bot.stores.database.migrate`), never by the stores' own
`create_tables()`, so every instance agrees on one recorded schema version.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Engine

from bot.stores.database import Migration

COMPONENT = "installations"
INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.default_installations_table_name
BOTS_TABLE = SQLAlchemyInstallationStore.default_bots_table_name
STATES_TABLE = SQLAlchemyOAuthStateStore.default_table_name
#: How long an "Add to Slack" link stays valid (seconds): Bolt's default.
STATE_EXPIRATION_SECONDS = 600


def _v1_tables() -> MetaData:
    """slack_sdk 3.48's tables for installations, bots and OAuth state (with the token-rotation columns)."""
    metadata = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(metadata, INSTALLATIONS_TABLE)
    SQLAlchemyInstallationStore.build_bots_table(metadata, BOTS_TABLE)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, STATES_TABLE)
    return metadata


def _create_v1(connection: Connection) -> None:
    # checkfirst: a database where a slack_sdk app already made these tables is adopted, its rows kept.
    _v1_tables().create_all(connection, checkfirst=True)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(COMPONENT, 1, "slack_sdk installation, bot and OAuth state tables", _create_v1),
)


def installation_store(engine: Engine, client_id: str) -> SQLAlchemyInstallationStore:
    """slack_sdk's installation store on `engine` (tables made by MIGRATIONS)."""
    return SQLAlchemyInstallationStore(client_id=client_id, engine=engine)


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    """slack_sdk's OAuth state store on `engine`: a state is issued by /slack/install, consumed once."""
    return SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine)
