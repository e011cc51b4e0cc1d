"""bot/metrics.py: names, labels, the exposition, and multiprocess mode summed over real forked processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot import metrics

ROOT = Path(__file__).resolve().parent.parent


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, keyed by name and sorted labels."""
    out: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def test_every_name_is_prefixed_and_listed_before_anything_is_counted() -> None:
    names = {family.name for family in text_string_to_metric_families(metrics.render().decode())}
    ours = {name for name in names if name.startswith("rcodebot_")}
    assert {
        "rcodebot_events",
        "rcodebot_commands",
        "rcodebot_replies_posted",
        "rcodebot_probes",
        "rcodebot_probe_duration_seconds",
        "rcodebot_ack_latency_seconds",
        "rcodebot_rate_limit_refusals",
        "rcodebot_dedupe_hits",
        "rcodebot_slack_api_errors",
        "rcodebot_redis_errors",
        "rcodebot_http_refused",
    } <= ours


def test_the_helpers_count_what_they_say() -> None:
    before = metrics.render().decode()
    metrics.count_event("app_mention")
    metrics.count_command("/rcode")
    metrics.count_command("/rcode")
    metrics.reply_posted("response_url")
    metrics.rate_limited("user")
    metrics.dedupe_hit("event")
    metrics.slack_api_error("chat.postMessage", "channel_not_found")
    metrics.redis_error("dedupe")
    metrics.http_refused("413 Payload Too Large")
    metrics.observe_ack("command", 0.02)
    after = metrics.render().decode()

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("rcodebot_events_total", kind="app_mention") == 1
    assert delta("rcodebot_commands_total", command="/rcode") == 2
    assert delta("rcodebot_replies_posted_total", via="response_url") == 1
    assert delta("rcodebot_rate_limit_refusals_total", scope="user") == 1
    assert delta("rcodebot_dedupe_hits_total", kind="event") == 1
    assert delta("rcodebot_slack_api_errors_total", method="chat.postMessage", error="channel_not_found") == 1
    assert delta("rcodebot_redis_errors_total", operation="dedupe") == 1
    assert delta("rcodebot_http_refused_total", status="413") == 1
    assert delta("rcodebot_ack_latency_seconds_count", kind="command") == 1
    assert delta("rcodebot_ack_latency_seconds_bucket", kind="command", le="0.025") == 1
    assert delta("rcodebot_ack_latency_seconds_bucket", kind="command", le="0.01") == 0


def test_probe_timer_counts_outcome_and_duration_and_lets_the_error_through() -> None:
    before = metrics.render().decode()
    with metrics.probe_timer():
        pass
    try:
        with metrics.probe_timer():
            raise ValueError("boom")
    except ValueError:
        pass
    else:  # pragma: no cover - the error must go on
        raise AssertionError("probe_timer swallowed the error")
    after = metrics.render().decode()
    assert value(after, "rcodebot_probes_total", outcome="ok") - value(before, "rcodebot_probes_total", outcome="ok") == 1
    assert (
        value(after, "rcodebot_probes_total", outcome="error") - value(before, "rcodebot_probes_total", outcome="error")
    ) == 1
    count = "rcodebot_probe_duration_seconds_count"
    assert value(after, count) - value(before, count) == 2


def test_label_values_are_bounded_and_printable() -> None:
    assert metrics._label("x" * 500) == "x" * metrics.MAX_LABEL
    assert metrics._label(None) == "none"
    assert metrics._label("") == "none"
    assert metrics._label("a\nb\x00") == "a?b?"


def test_multiprocess_mode_sums_forked_workers(tmp_path: Path) -> None:
    """What gunicorn does: prepare, fork workers that count, scrape from any one process."""
    script = textwrap.dedent(
        """
        import os, sys
        from bot import metrics
        path, made = metrics.prepare_multiprocess()
        assert made and os.path.isdir(path), path
        pids = []
        for worker in range(3):
            pid = os.fork()
            if pid == 0:
                metrics.count_command("/dnscheck")
                metrics.observe_probe(0.3, "ok")
                os._exit(0)
            pids.append(pid)
        for pid in pids:
            os.waitpid(pid, 0)
            metrics.worker_exited(pid)
        metrics.count_command("/dnscheck")
        sys.stdout.write(metrics.render().decode())
        sys.stderr.write(path)
        """
    )
    env = {k: v for k, v in os.environ.items() if k != metrics.MULTIPROC_ENV}
    env["TMPDIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert value(done.stdout, "rcodebot_commands_total", command="/dnscheck") == 4
    assert value(done.stdout, "rcodebot_probes_total", outcome="ok") == 3
    assert value(done.stdout, "rcodebot_probe_duration_seconds_bucket", le="0.5") == 3
    assert Path(done.stderr).parent == tmp_path
    assert any(Path(done.stderr).iterdir())  # the values lived in files


def test_prepare_multiprocess_uses_a_configured_directory(tmp_path: Path) -> None:
    script = "from bot import metrics; print(metrics.prepare_multiprocess())"
    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path / "m")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == repr((str(tmp_path / "m"), False))
    assert (tmp_path / "m").is_dir()
