"""`/rcode mute` and `/rcode unmute`, end to end: signed requests to two real servers (the Procfile's web: command)
sharing one embedded settings database, every answer asserted on what reached the fake Slack.

A muted channel gets no automatic reply to a paste; a mention, /rcode and the "Explain DNS output" shortcut still
answer there, and a mute made through one instance holds on the other within a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.slack.listeners.commands import DIRECT
from tests.slack.conftest import ServerProcess, SlackSender, base_env, start_web, unique
from tests.slack.fakeslack import BOT_USER_ID, Call, FakeSlack
from tests.slack.test_http import dig_paste


def _serve(fake: FakeSlack, data_dir: Path, cwd: Path) -> tuple[ServerProcess, SlackSender]:
    env = base_env(fake, RCODEBOT_DATA_DIR=str(data_dir), RCODEBOT_RESOLVERS="127.0.0.1")
    sender, server = start_web(fake, env, cwd)
    return server, sender


@pytest.fixture(scope="module")
def two_bots(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SlackSender, SlackSender]]:
    """Two instances of the bot on one settings database (the SQLite file in their shared data directory)."""
    data_dir = tmp_path_factory.mktemp("shared-data")
    first, one = _serve(fake, data_dir, tmp_path_factory.mktemp("mute-web-1"))
    try:
        second, two = _serve(fake, data_dir, tmp_path_factory.mktemp("mute-web-2"))
        try:
            yield one, two
        finally:
            second.stop()
    finally:
        first.stop()


def in_thread(channel: str, ts: str) -> Callable[[Call], bool]:
    return lambda c: c.method == "chat.postMessage" and c.body.get("channel") == channel and c.body.get("thread_ts") == ts


def paste(bot: SlackSender, channel: str) -> str:
    ts = f"{time.time():.6f}"
    response, _ = bot.event({"channel": channel, "ts": ts, "text": dig_paste(), "user": unique("U")})
    assert response.status == 200
    return ts


def assert_no_reply(bot: SlackSender, fake: FakeSlack, channel: str, ts: str) -> None:
    """The paste at `ts` got no reply: a paste sent after it, in an unmuted channel, was answered in the meantime."""
    other = unique("C")
    other_ts = paste(bot, other)
    fake.wait_for(in_thread(other, other_ts))
    time.sleep(0.3)
    assert fake.find(in_thread(channel, ts)) == []


def mute(bot: SlackSender, fake: FakeSlack, channel: str, word: str = "mute", user: str = "U0MUTER") -> Call:
    answer, name, _ = bot.command("/rcode", word, channel_id=channel, user_id=user)
    assert answer.status == 200 and answer.body == b""  # acked at once; the setting is saved after the ack
    (told,) = fake.wait_for(fake.to_response(name))
    assert told.body["response_type"] == "ephemeral"
    return told


def test_mute_silences_pastes_but_mentions_commands_and_the_shortcut_still_answer(
    two_bots: tuple[SlackSender, SlackSender], fake: FakeSlack
) -> None:
    bot, _ = two_bots
    channel = unique("C")
    told = mute(bot, fake, channel)
    text = told.all_text()
    assert "now off in this channel" in text and "Anyone in the channel" in text and "/rcode unmute" in text

    assert_no_reply(bot, fake, channel, paste(bot, channel))

    mention_ts = f"{time.time():.6f}"
    bot.event(
        {"channel": channel, "ts": mention_ts, "text": f"<@{BOT_USER_ID}> servfail vs refused"}, kind="event_app_mention"
    )
    (answer,) = fake.wait_for(in_thread(channel, mention_ts))
    assert "REFUSED" in answer.all_text()

    message = {"type": "message", "user": unique("U"), "ts": f"{time.time():.6f}", "text": dig_paste()}
    bot.shortcut(message, channel=channel, user=unique("U"))
    (explained,) = fake.wait_for(in_thread(channel, message["ts"]))
    assert "SERVFAIL" in explained.all_text()

    rcode, _, _ = bot.command("/rcode", "2", channel_id=channel)
    assert rcode.status == 200 and "SERVFAIL" in rcode.json()["text"]

    told = mute(bot, fake, channel, "unmute", user=unique("U"))
    assert "on in this channel" in told.all_text() and "/rcode mute" in told.all_text()
    ts = paste(bot, channel)
    (reply,) = fake.wait_for(in_thread(channel, ts))
    assert "SERVFAIL" in reply.all_text()


def test_a_mute_on_one_instance_holds_on_the_other_within_a_second(
    two_bots: tuple[SlackSender, SlackSender], fake: FakeSlack
) -> None:
    one, two = two_bots
    channel = unique("C")
    ts = paste(two, channel)  # the second instance reads (and caches) the channel as not muted
    fake.wait_for(in_thread(channel, ts))
    mute(one, fake, channel)
    time.sleep(1.1)  # the settings cache keeps a value at most one second
    assert_no_reply(two, fake, channel, paste(two, channel))
    mute(two, fake, channel, "unmute")
    time.sleep(1.1)
    ts = paste(one, channel)
    fake.wait_for(in_thread(channel, ts))


def test_muting_twice_says_so_and_a_dm_has_nothing_to_mute(
    two_bots: tuple[SlackSender, SlackSender], fake: FakeSlack
) -> None:
    bot, _ = two_bots
    channel = unique("C")
    mute(bot, fake, channel)
    assert "they already were" in mute(bot, fake, channel).all_text()
    _, name, _ = bot.command("/rcode", "mute", channel_id=unique("D"), channel_name="directmessage")
    (told,) = fake.wait_for(fake.to_response(name))
    assert DIRECT.split(":")[0] in told.all_text()


def test_the_setting_survives_a_restart(fake: FakeSlack, tmp_path: Path) -> None:
    channel = unique("C")
    server, bot = _serve(fake, tmp_path / "data", tmp_path)
    try:
        mute(bot, fake, channel)
    finally:
        server.stop()
    assert (tmp_path / "data" / "rcodebot.db").is_file()
    server, bot = _serve(fake, tmp_path / "data", tmp_path)
    try:
        assert_no_reply(bot, fake, channel, paste(bot, channel))
    finally:
        server.stop()


def test_a_snippet_shared_in_a_muted_channel_gets_no_reply(
    two_bots: tuple[SlackSender, SlackSender], fake: FakeSlack
) -> None:
    from tests.slack.test_files import DIG, share

    bot, _ = two_bots
    channel = unique("C")
    mute(bot, fake, channel)
    entry = fake.add_file(DIG, name="dig.txt")
    ts = share(bot, channel, [entry], user=unique("U"))
    assert_no_reply(bot, fake, channel, ts)
    assert not fake.find(lambda c: c.method == "file_download" and entry["id"] in c.path)  # not even downloaded
    mute(bot, fake, channel, "unmute")
    ts = share(bot, channel, [fake.add_file(DIG, name="dig.txt")], user=unique("U"))
    fake.wait_for(in_thread(channel, ts))
