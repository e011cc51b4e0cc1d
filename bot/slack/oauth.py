"""Installing into many workspaces: Bolt's OAuth flow on slack_sdk's SQLAlchemy stores, with the bites handled.

- Bolt's `InstallationStoreAuthorize` calls `auth.test` on every request unless its cache is on: it is on here
  (`cache_enabled=True`, keyed by token, bounded). The cache lives in one process: each instance calls
  `auth.test` once per token it sees, and a rotated token is a new key.
- Bolt's token rotation takes no lock: two instances refreshing the same workspace at once both spend the
  refresh token, and the one whose answer loses holds a token Slack no longer honours. `LockedTokenRotator` runs
  each refresh inside `bot.stores.database.exclusive` (a PostgreSQL advisory lock, or SQLite's write lock) keyed by
  the workspace, re-reads the installation there, and refreshes only if it still needs it: the second instance
  gets the token the first one saved.
- Bolt's listeners for `app_uninstalled` and `tokens_revoked` are opt-in: `attach` registers them, and after the
  tokens are deleted calls every callback in `Revocations.callbacks` with (enterprise_id, team_id), so other
  stores (workspace settings) delete that workspace's data too.
- Socket Mode is not meant for apps distributed to many workspaces (Slack's docs), so OAuth is HTTP mode only.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from slack_bolt import App
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.authorization.authorize_result import AuthorizeResult
from slack_bolt.context import BoltContext
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation.rotator import TokenRotator
from slack_sdk.web import WebClient
from sqlalchemy.engine import Connection, Engine

from bot.settings import Settings
from bot.stores import database, installations

log = logging.getLogger("rcodebot.oauth")

#: The bot scopes asked for at install: exactly the manifests' (tests/slack/test_manifest.py keeps them equal).
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "chat:write",
    "commands",
    "files:read",
    "groups:history",
    "im:history",
    "mpim:history",
    "users:read",
)
#: Tokens whose auth.test result one process remembers.
AUTHORIZE_CACHE_SIZE = 10_000

WorkspaceRemoved = Callable[[str | None, str | None], None]


class _BoundedCache(OrderedDict[str, AuthorizeResult]):
    """Bolt's authorize cache, bounded: the oldest entries go first (rotated tokens never come back)."""

    def __setitem__(self, key: str, value: AuthorizeResult) -> None:
        super().__setitem__(key, value)
        while len(self) > AUTHORIZE_CACHE_SIZE:
            self.popitem(last=False)


class _OneConnection:
    """An 'engine' that hands out one open connection, so slack_sdk's store runs inside our locked transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @contextmanager
    def _same(self) -> Any:
        yield self.connection

    def begin(self) -> Any:
        return self._same()

    def connect(self) -> Any:
        return self._same()


class LockedTokenRotator(TokenRotator):
    """Token rotation serialised across instances per workspace (see the module docstring)."""

    def __init__(self, *, client_id: str, client_secret: str, client: WebClient, engine: Engine) -> None:
        super().__init__(client_id=client_id, client_secret=client_secret, client=client)
        self.engine = engine

    def perform_token_rotation(
        self, *, installation: Installation, minutes_before_expiration: int = 120
    ) -> Installation | None:
        # Cheap check first, without the lock: most requests carry a token far from expiry.
        if not _expiring(installation, minutes_before_expiration):
            return None
        key = f"token-rotation:{installation.enterprise_id or '-'}:{installation.team_id or '-'}"
        with database.exclusive(self.engine, key) as connection:
            store = SQLAlchemyInstallationStore(client_id=self.client_id, engine=cast(Engine, _OneConnection(connection)))
            current = store.find_installation(
                enterprise_id=installation.enterprise_id,
                team_id=installation.team_id,
                is_enterprise_install=installation.is_enterprise_install,
            )
            if current is None:  # uninstalled meanwhile
                return None
            refreshed = super().perform_token_rotation(
                installation=current, minutes_before_expiration=minutes_before_expiration
            )
            if refreshed is not None:
                store.save(refreshed)
                log.info("refreshed the tokens of %s/%s", installation.enterprise_id, installation.team_id)
                return refreshed
            if current.bot_token != installation.bot_token or current.user_token != installation.user_token:
                return current  # another instance refreshed first: use what it saved
            return None


def _expiring(installation: Installation, minutes: int) -> bool:
    import time

    limit = time.time() + minutes * 60
    bot = installation.bot_token_expires_at
    user = installation.user_token_expires_at
    return (bot is not None and bot <= limit) or (user is not None and user <= limit)


class CachedAuthorize(InstallationStoreAuthorize):
    """Bolt's installation-store authorize with its auth.test cache on and the locked token rotator."""

    def __init__(self, *, settings: Settings, store: SQLAlchemyInstallationStore, client: WebClient, engine: Engine) -> None:
        assert settings.client_id and settings.client_secret
        super().__init__(
            logger=logging.getLogger("rcodebot.bolt"),
            installation_store=store,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            cache_enabled=True,
            client=client,
        )
        self.authorize_result_cache = _BoundedCache()
        self.token_rotator = LockedTokenRotator(
            client_id=settings.client_id, client_secret=settings.client_secret, client=client, engine=engine
        )


