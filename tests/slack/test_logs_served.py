"""RCODEBOT_LOG_FORMAT=json on the real `rcodebot serve --http`: one JSON object a line, request ids attached, and
no token or secret anywhere in the log, even at DEBUG and through failures (a Slack API error with its traceback,
an invalid signature, a workflow step whose payload carries its own token)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.slack.conftest import (
    APP_TOKEN,
    BOT_TOKEN,
    PAYLOADS,
    SECRET,
    ServerProcess,
    SlackSender,
    base_env,
    free_port,
    payload,
    procfile_command,
    unique,
)
from tests.slack.fakeslack import FakeSlack

WORKFLOW_TOKEN = "xwfp-1234-5678-workflowfake"


@pytest.fixture(scope="module")
def json_bot(fake: FakeSlack, silent_resolver: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackSender]:
    port = free_port()
    env = base_env(
        fake,
        RCODEBOT_LOG_FORMAT="json",
        RCODEBOT_LOG_LEVEL="DEBUG",
        SLACK_APP_TOKEN=APP_TOKEN,  # set, though --http does not use it: it must not leak either
        RCODEBOT_RESOLVERS="127.0.0.1",
        RCODEBOT_DNS_PORT=str(silent_resolver),
        RCODEBOT_QUERY_TIMEOUT="0.2",
        RCODEBOT_CHECK_DEADLINE="1",
    )
    server = ServerProcess(
        [*procfile_command("web"), "--http", "--host", "127.0.0.1", "--port", str(port)],
        env,
        tmp_path_factory.mktemp("jsonweb"),
    )
    try:
        server.wait_http(port)
        sender = SlackSender(port, fake)
        sender.server = server  # type: ignore[attr-defined]
        yield sender
    finally:
        server.stop()


def entries(bot: SlackSender) -> list[dict[str, Any]]:
    text: str = bot.server.log()  # type: ignore[attr-defined]
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        entry = json.loads(line)  # every line is one JSON object
        assert isinstance(entry, dict) and {"time", "level", "logger", "message"} <= entry.keys(), line
        parsed.append(entry)
    return parsed


def test_json_lines_carry_ids_and_no_secret_ever_appears(json_bot: SlackSender, fake: FakeSlack) -> None:
    archived, event_id = unique("C"), unique("Ev")
    fake.post_errors[archived] = "is_archived"
    paste = (PAYLOADS / "dig_servfail.txt").read_text(encoding="utf-8")
    json_bot.event({"channel": archived, "ts": "1732430000.000300", "text": paste}, event_id=event_id)
    fake.wait_for(lambda c: c.body.get("channel") == archived and c.answer.get("ok") is False, count=2)

    unsigned = json_bot.raw(json.dumps({"token": BOT_TOKEN}).encode(), "application/json", signature="v0=" + "0" * 64)
    assert unsigned.status == 401

    step = payload("event_function_executed")
    step["event"].update(inputs={"name": "example.com"}, function_execution_id=unique("Fx"))
    step["event_id"] = unique("Ev")
    assert step["event"]["bot_access_token"] == WORKFLOW_TOKEN
    sent = json_bot.raw(json.dumps(step).encode(), "application/json")
    assert sent.status == 200
    fake.wait_for(
        lambda c: (
            c.method.startswith("functions.complete")
            and c.body.get("function_execution_id") == step["event"]["function_execution_id"]
        )
    )

    deadline = time.monotonic() + 10
    while True:
        logged = entries(json_bot)
        failed = [e for e in logged if e.get("event_id") == event_id and "exc" in e]
        if failed or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert failed, "the failed reply was not logged with its event_id"
    assert failed[0]["channel"] == archived and failed[0]["team"] and "is_archived" in failed[0]["exc"]
    assert any("invalid signature" in e["message"] for e in logged)
    whole = json_bot.server.log()  # type: ignore[attr-defined]
    assert any(e["logger"].startswith("gunicorn") for e in logged)  # gunicorn's own lines are JSON too
    for secret in (BOT_TOKEN, SECRET, APP_TOKEN, WORKFLOW_TOKEN, "xoxb-", "xapp-", "xwfp-"):
        assert secret not in whole, secret
