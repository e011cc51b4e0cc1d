"""The real app over real HTTP (the Procfile's web: command), driven with signed requests like Slack's.

Every assertion is on what reached the fake Slack (text, blocks, thread_ts, response_type, replace_original) or
on the HTTP answer Slack would get. Tests share one server, so each uses its own channel, user and event ids.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.slack.messages import ACTION_SHARE
from tests.slack.conftest import PAYLOADS, SlackSender, unique
from tests.slack.fakeslack import BOT_ID, BOT_USER_ID, Call, FakeSlack

pytestmark = pytest.mark.usefixtures("http_bot")

ACTION_RUN_CHECK = "run_live_check"
PINGS = ("<!channel>", "<!here>", "<@U123>", "<https://evil", "<!subteam")


def slack_escape(text: str) -> str:
    """What Slack does to typed text: HTML-escape & < >, and auto-link domain names."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"(?<![\w.-])((?:[a-z0-9-]+\.)+(?:com|net|org))(?=[.\s])", r"<http://\1|\1>", escaped)


def dig_paste(name: str = "dig_servfail") -> str:
    return slack_escape((PAYLOADS / f"{name}.txt").read_text(encoding="utf-8"))


def blocks_of(call_or_body: Call | dict[str, Any]) -> list[dict[str, Any]]:
    return call_or_body.blocks if isinstance(call_or_body, Call) else list(call_or_body.get("blocks") or [])


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e.get("action_id", "") for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]


def assert_pings_nobody(text: str) -> None:
    for ping in PINGS:
        assert ping not in text, f"{ping!r} reached Slack unescaped"


def sentinel(bot: SlackSender, fake: FakeSlack, channel: str) -> None:
    """Send a paste in `channel` and wait for its reply.

    Work for earlier requests runs in parallel threads, so this is a grace period, not a barrier: tests first wait
    for the reply they expect, then use the sentinel to give an unwanted second reply the time to show up.
    """
    ts = f"{time.time():.6f}"
    response, _ = bot.event({"channel": channel, "ts": ts, "text": dig_paste()})
    assert response.status == 200
    fake.wait_for(
        lambda c: c.method == "chat.postMessage" and c.body.get("channel") == channel and c.body.get("thread_ts") == ts
    )


# ------------------------------------------------------------------------------------------- transport basics


def test_healthz_answers_200_and_other_paths_404(http_bot: SlackSender) -> None:
    health = http_bot.get("/healthz")
    assert (health.status, health.text) == (200, "ok\n")
    assert http_bot.get("/wp-login.php").status == 404
    assert http_bot.raw(b"", "text/plain", path="/healthz").status == 405


