"""Settings read from a plain mapping: the database URL and the data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import ConfigError
from bot.settings import Settings, database_url_from, default_data_dir, redact_url


def test_the_default_database_is_a_sqlite_file_in_the_data_directory() -> None:
    assert Settings.from_env({"HOME": "/home/op"}).database_url == "sqlite:////home/op/.local/share/rcodebot/rcodebot.db"
    assert database_url_from({"XDG_DATA_HOME": "/xdg", "HOME": "/h"}) == "sqlite:////xdg/rcodebot/rcodebot.db"
    assert database_url_from({"RCODEBOT_DATA_DIR": "/srv/rc", "XDG_DATA_HOME": "/xdg"}) == "sqlite:////srv/rc/rcodebot.db"
    assert default_data_dir({"RCODEBOT_DATA_DIR": "/srv/rc"}) == Path("/srv/rc")


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ("postgresql+psycopg://u:p@db:5432/rc", "postgresql+psycopg://u:p@db:5432/rc"),
        ("postgresql://u@db/rc", "postgresql+psycopg://u@db/rc"),
        ("postgres://u@db/rc", "postgresql+psycopg://u@db/rc"),
        ("sqlite:////var/lib/rcodebot/bot.db", "sqlite:////var/lib/rcodebot/bot.db"),
    ],
)
def test_database_urls(given: str, read: str) -> None:
    assert Settings.from_env({"RCODEBOT_DATABASE_URL": given}).database_url == read


@pytest.mark.parametrize("given", ["mysql://u:hunter2@db/rc", "just-a-path.db"])
def test_an_unsupported_database_url_is_one_line_without_its_password(given: str) -> None:
    with pytest.raises(ConfigError, match="RCODEBOT_DATABASE_URL") as caught:
        Settings.from_env({"RCODEBOT_DATABASE_URL": given})
    assert "hunter2" not in str(caught.value)


def test_redact_url_hides_only_the_password() -> None:
    assert redact_url("postgresql+psycopg://rc:s3cret@db:5432/rc") == "postgresql+psycopg://rc:***@db:5432/rc"
    assert redact_url("sqlite:////x.db") == "sqlite:////x.db"


def test_oauth_is_on_with_client_credentials_and_no_bot_token() -> None:
    oauth = Settings.from_env({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": "x"})
    assert oauth.oauth and oauth.has_slack and oauth.client_id == "1.2"
    both = Settings.from_env({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1"})
    assert not both.oauth  # a bot token keeps the single-workspace mode exactly as before
    assert not Settings.from_env({"SLACK_CLIENT_ID": "1.2"}).oauth


def test_a_redirect_uri_must_be_a_url() -> None:
    with pytest.raises(ConfigError, match="SLACK_REDIRECT_URI"):
        Settings.from_env({"SLACK_REDIRECT_URI": "rcodebot.example.com/slack/oauth_redirect"})
    assert (
        Settings.from_env({"SLACK_REDIRECT_URI": "https://h/slack/oauth_redirect"}).redirect_uri
        == "https://h/slack/oauth_redirect"
    )


def test_the_signature_warning_window() -> None:
    assert Settings.from_env({}).probe.signature_window_days == 3.0
    assert Settings.from_env({"RCODEBOT_SIGNATURE_WINDOW_DAYS": "7.5"}).probe.signature_window_days == 7.5
    assert Settings.from_env({"RCODEBOT_SIGNATURE_WINDOW_DAYS": "0"}).probe.signature_window_days == 0
    for bad in ("-1", "a week", "400"):
        with pytest.raises(ConfigError, match="RCODEBOT_SIGNATURE_WINDOW_DAYS"):
            Settings.from_env({"RCODEBOT_SIGNATURE_WINDOW_DAYS": bad})


def test_the_security_questions_can_be_turned_off() -> None:
    assert Settings.from_env({}).probe.security_checks is True
    assert Settings.from_env({"RCODEBOT_SECURITY_CHECKS": "false"}).probe.security_checks is False
    with pytest.raises(ConfigError, match="RCODEBOT_SECURITY_CHECKS"):
        Settings.from_env({"RCODEBOT_SECURITY_CHECKS": "maybe"})
