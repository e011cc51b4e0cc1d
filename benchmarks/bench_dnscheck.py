"""Benchmark: /dnscheck wall time against its own queries, on the lab, with one nameserver that never answers.

For each check, measured in the same run:
- wall: the check's elapsed time;
- chain: its longest chain of dependent queries (each query's time plus the chain of the answer that caused it);
- sum: the sum of every query's time (what a probe asking one query at a time would take);
- queries sent.
Targets (issue #3): wall <= 1.3 x chain (the parallel probe adds little beyond its unavoidable dependencies and is
never near the sum), and <= 60 queries per check. Every scenario of the lab is also run once, with the default
timeout and deadline, for its query count and its wall time (issue #14: at most 5 s each, silent servers
included), which is printed against its own dependent chain.

With a trace (`/dnscheck NAME trace`), for the healthy zone, the lame TLD server (flaky.) and the parent/child NS
mismatch, each run beside the same check without it: wall with trace against wall without (the walk runs beside
the check, so the target is at most one round trip per level more), wall against the longer of the two chains,
and queries sent by the check and by the walk.

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
from bot.core.check.trace import TraceResult
from bot.probe import run
from bot.probe.trace import run_with_trace
from tests.lab import addresses as A
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


def traced(lab: Lab, qname: str, qtype: str, resolvers: tuple[str, ...]) -> tuple[ProbeResult, TraceResult]:
    lab.flush()
    return run_with_trace(
        qname,
        qtype,
        [(r, r) for r in resolvers],
        (("a.root-servers.", A.ROOT),),
        allow_private=True,
        query_timeout=TIMEOUT,
        deadline=DEADLINE,
        budget=BUDGET,
        port=lab.port,
    )


def trace_chain_ms(trace: TraceResult) -> float:
    """The walk's longest chain of dependent queries (as ProbeResult.chain_ms does for the check)."""
    by_key = {e.ask.key: e for e in trace.exchanges}

    def chain(key: str | None, depth: int = 0) -> float:
        exchange = by_key.get(key or "")
        if exchange is None or depth > 64:
            return 0.0
        return exchange.ms + chain(exchange.ask.after, depth + 1)

    return max((chain(key) for key in by_key), default=0.0)


def bench_trace(lab: Lab, rounds: int) -> bool:
    """The trace's cost over the same check without it, measured in the same run."""
    print("\nwith trace, against the same check without it (medians; target: at most one round trip per level more)")
    print(
        f"  {'scenario':<22} {'levels':>6} {'wall ms':>8} {'+trace ms':>9} {'ratio':>6} {'wall/chain':>10} "
        f"{'rtt ms':>6} {'extra rtt/level':>15} {'queries':>13}"
    )
    ok = True
    for label, qname in (
        ("healthy_signed", "www.healthy-signed.lab."),
        ("lame_tld", "www.child.flaky."),
        ("delegation_mismatch", "www.deleg-mismatch.lab."),
    ):
        plain, with_trace, chains, rtts, extra = [], [], [], [], []
        levels = queries = trace_queries = 0
        for _ in range(rounds):
            alone = check(lab, qname, "A", lab.resolvers)
            both, trace = traced(lab, qname, "A", lab.resolvers)
            wall = max(both.elapsed_ms, trace.elapsed_ms)
            plain.append(alone.elapsed_ms)
            with_trace.append(wall)
            chains.append(wall / max(both.chain_ms(), trace_chain_ms(trace), 0.001))
            answered = sorted(e.ms for e in trace.exchanges if e.answered)
            rtt = statistics.median(answered) if answered else 0.0
            rtts.append(rtt)
            levels, queries, trace_queries = len(trace.levels), both.queries_sent, trace.queries_sent
            extra.append((wall - alone.elapsed_ms) / max(rtt, 0.001) / max(levels, 1))
        ratio = statistics.median(with_trace) / statistics.median(plain)
        per_level = statistics.median(extra)
        print(
            f"  {label:<22} {levels:>6} {statistics.median(plain):>8.1f} {statistics.median(with_trace):>9.1f} "
            f"{ratio:>6.2f} {statistics.median(chains):>10.2f} {statistics.median(rtts):>6.2f} {per_level:>15.2f} "
            f"{queries:>5} + {trace_queries:>3}"
        )
        ok &= trace_queries <= BUDGET
    return ok


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

        print("\nqueries and wall time per check, every lab scenario (targets <= 60 queries, <= 5 s):")
        worst = 0
        slowest = 0.0
        for s in lab.scenarios.values():
            result = check(lab, s.qname, s.qtype, s.resolvers or lab.resolvers)
            worst = max(worst, result.queries_sent)
            slowest = max(slowest, result.elapsed_ms)
            print(
                f"  {s.id:<24} {result.queries_sent:>3} queries  wall {result.elapsed_ms:>6.0f} ms  "
                f"chain {result.chain_ms():>6.0f} ms  wall/chain {result.elapsed_ms / max(result.chain_ms(), 0.001):.2f}"
            )
        print(f"most queries in one check: {worst} (target <= 60); slowest check {slowest:.0f} ms (target <= 5000)")
        ok &= worst <= BUDGET and slowest <= 5000
        ok &= bench_trace(lab, args.rounds)
    finally:
        lab.stop()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