@pytest.mark.parametrize(
    "tamper",
    [
        {"signature": "v0=" + "0" * 64},
        {"offset": -400},  # seconds from the time the test runs (not from collection, minutes earlier in a full run)
        {"offset": 400},
        {"signature": "", "headers": {"X-Slack-Signature": None, "X-Slack-Request-Timestamp": None}},
    ],
    ids=["forged", "stale", "future", "unsigned"],
)
def test_bad_signatures_get_401_and_run_nothing(http_bot: SlackSender, fake: FakeSlack, tamper: dict[str, Any]) -> None:
    name = unique("forged")
    form = {
        "command": "/rcode",
        "text": "2 vs 4",
        "user_id": "U0X",
        "channel_id": "C0X",
        "team_id": "T0TEAM",
        "response_url": fake.response_url(name),
    }
    body = urllib.parse.urlencode(form).encode()
    if tamper.get("signature") == "":
        # Signed with nothing at all: no signature and no timestamp headers.
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", http_bot.port, timeout=10)
        conn.request("POST", "/slack/events", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        status = conn.getresponse().status
        conn.close()
    elif "offset" in tamper:
        timestamp = int(time.time()) + int(tamper["offset"])
        status = http_bot.raw(body, "application/x-www-form-urlencoded", timestamp=timestamp).status
    else:
        status = http_bot.raw(body, "application/x-www-form-urlencoded", **tamper).status
    assert status == 401
    assert fake.find(fake.to_response(name)) == []


def test_url_verification_echoes_the_challenge_only_when_signed(http_bot: SlackSender) -> None:
    body = json.dumps(
        {"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}
    )
    answer = http_bot.raw(body.encode(), "application/json")
    assert answer.status == 200
    assert answer.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    assert http_bot.raw(body.encode(), "application/json", signature="v0=" + "1" * 64).status == 401


# ------------------------------------------------------------------------------------------------- /rcode


def test_rcode_answers_in_the_ack_ephemeral_with_a_share_button(http_bot: SlackSender) -> None:
    answer, _, _ = http_bot.command("/rcode", "2 vs 4")
    assert answer.status == 200
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert "SERVFAIL" in body["text"] and "NOTIMP" in body["text"]
    share = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == ACTION_SHARE]
    assert len(share) == 1 and share[0]["value"] == "2 vs 4"


def test_rcode_public_posts_in_channel_saying_who_shared(http_bot: SlackSender) -> None:
    answer, _, _ = http_bot.command("/rcode", "2 vs 4 public", user_id="U0SHARER")
    body = answer.json()
    assert body["response_type"] == "in_channel"
    assert ACTION_SHARE not in action_ids(body["blocks"])
    assert "Shared by <@U0SHARER>" in json.dumps(body["blocks"])


def test_rcode_unknown_code_is_a_short_escaped_ephemeral_answer(http_bot: SlackSender) -> None:
    answer, _, _ = http_bot.command("/rcode", "&lt;!channel&gt; frobnicate")
    assert answer.status == 200
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert_pings_nobody(json.dumps(body))
    assert "Traceback" not in answer.text and len(body["text"]) < 600


def test_share_button_posts_for_everyone_then_removes_the_ephemeral_copy(http_bot: SlackSender, fake: FakeSlack) -> None:
    answer, name, _ = http_bot.action(ACTION_SHARE, "servfail vs refused", user="U0CLICKER")
    assert answer.status == 200
    shared, deleted = fake.wait_for(fake.to_response(name), count=2)
    assert shared.body["response_type"] == "in_channel"
    assert shared.body["replace_original"] is False
    assert "SERVFAIL" in shared.all_text() and "REFUSED" in shared.all_text()
    assert "Shared by <@U0CLICKER>" in shared.all_text()
    assert ACTION_SHARE not in action_ids(shared.blocks)
    assert deleted.body.get("delete_original") is True


def test_concurrent_commands_are_all_answered(http_bot: SlackSender) -> None:
    questions = ["2 vs 4", "servfail vs refused", "ede 9", "nodata vs nxdomain"] * 10
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda q: http_bot.command("/rcode", q, user_id=unique("U"))[0], questions))
    assert [a.status for a in answers] == [200] * len(questions)
    for question, answer in zip(questions, answers, strict=True):
        assert answer.json()["blocks"][-1]["elements"][0]["value"] == question  # each got its own answer


# ---------------------------------------------------------------------------------------------- /dnscheck


def test_dnscheck_acks_progress_then_replaces_it_with_the_result(http_bot: SlackSender, fake: FakeSlack) -> None:
    answer, name, _ = http_bot.command("/dnscheck", "example.com", user_id=unique("U"), channel_id=unique("C"))
    acked_at = time.monotonic()
    assert answer.status == 200
    progress = answer.json()
    assert progress["response_type"] == "ephemeral"
    assert "Checking" in progress["text"] and "example.com" in progress["text"]
    (result,) = fake.wait_for(fake.to_response(name))
    assert result.at > acked_at  # the probe ran after the ack, not before it
    assert result.body["replace_original"] is True
    assert result.answer["status"] == 200, result.answer
    assert "example.com" in result.all_text()
    assert result.body["text"] != progress["text"]


