"""Benchmark: /dnscheck wall time against its own queries, on the lab, with one nameserver that never answers.

For each check, measured in the same run:
- wall: the check's elapsed time;
- chain: its longest chain of dependent queries (each query's time plus the chain of the answer that caused it);
- sum: the sum of every query's time (what a probe asking one query at a time would take);
- queries sent.
Targets (issue #3): wall <= 1.3 x chain (the parallel probe adds little beyond its unavoidable dependencies and is
never near the sum), and <= 60 queries per check. Every scenario of the lab is also run once for its query count.

Run inside the private network namespace (the lab binds 127.53.x.y:53):
    scripts/netns .venv/bin/python benchmarks/bench_dnscheck.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.check.observations import ProbeResult
from bot.probe import run
from tests.lab.lab import Lab, check_isolated, start

TIMEOUT = 2.0
DEADLINE = 10.0
BUDGET = 60


def check(lab: Lab, qname: str, qtype: str, resolvers: tuple[str, ...]) -> ProbeResult:
    lab.flush()  # cold caches: the resolvers must walk the delegation like the first check of an incident
    return run(
        qname,
        qtype,
        [(r, r) for r in resolvers],
        allow_private=True,
        query_timeout=TIMEOUT,
        deadline=DEADLINE,
        budget=BUDGET,
        port=lab.port,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    problem = check_isolated()
    if problem:
        print(f"{problem}; run: scripts/netns .venv/bin/python benchmarks/bench_dnscheck.py", file=sys.stderr)
        return 2
    lab = start(Path(tempfile.mkdtemp(prefix="bench-dnscheck-")))
    ok = True
    try:
        scenario = lab.scenarios["one_ns_silent"]
        print(
            f"one NS never answers: {scenario.qname} {scenario.qtype} via {', '.join(lab.resolvers)}; "
            f"query timeout {TIMEOUT:g} s, {args.rounds} rounds, cold caches"
        )
        print(f"{'round':>5} {'wall ms':>9} {'chain ms':>9} {'sum ms':>9} {'wall/chain':>10} {'wall/sum':>9} {'queries':>7}")
        walls, ratios, sums = [], [], []
        for number in range(1, args.rounds + 1):
            result = check(lab, scenario.qname, scenario.qtype, lab.resolvers)
            wall, chain, total = result.elapsed_ms, result.chain_ms(), result.sum_ms()
            walls.append(wall)
            ratios.append(wall / chain)
            sums.append(wall / total)
            print(
                f"{number:>5} {wall:>9.0f} {chain:>9.0f} {total:>9.0f} {wall / chain:>10.3f} {wall / total:>9.3f} "
                f"{result.queries_sent:>7}"
            )
        median_ratio = statistics.median(ratios)
        print(
            f"median wall {statistics.median(walls):.0f} ms; wall/chain {median_ratio:.3f} (target <= 1.3); "
            f"wall/sum {statistics.median(sums):.3f}"
        )
        ok &= median_ratio <= 1.3

        print("\nqueries per check, every lab scenario (target <= 60):")
        worst = 0
        for s in lab.scenarios.values():
            result = check(lab, s.qname, s.qtype, s.resolvers or lab.resolvers)
            worst = max(worst, result.queries_sent)
            print(
                f"  {s.id:<24} {result.queries_sent:>3} queries  wall {result.elapsed_ms:>6.0f} ms  "
                f"chain {result.chain_ms():>6.0f} ms  wall/chain {result.elapsed_ms / max(result.chain_ms(), 0.001):.2f}"
            )
        print(f"most queries in one check: {worst} (target <= 60)")
        ok &= worst <= BUDGET
    finally:
        lab.stop()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
