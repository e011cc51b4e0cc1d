"""The gate every Slack channel message goes through: does this text hold pasted DNS tool output?

It runs on every message in every channel the bot is in, so an ordinary message must cost about as little as one
regex search (benchmarks/bench_digtext.py measures it against one), and it must never fire on ordinary talk about
DNS ("servfail on staging again?", a curl error, a ping, a trace).

What it recognises (tests/core/paste/test_digtext_detect.py states the same thing again as a plain loop over the lines and
checks that the gate agrees with it):
1. anywhere, a `;` marker of dig, kdig, drill or delv (`;; ->>HEADER<<-`, `; EDE: 9`, `;; connection timed out`),
   as typed or as Slack escapes it;
2. a line that is one of host's answers (`x has address …`, `x has no AAAA record`, `x has MX record …`);
3. in a message of several lines, a line that is a bare record (`name TTL IN TYPE data`: dig +noall +answer, delv);
4. on any line but the first, a fixed line start: nslookup's `Server:`/`Address:` block and its failures, host's
   server block and NXDOMAIN line, dig +yaml's keys;
5. a message that begins with host's or nslookup's one-line failure, or with dig +yaml's first line;
6. in a message of several lines, kdig +json's header counts (`"QDCOUNT": 1,`), looked for only when it holds `{`.
A line may carry a Slack code fence (```) or a quote (`&gt; ` as Slack sends it, `> ` as typed) first; answers and
records may also be indented. Lines may end in `\r\n` (Windows) or `\r`: such a message is read again with `\n`.
Form 1 includes dig's own retries (`;; BADVERS, retrying`, `;; Got SERVFAIL reply from …`) and the update tools'
`; Communication with … failed:` and `;; ERROR: update failed with error '…'`; forms 4 and 5 include drill's
`Error: error sending query:` and nsupdate's `update failed: NOTAUTH`.
Never form 3: the records of a zone file (a `$TTL`/`$ORIGIN` line or an `@` owner anywhere, see ZONE_FILE), which
are not tool output.

What things cost (CPython 3.11, per message; measured with the benchmark's chat sample, but they follow from the
shape of text, not from its words):
- calling the gate costs about 40 ns, and a one-character `c in text` is a memchr: about 20 ns on any message.
- a regex call costs 70-90 ns before it reads a character; a pattern that starts with a literal then scans at about
  0.3 ns per character and enters its matcher only where that literal occurs. Each entry costs, and a branch that
  cannot be rejected on its first character costs more.
- a multi-character `in` (` has `) scans at about 0.5 ns per character.
So the order:
1. `;` first: every marker of form 1 holds one, and ordinary text without `<`, `>`, `&` or `;` holds none (Slack's
   entities `&lt;` `&gt;` `&amp;` bring their own `;`, so chat with one of those pays one `;`-led scan).
2. `\n` next (a memchr): one line and several lines have different shapes.
3. One line: only forms 2 and 5 fill a one-line message, and both start where the message starts. Host's answers
   hold ` has ` (one short scan, with the anchored match only behind it); the one-line failures and their fence
   start with `H`, `*` or a backtick, so one character decides whether their anchored match runs at all.
4. Several lines: forms 2 to 5 are all decided where a line starts, so one search led by `\n` visits every line once.
   At each line the fixed starts (form 4) and the quote prefixes are rejected on their first character; then the
   first word is skipped with a one-character loop (`[^ \n]`, which stops at the end of the line) to see whether what host's
   answers and bare records put second follows (`has `, or a TTL and `IN`). That loop stops only at a space, so tabs
   (which tool output has and typed chat rarely does) are turned into spaces first, and every candidate it finds is
   confirmed on the original line with the exact pattern. The first line gets a newline in front so that it is
   visited too, and a fixed start found there counts only as form 5.

Where the floor is: the baseline is one regex call over the message that never enters its matcher. The gate adds
its own call and two memchrs to every message (more than half a baseline search on a one-line message), a one-line
message also pays the ` has ` scan (about half), a `;` (one entity will do) adds a `;`-led scan as long as the
baseline itself, and several lines add the line search, which must enter the matcher on every line because a name
can start with any character: even with nothing else to do there, that is about twice the baseline. Weighted as the
benchmark's sample is, these unavoidable parts alone come to a little over 2x; measured, the gate is about 1.8x on
one-line chat, 3x with a `;`, 5-6x on several lines and 3.5x overall.
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
    r"|Chasing: \S+ [A-Z]|Chase successful|Chase failed|BADVERS, retrying|BADCOOKIE, retrying"
    r"|Got [A-Z]+ reply from \S+|ERROR: update failed with error '"
)
_AFTER_ONE = (
    r"<<>> DiG \d|<<> DiG \d|&lt;&lt;&gt;&gt; DiG \d|EDE: \d+(?: \(|: \(|$)|EDNS: version: \d|OPT=\d+: [0-9a-f]{2} "
    r"|negative response, |fully validated$|unsigned answer$|answer not validated$|Communication with \S+#\d+ failed: "
)
_SEMI = re.compile(
    r";(?<![A-Za-z0-9];)(?:;(?: (?:" + _AFTER_TWO + r")|" + _AFTER_TWO + r")| (?:" + _AFTER_ONE + r")|" + _AFTER_ONE + r")",
    re.MULTILINE,
)

# Form 4, the fixed line starts (after the newline and an optional quote prefix). Each alternative starts with a
# plain character, so a line of chat costs one quick attempt.
_STARTS = (
    r"Host \S+ not found: \d+\(\w+\)|Address:[ \t]+\S+#\d+[ \t]*$|Server:[ \t]+\S+[ \t]*\nAddress:[ \t]+\S"
    r"|\*\* server can.t find \S+:|\*\*\* \S+ can.t find \S+:|response_message_data:| \s*response_message_data:|- type: (?:MESSAGE|DIG_ERROR)[ \t]*$"
    r"|Error: error sending query: |update failed: [A-Z]{4,}[ \t]*(?:```)?$"
)
_QUOTES = ("```", "&gt; ", "> ")
_START_AT = re.compile(r"\n(?:```|&gt; |> )?(?:" + _STARTS + ")", re.MULTILINE)

# Form 5: host's one-line failure, and nslookup's (a reverse lookup of an unknown address prints only
# `** server can't find 1.2.0.192.in-addr.arpa: NXDOMAIN`), each alone or with more lines after it, and dig +yaml's
# first line (a failure, `- type: DIG_ERROR`, holds none of the later keys).
_HOST_FAILED = r"Host \S+ not found: \d+\(\w+\)"
_NSL_FAILED = r"\*\* server can.t find \S+: [A-Z]{4,}\b"
_FIRST_FAILURE = re.compile(
    r"(?:```|&gt; |> )?(?:"
    + _HOST_FAILED
    + "|"
    + _NSL_FAILED
    + r"|- type: (?:DIG_ERROR|MESSAGE)[ \t]*\n|Error: error sending query: |update failed: [A-Z]{4,}[ \t]*(?:```)?(?![^\n]))"
)
_FIRST_CHARS = "H*`>&Eu"  # what a message that is form 5 can start with (a quote or fence first, or the failure)

# A zone file or a zone's snippet in master-file syntax ($TTL, $ORIGIN, `@` as an owner): its records are not what a
# tool printed. No tool prints a `$` directive or an `@` owner.
ZONE_FILE = re.compile(
    r"^(?:```|&gt; |> )?[ \t]*(?:\$(?:TTL|ORIGIN|INCLUDE|GENERATE)[ \t]|@[ \t]+(?:\d\w*[ \t]+)?(?:(?:IN|CH|HS)[ \t]+)?[A-Z])",
    re.MULTILINE,
)

# Forms 2 and 3: the name comes first (after a quote prefix and indentation), then host's ` has …` or a record's
# TTL, class and type; the whole line must be that (so "the zone has DS record issues" in chat is not).
_LEAD = r"(?:```|&gt; |> )?[ \t]*"
_NAME = r"[^\s;*>&`]\S*"
_HOST_ANSWER = r" has (?:(?:IPv6 )?address [0-9A-Fa-f.:]+|no [A-Z][A-Z0-9]* record|[A-Z][A-Z0-9]+ record \S.*)[ \t]*(?:```)?"
_RECORD = r"[ \t]+\d+[ \t]+IN[ \t]+(?P<type>[A-Z][A-Z0-9-]*)[ \t]+\S.*"
_HOST_LINE = re.compile(_LEAD + _NAME + _HOST_ANSWER)
_ANSWER_AT = re.compile(r"\n" + _LEAD + _NAME + "(?:" + _HOST_ANSWER + "|" + _RECORD + ")$", re.MULTILINE)

# The candidates for forms 2 to 5 in a message of several lines, looked for in a copy whose tabs are spaces: a fixed
# start, or a first word followed by `has ` or by a TTL and `IN`. An empty group at the end of the latter tells the
# two kinds apart (`lastgroup`); each candidate is then confirmed on the original line.
# The first word is skipped by `[^ \n]*+` (possessive: it never gives back), so the skip stops at the end of its
# line: each character of the message is read once by it, however long a line or a run of empty lines is. (A skip
# that ran on past the end of the line, `[^ ]`, re-read up to its bound from every newline: 33 ms for a 40,000-
# character message of empty lines.)
_FIRST_WORD = r" *+[^ \n]*+"
_SECOND_WORD = r" (?:has |\d\d*+ ++IN |  *+\d\d*+ ++IN )"


def _candidates(word: str) -> re.Pattern[str]:
    """The candidate search: after the newline, a fixed start or `word`, each also behind any quote prefix (as
    separate alternatives, each rejected on its first character: an optional group would cost on every line)."""
    quoted = "".join(f"|{re.escape(quote)}(?:{_STARTS}|{word}(?P<answer{n}>))" for n, quote in enumerate(_QUOTES, 1))
    return re.compile(r"\n(?:" + _STARTS + quoted + f"|{word}(?P<answer0>))", re.MULTILINE)


_CANDIDATE = _candidates(_FIRST_WORD + _SECOND_WORD)


_JSON = re.compile(r'"(?:QDCOUNT|ANCOUNT|RCODE)":\s*\d+,(?:\s|>|&gt;)*"')  # also when each line is quoted


def _answer_at(lines: str, at: int) -> bool:
    """Whether the line after the newline at `at` is one of host's answers or a bare record of a known type (a record
    in a zone file is not: see ZONE_FILE)."""
    match = _ANSWER_AT.match(lines, at)
    if match is None:
        return False
    if match["type"] is None:
        return True
    return is_rdtype(match["type"]) and not (("$" in lines or "@" in lines) and ZONE_FILE.search(lines) is not None)


def _lines(text: str) -> bool:
    """Forms 2 to 5 in a message of several lines: one `\\n`-led search over every line, each candidate confirmed."""
    lines = "\n" + text
    spaced = lines.replace("\t", " ") if "\t" in text else lines
    search = _CANDIDATE.search
    candidate = search(spaced)
    while candidate is not None:
        at = candidate.start()
        # On the first line a fixed start counts only as form 5. In the copy a tab may have become the space that
        # made a fixed start, so it is confirmed too; and any candidate line may be an answer.
        if candidate.lastgroup is None:
            fixed = _FIRST_FAILURE.match(text) if at == 0 else _START_AT.match(lines, at)
            if fixed is not None:
                return True
        if _answer_at(lines, at):
            return True
        candidate = search(spaced, at + 1)
    # kdig +json (RFC 8427 names): the header counts are always printed; `{` is a memchr that prose rarely passes.
    return "{" in text and _JSON.search(text) is not None


def _gate() -> Callable[[str], bool]:
    """Build the gate with its patterns bound in a closure: on a one-line message, name lookups are a real share
    of the cost, and a closure variable is the cheapest to reach."""
    semi, host_line, first_failure, lines = _SEMI.search, _HOST_LINE.fullmatch, _FIRST_FAILURE.match, _lines
    first_chars = _FIRST_CHARS

    def looks_like_dig(text: str) -> bool:
        """True when the text (as Slack sends it, or as typed) holds output of dig, kdig, drill, delv, host or nslookup.

        A bare `+short` answer (a list of addresses) is not detected: it cannot be told apart from chat. The reader
        still reads it when asked directly (`rcodebot explain`).
        """
        if ";" in text and semi(text) is not None:
            return True
        if "\n" in text:
            if "\r" in text:
                # Windows line endings (nslookup's output saved on Windows): the patterns read `\n`-ended lines.
                return looks_like_dig(text.replace("\r\n", "\n").replace("\r", "\n"))
            return lines(text)
        if " has " in text and host_line(text) is not None:
            return True
        # `text[0] in` is an index and a memchr on three characters; the anchored match behind it runs only for a
        # message that starts like host's or nslookup's failure (or a fence), and fails on its first characters.
        if text and text[0] in first_chars and first_failure(text) is not None:
            return True
        # `\r` alone ends lines too (as the reader reads them); it costs one memchr, paid here, last.
        return "\r" in text and looks_like_dig(text.replace("\r", "\n"))

    return looks_like_dig


looks_like_dig = _gate()
