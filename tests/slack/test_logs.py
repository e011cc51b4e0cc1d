"""What `rcodebot serve` logs: with RCODEBOT_LOG_FORMAT=json one JSON object a line, with the request's ids, and
never a token or secret (here a real server, real requests, and the errors that log the most)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.logs import REDACTED, JsonFormatter, Redact
from tests.slack.conftest import (
    BOT_TOKEN,
    SECRET,
    SlackSender,
    base_env,
    start_web,
    unique,
)
from tests.slack.fakeslack import FakeSlack
from tests.slack.test_http import dig_paste


@pytest.fixture(scope="module")
def json_bot(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackSender]:
    env = base_env(fake, RCODEBOT_LOG_FORMAT="json", RCODEBOT_LOG_LEVEL="DEBUG", RCODEBOT_RESOLVERS="127.0.0.1")
    bot, server = start_web(fake, env, tmp_path_factory.mktemp("json"))
    try:
        yield bot
    finally:
        server.stop()


def test_json_lines_with_ids_and_no_secret_anywhere(json_bot: SlackSender, fake: FakeSlack) -> None:
    channel, ts = unique("C"), "1732430000.003100"
    json_bot.event({"channel": channel, "ts": ts, "text": dig_paste()}, event_id="EvLOG1")
    fake.wait_for(lambda c: c.body.get("thread_ts") == ts)
    failing = unique("C")
    fake.post_errors[failing] = "not_in_channel"
    json_bot.event({"channel": failing, "ts": "1732430000.003200", "text": dig_paste()})
    json_bot.raw(b'{"token": "' + BOT_TOKEN.encode() + b'"}', "application/json", signature="v0=" + "0" * 64)
    time.sleep(1.0)
    log = json_bot.server.log()  # type: ignore[attr-defined]
    assert BOT_TOKEN not in log and SECRET not in log
    lines = [line for line in log.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is JSON, gunicorn's own included
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r.get("event_id") == "EvLOG1" and r.get("channel") == channel for r in records)
    assert any(r.get("channel") == failing and "not_in_channel" in r["message"] for r in records)
    assert any(r["logger"].startswith("gunicorn") for r in records)


def test_redact_masks_tokens_and_secrets_in_messages_and_tracebacks() -> None:
    redact = Redact(["s3cr3t-signing-value"])
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "token %s and %s", ("xoxb-1234-abcd", "s3cr3t-signing-value"), None
    )
    try:
        raise ValueError("xapp-1-A0-123-abc in a traceback")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    redact.filter(record)
    text = JsonFormatter().format(record)
    assert "xoxb-1234" not in text and "s3cr3t" not in text and "xapp-1-A0" not in text
    assert text.count(REDACTED) >= 3


@given(
    around=st.text(),
    prefix=st.sampled_from(["xoxb", "xoxp", "xoxe", "xoxa", "xoxr", "xapp", "xwfp", "xoxe.xoxp"]),
    rest=st.from_regex(r"[A-Za-z0-9-]{4,40}", fullmatch=True),
)
def test_no_token_survives_whatever_surrounds_it(around: str, prefix: str, rest: str) -> None:
    """Every Slack token family, workflow step tokens (`xwfp-`, in function_executed payloads) included."""
    token = f"{prefix}-{rest}"
    cleaned = Redact(["s3cr3t-signing-value"]).clean(f"{around}{token} {around}s3cr3t-signing-value{around}")
    assert token not in cleaned and "s3cr3t-signing-value" not in cleaned
