"""Fixtures for the Slack tests: the fake Slack, the real app served by its Procfile command, signed requests.

The server under test is the production command line (the Procfile's `web:` line, gunicorn inside
`rcodebot serve --http`) run from this repo's .venv as a subprocess on 127.0.0.1:<ephemeral port>, with
SLACK_API_URL pointing at the fake. Live checks go to a loopback UDP socket the test owns and never answers, so
the real probe runs and nothing leaves the machine.
"""

from __future__ import annotations

import copy
import http.client
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier

from tests.lab.lab import Lab
from tests.slack.fakeslack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = Path(__file__).resolve().parent / "payloads"
VENV_BIN = Path(sys.executable).parent
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1234-5678-fake"
APP_TOKEN = "xapp-1-A0RCODEBOT-1234-fake"
USER_RATE = "3/3600"

_ids = count(1)


def unique(prefix: str) -> str:
    """A fresh id (channel, user, event) so tests sharing one server never see each other's calls."""
    return f"{prefix}{next(_ids):05d}{os.getpid() % 1000:03d}"


def payload(name: str) -> dict[str, Any]:
    """A recorded payload from tests/slack/payloads/ (a fresh copy to fill in)."""
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def procfile_command(kind: str) -> list[str]:
    """The Procfile's `web:` or `worker:` line, with `rcodebot` resolved to this repo's .venv."""
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        name, _, command = line.partition(":")
        if name.strip() == kind:
            argv = shlex.split(command)
            if argv[0] == "rcodebot":
                argv[0] = str(VENV_BIN / "rcodebot")
            return argv
    raise AssertionError(f"no {kind}: line in the Procfile")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(fake: FakeSlack, **extra: str) -> dict[str, str]:
    """A clean environment for a server under test (nothing inherited but PATH and friends)."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR", "RCODEBOT_CACHE_DIR") if key in os.environ}
    # This checkout first on the path: the server runs from a scratch directory (no stray .env is read there), and
    # an editable install made before a package gained its __init__.py would otherwise resolve `bot` elsewhere.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        RCODEBOT_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        # The embedded settings database of this server alone (never the tester's ~/.local/share/rcodebot).
        RCODEBOT_DATA_DIR=tempfile.mkdtemp(prefix="rcodebot-data-"),
    )
    env.update(extra)
    return env


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class SlackSender:
    """Sends correctly signed requests the way Slack does."""

    def __init__(self, port: int, fake: FakeSlack, secret: str = SECRET) -> None:
        self.port = port
        self.fake = fake
        self.verifier = SignatureVerifier(secret)

    def raw(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
        method: str = "POST",
        path: str = "/slack/events",
    ) -> Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts}
        sent["X-Slack-Signature"] = signature or self.verifier.generate_signature(timestamp=ts, body=body.decode())
        sent.update(headers or {})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers={k: v for k, v in sent.items() if v is not None})
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        return Response(answer.status, answer.getheader("Content-Type") or "", data, time.monotonic() - started)

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers=dict(headers or {}))
            answer = connection.getresponse()
            kept = {k.lower(): v for k, v in answer.getheaders()}
            return Response(answer.status, answer.getheader("Content-Type") or "", answer.read(), 0.0, kept)
        finally:
            connection.close()

    def command(self, command: str, text: str, **fields: str) -> tuple[Response, str, dict[str, Any]]:
        """A slash command form post; returns (response, response_url name, the form)."""
        form = payload("slash_command")
        name = unique("r")
        form.update(command=command, text=text, response_url=self.fake.response_url(name))
        form.update(fields)
        body = urllib.parse.urlencode(form).encode()
        return self.raw(body, "application/x-www-form-urlencoded"), name, form

    def event(
        self,
        event: Mapping[str, Any],
        *,
        event_id: str | None = None,
        kind: str = "event_message",
        headers: Mapping[str, str] | None = None,
    ) -> tuple[Response, dict[str, Any]]:
        """An event_callback JSON post."""
        body = payload(kind)
        body["event"].update(event)
        body["event_id"] = event_id or unique("Ev")
        return self.raw(json.dumps(body).encode(), "application/json", headers=headers), body

    def action(
        self, action_id: str, value: str, *, message: Mapping[str, Any] | None = None, **ids: str
    ) -> tuple[Response, str, dict[str, Any]]:
        """A block_actions interactivity post (form field `payload` holding JSON)."""
        body = payload("block_actions")
        name = unique("a")
        body["response_url"] = self.fake.response_url(name)
        body["actions"][0].update(action_id=action_id, value=value)
        if message is not None:
            body["message"].update(message)
        if "user" in ids:
            body["user"]["id"] = ids["user"]
        if "channel" in ids:
            body["channel"]["id"] = ids["channel"]
            body["container"]["channel_id"] = ids["channel"]
        form = urllib.parse.urlencode({"payload": json.dumps(body)}).encode()
        return self.raw(form, "application/x-www-form-urlencoded"), name, body

    def shortcut(self, message: Mapping[str, Any], **ids: str) -> tuple[Response, str, dict[str, Any]]:
        """The "Explain DNS output" message shortcut on `message` (an interactivity post, like Slack's)."""
        name, body = shortcut_body(self.fake, message, **ids)
        form = urllib.parse.urlencode({"payload": json.dumps(body)}).encode()
        return self.raw(form, "application/x-www-form-urlencoded"), name, body


def shortcut_body(fake: FakeSlack, message: Mapping[str, Any], **ids: str) -> tuple[str, dict[str, Any]]:
    """A message_action payload for the "Explain DNS output" shortcut on `message`; (response_url name, body)."""
    body = payload("message_action")
    name = unique("s")
    body["response_url"] = fake.response_url(name)
    body["message"] = {**body["message"], **message}
    body["message_ts"] = body["message"]["ts"]
    if "user" in ids:
        body["user"]["id"] = ids["user"]
    if "channel" in ids:
        body["channel"]["id"] = ids["channel"]
    return name, body


class ServerProcess:
    """A server under test, started from the Procfile line; killed (and its output kept) at teardown."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.log_path = cwd / "server.log"
        self._log = self.log_path.open("wb")
        self.argv = argv
        self.process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_http(self, port: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server did not become healthy in {timeout} s:\n{self.log()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()
        return self.process.returncode


def start_web(fake: FakeSlack, env: dict[str, str], cwd: Path, *args: str) -> tuple[SlackSender, ServerProcess]:
    """The Procfile's web: command on 127.0.0.1 and a free port, with `env`; returned once /healthz answers (the
    server is stopped if it never does). `sender.server` is the process, for its log."""
    port = free_port()
    server = ServerProcess([*procfile_command("web"), "--host", "127.0.0.1", "--port", str(port), *args], env, cwd)
    try:
        server.wait_http(port)
    except BaseException:
        server.stop()
        raise
    sender = SlackSender(port, fake)
    sender.server = server  # type: ignore[attr-defined]
    return sender, server


@pytest.fixture(scope="session")
def fake() -> Iterator[FakeSlack]:
    """The fake Slack Web API + response_url sink, shared by the session (tests use unique channels/ids)."""
    with FakeSlack() as server:
        yield server


@pytest.fixture(scope="session")
def silent_resolver() -> Iterator[int]:
    """A loopback UDP port that receives DNS queries and never answers (the probe must time out cleanly)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield int(sock.getsockname()[1])
    sock.close()


