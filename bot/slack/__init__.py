"""The Slack shell: the only package that imports slack_bolt.

`build_app(settings, knowledge)` returns the Bolt app with every listener; `server.run_http` / `server.run_socket_mode`
serve it. Listeners call the same services as the CLI and the chat shell (bot/services).
"""

from __future__ import annotations

from bot.slack.app import build_app, build_client

__all__ = ["build_app", "build_client"]
