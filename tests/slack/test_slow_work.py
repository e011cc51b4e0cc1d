"""Slow work never holds an ack: live checks that take longer than Slack's 3 seconds, and oversized replies.

In-process (`App.dispatch`, the same path the HTTP adapter takes), with the real probe asking a loopback port that
never answers and a per-query timeout longer than Slack's 3 seconds.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.core.codes import knowledge
from bot.settings import ProbeSettings, RateLimit, Settings
from bot.slack import build_app
from tests.slack.conftest import BOT_TOKEN, PAYLOADS, SECRET, payload, unique
from tests.slack.fakeslack import FakeSlack


@pytest.fixture(scope="module")
def slow_app(fake: FakeSlack, silent_resolver: int) -> Iterator[App]:
    probe = ProbeSettings(resolvers=("127.0.0.1",), port=silent_resolver, query_timeout=3.5, deadline=3.5, query_budget=4)
    settings = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SECRET,
        api_url=fake.api_url,
        probe=probe,
        user_rate=RateLimit(100, 60),
        channel_rate=RateLimit(100, 60),
    )
    yield build_app(settings, knowledge.load(settings.knowledge_path), mode="http")


def dispatch(app: App, body: str, content_type: str) -> tuple[int, str]:
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    headers = {"content-type": [content_type], "x-slack-signature": [signature], "x-slack-request-timestamp": [ts]}
    response = app.dispatch(BoltRequest(body=body, headers=headers))
    return int(response.status), str(response.body)


def command(fake: FakeSlack, name: str, text: str, response: str) -> str:
    form = payload("slash_command")
    form.update(
        command=name, text=text, user_id=unique("U"), channel_id=unique("C"), response_url=fake.response_url(response)
    )
    return urllib.parse.urlencode(form)


def test_slow_checks_are_acked_first_and_do_not_hold_other_acks(slow_app: App, fake: FakeSlack) -> None:
    names = [unique("slow") for _ in range(4)]
    for name in names:
        status, body = dispatch(
            slow_app, command(fake, "/dnscheck", "example.com", name), "application/x-www-form-urlencoded"
        )
        assert status == 200 and "Checking" in json.loads(body)["text"]
    status, body = dispatch(
        slow_app, command(fake, "/rcode", "servfail vs refused", unique("r")), "application/x-www-form-urlencoded"
    )
    assert status == 200 and "REFUSED" in json.loads(body)["text"]
    # Every ack above went out while all four probes were still waiting for their 3.5 s timeout.
    assert [fake.find(fake.to_response(name)) for name in names] == [[], [], [], []]
    for name in names:
        (result,) = fake.wait_for(fake.to_response(name), timeout=30)
        assert result.body["replace_original"] is True and "example.com" in result.all_text()


def test_an_oversized_paste_is_answered_within_block_kit_limits(slow_app: App, fake: FakeSlack) -> None:
    head, _, tail = (PAYLOADS / "dig_servfail.txt").read_text(encoding="utf-8").partition(";; Query time")
    records = "".join(f'big{i:04d}.example.com.\t300\tIN\tTXT\t"{"x" * 200} <!channel> {i}"\n' for i in range(150))
    text = head.replace("status: SERVFAIL", "status: NOERROR").replace("ANSWER: 0", "ANSWER: 150")
    text += ";; ANSWER SECTION:\n" + records + "\n;; Query time" + tail
    channel = unique("C")
    body = payload("event_message")
    body["event"].update(channel=channel, text=text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    body["event_id"] = unique("Ev")
    assert dispatch(slow_app, json.dumps(body), "application/json")[0] == 200
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.answer["ok"] is True, reply.answer  # the fake answers invalid_blocks / msg_too_long like Slack
    assert "<!channel>" not in reply.all_text()
