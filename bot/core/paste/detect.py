"""The gate every Slack channel message goes through: does this text hold pasted DNS tool output?

It has to be cheap, because it runs on every message in every channel the bot is in, and it must never fire on
ordinary talk about DNS ("servfail on staging again?", a curl error, a ping, a stack trace).

Speed comes from how Python's `re` searches: a pattern that starts with one literal character is scanned for
that character at C speed, while an alternation of different first characters is tested position by position
(about ten times slower). So almost every marker is put behind a literal `;`: dig, kdig, drill and delv print
their structure on `;` lines, and Slack's escaping (`&gt;`, `&lt;`) brings its own `;`. The few forms without a
`;` (host, nslookup, dig +yaml) are each behind a substring test (`in`, memchr speed) that ordinary chat almost
never passes, so a normal message costs one regex search plus a few substring scans.
"""

from __future__ import annotations

import re

# Everything dig, kdig, drill and delv print on a `;` line that chat does not contain (Slack-escaped forms too).
_SEMI = re.compile(
    r";(?:;? ?(?:"
    r"->>HEADER|-&gt;&gt;HEADER|<<>? ?DiG |&lt;&lt;(?:&gt;)+ ?DiG "
    r"|(?:QUESTION|QUERY|ANSWER|AUTHORITY|ADDITIONAL|OPT PSEUDO|EDNS PSEUDO) ?SECTION:"
    r"|[Gg]ot answer:|[Ff]lags: [a-z ]*; ?(?:MBZ|QUERY)|Query time: \d|MSG SIZE|global options:"
    r"|EDE: [0-9]|EDNS: version|OPT=\d+: [0-9a-f]{2}"
    r"|connection timed out; |no servers could be reached|communications error to |Got bad packet"
    r"|(?:UDP setup|Connection) (?:with|to) \S+ for \S+ failed"
    r"|Truncated, retrying in TCP|Received \d+ (?:B$|bytes from )"
    r"|WARNING: response timeout for |ERROR: failed to query server"
    r"|resolution failed: |(?:negative response, )?(?:fully validated|unsigned answer|answer not validated)$"
    r"))",
    re.MULTILINE,
)

# Forms with no `;`: (substring every such output contains, pattern that confirms it is tool output).
_PLAIN: tuple[tuple[str, re.Pattern[str]], ...] = (
    # host: `example.com has address 192.0.2.1`, `… has IPv6 address 2001:db8::1` (the name may be Slack-linked).
    ("address ", re.compile(r"^\S+ has (?:IPv6 )?address [0-9A-Fa-f.:]+[ \t]*$", re.MULTILINE)),
    # nslookup and host's server block: `Address:\t127.0.0.1#53`; Windows nslookup: `Server:  UnKnown` + `Address:`.
    ("Address:", re.compile(r"^Address:[ \t]+\S+#\d+[ \t]*$|^Server:[ \t]+\S+[ \t]*\nAddress:[ \t]+\S+", re.MULTILINE)),
    # host: `Host nope.example not found: 3(NXDOMAIN)`.
    (" not found: ", re.compile(r"^Host \S+ not found: \d+\(\w+\)", re.MULTILINE)),
    # nslookup: `** server can't find x: NXDOMAIN`, Windows `*** UnKnown can't find x: Non-existent domain`.
    ("t find ", re.compile(r"^\*\*\*? \S+(?: \S+)? can.t find \S+:", re.MULTILINE)),
    # host -t MX: `example.com mail is handled by 10 mx.example.com.`
    ("handled by ", re.compile(r"^\S+ mail is handled by \d+ \S+[ \t]*$", re.MULTILINE)),
    # host -t AAAA on a name without one: `www.example has no AAAA record`.
    ("has no ", re.compile(r"^\S+ has no [A-Z][A-Z0-9]* record[ \t]*$", re.MULTILINE)),
    # dig +yaml.
    ("message_data:", re.compile(r"^\s*response_message_data:", re.MULTILINE)),
)


def looks_like_dig(text: str) -> bool:
    """True when the text (as Slack sends it, or as typed) holds output of dig, kdig, drill, delv, host or nslookup.

    A bare `+short` answer (a list of addresses) is not detected: it cannot be told apart from chat. The reader
    still reads it when asked directly (`rcodebot explain`).
    """
    if _SEMI.search(text) is not None:
        return True
    for needle, pattern in _PLAIN:
        if needle in text and pattern.search(text) is not None:
            return True
    return False
