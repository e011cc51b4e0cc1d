"""Pasted DNS tool output: detect it cheaply, read it completely (the public face of `bot.core.paste`).

`looks_like_dig(text)` is the gate every Slack channel message goes through; `from_text(text)` reads every dig,
kdig, drill, delv, host and nslookup output in a paste into a `Paste` of `ToolOutput` values.
"""

from __future__ import annotations

from bot.core.paste.detect import looks_like_dig
from bot.core.paste.model import Counts, Ede, Edns, Hop, Paste, Record, ToolOutput
from bot.core.paste.read import MAX_CHARS, from_text

DigReport = Paste
"""The name the architecture notes use for a read paste."""

__all__ = [
    "MAX_CHARS",
    "Counts",
    "DigReport",
    "Ede",
    "Edns",
    "Hop",
    "Paste",
    "Record",
    "ToolOutput",
    "from_text",
    "looks_like_dig",
]