@dataclass
class Revocations:
    """What runs when a workspace uninstalls the app or revokes its tokens: add callbacks to delete more."""

    callbacks: list[WorkspaceRemoved] = field(default_factory=list)

    def removed(self, enterprise_id: str | None, team_id: str | None) -> None:
        for callback in self.callbacks:
            try:
                callback(enterprise_id, team_id)
            except Exception:  # one failing store must not keep the others from deleting
                log.exception("a removal callback failed for %s/%s", enterprise_id, team_id)


@dataclass(frozen=True)
class OAuthParts:
    """The pieces build_app hands to Bolt's App."""

    settings: OAuthSettings
    authorize: CachedAuthorize
    store: SQLAlchemyInstallationStore
    engine: Engine


def build(settings: Settings, client: WebClient) -> OAuthParts:
    """Open (and migrate) the database, and build Bolt's OAuth settings on slack_sdk's SQLAlchemy stores."""
    assert settings.client_id and settings.client_secret
    engine = database.engine_for(settings.database_url)
    database.migrate(engine, installations.MIGRATIONS)
    # gunicorn forks its workers after this (preload): no pooled connection may be shared across the fork.
    engine.dispose()
    store = installations.installation_store(engine, settings.client_id)
    authorize = CachedAuthorize(settings=settings, store=store, client=client, engine=engine)
    oauth_settings = OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=settings.redirect_uri,
        installation_store=store,
        state_store=installations.state_store(engine),
        logger=logging.getLogger("rcodebot.oauth"),
    )
    return OAuthParts(oauth_settings, authorize, store, engine)


def attach(app: App, parts: OAuthParts) -> Revocations:
    """Register Bolt's revocation listeners (opt-in), followed by our callbacks."""
    revocations = Revocations()
    uninstalled = app.default_app_uninstalled_event_listener()
    revoked = app.default_tokens_revoked_event_listener()

    def on_app_uninstalled(context: BoltContext, event: dict[str, Any]) -> None:
        """Delete every installation and bot token of the workspace (org), then run the callbacks."""
        uninstalled(context=context)
        log.info("app uninstalled from %s/%s: its tokens are deleted", context.enterprise_id, context.team_id)
        revocations.removed(context.enterprise_id, context.team_id)

    def on_tokens_revoked(context: BoltContext, event: dict[str, Any]) -> None:
        """Delete the revoked tokens. Bolt's listener deletes only the bot rows when the bot token is revoked,
        and the installation row still holds that token: the workspace's installation goes too (rcodebot asks
        for no user tokens, so an installation without its bot is nothing)."""
        revoked(event=event, context=context)
        if event.get("tokens", {}).get("bot"):
            parts.store.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
            log.info("bot token revoked in %s/%s: its installation is deleted", context.enterprise_id, context.team_id)
            revocations.removed(context.enterprise_id, context.team_id)

    app.event("app_uninstalled")(on_app_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)
    return revocations
