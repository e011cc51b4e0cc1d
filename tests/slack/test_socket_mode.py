"""Socket Mode end to end: the Procfile's worker: command against a local WebSocket server standing in for Slack's.

apps.connections.open (with the xapp- token) goes to the fake Web API, which hands out ws://127.0.0.1:…; the fake
Socket Mode server pushes a slash command and events, and collects the app's acks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.slack.conftest import (
    APP_TOKEN,
    PAYLOADS,
    ServerProcess,
    base_env,
    payload,
    procfile_command,
    shortcut_body,
    unique,
)
from tests.slack.fakeslack import FakeSlack, FakeSocketModeServer
from tests.slack.test_http import dig_paste


@pytest.fixture(scope="module")
def socket_bot(
    fake: FakeSlack, silent_resolver: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FakeSocketModeServer]:
    ws = FakeSocketModeServer().start()
    fake.ws_url = ws.url
    env = base_env(
        fake,
        SLACK_APP_TOKEN=APP_TOKEN,
        RCODEBOT_RESOLVERS="127.0.0.1",
        RCODEBOT_DNS_PORT=str(silent_resolver),
        RCODEBOT_QUERY_TIMEOUT="0.3",
        RCODEBOT_CHECK_DEADLINE="1.5",
    )
    env.pop("SLACK_SIGNING_SECRET")  # Socket Mode needs no signing secret
    server = ServerProcess(procfile_command("worker"), env, tmp_path_factory.mktemp("worker"))
    try:
        ws.wait_connected()
        yield ws
    finally:
        code = server.stop()
        ws.stop()
        fake.ws_url = None
    assert code == 0, server.log()


def test_connection_is_opened_with_the_app_token(socket_bot: FakeSocketModeServer, fake: FakeSlack) -> None:
    opens = fake.find(lambda c: c.method == "apps.connections.open")
    assert opens and all(c.authorization == f"Bearer {APP_TOKEN}" for c in opens)


def test_slash_command_is_acked_with_the_answer(socket_bot: FakeSocketModeServer) -> None:
    form = payload("slash_command")
    form.update(text="servfail vs refused")
    socket_bot.push(
        {"envelope_id": "env-slash-1", "type": "slash_commands", "accepts_response_payload": True, "payload": form}
    )
    ack = socket_bot.wait_ack("env-slash-1")
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "SERVFAIL" in ack["payload"]["text"] and "REFUSED" in ack["payload"]["text"]


def test_dnscheck_is_acked_then_answered_through_the_response_url(socket_bot: FakeSocketModeServer, fake: FakeSlack) -> None:
    name = unique("sock")
    form = payload("slash_command")
    form.update(command="/dnscheck", text="example.com", user_id=unique("U"), response_url=fake.response_url(name))
    socket_bot.push(
        {"envelope_id": "env-check-1", "type": "slash_commands", "accepts_response_payload": True, "payload": form}
    )
    ack = socket_bot.wait_ack("env-check-1")
    assert "Checking" in ack["payload"]["text"]
    (result,) = fake.wait_for(fake.to_response(name))
    assert result.body["replace_original"] is True


def test_event_is_acked_and_answered_in_thread_once(socket_bot: FakeSocketModeServer, fake: FakeSlack) -> None:
    channel, ts = unique("C"), "1732430300.000100"
    body = payload("event_message")
    body["event"].update(channel=channel, ts=ts, text=dig_paste())
    body["event_id"] = unique("Ev")
    for attempt, envelope_id in enumerate(["env-ev-1", "env-ev-1-retry"]):
        socket_bot.push(
            {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": attempt,
                "retry_reason": "timeout" if attempt else "",
                "payload": body,
            }
        )
        assert socket_bot.wait_ack(envelope_id) == {"envelope_id": envelope_id}
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == ts
    # A later event in the same channel is answered; the retried one still has exactly one reply.
    later = payload("event_message")
    later["event"].update(channel=channel, ts="1732430300.000200", text=dig_paste())
    later["event_id"] = unique("Ev")
    socket_bot.push(
        {
            "envelope_id": "env-ev-2",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": later,
        }
    )
    fake.wait_for(lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == "1732430300.000200")
    assert len(fake.find(lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts)) == 1
    assert json.loads((PAYLOADS / "event_message.json").read_text())["type"] == "event_callback"


def test_the_message_shortcut_works_over_socket_mode(socket_bot: FakeSocketModeServer, fake: FakeSlack) -> None:
    channel = unique("C")
    message = {"type": "message", "user": unique("U"), "ts": "1732430300.000900", "text": dig_paste()}
    name, body = shortcut_body(fake, message, channel=channel, user=unique("U"))
    socket_bot.push(
        {"envelope_id": "env-shortcut-1", "type": "interactive", "accepts_response_payload": True, "payload": body}
    )
    assert socket_bot.wait_ack("env-shortcut-1") == {"envelope_id": "env-shortcut-1"}  # acked at once, nothing in it
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == "1732430300.000900" and "SERVFAIL" in reply.all_text()
    assert fake.find(fake.to_response(name)) == []


def test_the_workflow_step_works_over_socket_mode(socket_bot: FakeSocketModeServer, fake: FakeSlack) -> None:
    execution, channel = unique("Fx"), unique("C")
    body = payload("event_function_executed")
    body["event"].update(
        inputs={"name": "example.com", "channel_id": channel}, function_execution_id=execution, workflow_execution_id="Wx1"
    )
    body["event_id"], body["team_id"] = unique("Ev"), unique("T")
    envelope = {
        "envelope_id": "env-step-1",
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
        "payload": body,
    }
    socket_bot.push(envelope)
    assert socket_bot.wait_ack("env-step-1") == {"envelope_id": "env-step-1"}
    (done,) = fake.wait_for(
        lambda c: c.method.startswith("functions.complete") and c.body.get("function_execution_id") == execution, timeout=30
    )
    assert done.method == "functions.completeSuccess", done.body
    assert done.authorization == f"Bearer {body['event']['bot_access_token']}"  # the execution's token, as over HTTP
    outputs = json.loads(done.body["outputs"])
    (posted,) = fake.find(fake.posted_in(channel))
    assert outputs["result_url"].endswith(posted.answer["ts"].replace(".", ""))
    assert outputs["verdict"] == "failure"  # the suite's resolver never answers: a timeout is a verdict, not a crash
