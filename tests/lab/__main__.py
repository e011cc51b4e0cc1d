"""Run the lab by hand: `scripts/netns .venv/bin/python -m tests.lab [COMMAND ...]`.

Starts every server, prints the address map and the scenarios, then runs COMMAND (for example
`bash` or `dig @127.53.53.1 www.expired.lab`) or, without one, waits for Ctrl-C; stops everything afterwards.
Must run inside a private network namespace, like the tests.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.lab.daemons import ENV, LabError
from tests.lab.lab import check_isolated, start


def main(argv: list[str]) -> int:
    problem = check_isolated()
    if problem:
        print(f"lab: {problem}; run it through scripts/netns", file=sys.stderr)
        return 2
    if not argv:  # sigwait below needs the signals blocked, before any thread starts
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    workdir = Path(tempfile.mkdtemp(prefix="rcodebot-lab-"))
    try:
        lab = start(workdir)
    except LabError as exc:
        print(f"lab: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"lab running in {workdir}")
        print(f"resolvers: {', '.join(f'{name}={ip}' for name, ip in lab.resolver_by_name.items())}")
        print(f"nameservers: {', '.join(f'{name}={ip}' for name, ip in lab.nameservers.items())}")
        print(f"trust anchor: {lab.trust_anchor_file} (delv -a), {lab.anchor_file} (drill -k)")
        for scenario in lab.scenarios.values():
            via = ",".join(scenario.resolvers or lab.resolvers)
            print(f"  {scenario.id:24} {scenario.qname} {scenario.qtype} @{via}: {scenario.verdict} {list(scenario.causes)}")
        sys.stdout.flush()
        if argv:
            return subprocess.run(argv, env={**ENV, "TERM": "dumb"}, check=False).returncode
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
        return 0
    finally:
        lab.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
