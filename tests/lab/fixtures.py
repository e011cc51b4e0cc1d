"""pytest fixtures for the loopback DNS lab (see tests/lab/__init__.py for the address map and the scenarios)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lab.daemons import tail
from tests.lab.lab import Lab, check_isolated, start


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The running lab, shared by the whole session; call `lab.flush()` before a test that needs a cold cache.

    Fails (never skips) outside a private network namespace: the lab binds port 53 on 127.53.x.y and adds
    addresses to lo, which must not touch the host, and a skipped lab would hide every test that depends on it.
    """
    problem = check_isolated()
    if problem:
        pytest.fail(f"{problem}; run the tests through scripts/netns (e.g. scripts/netns .venv/bin/python -m pytest)")
    running = start(tmp_path_factory.mktemp("lab"))
    try:
        yield running
        died = [daemon for daemon in running.daemons if not daemon.alive()]
    finally:
        running.stop()
    if died:  # a server that crashed mid-session explains odd failures elsewhere: say so, with its log
        pytest.fail("lab daemons died during the session: " + "; ".join(f"{d.name}:\n{tail(d.log)}" for d in died))
