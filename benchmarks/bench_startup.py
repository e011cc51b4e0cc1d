"""Benchmark: a whole `rcodebot explain < paste` process against a whole `jc --dig < paste` process.

What a user feels at the terminal is the process, start-up included, so both commands run as whole processes on
the same paste, in pairs (one of each, order alternating), and the ratio is taken pair by pair: a burst of load on
a shared machine then slows both sides of a pair alike. Target: the median pair ratio is at most 1.5.

The knowledge cache is warmed first (one run), as it is after a user's first command.

    .venv/bin/python benchmarks/bench_startup.py [--pairs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASTE = ROOT / "tests" / "corpus" / "wild" / "hickory-dns__hickory-dns__client-rs_dig-9.18.28-servfail-multi-ede.txt"
BIN = Path(sys.executable).parent
TARGET = 1.5


def wall(argv: list[str], stdin: bytes, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr.decode(errors='replace')[:300]}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=30)
    args = parser.parse_args()
    paste = PASTE.read_bytes()
    with tempfile.TemporaryDirectory() as cache:
        env = {"PATH": str(BIN), "RCODEBOT_CACHE_DIR": cache, "LANG": "C.UTF-8"}
        ours = [str(BIN / "rcodebot"), "explain"]
        peer = [str(BIN / "jc"), "--dig"]
        wall(ours, paste, env)  # warm the knowledge cache and the OS's file cache
        wall(peer, paste, env)
        pairs: list[tuple[float, float]] = []
        for i in range(args.pairs):
            if i % 2:
                b = wall(peer, paste, env)
                a = wall(ours, paste, env)
            else:
                a = wall(ours, paste, env)
                b = wall(peer, paste, env)
            pairs.append((a, b))
    ratio = statistics.median(a / b for a, b in pairs)
    print(f"whole process on {PASTE.name} ({len(paste):,} bytes), {args.pairs} pairs")
    print(f"   rcodebot explain   median {statistics.median(a for a, _ in pairs) * 1000:6.1f} ms")
    print(f"   jc --dig           median {statistics.median(b for _, b in pairs) * 1000:6.1f} ms")
    print(f"   median pair ratio  {ratio:.2f}x (target <= {TARGET}x)")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
