"""The gate every Slack channel message goes through: does this text hold pasted DNS tool output?

It runs on every message in every channel the bot is in, so an ordinary message must cost only a few regex searches
(benchmarks/bench_digtext.py measures it against one), and it must never fire on ordinary talk about DNS ("servfail
on staging again?", a curl error, a ping, a trace).

What makes a regex search expensive in Python is not the scan (a pattern that begins with a literal is skipped
along in a tight C loop) but entering the matcher: the first attempt of a call allocates its backtracking stack
(about 1 KB), and an alternation, an optional group or a `^` cost more on every attempt. So each check here is
guarded by a substring test that ordinary chat rarely passes (a one-character `in` is a memchr; a longer one, such
as ` has `, costs about as much as a literal regex search, so there is only one), and each regex begins with a
literal:
1. dig, kdig, drill and delv print their structure on `;` lines (Slack's escapes `&gt;` bring their own `;`).
2. nslookup, host's server block, host's NXDOMAIN line and dig +yaml start lines with fixed words. Of these only
   host's and nslookup's one-line failures come as a one-line message, and they start it (`Host …`, `** …`, or a
   fence): indexing the first character and a memchr on three characters decide whether their anchored match runs.
3. host's answers (`x has address …`, `x has no AAAA record`) all hold `has `.
4. `dig +noall +answer` and delv print bare records: `TTL IN TYPE`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.paste.fields import is_rdtype

# Everything dig, kdig, drill and delv print after a `;` that chat does not hold (Slack-escaped forms too); the `;`
# does not follow a letter or digit (that is an entity such as `&lt;`, or prose). Every
# alternative starts with a plain character, so `re` skips a non-matching one by its first character: a `;` in
# chat (`&gt;` is Slack's `>`) costs one quick attempt.
_AFTER_TWO = (
    r"->>HEADER<<-|-&gt;&gt;HEADER&lt;&lt;-|QUESTION SECTION:|QUERY SECTION:|ANSWER SECTION:|AUTHORITY SECTION:"
    r"|ADDITIONAL SECTION:|OPT PSEUDOSECTION:|EDNS PSEUDOSECTION:|Got answer:|got answer:|Got bad packet"
    r"|flags: [a-z ]*; ?(?:MBZ|QUERY)|Flags: [a-z ]*; QUERY|Query time: \d|MSG SIZE|global options:|EDE: \d|EDNS: version \d"
    r"|connection timed out; no servers|no servers could be reached|communications error to \S+#\d"
    r"|UDP setup with \S+ for \S+ failed|Truncated, retrying in TCP|Received \d+ (?:B$|bytes from \S+#\d)"
    r"|WARNING: response timeout for |ERROR: failed to query server|resolution failed: "
    r"|Chasing: \S+ [A-Z]|Chase successful|Chase failed"
)
_AFTER_ONE = (
    r"<<>> DiG \d|<<> DiG \d|&lt;&lt;&gt;&gt; DiG \d|EDE: \d+(?: \(|: \(|$)|EDNS: version: \d|OPT=\d+: [0-9a-f]{2} "
    r"|negative response, |fully validated$|unsigned answer$|answer not validated$"
)
_SEMI = re.compile(
    r";(?<![A-Za-z0-9];)(?:;(?: (?:" + _AFTER_TWO + r")|" + _AFTER_TWO + r")| (?:" + _AFTER_ONE + r")|" + _AFTER_ONE + r")",
    re.MULTILINE,
)

# Lines that start with fixed words (after a newline; a one-line message can only be host's NXDOMAIN line). Each
# alternative starts with a plain character, so a line of chat costs one quick attempt.
_STARTS = (
    r"Host \S+ not found: \d+\(\w+\)|Address:[ \t]+\S+#\d+[ \t]*$|Server:[ \t]+\S+[ \t]*\nAddress:[ \t]+\S"
    r"|\*\* server can.t find \S+:|\*\*\* \S+ can.t find \S+:|response_message_data:| \s*response_message_data:|- type: (?:MESSAGE|DIG_ERROR)[ \t]*$"
)
_LINES = re.compile(
    r"\n(?:" + _STARTS + r"|```(?:" + _STARTS + r")|&gt; (?:" + _STARTS + r")|> (?:" + _STARTS + r"))", re.MULTILINE
)
# host's one-line failure, and nslookup's (a reverse lookup of an unknown address prints only
# `** server can't find 1.2.0.192.in-addr.arpa: NXDOMAIN`): each alone, and with dig +yaml's first line for a message
# of several lines.
_HOST_FAILED = r"Host \S+ not found: \d+\(\w+\)"
_NSL_FAILED = r"\*\* server can.t find \S+: [A-Z]{4,}\b"
_FIRST_FAILURE = re.compile(r"(?:```)?(?:" + _HOST_FAILED + "|" + _NSL_FAILED + r"|- type: (?:DIG_ERROR|MESSAGE)[ \t]*\n)")

# host's answers hold `has ` (`x has address 192.0.2.1`, `x has no AAAA record`, `x has SOA record …`) and bare
# records hold `TTL IN TYPE`: cheap literal searches find candidates, and the candidate's whole line must then be
# exactly that form (so "the zone has DS record issues" in chat is not).
_HAS = re.compile(
    r"has (?:(?:IPv6 )?address [0-9A-Fa-f.:]+[ \t]*(?:$|```)|no [A-Z][A-Z0-9]* record|[A-Z][A-Z0-9]+ record \S)",
    re.MULTILINE,
)
_IN = re.compile(r"IN[ \t](?<=[0-9][ \t]IN[ \t])[ \t]*[A-Z]")
_FENCE = r"(?:```|&gt; |> )?[ \t]*"
_HOST_LINE = re.compile(
    _FENCE
    + r"[^\s;*>&`]\S* has (?:(?:IPv6 )?address [0-9A-Fa-f.:]+|no [A-Z][A-Z0-9]* record|[A-Z][A-Z0-9]+ record \S.*)[ \t]*(?:```)?"
)
_RECORD_LINE = re.compile(_FENCE + r"[^\s;*>&`]\S*[ \t]+\d+[ \t]+IN[ \t]+(?P<type>[A-Z][A-Z0-9-]*)[ \t]+\S.*")
_MAX_CANDIDATES = 20


def _line_at(text: str, start: int, end: int) -> str:
    return text[text.rfind("\n", 0, start) + 1 : (text.find("\n", end) + 1 or len(text) + 1) - 1]


def _host_line(text: str) -> bool:
    for count, match in enumerate(_HAS.finditer(text)):
        if count >= _MAX_CANDIDATES:
            return False
        if _HOST_LINE.fullmatch(_line_at(text, match.start(), match.end())):
            return True
    return False


def _record_line(text: str) -> bool:
    for count, match in enumerate(_IN.finditer(text)):
        if count >= _MAX_CANDIDATES:
            return False
        line = _RECORD_LINE.fullmatch(_line_at(text, match.start(), match.end()))
        if line is not None and is_rdtype(line.group("type")):
            return True
    return False


def _lines(text: str) -> bool:
    """A message of several lines: nslookup/host/+yaml line starts, host answers, bare records."""
    if _LINES.search(text) is not None:
        return True
    if _HAS.search(text) is not None and _host_line(text):
        return True
    if _IN.search(text) is not None and _record_line(text):
        return True
    # The first line has no newline before it: host's and nslookup's one-line failures followed by more text, and
    # dig +yaml's first line (a failure, `- type: DIG_ERROR`, holds none of the later markers).
    return text[0] in "H*`-" and _FIRST_FAILURE.match(text) is not None


def _gate() -> Callable[[str], bool]:
    """Build the gate with its patterns bound in a closure: on a one-line message, name lookups are a real share
    of the cost, and a closure variable is the cheapest to reach."""
    semi, host_line, first_failure, lines = _SEMI.search, _HOST_LINE.fullmatch, _FIRST_FAILURE.match, _lines

    def looks_like_dig(text: str) -> bool:
        """True when the text (as Slack sends it, or as typed) holds output of dig, kdig, drill, delv, host or nslookup.

        A bare `+short` answer (a list of addresses) is not detected: it cannot be told apart from chat. The reader
        still reads it when asked directly (`rcodebot explain`).
        """
        if ";" in text and semi(text) is not None:
            return True
        if "\n" in text:
            return lines(text)
        # One line without a `;`: host's one-line answers fill the whole message.
        if " has " in text and host_line(text) is not None:
            return True
        # host's and nslookup's one-line failures start the message with `H`, `*` or a fence: `text[0] in` is an index
        # and a memchr on three characters, where `(`/`*` memchrs plus a tuple `startswith` cost twice as much and
        # let every chat line with a `(` through; the anchored match behind it fails on its first characters.
        if text and text[0] in "H*`":
            return first_failure(text) is not None
        return False

    return looks_like_dig


looks_like_dig = _gate()
