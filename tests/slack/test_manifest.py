"""The manifests ask for exactly what the app uses, and everything they subscribe to is handled (no 404s)."""

from __future__ import annotations

import json
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt import App, BoltRequest
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.signature import SignatureVerifier

from bot.core.codes import knowledge
from bot.settings import ProbeSettings, Settings
from bot.slack import build_app
from bot.slack.listeners.functions import CALLBACK_DNSCHECK, outputs_of
from bot.slack.listeners.shortcuts import CALLBACK_EXPLAIN
from bot.slack.messages import ACTION_SHARE
from bot.slack.oauth import BOT_SCOPES
from tests.slack.conftest import BOT_TOKEN, ROOT, SECRET, payload, shortcut_body, unique
from tests.slack.fakeslack import FakeSlack

#: Which scope each event or feature needs (Slack's scope reference); nothing else may be requested.
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
    "function_executed": None,  # a workflow step's run: no scope (Slack sends it for the app's own functions)
    "app_home_opened": None,  # the App Home tab: no scope
}
# files:read: shared snippets (message subtype file_share); users:read: App Home's "is this person an admin?"
FEATURE_SCOPES = {"commands", "chat:write", "files:read", "users:read"}
EVENTS_URL = "https://rcodebot.example.com/slack/events"
REDIRECT_URL = "https://rcodebot.example.com/slack/oauth_redirect"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def app(fake: FakeSlack, silent_resolver: int) -> App:
    probe = ProbeSettings(resolvers=("127.0.0.1",), port=silent_resolver, query_timeout=0.2, deadline=0.5)
    settings = Settings(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url, probe=probe)
    return build_app(settings, knowledge.load(settings.knowledge_path), mode="http")


def dispatch(app: App, body: str, content_type: str) -> int:
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    headers = {"content-type": [content_type], "x-slack-signature": [signature], "x-slack-request-timestamp": [ts]}
    return int(app.dispatch(BoltRequest(body=body, headers=headers)).status)


@pytest.mark.parametrize("name", ["manifest.yml", "manifest.http.yml"])
def test_scopes_are_exactly_what_the_events_and_features_need(name: str) -> None:
    manifest = load(name)
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert set(events) == set(EVENT_SCOPES)
    needed = {scope for scope in EVENT_SCOPES.values() if scope}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == FEATURE_SCOPES | needed
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True  # message.im needs the DM tab
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True  # app_home_opened publishes the Home tab


def test_the_two_manifests_differ_only_in_transport() -> None:
    socket, http = load("manifest.yml"), load("manifest.http.yml")
    assert socket["settings"]["socket_mode_enabled"] is True and http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"] == EVENTS_URL
    assert http["settings"]["interactivity"]["request_url"] == EVENTS_URL
    assert all(c["url"] == EVENTS_URL for c in http["features"]["slash_commands"])
    for command in http["features"]["slash_commands"]:
        del command["url"]
    del http["settings"]["event_subscriptions"]["request_url"], http["settings"]["interactivity"]["request_url"]
    assert http["oauth_config"].pop("redirect_urls") == [REDIRECT_URL]
    http["settings"]["socket_mode_enabled"] = True
    assert http == socket
    assert "url" not in json.dumps(socket["features"]) and "request_url" not in json.dumps(socket["settings"])


@pytest.mark.parametrize("command", [c["command"] for c in load("manifest.yml")["features"]["slash_commands"]])
def test_every_manifest_command_is_handled(app: App, command: str, fake: FakeSlack) -> None:
    form = payload("slash_command")
    form.update(command=command, text="help", user_id=unique("U"), response_url=fake.response_url(unique("m")))
    assert dispatch(app, urllib.parse.urlencode(form), "application/x-www-form-urlencoded") == 200


@pytest.mark.parametrize(
    "event",
    [
        e
        for e in load("manifest.yml")["settings"]["event_subscriptions"]["bot_events"]
        if e not in ("function_executed", "app_home_opened")
    ],
)
def test_every_subscribed_event_is_acked(app: App, event: str, fake: FakeSlack) -> None:
    kind, _, channel_type = event.partition(".")
    body = payload("event_app_mention" if kind == "app_mention" else "event_message")
    channel = unique("C")
    body["event"].update(channel=channel, text="servfail vs refused")
    if channel_type:
        body["event"]["channel_type"] = {"channels": "channel", "groups": "group"}.get(channel_type, channel_type)
    body["event_id"] = unique("Ev")
    assert dispatch(app, json.dumps(body), "application/json") == 200
    if event in ("app_mention", "message.im"):  # a question to the bot (a mention, or anything in its DM) is answered
        (reply,) = fake.wait_for(fake.posted_in(channel))
        assert "REFUSED" in reply.all_text()
        # In a channel the answer goes in the thread; in a DM, straight into the conversation.
        assert reply.body.get("thread_ts") == (None if event == "message.im" else body["event"]["ts"])


