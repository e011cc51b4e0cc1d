"""mrkdwn escaping for every user- or DNS-sourced string that reaches Slack.

Slack treats `<...>` as control sequences (`<!channel>`, `<@U123>`, `<https://evil|click>`), so data that holds
them must have `&`, `<` and `>` escaped, `&` first, and only those three (Slack's formatting reference). Text that
arrives from Slack is already escaped once: `unescape` undoes that before parsing, and output is escaped again,
never twice.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"<((?:https?|mailto|tel):[^<>|]*)(?:\|([^<>]*))?>")
_SPECIAL = re.compile(r"<[!@#][^<>]*>")


def mrkdwn(text: str) -> str:
    """Escape text for a Slack mrkdwn or plain_text field."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of message text: `&lt;` `&gt;` `&amp;` back to characters (in that order)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def strip_links(text: str) -> str:
    """Turn Slack's auto-links back into what the user typed.

    `<http://example.com|example.com>` becomes `example.com`, `<mailto:a@b.c|a@b.c>` becomes `a@b.c`, and a bare
    `<http://x>` becomes `http://x`. Mentions and special commands (`<@U1>`, `<!here>`) are left as they are so a
    caller can decide what to do with them. Run this on the still-escaped text, then `unescape`.
    """

    def _label(match: re.Match[str]) -> str:
        return match.group(2) if match.group(2) is not None else match.group(1)

    return _LINK.sub(_label, text)


def from_slack(text: str) -> str:
    """Message text as Slack sends it -> the text the user typed (links stripped, entities unescaped)."""
    return unescape(strip_links(text))


def code_span(text: str) -> str:
    """Escape text for use inside a ``` or ` span (escaping still applies inside code in Slack)."""
    return mrkdwn(text).replace("```", "`\u200b``")
