"""Several `rcodebot serve --http` instances sharing one real redis-server behave as one bot: a delivery retried
onto another instance gets one reply, and an allowance is spent across all of them, also with several workers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.redis_server import RedisServer
from tests.slack.conftest import ServerProcess, SlackSender, base_env, start_web, unique
from tests.slack.fakeslack import FakeSlack
from tests.slack.test_http import dig_paste, sentinel


def _start(fake: FakeSlack, redis_url: str, cwd: Path, *extra: str) -> tuple[SlackSender, ServerProcess]:
    env = base_env(fake, RCODEBOT_REDIS_URL=redis_url, RCODEBOT_RATE_USER="2/3600", RCODEBOT_RESOLVERS="127.0.0.1")
    return start_web(fake, env, cwd, *extra)


@pytest.fixture(scope="module")
def two(
    fake: FakeSlack, redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SlackSender, SlackSender]]:
    a, server_a = _start(fake, redis_server.url, tmp_path_factory.mktemp("a"))
    b, server_b = _start(fake, redis_server.url, tmp_path_factory.mktemp("b"), "--workers", "2")
    try:
        yield a, b
    finally:
        server_a.stop()
        server_b.stop()


def _in_thread(channel: str, ts: str):  # type: ignore[no-untyped-def]
    return lambda c: c.method == "chat.postMessage" and c.body.get("channel") == channel and c.body.get("thread_ts") == ts


def test_an_event_redelivered_to_another_instance_gets_one_reply(
    two: tuple[SlackSender, SlackSender], fake: FakeSlack
) -> None:
    a, b = two
    channel, ts, event_id = unique("C"), "1732430000.001100", unique("Ev")
    event = {"channel": channel, "ts": ts, "text": dig_paste()}
    assert a.event(event, event_id=event_id, headers={"X-Slack-Retry-Num": "0"})[0].status == 200
    retry = b.event(event, event_id=event_id, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry[0].status == 200
    fake.wait_for(_in_thread(channel, ts))
    sentinel(a, fake, channel)
    sentinel(b, fake, channel)
    assert len(fake.find(_in_thread(channel, ts))) == 1


def test_a_retry_whose_first_delivery_never_arrived_still_gets_its_reply(
    two: tuple[SlackSender, SlackSender], fake: FakeSlack
) -> None:
    _, b = two
    channel, ts = unique("C"), "1732430000.001200"
    b.event({"channel": channel, "ts": ts, "text": dig_paste()}, headers={"X-Slack-Retry-Num": "2"})
    fake.wait_for(_in_thread(channel, ts))


def test_an_allowance_is_spent_across_instances(two: tuple[SlackSender, SlackSender], fake: FakeSlack) -> None:
    a, b = two
    user = unique("U")
    first, _, _ = a.command("/dnscheck", "example.com", user_id=user, channel_id=unique("C"))
    second, _, _ = b.command("/dnscheck", "example.com", user_id=user, channel_id=unique("C"))
    assert "Checking" in first.text and "Checking" in second.text
    for bot in (a, b, b):  # RCODEBOT_RATE_USER=2/3600; b has two workers
        refused, _, _ = bot.command("/dnscheck", "example.com", user_id=user, channel_id=unique("C"))
        assert "try again in" in refused.json()["text"]


def test_replies_go_on_while_redis_is_away(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> None:
    redis = RedisServer(tmp_path_factory.mktemp("redis-away")).start()
    bot, server = _start(fake, redis.url, tmp_path_factory.mktemp("away"))
    try:
        redis.kill()
        channel, ts = unique("C"), f"{time.time():.6f}"
        assert bot.event({"channel": channel, "ts": ts, "text": dig_paste()})[0].status == 200
        fake.wait_for(_in_thread(channel, ts))
        log = server.log()
        assert "Redis unreachable" in log and "duplicate replies" in log and "Traceback" not in log
        from tests.slack.test_metrics import scrape

        errors = sum(v for (name, _), v in scrape(bot).items() if name == "rcodebot_redis_errors_total")
        assert errors >= 1
    finally:
        server.stop()
        redis.kill()


def test_metrics_add_up_every_worker(two: tuple[SlackSender, SlackSender]) -> None:
    from tests.slack.test_metrics import delta, scrape

    _, b = two  # two gunicorn workers: /metrics is answered by either, and counts both (multiprocess mode)
    before = scrape(b)
    for _ in range(12):
        assert b.command("/rcode", "2")[0].status == 200
    after = scrape(b)
    assert delta(before, after, "rcodebot_events_total", kind="command:/rcode") == 12


def test_a_check_cached_by_one_instance_is_served_by_another(two: tuple[SlackSender, SlackSender], fake: FakeSlack) -> None:
    a, b = two
    target = f"{unique('cache')}.example"
    _, first, _ = a.command("/dnscheck", target, user_id=unique("U"), channel_id=unique("C"))
    (done,) = fake.wait_for(fake.to_response(first), timeout=20)
    assert "Cached result" not in done.all_text()
    _, second, _ = b.command("/dnscheck", target, user_id=unique("U"), channel_id=unique("C"))
    (served,) = fake.wait_for(fake.to_response(second), timeout=20)
    assert "Cached result from" in served.all_text()