def test_dnscheck_bad_input_is_answered_in_the_ack_and_probes_nothing(http_bot: SlackSender, fake: FakeSlack) -> None:
    user, channel = unique("U"), unique("C")
    answer, name, _ = http_bot.command("/dnscheck", "&lt;!here&gt; not..a..name", user_id=user, channel_id=channel)
    assert answer.status == 200
    assert answer.json()["response_type"] == "ephemeral"
    assert "Checking" not in answer.text
    assert_pings_nobody(answer.text)
    # A later, valid check by the same user finishes; by then the bad one would have posted if it ran at all.
    _, ok_name, _ = http_bot.command("/dnscheck", "example.com", user_id=user, channel_id=channel)
    fake.wait_for(fake.to_response(ok_name))
    assert fake.find(fake.to_response(name)) == []


def test_dnscheck_over_the_user_limit_says_when_to_retry_and_runs_nothing(http_bot: SlackSender, fake: FakeSlack) -> None:
    user = unique("U")
    names = []
    for _ in range(3):  # RCODEBOT_RATE_USER=3/3600 for the test server
        answer, name, _ = http_bot.command("/dnscheck", "example.com", user_id=user, channel_id=unique("C"))
        assert "Checking" in answer.text
        names.append(name)
    refused, refused_name, _ = http_bot.command("/dnscheck", "example.com", user_id=user, channel_id=unique("C"))
    assert refused.status == 200
    assert re.search(r"try again in \d+ s", refused.json()["text"])
    for name in names:
        fake.wait_for(fake.to_response(name))
    assert fake.find(fake.to_response(refused_name)) == []


# --------------------------------------------------------------------------------------- pasted tool output


def test_pasted_dig_output_is_explained_in_its_thread_with_a_live_check_button(
    http_bot: SlackSender, fake: FakeSlack
) -> None:
    channel, ts = unique("C"), "1732430000.000100"
    answer, _ = http_bot.event({"channel": channel, "ts": ts, "text": dig_paste()})
    assert answer.status == 200
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == ts
    assert reply.authorization == "Bearer xoxb-1234-5678-fake"
    assert reply.answer["ok"] is True, reply.answer
    assert "SERVFAIL" in reply.all_text()
    buttons = reply.buttons(ACTION_RUN_CHECK)
    assert len(buttons) == 1 and buttons[0]["value"].split()[0].rstrip(".") == "example.com"


