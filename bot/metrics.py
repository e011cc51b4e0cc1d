"""Prometheus metrics (`GET /metrics` in HTTP mode), every name prefixed `rcodebot_`.

The functions here are no-ops until `enable()` is called: `rcodebot serve` calls it, the CLI and the chat shell
never do, so a terminal command does not import prometheus_client. Under gunicorn with several workers,
`enable(multiprocess_dir=…)` is called before the workers fork, with `PROMETHEUS_MULTIPROC_DIR` set, and `/metrics`
then adds up what every worker counted (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

_metrics: dict[str, Any] = {}
_multiprocess_dir: str | None = None

#: Seconds: Slack's 3-second rule is the line that matters for acks; probes run up to the check deadline.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
PROBE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0)


def enable(*, multiprocess: bool = False) -> None:
    """Create the metrics (once). With `multiprocess`, values go to a fresh directory that every forked worker
    shares; call it before the workers fork and before anything else imports prometheus_client."""
    global _multiprocess_dir
    if _metrics:
        return
    if multiprocess and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        _multiprocess_dir = tempfile.mkdtemp(prefix="rcodebot-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _multiprocess_dir
    from prometheus_client import Counter, Histogram

    _metrics.update(
        events=Counter("rcodebot_events", "Slack requests received, by kind (event type, command, action)", ["kind"]),
        replies=Counter("rcodebot_replies", "Replies posted to Slack, by Web API method", ["method"]),
        probes=Counter("rcodebot_probes", "Live checks run, by verdict", ["verdict"]),
        probe_seconds=Histogram("rcodebot_probe_seconds", "Time a live check took", buckets=PROBE_BUCKETS),
        ack_seconds=Histogram("rcodebot_ack_seconds", "Time from a Slack request to its answer", buckets=ACK_BUCKETS),
        rate_limited=Counter("rcodebot_rate_limited", "Live checks refused by an allowance"),
        dedupe_hits=Counter("rcodebot_dedupe_hits", "Redeliveries and repeated clicks dropped"),
        slack_errors=Counter("rcodebot_slack_api_errors", "Slack Web API errors, by method and error", ["method", "error"]),
        redis_errors=Counter("rcodebot_redis_errors", "Failed Redis calls (the bot fell back to memory)", ["what"]),
    )


def enabled() -> bool:
    return bool(_metrics)


def _count(name: str, *labels: str) -> None:
    metric = _metrics.get(name)
    if metric is not None:
        (metric.labels(*labels) if labels else metric).inc()


def event(kind: str) -> None:
    _count("events", kind[:64])


def reply(method: str) -> None:
    _count("replies", method)


def probe(verdict: str, seconds: float) -> None:
    _count("probes", verdict)
    if "probe_seconds" in _metrics:
        _metrics["probe_seconds"].observe(seconds)


def ack(seconds: float) -> None:
    if "ack_seconds" in _metrics:
        _metrics["ack_seconds"].observe(seconds)


def rate_limited() -> None:
    _count("rate_limited")


def dedupe_hit() -> None:
    _count("dedupe_hits")


def slack_error(method: str, error: str) -> None:
    _count("slack_errors", method, error[:64])


def redis_error(what: str) -> None:
    _count("redis_errors", what)


def exposition() -> tuple[bytes, str]:
    """The Prometheus text exposition of every metric (all workers' in multiprocess mode) and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def cleanup() -> None:
    """Remove the multiprocess directory this process made (at exit of `serve`)."""
    if _multiprocess_dir is not None:
        shutil.rmtree(_multiprocess_dir, ignore_errors=True)
