"""What the running bot counts, for Prometheus: one place that owns every metric and its name.

Every name starts with `rcodebot_`. The other modules call the small functions below (`count_event`,
`reply_posted`, `probe_timer`, ...) and never touch prometheus_client themselves, so a name or a label is defined
once and the exposition (`render`) knows nothing about who counted.

Under gunicorn several worker processes count, and any one of them may answer `GET /metrics`. prometheus_client's
multiprocess mode covers that: each process writes its values to memory-mapped files in `PROMETHEUS_MULTIPROC_DIR`
and `render` sums the files. prometheus_client picks the mode when it is first imported, so `rcodebot serve`
calls `prepare_multiprocess` (which makes a fresh temporary directory unless one is configured) before anything
imports this module's metrics. Without that directory (Socket Mode, tests in one process) the default in-process
registry is used.

Label values are kept to small, known sets or cut short (`_label`): a label is a time series, and a hostile or
broken payload must not be able to mint an unbounded number of them.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The classic text format (version 0.0.4): what every Prometheus and every scraper reads."""

MAX_LABEL = 40

#: Acks must beat Slack's 3 s; the buckets are dense below that.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
#: A live check takes from milliseconds (cached, local resolver) to its whole time budget (timeouts).
PROBE_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0)


class _Metrics:
    """Every metric, created on first use (see `_metrics`), so that multiprocess mode can still be chosen first."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram

        self.events = Counter(
            "rcodebot_events",
            "Slack requests received, by kind (the Events API event type, or the interaction type)",
            ["kind"],
        )
        self.commands = Counter("rcodebot_commands", "Slash commands received, by command", ["command"])
        self.replies = Counter("rcodebot_replies_posted", "Replies Slack accepted, by how they were posted", ["via"])
        self.probes = Counter("rcodebot_probes", "Live DNS checks run, by outcome", ["outcome"])
        self.probe_seconds = Histogram(
            "rcodebot_probe_duration_seconds", "How long live DNS checks took", buckets=PROBE_BUCKETS
        )
        self.ack_seconds = Histogram(
            "rcodebot_ack_latency_seconds",
            "Time from a Slack request reaching the app to its ack, by kind (command, event, interaction)",
            ["kind"],
            buckets=ACK_BUCKETS,
        )
        self.rate_limited = Counter(
            "rcodebot_rate_limit_refusals", "Live checks refused because an allowance was spent, by scope", ["scope"]
        )
        self.dedupe_hits = Counter(
            "rcodebot_dedupe_hits", "Redelivered events and repeated clicks dropped as duplicates, by kind", ["kind"]
        )
        self.slack_api_errors = Counter(
            "rcodebot_slack_api_errors", "Calls to Slack that failed, by method and error", ["method", "error"]
        )
        self.redis_errors = Counter("rcodebot_redis_errors", "Redis operations that failed, by operation", ["operation"])
        self.http_refused = Counter(
            "rcodebot_http_refused", "HTTP requests refused before Bolt saw them, by status code", ["status"]
        )


_lock = threading.Lock()
_created: list[_Metrics] = []


def _metrics() -> _Metrics:
    """The process's metrics, created once (prometheus_client refuses a second metric of the same name)."""
    if not _created:
        with _lock:
            if not _created:
                _created.append(_Metrics())
    return _created[0]


def _label(value: object) -> str:
    """A label value: text, cut to MAX_LABEL characters, never empty (a missing value reads 'none')."""
    text = str(value) if value is not None else ""
    text = "".join(ch if ch.isprintable() else "?" for ch in text[:MAX_LABEL])
    return text or "none"


def count_event(kind: object) -> None:
    """One Slack request of `kind` (`app_mention`, `block_actions`, `message_action`, ...)."""
    _metrics().events.labels(kind=_label(kind)).inc()


def count_command(command: object) -> None:
    """One slash command (`/rcode`, `/dnscheck`)."""
    _metrics().commands.labels(command=_label(command)).inc()