@pytest.mark.parametrize("action_id", [ACTION_SHARE, "run_live_check"])
def test_every_button_is_handled(app: App, action_id: str, fake: FakeSlack) -> None:
    body = payload("block_actions")
    body["actions"][0].update(action_id=action_id, value="2 vs 4" if action_id == ACTION_SHARE else "example.com A")
    name = unique("m")
    body["response_url"] = fake.response_url(name)
    body["user"]["id"] = unique("U")
    assert dispatch(app, urllib.parse.urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded") == 200
    last = fake.wait_for(fake.to_response(name), count=2)[-1]  # shared + ephemeral deleted / progress + result
    assert last.answer["status"] == 200


def test_procfile_runs_http_on_web_and_socket_mode_on_worker() -> None:
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines() if line.strip())
    assert lines["web"].split()[:3] == ["rcodebot", "serve", "--http"]
    assert lines["worker"].split()[:3] == ["rcodebot", "serve", "--socket"]
    assert Path(ROOT / "manifest.yml").is_file()


def test_an_interaction_nothing_handles_is_still_acked(app: App, fake: FakeSlack) -> None:
    body = payload("block_actions")
    body["actions"][0].update(action_id="open_rfc_link", value="")
    body["response_url"] = fake.response_url(unique("m"))
    assert dispatch(app, urllib.parse.urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded") == 200


@pytest.mark.parametrize("name", ["manifest.yml", "manifest.http.yml"])
def test_the_shortcut_and_the_workflow_step_are_declared(name: str) -> None:
    manifest = load(name)
    (shortcut,) = manifest["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"], shortcut["name"]) == (
        "message",
        CALLBACK_EXPLAIN,
        "Explain DNS output",
    )
    step = manifest["functions"][CALLBACK_DNSCHECK]
    assert set(step["input_parameters"]["properties"]) == {"name", "type", "resolvers", "channel_id"}
    assert step["input_parameters"]["required"] == ["name"]
    assert step["input_parameters"]["properties"]["channel_id"]["type"] == "slack#/types/channel_id"
    outputs = step["output_parameters"]
    assert set(outputs["properties"]) == set(outputs["required"]) == {"verdict", "cause", "summary", "result_url"}
    assert set(outputs_of({}, "")) == set(outputs["properties"])  # what the step sends is what the manifest declares
    settings = manifest["settings"]
    assert settings["org_deploy_enabled"] is True and settings["function_runtime"] == "remote"


def test_every_manifest_shortcut_is_handled(app: App, fake: FakeSlack) -> None:
    for shortcut in load("manifest.yml")["features"]["shortcuts"]:
        name, body = shortcut_body(fake, {"text": "no dig output here", "ts": "1732430000.000100"}, user=unique("U"))
        body["callback_id"] = shortcut["callback_id"]
        form = urllib.parse.urlencode({"payload": json.dumps(body)})
        assert dispatch(app, form, "application/x-www-form-urlencoded") == 200
        (answer,) = fake.wait_for(fake.to_response(name))
        assert answer.body["response_type"] == "ephemeral"


def test_every_manifest_function_is_handled(app: App, fake: FakeSlack) -> None:
    for callback_id in load("manifest.yml")["functions"]:
        body = payload("event_function_executed")
        execution = unique("Fx")
        body["event"].update(inputs={"name": ""}, function_execution_id=execution)
        body["event"]["function"]["callback_id"] = callback_id
        body["event_id"] = unique("Ev")
        assert dispatch(app, json.dumps(body), "application/json") == 200
        (done,) = fake.wait_for(lambda c, e=execution: c.body.get("function_execution_id") == e)
        assert done.method == "functions.completeError"


@pytest.mark.parametrize("name", ["manifest.yml", "manifest.http.yml"])
def test_an_oauth_install_asks_for_the_manifests_scopes(name: str) -> None:
    assert sorted(load(name)["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_the_redirect_url_is_the_path_bolt_serves() -> None:
    (url,) = load("manifest.http.yml")["oauth_config"]["redirect_urls"]
    assert urllib.parse.urlparse(url).path == OAuthSettings(client_id="1", client_secret="2").redirect_uri_path
