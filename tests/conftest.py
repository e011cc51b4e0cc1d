"""Shared test fixtures: the no-network guard, golden files, the corpus, the DNS lab.

The guard fails any socket that would reach a non-loopback address and any name lookup that would ask the
machine's resolver: nothing in this suite may send a packet off the machine. The whole suite also runs inside a
private network namespace (scripts/netns), so even subprocesses (dig, DNS servers) cannot leak.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
# The corpus of real published tool outputs lives in the repository (tests/corpus, with its sources and licenses),
# so a clone with nothing beside it passes its tests.
CORPUS = ROOT / "tests" / "corpus"

pytest_plugins = ["tests.lab.fixtures", "tests.stores.fixtures"]


# --------------------------------------------------------------------------------------------- hypothesis profiles

# "ci" (the default, and what CI runs): derandomized, so a landing can never fail on a counterexample found by
# chance; the same examples run on every machine and every run. "explore": random, ten times the examples, for
# developers hunting new counterexamples (HYPOTHESIS_PROFILE=explore scripts/test tests/core); a counterexample
# found that way goes into the test as an explicit @example.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", max_examples=1000, deadline=None, print_blob=True)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(HYPOTHESIS_PROFILE)


def examples(n: int) -> int:
    """A test's own example count, ten times larger under the explore profile (explicit counts beat profiles)."""
    return n * 10 if HYPOTHESIS_PROFILE == "explore" else n


# --------------------------------------------------------------------------------------------- network guard


class NetworkGuardError(AssertionError):
    """A test tried to reach beyond loopback."""


_violations: list[str] = []


def _check_address(address: Any) -> None:
    if not isinstance(address, tuple) or not address:
        return  # AF_UNIX path, or something that is not an IP address
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        message = f"socket to a name ({host!r}) would need the machine's resolver"
    else:
        if ip.is_loopback or (ip.version == 6 and ip.ipv4_mapped is not None and ip.ipv4_mapped.is_loopback):
            return
        if ip.is_unspecified:
            return  # binding/sending to 0.0.0.0 stays local inside the namespace
        message = f"socket to non-loopback address {host}"
    _violations.append(message)
    raise NetworkGuardError(f"network guard: {message}")


_real = {
    "connect": socket.socket.connect,
    "connect_ex": socket.socket.connect_ex,
    "sendto": socket.socket.sendto,
    "getaddrinfo": socket.getaddrinfo,
}


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    _check_address(address)
    return _real["connect"](self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    _check_address(address)
    return _real["connect_ex"](self, address)


def _guarded_sendto(self: socket.socket, data: Any, *args: Any) -> Any:
    _check_address(args[-1])
    return _real["sendto"](self, data, *args)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name != "localhost":
            try:
                ipaddress.ip_address(name.split("%", 1)[0])
            except ValueError:
                _violations.append(f"name lookup of {name!r}")
                raise NetworkGuardError(f"network guard: name lookup of {name!r} would ask the machine's resolver") from None
    return _real["getaddrinfo"](host, *args, **kwargs)


def install_network_guard() -> None:
    """Patch the socket module so that only loopback can be reached."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = _guarded_sendto  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _guarded_getaddrinfo


def pytest_configure(config: pytest.Config) -> None:
    install_network_guard()
    # The processes the tests start keep their derived files (the parsed knowledge file) in a directory of the
    # run's own, never in the user's cache.
    os.environ.setdefault("RCODEBOT_CACHE_DIR", tempfile.mkdtemp(prefix="rcodebot-cache-"))


@pytest.fixture(autouse=True)
def _no_network_violations() -> Iterator[None]:
    """Fail the test when code under test swallowed a guard error but still tried to leave loopback."""
    before = len(_violations)
    yield
    new = _violations[before:]
    if new:
        del _violations[before:]
        pytest.fail("network guard: " + "; ".join(sorted(set(new))))


# --------------------------------------------------------------------------------------------- golden files


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files with the current output")


class Golden:
    """Compare output with a file under tests/**/golden/, or rewrite it with --update-golden."""

    def __init__(self, directory: Path, update: bool) -> None:
        self.directory = directory
        self.update = update

    def check(self, name: str, actual: str | dict[str, Any] | list[Any]) -> None:
        path = self.directory / name
        text = actual if isinstance(actual, str) else json.dumps(actual, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        if self.update or not path.exists():
            if not self.update:
                pytest.fail(f"golden file {path.relative_to(ROOT)} is missing: run pytest --update-golden and review it")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"output differs from {path.relative_to(ROOT)} (pytest --update-golden to accept)"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Golden files beside the test module, in golden/."""
    return Golden(Path(request.path).parent / "golden", bool(request.config.getoption("--update-golden")))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The corpus of real published tool outputs (tests/corpus)."""
    assert CORPUS.is_dir(), f"the corpus is missing at {CORPUS}"
    return CORPUS


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real redis-server on loopback for the session (tests use keys of their own, or flush)."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.kill()
