"""Installing into many workspaces, end to end: the real server (the Procfile's web: line) in OAuth mode against
the fake Slack, with installations in a real database (SQLite file, and the suite's PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.token_rotation.rotator import TokenRotator
from slack_sdk.web import WebClient

from bot.slack.oauth import LockedTokenRotator, Revocations
from bot.stores import database, installations
from bot.stores.settings import SettingsStore
from tests.slack.conftest import (
    ServerProcess,
    SlackSender,
    base_env,
    payload,
    procfile_command,
    start_web,
    unique,
)
from tests.slack.fakeslack import CLIENT_ID, CLIENT_SECRET, Call, FakeSlack, Workspace


def start_oauth_server(fake: FakeSlack, database_url: str, cwd: Path) -> tuple[SlackSender, ServerProcess]:
    env = base_env(fake, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, RCODEBOT_DATABASE_URL=database_url)
    del env["SLACK_BOT_TOKEN"]
    return start_web(fake, env, cwd)


@pytest.fixture
def oauth_bot(fake: FakeSlack, database_url: str, tmp_path: Path) -> Iterator[SlackSender]:
    sender, server = start_oauth_server(fake, database_url, tmp_path)
    sender.server = server  # type: ignore[attr-defined]
    try:
        yield sender
    finally:
        server.stop()


def install(bot: SlackSender, fake: FakeSlack, workspace: Workspace) -> str:
    """Add to Slack as a person would: /slack/install, Slack's consent (the fake's grant), /slack/oauth_redirect."""
    page = bot.get("/slack/install")
    assert page.status == 200, page.text
    cookie = page.headers["set-cookie"].split(";", 1)[0]
    state = cookie.split("=", 1)[1]
    assert f"state={state}" in page.text and "oauth/v2/authorize" in page.text
    code = unique("code")
    fake.add_grant(code, workspace)
    done = bot.get(f"/slack/oauth_redirect?code={code}&state={urllib.parse.quote(state)}", headers={"Cookie": cookie})
    assert done.status == 200, done.text
    issued = [t for t, w in fake.tokens.items() if w is workspace and t in w.valid]
    assert len(issued) == 1
    return issued[0]


def mention(bot: SlackSender, workspace: Workspace, *, team: str | None = None, **event: Any) -> str:
    """An app_mention in a workspace (for an org-wide install, `team` is the workspace inside the org)."""
    body = payload("event_app_mention")
    team_id = team or workspace.team_id
    channel = unique("C")
    body.update(team_id=team_id, event_id=unique("Ev"), is_enterprise_install=workspace.org_wide)
    if workspace.enterprise_id:
        body["enterprise_id"] = workspace.enterprise_id
    body["authorizations"] = [
        {
            "enterprise_id": workspace.enterprise_id,
            "team_id": None if workspace.org_wide else team_id,
            "user_id": workspace.bot_user_id,
            "is_bot": True,
            "is_enterprise_install": workspace.org_wide,
        }
    ]
    body["event"].update(channel=channel, team=team_id, text=f"<@{workspace.bot_user_id}> servfail vs refused?", **event)
    answer = bot.raw(json.dumps(body).encode(), "application/json")
    assert answer.status == 200, answer.text
    return channel


def reply_in(fake: FakeSlack, channel: str) -> Call:
    return fake.wait_for(fake.posted_in(channel))[0]


def test_two_workspaces_and_an_org_each_answered_with_their_own_token(oauth_bot: SlackSender, fake: FakeSlack) -> None:
    a, b = Workspace(unique("T")), Workspace(unique("T"))
    org = Workspace(None, enterprise_id=unique("E"), org_wide=True)
    tokens = {id(w): install(oauth_bot, fake, w) for w in (a, b, org)}
    for workspace, team in ((a, None), (b, None), (org, unique("T"))):
        call = reply_in(fake, mention(oauth_bot, workspace, team=team))
        assert call.authorization == f"Bearer {tokens[id(workspace)]}"
        assert call.answer["ok"] is True and "SERVFAIL" in call.all_text()
    # Bolt's authorize cache: auth.test once per token for the install, once in this process; not per request.
    before = len(fake.find(lambda c: c.method == "auth.test" and c.authorization == f"Bearer {tokens[id(b)]}"))
    for _ in range(3):
        reply_in(fake, mention(oauth_bot, b))
    after = len(fake.find(lambda c: c.method == "auth.test" and c.authorization == f"Bearer {tokens[id(b)]}"))
    assert before == after == 2


def test_an_uninstall_removes_only_that_workspaces_tokens(
    oauth_bot: SlackSender, fake: FakeSlack, database_url: str
) -> None:
    gone, kept = Workspace(unique("T")), Workspace(unique("T"))
    install(oauth_bot, fake, gone)
    install(oauth_bot, fake, kept)
    # Each workspace has a muted channel: the uninstalled one's settings go with its tokens.
    settings = SettingsStore(database.create_engine(database_url), ttl=0)
    gone_channel, kept_channel = unique("C"), unique("C")
    settings.set_muted(str(gone.team_id), gone_channel, True)
    settings.set_muted(str(kept.team_id), kept_channel, True)
    assert settings.is_muted(gone_channel) and settings.is_muted(kept_channel)
    fake.revoke(str(gone.team_id))
    body = payload("event_app_mention")
    body.update(team_id=gone.team_id, event_id=unique("Ev"))
    body["event"] = {"type": "app_uninstalled", "event_ts": "1732430200.000100"}
    body["authorizations"][0].update(team_id=gone.team_id)
    assert oauth_bot.raw(json.dumps(body).encode(), "application/json").status == 200
    engine = database.create_engine(database_url)
    store = installations.installation_store(engine, CLIENT_ID)
    deadline = time.monotonic() + 10
    while store.find_installation(enterprise_id=None, team_id=gone.team_id) is not None:
        assert time.monotonic() < deadline, "the uninstalled workspace's installation is still stored"
        time.sleep(0.1)
    assert store.find_bot(enterprise_id=None, team_id=gone.team_id) is None
    assert store.find_installation(enterprise_id=None, team_id=kept.team_id) is not None
    while settings.is_muted(gone_channel):
        assert time.monotonic() < deadline, "the uninstalled workspace's settings are still stored"
        time.sleep(0.1)
    assert settings.is_muted(kept_channel)
    # The kept workspace is still answered; the gone one gets nothing posted.
    reply_in(fake, mention(oauth_bot, kept))
    silent = mention(oauth_bot, gone)
    time.sleep(1.0)
    assert fake.find(fake.posted_in(silent)) == []
    engine.dispose()


def test_a_token_refreshed_by_two_processes_at_once_works_for_both(
    fake: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    """Two instances share the database; the workspace's token is about to expire; both get a request at once."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first, first_server = start_oauth_server(fake, database_url, tmp_path / "one")
    second, second_server = start_oauth_server(fake, database_url, tmp_path / "two")
    try:
        workspace = Workspace(unique("T"), expires_in=60)  # inside Bolt's 120-minute refresh window
        install(first, fake, workspace)
        fake.refresh_delay = 1.0  # both refreshes would overlap without a lock
        mark = len(fake.snapshot())
        channels: list[str] = []
        threads = [threading.Thread(target=lambda s=s: channels.append(mention(s, workspace))) for s in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        replies = [reply_in(fake, channel) for channel in channels]
        calls = fake.snapshot()[mark:]
        refreshes = [c for c in calls if c.method == "oauth.v2.access" and c.body.get("grant_type") == "refresh_token"]
        assert len(refreshes) == 1
        assert all(r.answer["ok"] is True for r in replies)
        assert {r.authorization for r in replies} == {f"Bearer {next(iter(workspace.valid))}"}
    finally:
        fake.refresh_delay = 0.0
        first_server.stop()
        second_server.stop()


def _rotating_installation(fake: FakeSlack, engine: sqlalchemy.Engine) -> tuple[Workspace, Installation]:
    workspace = Workspace(unique("T"), expires_in=60)
    code = unique("code")
    fake.add_grant(code, workspace)
    client = WebClient(base_url=fake.api_url)
    answer = client.oauth_v2_access(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code)
    installation = Installation(
        app_id="A0RCODEBOT",
        enterprise_id=None,
        team_id=workspace.team_id,
        user_id="U0INSTALLER",
        bot_token=answer["access_token"],
        bot_id="B1",
        bot_user_id=workspace.bot_user_id,
        bot_refresh_token=answer["refresh_token"],
        bot_token_expires_in=answer["expires_in"],
    )
    installations.installation_store(engine, CLIENT_ID).save(installation)
    return workspace, installation


def _race(rotators: list[TokenRotator], installation: Installation) -> list[Any]:
    results: list[Any] = []

    def rotate(rotator: TokenRotator) -> None:
        try:
            results.append(rotator.perform_token_rotation(installation=installation))
        except SlackTokenRotationError as err:
            results.append(err)

    threads = [threading.Thread(target=rotate, args=(r,)) for r in rotators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_the_fake_reproduces_the_unlocked_race(fake: FakeSlack, tmp_path: Path) -> None:
    """Bolt's own rotator, twice at once: one refresh spends the token the other needs (the bite being fixed)."""
    engine = database.create_engine(f"sqlite:///{tmp_path / 'race.db'}")
    database.migrate(engine, installations.MIGRATIONS)
    _, installation = _rotating_installation(fake, engine)
    client = WebClient(base_url=fake.api_url)
    fake.refresh_delay = 0.5
    try:
        results = _race([TokenRotator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, client=client)] * 2, installation)
    finally:
        fake.refresh_delay = 0.0
    assert sum(isinstance(r, SlackTokenRotationError) for r in results) == 1


def test_locked_rotation_gives_both_callers_the_same_working_token(fake: FakeSlack, database_url: str) -> None:
    engines = [database.create_engine(database_url) for _ in range(2)]
    database.migrate(engines[0], installations.MIGRATIONS)
    workspace, installation = _rotating_installation(fake, engines[0])
    client = WebClient(base_url=fake.api_url)
    rotators: list[TokenRotator] = [
        LockedTokenRotator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, client=client, engine=e) for e in engines
    ]
    fake.refresh_delay = 0.5
    try:
        results = _race(rotators, installation)
    finally:
        fake.refresh_delay = 0.0
    assert all(isinstance(r, Installation) for r in results), results
    tokens = {r.bot_token for r in results}
    assert tokens == workspace.valid and installation.bot_token not in tokens
    stored = installations.installation_store(engines[1], CLIENT_ID).find_installation(
        enterprise_id=None, team_id=workspace.team_id
    )
    assert stored is not None and stored.bot_token in workspace.valid
    for engine in engines:
        engine.dispose()