@pytest.fixture(scope="session")
def http_bot(fake: FakeSlack, silent_resolver: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackSender]:
    """The real app over real HTTP: the Procfile web: command on 127.0.0.1:<ephemeral>."""
    env = base_env(
        fake,
        RCODEBOT_RESOLVERS="127.0.0.1",
        RCODEBOT_DNS_PORT=str(silent_resolver),
        RCODEBOT_QUERY_TIMEOUT="0.3",
        RCODEBOT_CHECK_DEADLINE="1.5",
        RCODEBOT_RATE_USER=USER_RATE,
        RCODEBOT_PROBE_CACHE_TTL="0",  # one server for the whole session: no test may get another's cached check
    )
    sender, server = start_web(fake, env, tmp_path_factory.mktemp("web"))
    try:
        yield sender
    finally:
        server.stop()


@pytest.fixture(scope="session")
def lab_bot(fake: FakeSlack, lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackSender]:
    """The real app with the DNS lab's resolvers (Unbound and BIND on 127.53.x.y) and private addresses allowed."""
    env = base_env(
        fake,
        RCODEBOT_RESOLVERS=",".join(lab.resolvers),
        RCODEBOT_ALLOW_PRIVATE="true",
        RCODEBOT_QUERY_TIMEOUT="1",
        RCODEBOT_CHECK_DEADLINE="8",
        RCODEBOT_ROOT_HINTS=str(lab.root_hints_file),
    )
    sender, server = start_web(fake, env, tmp_path_factory.mktemp("labweb"))
    try:
        yield sender
    finally:
        server.stop()
