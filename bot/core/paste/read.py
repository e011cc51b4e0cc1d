"""Read pasted dig, kdig, drill, delv, host and nslookup output: a line-by-line state machine.

Each line is recognised by its label (the first word after the `;`s, or a host/nslookup phrase), never by its
position, so cut, reordered, re-indented or garbled pastes still yield what can be read. The machine keeps one
output open at a time and starts the next when a line can only belong to a new one (a second banner, a second
header, a `Server:` block after answers, a yaml `- type: MESSAGE`). Nothing here raises on any input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.core.paste import fields, json_form
from bot.core.paste import patterns as P
from bot.core.paste.dig_lines import SEMI_HANDLERS, DigLines
from bot.core.paste.model import Paste
from bot.core.paste.plain_lines import PlainLines

MAX_CHARS = 40_000
"""Slack's limit for one message: the reader reads at most this much of a paste."""


class Reader(DigLines, PlainLines):
    """The whole state machine: `feed` it lines, then `finish()`."""

    def feed_lines(self, lines: Iterable[str]) -> None:
        """Read `lines` in order: each is sent to its family, `;` lines (`DigLines`) or the others (`PlainLines`).

        A paste has thousands of lines and most are short, so the loop is where the per-line cost is: the methods
        are bound once, and a `;` line outside a delv relay goes from here straight to its label's handler (the
        dispatch `DigLines.semicolon` does inside one)."""
        semicolon, plain, option, other = self.semicolon, self.plain, self.option, self.semicolon_other
        handlers = SEMI_HANDLERS
        zone_line = P.ZONE_LINE.match
        record_of = fields.record
        semicolons = False  # a `;` line makes the paste no bare +short answer (`loose_ok`), set once at the end
        # Whether a +multiline record is open (`self.multi`): only `plain` opens one (`Machine.record_line`), and
        # only a line read into it can end it, so it is looked at again only after those.
        multi = self.multi is not None
        question = self.question
        for line in lines:
            if multi:
                self.multiline(line)
                multi = self.multi is not None
                continue
            stripped = line.strip()
            if not stripped:
                continue
            first = stripped[0]
            if first == ";":
                semicolons = True
                if self.relay:
                    semicolon(stripped)
                    continue
                body = stripped.lstrip(";").lstrip()
                cur = self.cur
                if cur is not None and cur.section == "question" and not body.endswith("SECTION:"):
                    if question(stripped, cur):  # as `DigLines.semicolon` reads a pending question
                        continue
                word, _, rest = body.partition(" ")
                handler = handlers.get(word)
                if handler is not None and handler(self, body, rest, stripped):
                    continue
                if word.startswith("OPT=") and option(body):
                    continue
                other(stripped, body, stripped[1:2] != ";")
            elif (first == "$" or first == "@") and zone_line(stripped):
                self.zone_file = True
                self.loose_ok = False
            else:
                cur = self.cur
                if cur is not None and cur.form == "full" and not cur.finished and first != "r" and first != "-":
                    # A record of an ordinary output, what most other lines are: what `plain` and
                    # `Machine.record_line` would do with it (no +yaml, drill -S or `response_message_data:` line
                    # to tell apart), without their calls. Outside a records section it must not read as prose (a
                    # TTL, a class or an FQDN). Anything else (and +multiline rdata) is theirs.
                    record = record_of(stripped)
                    if record is not None and "(" not in record.data:
                        section = cur.section
                        if (
                            section in _RECORD_SECTIONS
                            or record.ttl is not None
                            or record.rclass is not None
                            or record.name.endswith(".")
                        ):
                            if section == "authority":
                                cur.authority.append(record)
                            elif section == "additional":
                                cur.additional.append(record)
                            else:
                                cur.answer.append(record)
                            semicolons = True  # a record too makes the paste no bare +short answer
                            continue
                plain(stripped, line)
                multi = self.multi is not None
        if semicolons:
            self.loose_ok = False


_RECORD_SECTIONS = frozenset({"answer", "authority", "additional"})

_LINK = re.compile(r"<((?:https?|mailto):[^<>|\s]*)(?:\|([^<>]*))?>")
_LINK_START = re.compile(r"<(?:https?|mailto):")  # what every _LINK starts with: one search, not two `in` scans


def _normalise(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # every character SMART maps is outside ASCII; `translate` costs ~15 ns a character
        text = text.translate(P.SMART)
    # Each check below scans the whole text; a one-character `in` first (a memchr, many times faster than a
    # substring search) skips those that cannot apply, as for most pastes.
    if "&" in text and ("-&gt;&gt;HEADER" in text or "&lt;&lt;&gt;&gt; DiG" in text) and "->>HEADER" not in text:
        # Slack's escaping, when the caller did not undo it.
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if _LINK_START.search(text) is not None:
        # Slack's auto-links (`<http://example.com|example.com>`), when the caller did not undo them.
        text = _LINK.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(1), text)
    return text


_QUOTED = re.compile(r"^(?:&gt;|>) ?", re.MULTILINE)
_QUOTE_START = re.compile("\n>")  # a third cheaper than `"\n>" in text` on dig output (a newline a line)


def _clean(text: str) -> str:
    """The text without Slack's code fences and quote marks (done on the whole text: C speed, not per line)."""
    if "`" in text and "```" in text:
        text = text.replace("```", "\n")
    if text.startswith(">") or _QUOTE_START.search(text) is not None:
        text = _QUOTED.sub("", text)
    return text


def from_text(text: str, *, limit: int = MAX_CHARS) -> Paste:
    """Read every tool output in `text`. Never raises; at most `limit` characters are read (`Paste.truncated`)."""
    size = len(text)
    truncated = size > limit
    if truncated:
        cut = text.rfind("\n", 0, limit)
        text = text[: cut if cut > limit // 2 else limit]
    reader = Reader()
    text = _clean(_normalise(text))
    if "{" not in text and "[" not in text:
        # No JSON message can be in it (each starts with a line of its own that opens one): the text is one piece.
        reader.feed_lines(text.split("\n"))
        return _new(Paste, (reader.finish(), truncated, size, limit))
    pieces, _ = json_form.split(text)  # without JSON messages, one piece: the whole text
    for piece, outputs in pieces:
        # kdig +json: the messages are read whole; the lines around them (its `;; WARNING:` lines) as text.
        reader.feed_lines(piece.split("\n"))
        if outputs is None:  # kdig's empty object: the failure in the lines above is a query of its own
            reader.flush()
        elif outputs:
            pending = reader.cur
            if pending is not None and not pending.has_header and not pending.answer and pending.tool in ("kdig", "unknown"):
                # Its `;; ERROR: server replied with error 'NOTAUTH'` lines belong to the response printed next.
                reader.cur = None
            reader.flush()
            reader.outputs.extend(outputs)
    return _new(Paste, (reader.finish(), truncated, size, limit))


_new = tuple.__new__  # a NamedTuple from its fields in order: half the cost of calling it