def test_oauth_with_an_app_token_says_socket_mode_is_not_for_distribution(fake: FakeSlack, tmp_path: Path) -> None:
    env = base_env(fake, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, SLACK_APP_TOKEN="xapp-1-A-1-x")
    del env["SLACK_BOT_TOKEN"]
    env["RCODEBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite'}"
    done = subprocess.run(procfile_command("worker"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 4
    assert done.stderr.strip().count("\n") == 0 and "Socket Mode is not for apps installed in many workspaces" in done.stderr


def test_single_workspace_mode_ignores_the_database(http_bot: SlackSender) -> None:
    """SLACK_BOT_TOKEN set: no install endpoints, exactly as before."""
    assert http_bot.get("/slack/install").status == 404


def test_a_revoked_bot_token_removes_the_installation(oauth_bot: SlackSender, fake: FakeSlack, database_url: str) -> None:
    workspace = Workspace(unique("T"))
    install(oauth_bot, fake, workspace)
    fake.revoke(str(workspace.team_id))
    body = payload("event_app_mention")
    body.update(team_id=workspace.team_id, event_id=unique("Ev"))
    body["event"] = {"type": "tokens_revoked", "tokens": {"bot": [workspace.bot_user_id]}, "event_ts": "1732430300.1"}
    body["authorizations"][0].update(team_id=workspace.team_id)
    assert oauth_bot.raw(json.dumps(body).encode(), "application/json").status == 200
    engine = database.create_engine(database_url)
    store = installations.installation_store(engine, CLIENT_ID)
    deadline = time.monotonic() + 10
    while store.find_installation(enterprise_id=None, team_id=workspace.team_id) is not None:
        assert time.monotonic() < deadline, "the revoked workspace's installation is still stored"
        time.sleep(0.1)
    assert store.find_bot(enterprise_id=None, team_id=workspace.team_id) is None
    engine.dispose()


def test_removal_callbacks_all_run_even_when_one_fails() -> None:
    seen: list[tuple[str | None, str | None]] = []

    def broken(enterprise_id: str | None, team_id: str | None) -> None:
        raise RuntimeError("settings store down")

    revocations = Revocations(callbacks=[broken, lambda e, t: seen.append((e, t))])
    revocations.removed("E1", "T1")
    assert seen == [("E1", "T1")]
