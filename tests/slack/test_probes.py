"""The Slack side's live checks (`bot.slack.probes`): cache, coalescing and the global cap, in one process and
across instances sharing a real redis-server. The check itself is a stand-in here (counted, and held as long as a
test needs); the real probe runs in tests/slack/test_lab_check.py."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.core.check.graph import Edge, Graph, Node
from bot.render.reply import Reply
from bot.services import dnscheck
from bot.settings import ProbeSettings, Settings
from bot.slack.probes import Busy, ProbeRunner
from tests.redis_server import RedisServer
from tests.slack.fakeslack import FakeSlack

SETTINGS = Settings(probe=ProbeSettings(resolvers=("127.0.0.1",), deadline=2.0))


class Check:
    """A stand-in for the probe: counts its runs; `hold` keeps a run going until released."""

    def __init__(self) -> None:
        self.runs: list[str] = []
        self.hold = threading.Event()
        self.hold.set()
        self.started = threading.Event()

    def __call__(self, request: dnscheck.CheckRequest, settings: Settings) -> Reply:
        self.runs.append(request.name)
        self.started.set()
        self.hold.wait(10)
        text = f"{request.name} {request.rdtype}: ok"
        return Reply(
            text=text, fallback=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))], data={"verdict": "ok"}
        )


def request(name: str = "example.com", *extra: str) -> dnscheck.CheckRequest:
    return dnscheck.parse(" ".join([name, *extra]), SETTINGS.probe, trusted=True)


def runner(check: Check, **options: object) -> ProbeRunner:
    defaults: dict[str, object] = {"cache_ttl": 60.0, "max_running": 8, "max_waiting": 24}
    defaults.update(options)
    return ProbeRunner(check, **defaults)  # type: ignore[arg-type]


def test_the_same_check_again_is_answered_from_the_cache_and_says_so() -> None:
    check = Check()
    probes = runner(check)
    first = probes.run(request(), SETTINGS)
    again = probes.run(request("EXAMPLE.com."), SETTINGS)
    assert check.runs == ["example.com."]
    assert "cached" not in first.data and again.data["cached"] is True
    assert "Cached result from" in again.text and "Cached result from" in str(again.block_dicts())
    probes.run(request("example.com", "AAAA"), SETTINGS)
    probes.run(request(), replace(SETTINGS, probe=replace(SETTINGS.probe, resolvers=("127.0.0.2",))))
    assert len(check.runs) == 3  # another type, other resolvers: other checks


def test_a_ttl_of_zero_turns_the_cache_off() -> None:
    check = Check()
    probes = runner(check, cache_ttl=0)
    probes.run(request(), SETTINGS)
    probes.run(request(), SETTINGS)
    assert len(check.runs) == 2


def test_identical_checks_at_the_same_moment_run_once() -> None:
    check = Check()
    check.hold.clear()
    probes = runner(check, cache_ttl=0)
    replies: list[Reply] = []
    threads = [threading.Thread(target=lambda: replies.append(probes.run(request(), SETTINGS))) for _ in range(5)]
    for thread in threads:
        thread.start()
    check.started.wait(5)
    time.sleep(0.2)
    check.hold.set()
    for thread in threads:
        thread.join(10)
    assert len(check.runs) == 1 and len(replies) == 5


def test_the_cap_makes_checks_wait_says_so_and_refuses_beyond_the_queue() -> None:
    check = Check()
    check.hold.clear()
    probes = runner(check, cache_ttl=0, max_running=1, max_waiting=1)
    told: list[str] = []
    first = threading.Thread(target=lambda: probes.run(request("a.example"), SETTINGS))
    first.start()
    check.started.wait(5)
    second_reply: list[Reply] = []
    second = threading.Thread(
        target=lambda: second_reply.append(probes.run(request("b.example"), SETTINGS, waiting=told.append))
    )
    second.start()
    deadline = time.monotonic() + 5
    while not told and time.monotonic() < deadline:
        time.sleep(0.02)
    assert told and "Waiting for a free slot" in told[0]
    with pytest.raises(Busy):
        probes.run(request("c.example"), SETTINGS)
    check.hold.set()
    first.join(10)
    second.join(10)
    assert second_reply and check.runs == ["a.example.", "b.example."]


def test_instances_sharing_redis_share_the_cache_and_the_cap(redis_server: RedisServer) -> None:
    redis_server.flush()
    one, two = Check(), Check()
    a = runner(one, redis_url=redis_server.url, max_running=1)
    b = runner(two, redis_url=redis_server.url, max_running=1)
    a.run(request("shared.example"), SETTINGS)
    served = b.run(request("shared.example"), SETTINGS)
    assert two.runs == [] and served.data["cached"] is True
    # The cap counts both: while a's check runs, b's waits and is told.
    one.hold.clear()
    held = threading.Thread(target=lambda: a.run(request("slow.example"), SETTINGS))
    held.start()
    one.started.clear()
    time.sleep(0.3)
    told: list[str] = []
    waiter = threading.Thread(target=lambda: b.run(request("other.example"), SETTINGS, waiting=told.append))
    waiter.start()
    time.sleep(0.6)
    assert told and two.runs == []
    one.hold.set()
    held.join(10)
    waiter.join(10)
    assert two.runs == ["other.example."]


def test_redis_away_leaves_checks_running() -> None:
    check = Check()
    probes = runner(check, redis_url="redis://127.0.0.1:9/0")  # nothing listens there
    assert probes.run(request(), SETTINGS).data["verdict"] == "ok"
    assert probes.run(request(), SETTINGS).data["cached"] is True  # the process's own cache still works
    assert check.runs == ["example.com."]


def test_pastes_never_queue_behind_live_checks(fake: FakeSlack, silent_resolver: int, tmp_path: Path) -> None:
    # A real server with room for 2 running checks: 12 people start checks that take 2 s each against a silent
    # resolver; a paste sent right after is still explained at once, and the checks that wait are told so.
    from tests.slack.conftest import base_env, start_web, unique
    from tests.slack.test_http import dig_paste

    env = base_env(
        fake,
        RCODEBOT_RESOLVERS="127.0.0.1",
        RCODEBOT_DNS_PORT=str(silent_resolver),
        RCODEBOT_QUERY_TIMEOUT="1",
        RCODEBOT_CHECK_DEADLINE="2",
        RCODEBOT_MAX_PROBES="2",
        RCODEBOT_MAX_WAITING_PROBES="6",
        RCODEBOT_PROBE_CACHE_TTL="0",
    )
    bot, server = start_web(fake, env, tmp_path)
    try:
        names = []
        for n in range(12):
            answer, name, _ = bot.command("/dnscheck", f"host{n}.example.com", user_id=unique("U"), channel_id=unique("C"))
            assert "Checking" in answer.text
            names.append(name)
        channel, ts = unique("C"), f"{time.time():.6f}"
        started = time.monotonic()
        bot.event({"channel": channel, "ts": ts, "text": dig_paste()})
        fake.wait_for(lambda c: c.method == "chat.postMessage" and c.body.get("thread_ts") == ts, timeout=10)
        assert time.monotonic() - started < 1.5  # not after the checks ahead of it (2 s each, 2 at a time)
        texts = [c.all_text() for name in names for c in fake.wait_for(fake.to_response(name), timeout=30)]
        assert any("Waiting for a free slot" in t for t in texts)
        assert any("as many live checks as it can" in t for t in texts)  # beyond the 6 that may wait
    finally:
        server.stop()


class DrawnCheck(Check):
    """The stand-in check, its replies carrying a picture (as `dnscheck.run`'s do)."""

    GRAPH = Graph(
        "shared.example.",
        "A",
        "failure",
        (".", "example."),
        (Node("zone:.", "zone", "."), Node("answer", "answer", "SERVFAIL <!channel>", "broken", "example.", "bogus")),
        (Edge("zone:.", "answer", "broken", "answers"),),
        cause="DNSSEC validation fails",
    )

    def __call__(self, request: dnscheck.CheckRequest, settings: Settings) -> Reply:
        return super().__call__(request, settings).with_graph(self.GRAPH)


@pytest.mark.parametrize("shared", [False, True])
def test_a_cached_check_keeps_its_picture(shared: bool, request_: pytest.FixtureRequest) -> None:
    """A "Show diagram" click is served from the cache: the graph survives the cache, in memory and in Redis."""
    redis_url = None
    if shared:
        server: RedisServer = request_.getfixturevalue("redis_server")
        server.flush()
        redis_url = server.url
    check = DrawnCheck()
    probes = runner(check, redis_url=redis_url)
    assert probes.cached(request("shared.example"), SETTINGS) is None
    first = probes.run(request("shared.example"), SETTINGS)
    again = probes.cached(request("shared.example"), SETTINGS)
    assert again is not None and again.data["cached"] is True and len(check.runs) == 1
    assert first.graph == DrawnCheck.GRAPH and again.graph == first.graph
    assert probes.cached_graph(request("shared.example"), SETTINGS) == first.graph
    assert probes.cached_graph(request("other.example"), SETTINGS) is None


@pytest.fixture
def request_(request: pytest.FixtureRequest) -> pytest.FixtureRequest:
    """pytest's `request` under another name (this module's `request()` builds check requests)."""
    return request
