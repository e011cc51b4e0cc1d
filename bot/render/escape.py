"""mrkdwn escaping for every user- or DNS-sourced string that reaches Slack.

Slack treats `<...>` as control sequences (`<!channel>`, `<@U123>`, `<https://evil|click>`), so data that holds
them must have `&`, `<` and `>` escaped, `&` first, and only those three (Slack's formatting reference). Text that
arrives from Slack is already escaped once: `unescape` undoes that before parsing, and output is escaped again,
never twice.

Slack has no escape for its formatting characters (`*bold*`, `_italic_`, `~strike~`), and DNS data is full of
them: `_dmarc.example.com`, `*.example.com`, a version such as `9.18.28-1~deb12u2`. Inside a code span Slack
formats nothing, so `mrkdwn` puts every word that holds one of them in a code span: the text stays exactly what
the data said (copy it and it is still the name), and no pair of them can turn the words between into bold,
italic or struck-out text. Code spans the text already has are left alone.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"<((?:https?|mailto|tel):[^<>|]*)(?:\|([^<>]*))?>")
_SPECIAL = re.compile(r"<[!@#][^<>]*>")
_FORMATTING = re.compile(r"[^\s`]*[*_~][^\s`]*")
_OPENING = "([{\"'“‘"
_CLOSING = ")]},;:!?.\"'”’"


_SURROGATE = re.compile("[\ud800-\udfff]")


def entities(text: str) -> str:
    """`&`, `<` and `>` as entities, `&` first: what Slack itself does to the text a user types."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unicode_text(text: str) -> str:
    """The text with every lone surrogate (a `\\ud800` escape in kdig's JSON, or in a Slack payload) replaced by
    U+FFFD: no UTF-8 encoder accepts one, so a message holding one could not be sent at all."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def mrkdwn(text: str) -> str:
    """Escape text for a Slack mrkdwn or plain_text field: `&`, `<`, `>`, and words with `*`, `_` or `~` in them."""
    text = entities(unicode_text(text))
    if "*" in text or "_" in text or "~" in text:
        text = _literal_words(text)
    return text


def _literal_words(text: str) -> str:
    """Put every word outside the text's own code spans that holds `*`, `_` or `~` in a code span of its own.

    The text splits at backticks: even pieces are outside code, odd ones inside (an unpaired last backtick is
    dropped to a quote mark, or it would open a span that Slack pairs with a backtick further on)."""
    pieces = text.split("`")
    if len(pieces) % 2 == 0:
        pieces[-2:] = [pieces[-2] + "'" + pieces[-1]]
    for i in range(0, len(pieces), 2):
        if "*" in pieces[i] or "_" in pieces[i] or "~" in pieces[i]:
            pieces[i] = _FORMATTING.sub(_code_word, pieces[i])
    return "`".join(pieces)


def _code_word(match: re.Match[str]) -> str:
    """One word in a code span, with the punctuation around it left outside (`(xfr_key,` -> (`xfr_key`,)."""
    word = match.group(0)
    core = word.lstrip(_OPENING)
    head = word[: len(word) - len(core)]
    body = core.rstrip(_CLOSING)
    tail = core[len(body) :]
    if not any(c in body for c in "*_~"):
        return word  # the character was in the punctuation (`'_'`): nothing to format
    return f"{head}`{body}`{tail}"


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
    return entities(unicode_text(text)).replace("```", "`\u200b``")
