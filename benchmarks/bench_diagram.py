"""Benchmark: what drawing a check costs against the check itself, on the lab.

For a healthy signed zone, an expired signature and a lame delegation, measured in the same run: the check (probe
and diagnosis, cold resolver caches), then the diagram from its result (the graph as data, then Graphviz laying it
out and writing a PNG). Target: the diagram adds at most 20 % to the check. The Slack upload itself (three Web
API calls) is not in this figure.

Run inside the private network namespace (the lab binds 127.53.x.y:53):
    scripts/netns .venv/bin/python benchmarks/bench_diagram.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_dnscheck import check
from bot.core.check.diagnosis import diagnose
from bot.core.check.graph import build
from bot.core.codes.knowledge import load_default
from bot.render import diagram
from tests.lab.lab import check_isolated, start

TARGET = 0.20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    problem = check_isolated()
    if problem:
        print(f"{problem}; run: scripts/netns .venv/bin/python benchmarks/bench_diagram.py", file=sys.stderr)
        return 2
    kb = load_default()
    lab = start(Path(tempfile.mkdtemp(prefix="bench-diagram-")))
    worst = 0.0
    try:
        print(f"{'scenario':<16} {'check ms':>9} {'graph ms':>9} {'png ms':>8} {'png KB':>7} {'added':>7}")
        for scenario_id in ("healthy_signed", "expired_rrsig", "lame"):
            s = lab.scenarios[scenario_id]
            checks, graphs, pngs, sizes = [], [], [], []
            for _ in range(args.rounds):
                started = time.perf_counter()
                result = check(lab, s.qname, s.qtype, s.resolvers or lab.resolvers)
                d = diagnose(result, kb)
                checked = time.perf_counter()
                graph = build(result, d)
                built = time.perf_counter()
                png = diagram.render(graph, "png")
                drawn = time.perf_counter()
                checks.append(checked - started)
                graphs.append(built - checked)
                pngs.append(drawn - built)
                sizes.append(len(png))
            c, g, p = statistics.median(checks), statistics.median(graphs), statistics.median(pngs)
            added = (g + p) / c
            worst = max(worst, added)
            print(
                f"{scenario_id:<16} {c * 1e3:>9.0f} {g * 1e3:>9.1f} {p * 1e3:>8.0f} {statistics.median(sizes) / 1e3:>7.0f} "
                f"{added:>6.0%}"
            )
    finally:
        lab.stop()
    print(f"the diagram adds at most {worst:.0%} to a check (target <= {TARGET:.0%})")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
