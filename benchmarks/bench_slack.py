"""Benchmark: /rcode ack latency over real HTTP, and the server's memory under a mixed load.

Two servers run side by side, each as `rcodebot serve --http`'s gunicorn set-up (one gthread worker, the same
options, `bot.slack.server.run_http`), both talking to an in-process fake Slack:
- the bot itself (the Procfile's web: command);
- a bare Bolt app whose /rcode listener only calls `ack()`, built with the same client and Bolt options.
Latency is measured with correctly signed requests, in alternating rounds so both see the same machine load:
median and p99, sequential (one keep-alive connection) and concurrent (8 connections). Targets (issue #4):
median and p99 within 1.5x the bare ack. Then the bot's worker RSS idle, after 5,000 and after 10,000 mixed requests
(commands, pastes, chatter, mentions, retries, buttons): target <= 120 MB and flat between 5,000 and 10,000.

Run inside the private network namespace (live checks go to a silent loopback port):
    scripts/netns .venv/bin/python benchmarks/bench_slack.py [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slack_sdk.signature import SignatureVerifier  # noqa: E402

from tests.slack.fakeslack import FakeSlack  # noqa: E402

SECRET = "bench-signing-secret"
BIN = Path(sys.executable).parent
DIG = (ROOT / "tests" / "slack" / "payloads" / "dig_servfail.txt").read_text(encoding="utf-8")
DIG_ESCAPED = DIG.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------------------------- the bare server


def serve_bare(port: int) -> int:
    """The baseline: a Bolt app whose /rcode acks empty, behind the bot's own gunicorn set-up."""
    from concurrent.futures import ThreadPoolExecutor

    from slack_bolt import Ack, App

    from bot.settings import Settings
    from bot.slack.app import build_client
    from bot.slack.server import HealthCheckedApp, run_http

    settings = Settings.from_env(os.environ)
    app = App(
        client=build_client(settings),
        signing_secret=settings.signing_secret,
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(max_workers=16),
    )

    @app.command("/rcode")
    def bare_ack(ack: Ack) -> None:
        ack()

    return run_http(HealthCheckedApp(app), host="127.0.0.1", port=port, log_level="warning")


# ------------------------------------------------------------------------------------------------- the client


class Client:
    """Signed requests over one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.verifier = SignatureVerifier(SECRET)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, body: str, content_type: str) -> tuple[int, float]:
        ts = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body),
        }
        start = time.perf_counter()
        try:
            self.conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
            response = self.conn.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        return response.status, time.perf_counter() - start


def rcode_form(response_url: str, text: str = "2 vs 4", user: str = "U0BENCH", channel: str = "C0BENCH") -> str:
    return urllib.parse.urlencode(
        {
            "token": "x",
            "team_id": "T0TEAM",
            "team_domain": "bench",
            "channel_id": channel,
            "channel_name": "bench",
            "user_id": user,
            "user_name": "bench",
            "command": "/rcode",
            "text": text,
            "api_app_id": "A0",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


#: More distinct questions than the bot keeps rendered (RCODE_CACHE_SIZE = 256): every one is a cache miss.
DISTINCT = [f"{a} vs {b}" for a in range(24) for b in range(24) if a != b]
_TURN = itertools.count()  # walks DISTINCT in order, so the bot's LRU of 256 never holds the next question


def measure(port: int, count: int, concurrency: int, response_url: str, distinct: bool = False) -> list[float]:
    """`count` signed /rcode requests over `concurrency` keep-alive connections; per-request seconds."""
    samples: list[float] = []
    lock = threading.Lock()
    per_thread = count // concurrency
    bodies = [rcode_form(response_url, text) for text in DISTINCT] if distinct else [rcode_form(response_url)]

    def worker() -> None:
        client = Client(port)
        mine = []
        for _ in range(per_thread):
            body = bodies[next(_TURN) % len(bodies)]
            status, seconds = client.post(body, "application/x-www-form-urlencoded")
            if status != 200:
                raise RuntimeError(f"/rcode answered {status}")
            mine.append(seconds)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


# ------------------------------------------------------------------------------------------------ processes


def server_env(fake: FakeSlack, **extra: str) -> dict[str, str]:
    """The environment of a bot under benchmark: this checkout, the fake Slack, quiet logs, and `extra`."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        RCODEBOT_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(argv: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(argv, env=env, cwd="/tmp", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not start")


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0]) if children else master


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------------------------------------ mixed load


def mixed_requests(fake: FakeSlack, n: int, start_at: int) -> list[Callable[[Client], tuple[int, float]]]:
    """A realistic mix: mostly commands and channel chatter, some pastes, mentions, retries and buttons."""
    out: list[Callable[[Client], tuple[int, float]]] = []
    for i in range(start_at, start_at + n):
        kind = i % 20
        user, channel = f"U{i % 300:05d}", f"C{i % 40:04d}"
        if kind < 7:
            body = rcode_form(
                fake.response_url(f"m{i % 50}"), ["2 vs 4", "servfail vs refused", "ede 9", "nodata"][i % 4], user, channel
            )
            out.append(lambda c, b=body: c.post(b, "application/x-www-form-urlencoded"))  # type: ignore[misc]
        elif kind < 9:
            form = urllib.parse.parse_qs(rcode_form(fake.response_url(f"d{i % 50}"), "example.com", user, channel))
            flat = {k: v[0] for k, v in form.items()}
            flat["command"] = "/dnscheck"
            body = urllib.parse.urlencode(flat)
            out.append(lambda c, b=body: c.post(b, "application/x-www-form-urlencoded"))  # type: ignore[misc]
        else:
            if kind < 13:
                text = "anyone else seeing servfail on staging? <http://example.com|example.com>"
            elif kind < 16:
                text = DIG_ESCAPED
            elif kind < 18:
                text = "<@U0BOT> servfail vs refused"
            else:
                text = "ok thanks"
            event: dict[str, Any] = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": f"{1732430000 + i}.000100",
                "channel": channel,
                "channel_type": "channel",
            }
            if kind == 19:
                event["subtype"] = "message_changed"
            body = json.dumps(
                {
                    "type": "event_callback",
                    "team_id": "T0TEAM",
                    "event_id": f"Ev{i:08d}",
                    "event_time": 1732430000 + i,
                    "event": event,
                }
            )
            out.append(lambda c, b=body: c.post(b, "application/json"))  # type: ignore[misc]
    return out


