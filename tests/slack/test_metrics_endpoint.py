"""GET /metrics on the real `rcodebot serve --http` counts what signed requests did (bot/metrics.py wiring).

A server of its own (not the shared http_bot), so no other test's lazy work moves the counters; every assertion is
on the difference between a scrape before and scrapes after, parsed with prometheus_client's own parser.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.slack.conftest import (
    PAYLOADS,
    ServerProcess,
    SlackSender,
    base_env,
    free_port,
    procfile_command,
    unique,
)
from tests.slack.fakeslack import FakeSlack

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def metrics_bot(
    fake: FakeSlack, silent_resolver: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SlackSender, ServerProcess, Path]]:
    port = free_port()
    tmp = tmp_path_factory.mktemp("metrics-tmp")
    env = base_env(
        fake,
        TMPDIR=str(tmp),
        RCODEBOT_RESOLVERS="127.0.0.1",
        RCODEBOT_DNS_PORT=str(silent_resolver),
        RCODEBOT_QUERY_TIMEOUT="0.2",
        RCODEBOT_CHECK_DEADLINE="1",
        RCODEBOT_RATE_USER="1/3600",
    )
    server = ServerProcess(
        [*procfile_command("web"), "--host", "127.0.0.1", "--port", str(port)], env, tmp_path_factory.mktemp("mweb")
    )
    try:
        server.wait_http(port)
        yield SlackSender(port, fake), server, tmp
    finally:
        server.stop()


def scrape(bot: SlackSender) -> Samples:
    answer = bot.get("/metrics")
    assert answer.status == 200, answer.text
    assert answer.content_type.startswith("text/plain; version=0.0.4")
    out: Samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def key(name: str, **labels: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return name, tuple(sorted(labels.items()))


def paste() -> str:
    return (PAYLOADS / "dig_servfail.txt").read_text(encoding="utf-8")


def wait_until(check: Callable[[], list[str]], timeout: float = 15.0) -> None:
    """Poll until `check` reports no mismatches (lazy work finishes after the ack)."""
    deadline = time.monotonic() + timeout
    while True:
        problems = check()
        if not problems or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not problems, problems


def test_metrics_count_what_the_requests_did(metrics_bot: tuple[SlackSender, ServerProcess, Path], fake: FakeSlack) -> None:
    bot, _, tmp = metrics_bot
    before = scrape(bot)
    user = unique("U")

    answer, _, _ = bot.command("/rcode", "2", user_id=user, channel_id=unique("C"))
    assert answer.status == 200 and "SERVFAIL" in answer.text

    checked, name, _ = bot.command("/dnscheck", "example.com", user_id=user, channel_id=unique("C"))
    assert "Checking" in checked.text
    refused, _, _ = bot.command("/dnscheck", "example.org", user_id=user, channel_id=unique("C"))
    assert refused.status == 200 and "Checking" not in refused.text
    fake.wait_for(fake.to_response(name))

    channel, event_id = unique("C"), unique("Ev")
    for retry in ("0", "1"):
        sent, _ = bot.event(
            {"channel": channel, "ts": "1732430000.000100", "text": paste()},
            event_id=event_id,
            headers={"X-Slack-Retry-Num": retry},
        )
        assert sent.status == 200
    fake.wait_for(fake.posted_in(channel))

    archived = unique("C")
    fake.post_errors[archived] = "is_archived"
    bot.event({"channel": archived, "ts": "1732430000.000200", "text": paste()})
    # the reply fails, and so does telling the channel about the failure: two failed calls, each counted
    failed = fake.wait_for(lambda c: c.body.get("channel") == archived and c.answer.get("ok") is False, count=2)

    unsigned = bot.raw(b'{"type": "event_callback"}', "application/json", signature="v0=" + "0" * 64)
    assert unsigned.status == 401

    expected = {
        key("rcodebot_commands_total", command="/rcode"): 1,
        key("rcodebot_commands_total", command="/dnscheck"): 2,
        key("rcodebot_events_total", kind="message"): 3,
        key("rcodebot_replies_posted_total", via="ack"): 1,
        key("rcodebot_replies_posted_total", via="response_url"): 1,
        key("rcodebot_replies_posted_total", via="chat.postMessage"): 1,
        key("rcodebot_probes_total", outcome="ok"): 1,
        key("rcodebot_probe_duration_seconds_count"): 1,
        key("rcodebot_rate_limit_refusals_total", scope="user"): 1,
        key("rcodebot_dedupe_hits_total", kind="event"): 1,
        key("rcodebot_slack_api_errors_total", method="chat.postMessage", error="is_archived"): len(failed),
        key("rcodebot_http_refused_total", status="401"): 1,
        key("rcodebot_ack_latency_seconds_count", kind="command"): 3,
        key("rcodebot_ack_latency_seconds_count", kind="event"): 3,
    }

    def mismatches() -> list[str]:
        after = scrape(bot)
        return [
            f"{name}{dict(labels)}: +{after.get((name, labels), 0) - before.get((name, labels), 0)}, expected +{want}"
            for (name, labels), want in expected.items()
            if after.get((name, labels), 0) - before.get((name, labels), 0) != want
        ]

    wait_until(mismatches)
    after = scrape(bot)
    # the probe timed out against a silent resolver within its 1 s deadline: the histogram says so
    le2 = key("rcodebot_probe_duration_seconds_bucket", le="2.0")
    assert after[le2] - before.get(le2, 0) == 1
    # every ack was well inside Slack's 3 s
    le3 = key("rcodebot_ack_latency_seconds_bucket", kind="command", le="3.0")
    assert after[le3] - before.get(le3, 0) == 3
    took = key("rcodebot_ack_latency_seconds_sum", kind="command")
    assert after[took] - before.get(took, 0) > 0  # the acks were timed, not merely counted
    # multiprocess mode: the worker's values live in a temporary directory serve made
    assert [p.name for p in tmp.iterdir() if p.name.startswith("rcodebot-metrics-")]


def test_metrics_is_get_only_and_every_name_is_prefixed(metrics_bot: tuple[SlackSender, ServerProcess, Path]) -> None:
    bot, _, _ = metrics_bot
    assert bot.raw(b"", "text/plain", method="POST", path="/metrics").status == 405
    names = {name for name, _ in scrape(bot)}
    ours = {name for name in names if name.startswith("rcodebot_")}
    assert ours and all(not name.startswith("rcodebot") for name in names - ours)
    assert any(name.startswith("rcodebot_ack_latency_seconds") for name in ours)


def test_the_metrics_directory_is_removed_when_the_server_stops(
    fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> None:
    port = free_port()
    tmp = tmp_path_factory.mktemp("metrics-stop")
    server = ServerProcess(
        [*procfile_command("web"), "--host", "127.0.0.1", "--port", str(port)],
        base_env(fake, TMPDIR=str(tmp)),
        tmp_path_factory.mktemp("mstop"),
    )
    try:
        server.wait_http(port)
        assert [p for p in tmp.iterdir() if p.name.startswith("rcodebot-metrics-")]
    finally:
        status = server.stop()
    assert status == 0
    assert not [p for p in tmp.iterdir() if p.name.startswith("rcodebot-metrics-")]