def test_a_paste_inside_a_thread_is_answered_in_that_thread(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    http_bot.event({"channel": channel, "ts": "1732430000.000500", "thread_ts": "1732430000.000001", "text": dig_paste()})
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == "1732430000.000001"


def test_hostile_records_in_a_paste_ping_nobody_and_link_nowhere(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    http_bot.event({"channel": channel, "ts": "1732430000.000600", "text": dig_paste("dig_hostile_txt")})
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.answer["ok"] is True, reply.answer
    assert_pings_nobody(reply.all_text())
    assert "&lt;!channel&gt;" in reply.all_text()  # shown to the reader, escaped exactly once


def test_a_redelivered_event_gets_one_reply(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel, ts, event_id = unique("C"), "1732430000.000700", unique("Ev")
    first, _ = http_bot.event(
        {"channel": channel, "ts": ts, "text": dig_paste()}, event_id=event_id, headers={"X-Slack-Retry-Num": "0"}
    )
    retry, _ = http_bot.event(
        {"channel": channel, "ts": ts, "text": dig_paste()},
        event_id=event_id,
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert (first.status, retry.status) == (200, 200)
    in_thread = lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts  # noqa: E731
    fake.wait_for(in_thread)
    sentinel(http_bot, fake, channel)  # a second reply, if any, would have been posted by now
    assert len(fake.find(in_thread)) == 1


@pytest.mark.parametrize(
    "event",
    [
        {"user": BOT_USER_ID, "bot_id": BOT_ID},  # the bot's own message
        {"user": "U0OTHERBOT", "bot_id": "B0OTHER", "subtype": "bot_message"},  # another bot
        {"subtype": "message_changed", "user": None, "message": {"text": "x", "user": "U0ONCALL"}},
        {"subtype": "channel_join", "text": "<@U0ONCALL> has joined the channel"},
        {"subtype": "message_deleted", "user": None, "hidden": True},
    ],
    ids=["self", "other-bot", "edit", "join", "delete"],
)
def test_ignored_messages_are_acked_and_get_no_reply(http_bot: SlackSender, fake: FakeSlack, event: dict[str, Any]) -> None:
    channel, ts = unique("C"), "1732430000.000800"
    answer, _ = http_bot.event({"channel": channel, "ts": ts, "text": dig_paste(), **event})
    assert answer.status == 200
    sentinel(http_bot, fake, channel)
    assert fake.find(lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts) == []


def test_ordinary_chat_gets_no_reply(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel, ts = unique("C"), "1732430000.000810"
    answer, _ = http_bot.event(
        {"channel": channel, "ts": ts, "text": "servfail on staging again? <http://example.com|example.com>"}
    )
    assert answer.status == 200
    sentinel(http_bot, fake, channel)
    assert fake.find(lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts) == []


def test_web_api_rate_limit_is_retried(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    fake.fail_next("chat.postMessage", 1, 429, {"Retry-After": "0"})
    http_bot.event({"channel": channel, "ts": "1732430000.000900", "text": dig_paste()})
    ok = fake.wait_for(lambda c: c.body.get("channel") == channel and c.answer.get("ok") is True)
    assert len(ok) == 1
    limited = fake.find(lambda c: c.method == "chat.postMessage" and c.answer.get("status") == 429)
    assert limited, "the 429 was never served"


def test_a_rate_limited_response_url_is_retried(http_bot: SlackSender, fake: FakeSlack) -> None:
    fake.fail_next("response_url", 1, 429, {"Retry-After": "0"})
    answer, name, _ = http_bot.command("/dnscheck", "example.com", user_id=unique("U"), channel_id=unique("C"))
    assert "Checking" in answer.text
    limited, delivered = fake.wait_for(fake.to_response(name), count=2)
    assert limited.answer["status"] == 429
    assert delivered.answer["status"] == 200 and delivered.body["replace_original"] is True


# ---------------------------------------------------------------------------------------------- mentions


def test_mention_question_is_answered_in_the_thread(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel, ts = unique("C"), "1732430100.000200"
    answer, _ = http_bot.event({"channel": channel, "ts": ts}, kind="event_app_mention")
    assert answer.status == 200
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == ts
    assert "SERVFAIL" in reply.all_text() and "REFUSED" in reply.all_text()


def test_a_mention_holding_a_paste_gets_one_reply_not_two(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel, ts = unique("C"), "1732430100.000300"
    text = f"<@{BOT_USER_ID}> what is this?\n{dig_paste()}"
    http_bot.event({"channel": channel, "ts": ts, "text": text})  # message.channels delivers it...
    http_bot.event({"channel": channel, "ts": ts, "text": text}, kind="event_app_mention")  # ...and app_mention too
    in_thread = lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts  # noqa: E731
    fake.wait_for(in_thread)
    sentinel(http_bot, fake, channel)  # a second reply, if any, would have been posted by now
    replies = fake.find(in_thread)
    assert len(replies) == 1
    assert ACTION_RUN_CHECK in action_ids(replies[0].blocks)


def test_mention_dnscheck_posts_progress_then_updates_it(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel, ts = unique("C"), "1732430100.000400"
    http_bot.event(
        {
            "channel": channel,
            "ts": ts,
            "user": unique("U"),
            "text": f"<@{BOT_USER_ID}> dnscheck <http://example.com|example.com>",
        },
        kind="event_app_mention",
    )
    (progress,) = fake.wait_for(fake.posted_in(channel))
    assert progress.body["thread_ts"] == ts and "Checking" in progress.all_text()
    (update,) = fake.wait_for(fake.posted_in(channel, "chat.update"))
    assert update.body["ts"] == progress.answer["ts"]
    assert update.answer["ok"] is True, update.answer
    assert "Checking" not in str(update.body.get("text"))


# ------------------------------------------------------------------------------------------------- buttons


def test_run_live_check_updates_the_reply_in_place(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    http_bot.event({"channel": channel, "ts": "1732430200.000100", "text": dig_paste()})
    (reply,) = fake.wait_for(fake.posted_in(channel))
    (button,) = reply.buttons(ACTION_RUN_CHECK)
    value = button["value"]
    answer, name, _ = http_bot.action(
        ACTION_RUN_CHECK,
        value,
        user=unique("U"),
        channel=channel,
        message={"blocks": reply.blocks, "text": reply.body["text"], "ts": reply.answer["ts"]},
    )
    assert answer.status == 200
    progress, result = fake.wait_for(fake.to_response(name), count=2)
    for update in (progress, result):
        assert update.body["replace_original"] is True
        assert update.answer["status"] == 200, update.answer
        assert ACTION_RUN_CHECK not in action_ids(update.blocks)
    assert "Checking" in progress.all_text()
    explanation = reply.blocks[0]
    assert result.blocks[0]["type"] == explanation["type"]  # the explanation stays on top
    assert result.all_text() != progress.all_text()


def test_run_live_check_with_a_forged_value_is_refused_privately(http_bot: SlackSender, fake: FakeSlack) -> None:
    # Anyone can post a payload: the value goes through the same policy as /dnscheck (no private resolvers).
    answer, name, _ = http_bot.action(ACTION_RUN_CHECK, "example.com TXT @10.0.0.53", user=unique("U"), channel=unique("C"))
    assert answer.status == 200
    (refusal,) = fake.wait_for(fake.to_response(name))
    assert refusal.body["replace_original"] is False  # the explanation everyone sees stays as it was
    assert refusal.body["response_type"] == "ephemeral"
    assert "10.0.0.53" in refusal.all_text()
    assert "Checking" not in refusal.all_text()


def test_a_mention_without_a_question_says_what_the_bot_can_do(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel, ts = unique("C"), "1732430100.000500"
    http_bot.event(
        {"channel": channel, "ts": ts, "text": f"<@{BOT_USER_ID}> thanks! &lt;!here&gt;"}, kind="event_app_mention"
    )
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == ts
    assert "paste dig output" in reply.all_text() and "dnscheck example.com" in reply.all_text()
    assert_pings_nobody(reply.all_text())


def test_a_mention_from_another_bot_gets_no_reply(http_bot: SlackSender, fake: FakeSlack) -> None:
    """Another bot (an alerting integration, a second chat-ops bot) mentioning rcodebot must not start a bot loop."""
    channel, ts = unique("C"), "1732430100.000600"
    answer, _ = http_bot.event(
        {"channel": channel, "ts": ts, "user": "U0OTHERBOT", "bot_id": "B0OTHER", "bot_profile": {"id": "B0OTHER"}},
        kind="event_app_mention",
    )
    assert answer.status == 200
    sentinel(http_bot, fake, channel)
    assert fake.find(lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts) == []


def test_run_live_check_counts_against_the_same_user_limit_as_dnscheck(http_bot: SlackSender, fake: FakeSlack) -> None:
    user = unique("U")
    for _ in range(3):  # RCODEBOT_RATE_USER=3/3600 for the test server
        answer, _, _ = http_bot.command("/dnscheck", "example.com", user_id=user, channel_id=unique("C"))
        assert "Checking" in answer.text
    answer, name, _ = http_bot.action(ACTION_RUN_CHECK, "example.com A", user=user, channel=unique("C"))
    assert answer.status == 200
    (refusal,) = fake.wait_for(fake.to_response(name))
    assert refusal.body["replace_original"] is False and refusal.body["response_type"] == "ephemeral"
    assert "Too many live checks" in refusal.all_text() and "Checking" not in refusal.all_text()


def test_a_paste_also_sent_to_the_channel_is_answered_once_in_its_thread(http_bot: SlackSender, fake: FakeSlack) -> None:
    """A thread reply with "Also send to channel" (subtype thread_broadcast) is still a person's paste."""
    channel, parent, ts = unique("C"), "1732430300.000100", "1732430300.000200"
    event = {"channel": channel, "ts": ts, "thread_ts": parent, "subtype": "thread_broadcast", "text": dig_paste()}
    answer, _ = http_bot.event(event)
    assert answer.status == 200
    in_thread = lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == parent  # noqa: E731
    fake.wait_for(in_thread)
    sentinel(http_bot, fake, channel)
    assert len(fake.find(in_thread)) == 1
    assert fake.find(lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts) == []