def reply_posted(via: str) -> None:
    """One reply Slack accepted; `via` names the route (`response_url`, `chat.postMessage`, ...)."""
    _metrics().replies.labels(via=_label(via)).inc()


def observe_probe(seconds: float, outcome: str) -> None:
    """One live check that took `seconds`; `outcome` is `ok` or `error`."""
    _metrics().probes.labels(outcome=_label(outcome)).inc()
    _metrics().probe_seconds.observe(max(0.0, seconds))


@contextmanager
def probe_timer() -> Iterator[None]:
    """Time the block as one live check: `error` when it raises (the exception goes on), `ok` otherwise."""
    start = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        observe_probe(time.perf_counter() - start, outcome)


def observe_ack(kind: str, seconds: float) -> None:
    """One ack that took `seconds` after the request reached the app."""
    _metrics().ack_seconds.labels(kind=_label(kind)).observe(max(0.0, seconds))


def rate_limited(scope: str) -> None:
    """One live check refused because `scope`'s allowance (`user`, `channel`, `global`) was spent."""
    _metrics().rate_limited.labels(scope=_label(scope)).inc()


def dedupe_hit(kind: str) -> None:
    """One duplicate dropped: `event` (a redelivered event_id) or `action` (a repeated click)."""
    _metrics().dedupe_hits.labels(kind=_label(kind)).inc()


def slack_api_error(method: object, error: object) -> None:
    """One failed call to Slack: the Web API method (or `response_url`) and Slack's error (or the HTTP status)."""
    _metrics().slack_api_errors.labels(method=_label(method), error=_label(error)).inc()


def redis_error(operation: str) -> None:
    """One Redis operation that failed (the bot fell back to local memory for it)."""
    _metrics().redis_errors.labels(operation=_label(operation)).inc()


def http_refused(status: str) -> None:
    """One HTTP request refused before Bolt saw it; `status` is the code (`413`, `401`, ...)."""
    _metrics().http_refused.labels(status=_label(status.split(" ", 1)[0])).inc()


def multiprocess_dir() -> str | None:
    """The directory multiprocess mode writes to, or None when this process counts in its own registry."""
    return os.environ.get(MULTIPROC_ENV) or None


def render() -> bytes:
    """Every metric in the Prometheus text format: summed over all worker processes in multiprocess mode."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess

    _metrics()  # a scrape before the first request still lists every metric (with no samples yet)
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def prepare_multiprocess() -> tuple[str, bool]:
    """Turn multiprocess mode on, before a server that forks workers starts counting.

    Uses `PROMETHEUS_MULTIPROC_DIR` when it is set (prometheus_client asks that it be emptied between runs);
    otherwise makes a fresh temporary directory and sets the variable, so the workers inherit it. Returns the
    directory and whether it was made here (the caller then calls `end_multiprocess` when the server stops).
    prometheus_client chooses how values are stored when `prometheus_client.values` is imported; if something
    imported it already, the choice is made again here, which is sound as long as no metric exists yet. If one
    does (a server started twice in one process), this process keeps counting in its own registry.
    """
    if _created:
        return "", False
    configured = multiprocess_dir()
    if configured:
        os.makedirs(configured, exist_ok=True)
        path, made = configured, False
    else:
        path, made = tempfile.mkdtemp(prefix="rcodebot-metrics-"), True
        os.environ[MULTIPROC_ENV] = path
    if "prometheus_client.values" in sys.modules:
        from prometheus_client import values

        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    return path, made


def end_multiprocess(path: str) -> None:
    """Remove a directory `prepare_multiprocess` made, once the server that counted in it has stopped."""
    if os.environ.get(MULTIPROC_ENV) == path:
        del os.environ[MULTIPROC_ENV]
    shutil.rmtree(path, ignore_errors=True)


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit hook: forget a dead worker's live gauges (its counters stay summed in)."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