def run_mixed(port: int, requests: list[Callable[[Client], tuple[int, float]]], connections: int) -> dict[int, int]:
    """Send the requests over `connections` keep-alive connections; count the HTTP statuses."""
    lock = threading.Lock()
    statuses: dict[int, int] = {}

    def run(chunk: list[Callable[[Client], tuple[int, float]]]) -> None:
        client = Client(port)
        for request in chunk:
            status, _ = request(client)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=run, args=(requests[i::connections],)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


# ---------------------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    args = parser.parse_args()
    if args.serve_bare:
        raise SystemExit(serve_bare(args.serve_bare))

    rounds, per_round, total_mixed = (2, 100, 2_000) if args.quick else (5, 200, 10_000)
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    with FakeSlack() as fake:
        env = server_env(
            fake,
            RCODEBOT_RESOLVERS="127.0.0.1",
            RCODEBOT_DNS_PORT=str(silent.getsockname()[1]),
            RCODEBOT_QUERY_TIMEOUT="0.2",
            RCODEBOT_CHECK_DEADLINE="0.5",
        )
        bot_port, bare_port = free_port(), free_port()
        bot = start(
            [str(BIN / "rcodebot"), "serve", "--http", "--host", "127.0.0.1", "--port", str(bot_port)], env, bot_port
        )
        bare = start([sys.executable, __file__, "--serve-bare", str(bare_port)], env, bare_port)
        try:
            pid = worker_pid(bot.pid)
            idle = rss_mb(pid)
            response_url = fake.response_url("bench")
            for port in (bot_port, bare_port):  # warm up both (imports, first auth.test, code paths)
                measure(port, 200, 4, response_url)
            print(f"/rcode ack latency, {rounds * per_round} signed requests per server and mode, alternating rounds")
            print(
                f"{'mode':<26} {'bot med ms':>10} {'bare med ms':>11} {'ratio':>6} {'bot p99':>8} {'bare p99':>9} {'ratio':>6}"
            )
            for label, concurrency in (("sequential (1 conn)", 1), ("concurrent (8 conns)", 8)):
                mine: list[float] = []
                base: list[float] = []
                for _ in range(rounds):
                    mine += measure(bot_port, per_round, concurrency, response_url)
                    base += measure(bare_port, per_round, concurrency, response_url)
                med, bmed = statistics.median(mine), statistics.median(base)
                print(
                    f"{label:<26} {med * 1000:>10.2f} {bmed * 1000:>11.2f} {med / bmed:>5.2f}x "
                    f"{p99(mine) * 1000:>8.2f} {p99(base) * 1000:>9.2f} {p99(mine) / p99(base):>5.2f}x"
                )
            print("  target: <= 1.5x the bare ack (median and p99)")
            cold: list[float] = []
            cold_base: list[float] = []
            for _ in range(rounds):
                cold += measure(bot_port, per_round, 1, response_url, distinct=True)
                cold_base += measure(bare_port, per_round, 1, response_url, distinct=True)
            print(
                f"{'sequential, 552 distinct':<26} {statistics.median(cold) * 1000:>10.2f} "
                f"{statistics.median(cold_base) * 1000:>11.2f} {statistics.median(cold) / statistics.median(cold_base):>5.2f}x "
                f"{p99(cold) * 1000:>8.2f} {p99(cold_base) * 1000:>9.2f} {p99(cold) / p99(cold_base):>5.2f}x"
            )
            print("  (questions the bot has not rendered before: the renderer's cost, paid once per distinct question)")

            print(f"\nmemory of the bot's worker process (RSS), {total_mixed} mixed requests over 4 connections")
            print(f"  idle after start: {idle:.1f} MB")
            half = total_mixed // 2
            marks = {}
            for start_at in (0, half):
                statuses = run_mixed(bot_port, mixed_requests(fake, half, start_at), connections=4)
                time.sleep(1.0)  # let lazy work (replies, probes) drain before sampling
                marks[start_at + half] = rss_mb(pid)
                print(f"  after {start_at + half:>6} requests: {marks[start_at + half]:.1f} MB  (HTTP statuses {statuses})")
            growth = marks[total_mixed] - marks[half]
            print(f"  growth between {half} and {total_mixed}: {growth:+.1f} MB  (target: <= 120 MB and flat)")
            print(f"  Web API calls the fake received: {len(fake.calls)}")
        finally:
            for process in (bot, bare):
                process.terminate()
                process.wait(20)
            silent.close()


if __name__ == "__main__":
    main()
