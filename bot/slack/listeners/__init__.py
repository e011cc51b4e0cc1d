"""Listener registration: one `register(app, deps)` per listener kind (commands, events, actions, shortcuts,
functions)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import Deps
from bot.slack.listeners import actions, commands, events, functions, home, shortcuts


def register_listeners(app: App, deps: Deps) -> None:
    """Attach every listener to `app`."""
    commands.register(app, deps)
    events.register(app, deps)
    shortcuts.register(app, deps)
    functions.register(app, deps)
    home.register(app, deps)
    actions.register(app, deps)
