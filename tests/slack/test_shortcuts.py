"""The message shortcut "Explain DNS output", end to end: signed message_action posts to the real server (the
Procfile's web: command), with every answer asserted on what reached the fake Slack Web API and response_url."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.paste import digtext
from bot.render.escape import from_slack
from bot.slack.listeners.shortcuts import ALREADY, NOT_IN_CHANNEL, NOTHING_FOUND, message_text
from tests.slack.conftest import SlackSender, unique
from tests.slack.fakeslack import FakeSlack
from tests.slack.test_http import ACTION_RUN_CHECK, action_ids, assert_pings_nobody, dig_paste

pytestmark = pytest.mark.usefixtures("http_bot")


def message(text: str, **extra: str) -> dict[str, str]:
    return {"type": "message", "user": unique("U"), "ts": f"{time.time():.6f}", "text": text, **extra}


def test_acks_at_once_and_explains_in_the_messages_thread(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    msg = message(dig_paste("dig_hostile_txt"))
    answer, _, _ = http_bot.shortcut(msg, channel=channel, user=unique("U"))
    assert answer.status == 200 and answer.body == b""
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == msg["ts"]
    assert ACTION_RUN_CHECK in action_ids(reply.blocks)
    assert_pings_nobody(reply.all_text())  # the hostile TXT record's <!channel> pings nobody


def test_a_message_in_a_thread_is_answered_in_that_thread(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    msg = message(dig_paste(), thread_ts="1732429000.000100")
    http_bot.shortcut(msg, channel=channel, user=unique("U"))
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == "1732429000.000100"
    assert "SERVFAIL" in reply.all_text()


def test_output_the_channel_gate_would_not_take_is_still_explained(http_bot: SlackSender, fake: FakeSlack) -> None:
    # A bare `dig +short` answer is never answered automatically (it cannot be told from chat), but asked for
    # explicitly it is read the way `rcodebot explain` reads it.
    channel = unique("C")
    short = "192.0.2.1\n192.0.2.2\n"
    assert not digtext.looks_like_dig(short)
    http_bot.shortcut(message(short), channel=channel, user=unique("U"))
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert "dig +short" in reply.all_text() and "NOERROR" in reply.all_text()


def test_a_message_without_tool_output_gets_a_private_answer(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    _, name, _ = http_bot.shortcut(message("is DNS down again? <!channel>"), channel=channel, user=unique("U"))
    (private,) = fake.wait_for(fake.to_response(name))
    assert private.body["response_type"] == "ephemeral" and private.body["replace_original"] is False
    assert NOTHING_FOUND.split(".")[0] in private.all_text()
    assert fake.find(fake.posted_in(channel)) == []  # nothing for everyone


def test_where_the_bot_cannot_post_the_asker_gets_the_explanation(http_bot: SlackSender, fake: FakeSlack) -> None:
    # A channel the bot was never invited to (a message from before it joined anywhere, say).
    channel = unique("C")
    fake.not_member.add(channel)
    _, name, _ = http_bot.shortcut(message(dig_paste()), channel=channel, user=unique("U"))
    (private,) = fake.wait_for(fake.to_response(name))
    assert private.body["response_type"] == "ephemeral"
    text = private.all_text()
    assert NOT_IN_CHANNEL.split(":")[0] in text and "SERVFAIL" in text
    assert ACTION_RUN_CHECK in action_ids(private.blocks)
    (refused,) = fake.find(fake.posted_in(channel))
    assert refused.answer["error"] == "not_in_channel"


def test_a_second_click_on_the_same_message_is_answered_once(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel, user = unique("C"), unique("U")
    msg = message(dig_paste())
    http_bot.shortcut(msg, channel=channel, user=user)
    fake.wait_for(fake.posted_in(channel))
    _, name, _ = http_bot.shortcut(msg, channel=channel, user=user)
    (again,) = fake.wait_for(fake.to_response(name))
    assert ALREADY.split(" in ")[0] in again.all_text()
    assert len(fake.find(fake.posted_in(channel))) == 1


def test_the_shortcut_follows_the_live_check_allowance(http_bot: SlackSender, fake: FakeSlack) -> None:
    # The suite's server allows 3 live checks an hour per person (USER_RATE): shortcuts count against it too.
    user = unique("U")
    answered = []
    for _ in range(3):
        channel = unique("C")
        http_bot.shortcut(message(dig_paste()), channel=channel, user=user)
        answered += fake.wait_for(fake.posted_in(channel))
    assert len(answered) == 3
    channel = unique("C")
    _, name, _ = http_bot.shortcut(message(dig_paste()), channel=channel, user=user)
    (refusal,) = fake.wait_for(fake.to_response(name))
    assert "try again in" in refusal.all_text() and refusal.body["response_type"] == "ephemeral"
    assert fake.find(fake.posted_in(channel)) == []


def test_an_alert_from_a_monitoring_bot_is_read_from_its_attachment(http_bot: SlackSender, fake: FakeSlack) -> None:
    # Monitoring bots post the tool output in an attachment (or a section block), with a short `text` fallback.
    channel = unique("C")
    alert = {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "B0ALERTS",
        "ts": f"{time.time():.6f}",
        "text": "DNS probe failed for example.com",
        "attachments": [{"fallback": "DNS probe failed", "pretext": "resolver check", "text": dig_paste()}],
    }
    http_bot.shortcut(alert, channel=channel, user=unique("U"))
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == alert["ts"]
    assert "SERVFAIL" in reply.all_text() and "DNSKEY" in reply.all_text()


def test_output_in_a_section_block_is_read_once(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    paste = dig_paste()
    msg = {
        "type": "message",
        "bot_id": "B0ALERTS",
        "ts": f"{time.time():.6f}",
        "text": paste,  # the blocks' fallback repeats the block's text: one output, explained once
        "blocks": [{"type": "section", "block_id": "x", "text": {"type": "mrkdwn", "text": paste}}],
    }
    http_bot.shortcut(msg, channel=channel, user=unique("U"))
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert json.dumps(reply.blocks, ensure_ascii=False).count("*SERVFAIL (RCODE 2)*") == 1


@pytest.mark.parametrize("error", ["is_archived", "restricted_action_read_only_channel", "ekm_access_denied"])
def test_any_refusal_to_post_still_gives_the_asker_the_explanation(
    http_bot: SlackSender, fake: FakeSlack, error: str
) -> None:
    channel = unique("C")
    fake.post_errors[channel] = error
    _, name, _ = http_bot.shortcut(message(dig_paste()), channel=channel, user=unique("U"))
    (private,) = fake.wait_for(fake.to_response(name))
    text = private.all_text()
    assert private.body["response_type"] == "ephemeral"
    # Slack's error code is shown in a code span (its underscores would turn on italics).
    assert f"Slack did not let me post in this conversation (`{error}`)" in text
    assert "SERVFAIL" in text and "went wrong" not in text


_JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=40)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "text": _JSONISH,
            "attachments": st.lists(st.dictionaries(st.sampled_from(["text", "pretext", "fallback"]), _JSONISH)),
            "blocks": st.lists(st.fixed_dictionaries({"type": st.sampled_from(["section", "rich_text"]), "text": _JSONISH})),
        },
    )
)
def test_reading_any_message_shape_gives_text_and_never_raises(message: dict[str, Any]) -> None:
    text = message_text(message)
    assert isinstance(text, str)
    own = message.get("text")
    if isinstance(own, str) and own.strip():
        assert text.startswith(from_slack(own))  # the message's own text first, unescaped


def test_reading_a_message_unescapes_and_joins_its_parts() -> None:
    msg = {
        "text": "see &lt;http://example.com|example.com&gt; &amp; below",
        "attachments": [{"text": "; &lt;&lt;&gt;&gt; DiG 9.18"}, {"text": "see"}],
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "; &lt;&lt;&gt;&gt; DiG 9.18"}}],
    }
    assert message_text(msg) == "see <http://example.com|example.com> & below\n\n; <<>> DiG 9.18"
