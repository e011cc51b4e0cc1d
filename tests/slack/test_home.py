"""The App Home tab end to end: signed app_home_opened, block_actions and view_submission posts to the real server,
asserting on what reached the fake Web API (views.publish, views.open, users.info) and on the HTTP answers."""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import pytest

from bot.render import home
from tests.slack.conftest import USER_RATE, Response, SlackSender, payload, unique
from tests.slack.fakeslack import Call, FakeSlack

pytestmark = pytest.mark.usefixtures("http_bot")


def open_home(bot: SlackSender, team: str, user: str) -> None:
    body = {
        "token": "x",
        "team_id": team,
        "api_app_id": "A0RCODEBOT",
        "type": "event_callback",
        "event_id": unique("Ev"),
        "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": user, "channel": unique("D"), "tab": "home", "event_ts": "1.2"},
    }
    assert bot.raw(json.dumps(body).encode(), "application/json").status == 200


def published(fake: FakeSlack, user: str, count: int = 1) -> Call:
    calls = fake.wait_for(lambda c: c.method == "views.publish" and c.body.get("user_id") == user, count=count)
    call = calls[count - 1]
    assert call.answer["ok"] is True, call.answer  # valid Block Kit, as Slack checks it
    return call


def view_of(call: Call) -> dict[str, Any]:
    view = call.body["view"]
    return json.loads(view) if isinstance(view, str) else dict(view)


def interact(bot: SlackSender, body: dict[str, Any]) -> Response:
    return bot.raw(urllib.parse.urlencode({"payload": json.dumps(body)}).encode(), "application/x-www-form-urlencoded")


def submit(bot: SlackSender, team: str, user: str, **fields: str) -> Response:
    values = {name: {name: {"type": "plain_text_input", "value": value or None}} for name, value in fields.items()}
    body = {
        "type": "view_submission",
        "team": {"id": team, "domain": "example-ops"},
        "user": {"id": user, "team_id": team, "name": "admin"},
        "api_app_id": "A0RCODEBOT",
        "token": "x",
        "trigger_id": "1.2.3",
        "view": {
            "id": "V0MODAL",
            "type": "modal",
            "callback_id": home.CALLBACK_SETTINGS,
            "team_id": team,
            "state": {"values": values},
        },
    }
    return interact(bot, body)


def test_a_member_sees_what_the_bot_does_and_the_settings_read_only(http_bot: SlackSender, fake: FakeSlack) -> None:
    team, user = unique("T"), unique("U")
    fake.users[user] = {"team_id": team}
    open_home(http_bot, team, user)
    view = view_of(published(fake, user))
    text = json.dumps(view)
    assert view["type"] == "home"
    assert "/rcode 2 vs 4" in text and "/dnscheck example.com AAAA" in text and "/rcode mute" in text
    assert home.READ_ONLY in text and home.ACTION_EDIT not in text
    assert "3 per 3600 s (the bot's limit)" in text  # the operator's RCODEBOT_RATE_USER of this server
    assert fake.find(lambda c: c.method == "users.info" and c.body.get("user") == user)


def test_an_admin_changes_the_workspace_allowance_and_it_applies(http_bot: SlackSender, fake: FakeSlack) -> None:
    team, admin = unique("T"), unique("U")
    fake.users[admin] = {"team_id": team, "is_admin": True}
    open_home(http_bot, team, admin)
    view = view_of(published(fake, admin))
    assert home.ACTION_EDIT in json.dumps(view)

    click = payload("block_actions")
    click["actions"][0].update(action_id=home.ACTION_EDIT, value="edit")
    click.update(team={"id": team, "domain": "example-ops"}, trigger_id="13345224609.1.x")
    click["user"].update(id=admin, team_id=team)
    assert interact(http_bot, click).status == 200
    (opened,) = fake.wait_for(lambda c: c.method == "views.open" and c.body.get("trigger_id") == "13345224609.1.x")
    assert opened.answer["ok"] is True and view_of(opened)["callback_id"] == home.CALLBACK_SETTINGS

    # Looser than the operator's 3/3600, and a resolver off the allow-list: refused next to each field, not saved.
    refused = submit(http_bot, team, admin, user_rate="10/60", resolvers="192.0.2.1", channel_rate="")
    assert refused.status == 200
    errors = refused.json()
    assert errors["response_action"] == "errors"
    assert "more than this bot's limit of 3/3600" in errors["errors"][home.FIELD_USER_RATE]
    assert "allow-list" in errors["errors"][home.FIELD_RESOLVERS]

    saved = submit(http_bot, team, admin, user_rate="1/3600", resolvers="", channel_rate="")
    assert saved.status == 200 and saved.body == b""  # the modal closes
    republished = view_of(published(fake, admin, count=2))
    assert "1 per 3600 s (this workspace's choice)" in json.dumps(republished)

    # The workspace's allowance now holds for its people: one live check, then a refusal.
    person, channel = unique("U"), unique("C")
    # Names of its own: another test's cached check of the same name must not be served to it, nor its to them.
    first, _, _ = http_bot.command(
        "/dnscheck", f"{unique('home')}.example.com", team_id=team, user_id=person, channel_id=channel
    )
    assert "Checking" in first.json()["text"]
    second, _, _ = http_bot.command(
        "/dnscheck", f"{unique('home')}.example.org", team_id=team, user_id=person, channel_id=unique("C")
    )
    assert "Too many live checks" in second.json()["text"]
    # Another workspace keeps the operator's allowance.
    other, _, _ = http_bot.command("/dnscheck", f"{unique('home')}.example.net", team_id=unique("T"), user_id=person + "X")
    assert "Checking" in other.json()["text"]
    assert USER_RATE == "3/3600"


def test_a_forged_submission_from_a_non_admin_saves_nothing(http_bot: SlackSender, fake: FakeSlack) -> None:
    team, member = unique("T"), unique("U")
    fake.users[member] = {"team_id": team}
    assert submit(http_bot, team, member, user_rate="1/3600").status == 200
    view = json.dumps(view_of(published(fake, member)))
    assert "nothing was saved" in view and "3 per 3600 s (the bot's limit)" in view
    click = payload("block_actions")
    click["actions"][0].update(action_id=home.ACTION_EDIT, value="edit")
    click.update(team={"id": team}, trigger_id="forged.trigger")
    click["user"].update(id=member, team_id=team)
    assert interact(http_bot, click).status == 200
    fake.wait_for(lambda c: c.method == "users.info" and c.body.get("user") == member, count=2)
    time.sleep(0.3)
    assert fake.find(lambda c: c.method == "views.open" and c.body.get("trigger_id") == "forged.trigger") == []
