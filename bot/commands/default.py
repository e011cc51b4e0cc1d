"""`rcodebot` with no command: serve Slack when configured, otherwise open the local chat shell."""

from __future__ import annotations

from bot.commands.context import Context


def run(ctx: Context) -> int:
    """Serve Slack when a token is configured; otherwise the chat shell, saying how to connect Slack."""
    if ctx.settings.has_slack:
        from bot.commands import serve

        return serve.serve(ctx, mode=None, port=None)
    from bot.commands import shell

    return shell.start(ctx, hint_slack=True)
