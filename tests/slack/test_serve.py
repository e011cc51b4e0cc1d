"""`rcodebot serve` start-up: mode choice, and configuration mistakes as one line and exit status 4."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.commands.serve import choose_mode
from tests.slack.conftest import APP_TOKEN, BOT_TOKEN, SECRET, VENV_BIN, ServerProcess, base_env, free_port
from tests.slack.fakeslack import FakeSlack, FakeSocketModeServer


@pytest.mark.parametrize(
    ("forced", "has_app_token", "expected"),
    [(None, True, "socket"), (None, False, "http"), ("http", True, "http"), ("socket", False, "socket")],
)
def test_mode_is_socket_exactly_when_an_app_token_is_set_unless_forced(
    forced: str | None, has_app_token: bool, expected: str
) -> None:
    assert choose_mode(forced, has_app_token=has_app_token) == expected


def run_serve(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "rcodebot"), "serve", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "drop", "override", "expected"),
    [
        (["--http"], ["SLACK_SIGNING_SECRET"], {}, "SLACK_SIGNING_SECRET is not set"),
        (["--http"], ["SLACK_BOT_TOKEN"], {}, "SLACK_BOT_TOKEN is not set"),
        (["--socket"], [], {}, "SLACK_APP_TOKEN is not set"),
        ([], [], {"SLACK_BOT_TOKEN": "not-a-token"}, "SLACK_BOT_TOKEN should start with xoxb-"),
        ([], [], {"SLACK_BOT_TOKEN": "xoxb-revoked"}, "Slack rejected SLACK_BOT_TOKEN: invalid_auth"),
        ([], [], {"PORT": "eighty"}, "PORT='eighty' is not a number"),
        (["--port", "70000"], [], {}, "--port 70000 is not a TCP port"),
        (["--http", "--workers", "2"], [], {}, "--workers 2 needs Redis: set RCODEBOT_REDIS_URL"),
        (["--http", "--workers", "0"], [], {}, "--workers 0 is not between 1 and 64"),
        ([], [], {"RCODEBOT_REDIS_URL": "localhost:6379"}, "RCODEBOT_REDIS_URL should be a redis://"),
    ],
    ids=[
        "no-secret",
        "no-bot-token",
        "socket-no-app-token",
        "malformed-token",
        "revoked-token",
        "bad-port-env",
        "bad-port",
        "workers-without-redis",
        "no-workers",
        "bad-redis-url",
    ],
)
def test_configuration_mistakes_are_one_line_and_exit_4(
    fake: FakeSlack, tmp_path: Path, args: list[str], drop: list[str], override: dict[str, str], expected: str
) -> None:
    env = base_env(fake, **override)
    for name in drop:
        env.pop(name, None)
    done = run_serve(args, env, tmp_path)
    assert done.returncode == 4, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("rcodebot: configuration:") and expected in lines[0]
    assert "Traceback" not in done.stderr + done.stdout


def test_a_rejected_app_token_is_one_line_and_exit_4(tmp_path: Path) -> None:
    """apps.connections.open refusing the xapp- token is a configuration mistake, not an "unexpected error".

    Its own fake Slack: the shared one's record of apps.connections.open calls must hold only the good token.
    """
    with FakeSlack() as own_fake:
        done = run_serve(["--socket"], base_env(own_fake, SLACK_APP_TOKEN="xapp-revoked"), tmp_path)
    assert done.returncode == 4, done.stderr
    assert done.stderr.strip().splitlines() == ["rcodebot: configuration: Slack rejected SLACK_APP_TOKEN: invalid_auth"]


def test_an_unreachable_slack_api_is_one_line_and_exit_4(fake: FakeSlack, tmp_path: Path) -> None:
    env = base_env(fake, SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/")
    done = run_serve(["--http", "--port", str(free_port())], env, tmp_path)
    assert done.returncode == 4
    assert done.stderr.count("\n") == 1 and "cannot reach the Slack Web API at http://127.0.0.1:" in done.stderr


def test_tokens_from_a_dotenv_file_are_used(fake: FakeSlack, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN=xoxb-revoked\nSLACK_SIGNING_SECRET={SECRET}\n", encoding="utf-8")
    env = base_env(fake)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(name)
    done = run_serve(["--http"], env, tmp_path)
    # The .env token reached auth.test (the fake rejects exactly that token).
    assert done.returncode == 4 and "invalid_auth" in done.stderr
    assert BOT_TOKEN not in done.stderr and APP_TOKEN not in done.stderr


def test_plain_rcodebot_with_an_app_token_serves_socket_mode(fake: FakeSlack, tmp_path: Path) -> None:
    """The README's run command (`rcodebot` with no subcommand) picks Socket Mode when SLACK_APP_TOKEN is set."""
    ws = FakeSocketModeServer().start()
    fake.ws_url = ws.url
    env = base_env(fake, SLACK_APP_TOKEN=APP_TOKEN)
    env.pop("SLACK_SIGNING_SECRET")
    server = ServerProcess([str(VENV_BIN / "rcodebot")], env, tmp_path)
    try:
        ws.wait_connected()
    finally:
        code = server.stop()
        ws.stop()
        fake.ws_url = None
    assert code == 0, server.log()
    assert "Traceback" not in server.log()
