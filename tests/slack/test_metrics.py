"""`GET /metrics` on the real `rcodebot serve --http`: Prometheus text that counts what the test did."""

from __future__ import annotations

import time

from prometheus_client.parser import text_string_to_metric_families

from tests.slack.conftest import SlackSender, unique
from tests.slack.fakeslack import FakeSlack
from tests.slack.test_http import dig_paste


def scrape(bot: SlackSender) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = bot.get("/metrics")
    assert response.status == 200 and response.content_type.startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        assert family.name.startswith("rcodebot_") or not family.name.startswith(("rcodebot", "events")), family.name
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def delta(before: dict, after: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_metrics_count_what_happened(http_bot: SlackSender, fake: FakeSlack) -> None:
    before = scrape(http_bot)
    http_bot.command("/rcode", "2 vs 4")
    channel, ts, event_id = unique("C"), "1732430000.002100", unique("Ev")
    event = {"channel": channel, "ts": ts, "text": dig_paste()}
    http_bot.event(event, event_id=event_id)
    http_bot.event(event, event_id=event_id, headers={"X-Slack-Retry-Num": "1"})
    fake.wait_for(lambda c: c.method == "chat.postMessage" and c.body.get("thread_ts") == ts)
    user = unique("U")
    for n in range(4):  # the test server allows 3 live checks an hour per user (distinct names: no cache hits)
        http_bot.command("/dnscheck", f"metrics{n}.{unique('n')}.example", user_id=user, channel_id=unique("C"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        after = scrape(http_bot)
        if (
            delta(before, after, "rcodebot_probes_total", verdict="failure")
            + delta(before, after, "rcodebot_probes_total", verdict="ok")
            >= 3
        ):
            break
        time.sleep(0.2)
    assert delta(before, after, "rcodebot_events_total", kind="command:/rcode") == 1
    assert delta(before, after, "rcodebot_events_total", kind="event:message") == 2
    assert delta(before, after, "rcodebot_events_total", kind="command:/dnscheck") == 4
    assert delta(before, after, "rcodebot_dedupe_hits_total") == 1
    assert delta(before, after, "rcodebot_rate_limited_total") == 1
    assert delta(before, after, "rcodebot_replies_total", method="chat.postMessage") >= 1
    assert delta(before, after, "rcodebot_probe_seconds_count") == 3
    assert delta(before, after, "rcodebot_ack_seconds_count") >= 7


def test_slack_api_errors_are_counted_by_method_and_error(http_bot: SlackSender, fake: FakeSlack) -> None:
    before = scrape(http_bot)
    channel, ts = unique("C"), "1732430000.002200"
    fake.post_errors[channel] = "channel_not_found"
    http_bot.event({"channel": channel, "ts": ts, "text": dig_paste()})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        after = scrape(http_bot)
        if delta(before, after, "rcodebot_slack_api_errors_total", method="chat.postMessage", error="channel_not_found"):
            break
        time.sleep(0.2)
    assert delta(before, after, "rcodebot_slack_api_errors_total", method="chat.postMessage", error="channel_not_found") >= 1
