"""Benchmark: knowledge load time and /rcode parse+lookup+render time per query.

Targets (issue #2): load < 50 ms; a query < 1 ms median. Each figure is printed with a ratio against a baseline
measured in the same run on the same machine, so the numbers mean something on a loaded shared machine:
- load vs a bare `yaml.load` of the same file (what validation and indexing add on top of parsing);
- a query vs `json.dumps` of its reply's blocks (the serialisation every Slack answer pays anyway).

Run: .venv/bin/python benchmarks/bench_rcode.py
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.core.codes import knowledge
from bot.services import rcode

FILE = Path(__file__).resolve().parent.parent / "knowledge" / "rcodes.yaml"
QUERIES = [
    "2 vs 4",
    "servfail vs notimp",
    "rcode 5",
    "SERVFAIL/REFUSED/NOTIMP",
    "ede 6 vs ede 9",
    "nodata vs nxdomain",
    "16",
    "3900",
    "what's the difference between nxdomain and servfail?",
    "badsig vs badkey vs badtime",
]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    text = FILE.read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    base = statistics.median(timed(lambda: yaml.load(text, Loader=loader), 20))
    full = statistics.median(timed(lambda: knowledge.from_text(text, str(FILE)), 20))
    cold = timed(lambda: (knowledge.load.cache_clear(), knowledge.load(FILE)), 5)
    print(f"knowledge load: median {full * 1000:.1f} ms (cold incl. file read {min(cold) * 1000:.1f} ms; target < 50 ms)")
    print(f"  baseline yaml.load of the same file: {base * 1000:.1f} ms -> ratio {full / base:.2f}x")

    kb = knowledge.load(FILE)
    print(f"\n{'query':<55} {'median ms':>10} {'p95 ms':>8} {'json ms':>8} {'ratio':>6}")
    medians = []
    for query in QUERIES:
        samples = timed(lambda q=query: rcode.answer(q, kb), 200)  # type: ignore[misc]
        reply = rcode.answer(query, kb)
        serialise = statistics.median(timed(lambda r=reply: json.dumps(r.block_dicts()), 200))  # type: ignore[misc]
        med = statistics.median(samples)
        p95 = sorted(samples)[int(len(samples) * 0.95)]
        medians.append(med)
        print(f"{query[:55]:<55} {med * 1000:>10.3f} {p95 * 1000:>8.3f} {serialise * 1000:>8.3f} {med / serialise:>5.1f}x")
    overall = statistics.median(medians)
    print(f"\nmedian query (parse + lookup + render + fit to Slack's limits): {overall * 1000:.3f} ms (target < 1 ms)")
    print("(Block Kit validation runs in the models' to_dict(), which every send does: that is the json column.)")


if __name__ == "__main__":
    main()
