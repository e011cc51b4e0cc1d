"""Benchmark: what sharing state through Redis costs.

Measured in the same run, against a real redis-server started on loopback for the run:
1. Ack latency of `rcodebot serve --http` with Redis-backed dedupe and allowances against the same server with
   in-process memory, in alternating rounds (median and p99), for /rcode and for message events (which carry an
   event_id, so every one is deduplicated through Redis). Target: <= 1.2x at the median and at p99.
2. Acks per second with 1, 2 and 4 gunicorn workers sharing one Redis (8 concurrent keep-alive connections).
3. Resident memory per worker, idle and after `--requests` requests (default 10,000; `--quick`: 2,000).

Run inside the private network namespace:
    scripts/netns .venv/bin/python benchmarks/bench_redis.py [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_slack import BIN, Client, free_port, measure, p99, rss_mb, server_env, start  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402
from tests.slack.fakeslack import FakeSlack  # noqa: E402

TARGET = 1.2


_EVENTS = itertools.count()


def events(port: int, count: int) -> list[float]:
    """`count` signed message events (ordinary chat: acked, deduplicated by event_id, not answered)."""
    client = Client(port)
    samples = []
    for _ in range(count):
        n = next(_EVENTS)
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T0TEAM",
                "api_app_id": "A0",
                "event_id": f"EvBENCH{n:08d}",
                "event_time": int(time.time()),
                "event": {"type": "message", "channel": "C0BENCH", "user": "U0BENCH", "ts": f"{n}.0001", "text": "lunch?"},
            }
        )
        status, seconds = client.post(body, "application/json")
        if status != 200:
            raise RuntimeError(f"event answered {status}")
        samples.append(seconds)
    return samples


def children(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--requests", type=int, default=None)
    args = parser.parse_args()
    rounds, per_round = (3, 100) if args.quick else (6, 300)
    total = args.requests or (2_000 if args.quick else 10_000)
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as fake:
        redis = RedisServer(Path(tmp)).start()
        env = server_env(fake, RCODEBOT_CACHE_DIR=tmp)
        url = fake.response_url("bench")
        servers = []
        try:
            ports = {}
            for label, extra, workers in (("memory", {}, 1), ("redis", {"RCODEBOT_REDIS_URL": redis.url}, 1)):
                port = free_port()
                argv = [str(BIN / "rcodebot"), "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
                servers.append(start([*argv, "--workers", str(workers)], {**env, **extra}, port))
                ports[label] = port
                measure(port, 200, 4, url)  # warm up
            print(f"1. /rcode ack latency, {rounds * per_round} signed requests each, alternating rounds")
            for mode, concurrency in (("sequential", 1), ("8 connections", 8)):
                got: dict[str, list[float]] = {"memory": [], "redis": []}
                for _ in range(rounds):
                    for label in ("memory", "redis"):
                        got[label] += measure(ports[label], per_round, concurrency, url)
                med = statistics.median(got["redis"]) / statistics.median(got["memory"])
                tail = p99(got["redis"]) / p99(got["memory"])
                print(
                    f"   {mode:<14} memory median {statistics.median(got['memory']) * 1e3:6.2f} ms p99 "
                    f"{p99(got['memory']) * 1e3:6.2f} ms | redis median {statistics.median(got['redis']) * 1e3:6.2f} ms "
                    f"p99 {p99(got['redis']) * 1e3:6.2f} ms | ratio {med:.2f}x / {tail:.2f}x (target <= {TARGET}x)"
                )
            got = {"memory": [], "redis": []}
            for _ in range(rounds):
                for label in ("memory", "redis"):
                    got[label] += events(ports[label], per_round)
            print(
                f"   events         memory median {statistics.median(got['memory']) * 1e3:6.2f} ms p99 "
                f"{p99(got['memory']) * 1e3:6.2f} ms | redis median {statistics.median(got['redis']) * 1e3:6.2f} ms "
                f"p99 {p99(got['redis']) * 1e3:6.2f} ms | ratio "
                f"{statistics.median(got['redis']) / statistics.median(got['memory']):.2f}x / "
                f"{p99(got['redis']) / p99(got['memory']):.2f}x (each event_id is deduplicated: one Redis SET NX)"
            )
            print("2. acks per second, 8 connections, workers sharing one Redis (the load comes from one client process)")
            for workers in (1, 2, 4):
                port = free_port()
                argv = [str(BIN / "rcodebot"), "serve", "--http", "--host", "127.0.0.1", "--port", str(port)]
                proc = start([*argv, "--workers", str(workers)], {**env, "RCODEBOT_REDIS_URL": redis.url}, port)
                servers.append(proc)
                measure(port, 200, 8, url)
                started = time.perf_counter()
                n = len(measure(port, per_round * 4, 8, url))
                print(f"   {workers} worker(s): {n / (time.perf_counter() - started):7.0f} acks/s")
                if workers == 2:
                    pids = children(proc.pid)
                    idle = [rss_mb(p) for p in pids]
                    measure(port, total, 8, url)
                    after = [rss_mb(p) for p in pids]
                    print(
                        f"3. resident memory per worker (2 workers): idle {', '.join(f'{m:.0f}' for m in idle)} MB; "
                        f"after {total:,} more requests {', '.join(f'{m:.0f}' for m in after)} MB"
                    )
        finally:
            for proc in servers:
                proc.terminate()
                proc.wait(20)
            redis.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
