"""SIGTERM: the server stops taking requests and finishes the work it already acked, within RCODEBOT_GRACE_SECONDS."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

from tests.slack.conftest import base_env, start_web, unique
from tests.slack.fakeslack import FakeSlack


def test_sigterm_finishes_acked_checks_then_exits(fake: FakeSlack, silent_resolver: int, tmp_path: Path) -> None:
    env = base_env(
        fake,
        RCODEBOT_RESOLVERS="127.0.0.1",
        RCODEBOT_DNS_PORT=str(silent_resolver),
        RCODEBOT_QUERY_TIMEOUT="1",
        RCODEBOT_CHECK_DEADLINE="3",  # the check runs for about 3 s after its ack
        RCODEBOT_GRACE_SECONDS="10",
    )
    bot, server = start_web(fake, env, tmp_path)
    try:
        names = []
        for _ in range(2):
            answer, name, _ = bot.command("/dnscheck", "example.com", user_id=unique("U"), channel_id=unique("C"))
            assert "Checking" in answer.text
            names.append(name)
        signalled = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        with socket.socket() as probe:  # no new requests once stopping
            assert probe.connect_ex(("127.0.0.1", bot.port)) != 0
        for name in names:
            (result,) = fake.wait_for(fake.to_response(name), timeout=15)
            assert "Checking" not in result.all_text()
        assert server.process.wait(15) == 0
        assert time.monotonic() - signalled < 10
        assert "Traceback" not in server.log()
    finally:
        server.stop()


def test_the_grace_period_bounds_the_wait(fake: FakeSlack, silent_resolver: int, tmp_path: Path) -> None:
    env = base_env(
        fake,
        RCODEBOT_RESOLVERS="127.0.0.1",
        RCODEBOT_DNS_PORT=str(silent_resolver),
        RCODEBOT_QUERY_TIMEOUT="2",
        RCODEBOT_CHECK_DEADLINE="20",
        RCODEBOT_GRACE_SECONDS="1",
    )
    bot, server = start_web(fake, env, tmp_path)
    try:
        answer, _, _ = bot.command("/dnscheck", "example.com", user_id=unique("U"), channel_id=unique("C"))
        assert "Checking" in answer.text
        signalled = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(15)
        assert time.monotonic() - signalled < 6  # about the 1 s grace (plus gunicorn's own tick), not the 20 s check
    finally:
        server.stop()
