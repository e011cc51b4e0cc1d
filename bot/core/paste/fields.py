"""Small readers for the pieces of a line: records, EDE options, TTLs, RCODE names, tool command lines.

Each one takes the text after a label and returns a value or None; none of them raises, because they run on
whatever a person pasted.
"""

from __future__ import annotations

import re
from functools import lru_cache

import dns.rcode
import dns.rdatatype

from bot.core.paste.model import Ede, Record, Tool

_CLASSES = frozenset({"IN", "CH", "CHAOS", "HS", "HESIOD", "CS", "NONE", "ANY"})

# `name [ttl] [class] type [rdata]`; the type is checked against dnspython's table afterwards.
_RECORD = re.compile(
    # No two adjacent quantifiers may match the same characters (`\d+[0-9…]*`, `.*?[ \t]*$` did): on a long run of
    # digits or spaces that made matching quadratic, seconds of CPU for one 40,000-character message.
    r"^(?P<name>\S+)[ \t]+(?:(?P<ttl>\d[0-9smhdwSMHDW]*)[ \t]+)?(?:(?P<cls>IN|CH|CHAOS|HS|HESIOD|CS|NONE|ANY|CLASS\d+)[ \t]+)?"
    r"(?P<type>[A-Z][A-Z0-9-]*|TYPE\d+)(?:[ \t]+(?P<data>\S(?:.*\S)?))?[ \t]*$"
)
# The layout every tool prints a record in (`name TTL IN TYPE data`, the TTL in ASCII digits): where it matches the
# whole line, _RECORD reads the same five groups from it (its first try succeeds, with every optional part present),
# and it is 40% cheaper to run, so it is tried first.
_RECORD_COMMON = re.compile(r"(\S+)[ \t]+([0-9]+)[ \t]+(IN)[ \t]+([A-Z][A-Z0-9-]*)[ \t]+(\S(?:.*\S)?)")
_TTL_PART = re.compile(r"(\d+)([smhdwSMHDW]?)")
_TTL_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_HEX_BYTES = re.compile(r"^(?P<hex>[0-9a-fA-F]{2}(?:[ \t]+[0-9a-fA-F]{2})*)(?:[ \t]*\((?P<text>.*)\))?[ \t]*$")
_EDE = re.compile(r"^(?P<code>\d+)(?:[ \t]*\((?P<purpose>[^)]*)\))?[ \t]*(?::[ \t]*(?P<extra>.*?))?[ \t]*$")
_TRAILING_QUOTED = re.compile(r'"([^"]*)"\s*$')
_EDE_FAST = re.compile(r"\d+(?: \(|:|$)")
_RCODE_NAMES = {name: int(value) for name, value in dns.rcode.Rcode.__members__.items()}
_RESERVED = re.compile(r"^(?:RESERVED|RCODE)(\d{1,5})$", re.IGNORECASE)


@lru_cache(maxsize=512)
def is_rdtype(word: str) -> bool:
    """Whether dnspython knows `word` as a record type mnemonic (`A`, `HTTPS`, `TYPE65`); cached, as it is hot."""
    try:
        dns.rdatatype.from_text(word)
    except (dns.rdatatype.UnknownRdatatype, ValueError):
        return False
    return True


#: The longest decimal number a DNS tool prints (a 64-bit counter has 20 digits). A longer run of digits is not a
#: number any tool wrote (and Python's int() refuses more than 4,300 digits with a ValueError): it reads as absent.
MAX_DIGITS = 20


def decimal(text: str | None, *, limit: int | None = None) -> int | None:
    """An unsigned decimal field (`1232`, `65535`); None when it is not one (ASCII digits only: `²` is a digit to
    str.isdigit but not to int), is longer than MAX_DIGITS, or exceeds `limit`. Every number read from a paste goes
    through here, so no field can raise, whatever the paste holds."""
    if text is None or len(text) > MAX_DIGITS or not text.isdigit() or not text.isascii():  # "" is no digit
        return None
    value = int(text)
    return value if limit is None or value <= limit else None


def ttl_seconds(text: str | None) -> int | None:
    """A TTL as dig prints it: `300`, or BIND units as DiG 8 and `+ttlunits` print them (`5M`, `1h30m`)."""
    if not text:
        return None
    if text.isdigit():
        return decimal(text)
    total, pos = 0, 0
    for match in _TTL_PART.finditer(text):
        part = decimal(match.group(1))
        if match.start() != pos or part is None:
            return None
        total += part * _TTL_UNITS[match.group(2).lower()]
        pos = match.end()
    return total if pos == len(text) else None


def record(line: str) -> Record | None:
    """One resource record line, or None when the line is not one (prose, a comment, a half line).

    The hottest reader of a paste (most lines are records): one `groups()` call instead of one `group` per field,
    and a plain decimal TTL (what every tool prints unless asked for units) read without `ttl_seconds`."""
    match = _RECORD_COMMON.fullmatch(line)
    if match is not None:
        name, ttl_text, rclass, rtype, data = match.groups()
        if rtype in _COMMON_TYPES and len(ttl_text) <= MAX_DIGITS:
            # What the checks below conclude for this layout (its TTL is ASCII digits), in two look-ups.
            return _new_record(Record, (name, rtype, data, int(ttl_text), rclass))
    else:
        match = _RECORD.match(line)
        if match is None:
            return None
        name, ttl_text, rclass, rtype, data = match.groups()
    if rtype in _CLASSES or not is_rdtype(rtype):
        return None
    if ttl_text is None:
        ttl = None
    elif len(ttl_text) <= MAX_DIGITS and ttl_text.isascii() and ttl_text.isdigit():
        ttl = int(ttl_text)  # what `decimal` would return
    else:
        ttl = ttl_seconds(ttl_text)
        if ttl is None:
            return None
    return _new_record(Record, (name, rtype, data or "", ttl, rclass))  # half the cost of `Record(…)`


_new_record = tuple.__new__
_COMMON_TYPES = frozenset(name for name in dns.rdatatype.RdataType.__members__ if is_rdtype(name)) - _CLASSES
"""Record types `is_rdtype` knows by name and that are no class (`ANY` and `NONE` are both)."""


def open_parens(text: str) -> int:
    """How many `(` stay open in +multiline rdata (quotes and `;` comments ignored)."""
    if "(" not in text and ")" not in text:
        return 0
    depth, quoted, escaped = 0, False, False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == ";":
            break
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
    return depth


def strip_comment(text: str) -> str:
    """Drop a `; comment` from a +multiline rdata line (outside quotes)."""
    quoted, escaped = False, False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return text[:i].rstrip()
    return text.rstrip()


def join_multiline(parts: list[str]) -> str:
    """+multiline rdata `( … )` spread over lines -> one line, as dig prints it without +multi."""
    words = " ".join(strip_comment(p) for p in parts).replace("(", " ").replace(")", " ").split()
    return " ".join(words)


def failed_transfer(qtype: str | None, status: str | None) -> bool:
    """Whether a response is a zone transfer the server refused or failed: an AXFR/IXFR whose status is an error."""
    return qtype in ("AXFR", "IXFR") and status not in (None, "NOERROR")


def rcode_number(status: str) -> int | None:
    """The RCODE number a status name stands for, when the text or dnspython's table says it.

    Tool-specific spellings (`NOTIMPL`) are left to the knowledge file (`Knowledge.rcode_named`).
    """
    known = _RCODE_NAMES.get(status)
    if known is None:
        known = _RCODE_NAMES.get(status.upper())
    if known is not None:
        return known  # what dnspython's `from_text` returns first, without its exception machinery
    if status.isdigit():
        return decimal(status, limit=65535)
    reserved = _RESERVED.match(status)
    if reserved:
        return decimal(reserved.group(1), limit=65535)
    try:
        return int(dns.rcode.from_text(status.upper()))
    except (dns.rcode.UnknownRcode, ValueError):
        return None


def _hex_to_bytes(hex_text: str) -> bytes:
    return bytes.fromhex("".join(hex_text.split()))


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _extra_text(extra: str) -> str | None:
    """EXTRA-TEXT as each tool prints it: dig `(text)`, kdig `'text'`, drill and old dig `hex… (text)`."""
    extra = extra.strip()
    if not extra:
        return None
    hexed = _HEX_BYTES.match(extra)
    if hexed is not None and hexed.group("text") is not None:
        return _unquote(hexed.group("text"))
    if hexed is not None:
        try:
            return _hex_to_bytes(hexed.group("hex")).decode("utf-8", "replace")
        except ValueError:
            return extra
    if extra.startswith("(") and extra.endswith(")"):
        return _unquote(extra[1:-1])
    return _unquote(extra)


def ede(rest: str) -> Ede | None:
    """The text after `EDE:` in any tool's spelling (see dns-reference §1.5); None when it is not an EDE at all."""
    rest = rest.strip()
    hexed = None if _EDE_FAST.match(rest) else _HEX_BYTES.match(rest)
    if hexed is not None and len(hexed.group("hex").split()) >= 2:
        # drill prints an option it cannot name as raw bytes: `00 1b` (code 27), maybe followed by text bytes.
        raw = _hex_to_bytes(hexed.group("hex"))
        text = _unquote(hexed.group("text")) if hexed.group("text") else (raw[2:].decode("utf-8", "replace") or None)
        return Ede(code=int.from_bytes(raw[:2], "big"), purpose=None, text=text)
    match = _EDE.match(rest)
    if match is None:
        if rest == "(malformed)" or rest.startswith("("):
            return Ede(code=None, purpose=None, text=_unquote(rest.strip("()")) or None)
        return None
    code_text, purpose = match.group("code"), match.group("purpose")
    if purpose is not None and purpose.startswith('"'):
        # dig's rendering of a 1-byte (malformed) option: `00 (".")`: the code cannot be read.
        return Ede(code=None, purpose=None, text=None)
    if purpose is not None and purpose.strip().lower() in ("unknown code", "unknown", ""):
        purpose = None
    code = decimal(code_text, limit=65535)
    if code is None:
        return None
    return Ede(code=code, purpose=purpose.strip() if purpose else None, text=_extra_text(match.group("extra") or ""))


def ede_from_option(data: str) -> Ede | None:
    """A dig that predates EDE prints option 15 raw: `00 09 6e 6f … ("..no SEP…")`."""
    hexed = _HEX_BYTES.match(data.strip())
    if hexed is None:
        return None
    return ede_from_bytes(_hex_to_bytes(hexed.group("hex")))


def ede_from_bytes(raw: bytes) -> Ede:
    """An EDE option's data (INFO-CODE, then EXTRA-TEXT): also kdig +json's raw OPT record. Too short: no code."""
    if len(raw) < 2:
        return Ede(code=None)
    text = raw[2:].decode("utf-8", "replace") if len(raw) > 2 else None
    return Ede(code=int.from_bytes(raw[:2], "big"), purpose=None, text=text or None)


def option_text(data: str) -> str:
    """NSID and similar options: the quoted text when the tool printed one, else the hex as printed."""
    data = data.strip()
    hexed = _HEX_BYTES.match(data)
    if hexed is not None and hexed.group("text") is not None:
        return _unquote(hexed.group("text"))
    quoted = _TRAILING_QUOTED.search(data)
    if quoted:
        return quoted.group(1)
    return data


# ------------------------------------------------------------------------------------------- command lines

_TOOL_NAMES: dict[str, Tool] = {
    "dig": "dig",
    "kdig": "kdig",
    "drill": "drill",
    "delv": "delv",
    "host": "host",
    "nslookup": "nslookup",
}
_WORDS = re.compile(r"'[^']*'|\"[^\"]*\"|\S+")
_PROMPT = re.compile(
    r"^(?:[\w.@~:/\\ -]*[$#%>]\s*|PS [^>]*>\s*)?(?:sudo\s+)?(?:\S*/)?(?P<tool>dig|kdig|drill|delv|host|nslookup)(?:\.exe)?(?P<args>(?:\s+.*)?)$"
)


class Command:
    """What a tool command line asked: server, name, type, class and the +options (used when the output omits them)."""

    __slots__ = ("options", "qclass", "qname", "qtype", "server", "tool")

    def __init__(self, tool: Tool) -> None:
        self.tool: Tool = tool
        self.server: str | None = None
        self.qname: str | None = None
        self.qtype: str | None = None
        self.qclass: str | None = None
        self.options: list[str] = []


def command_line(line: str) -> tuple[Tool, str] | None:
    """A pasted shell line that runs a DNS tool (`$ dig @1.1.1.1 example.com`): (tool, arguments)."""
    if len(line) > 400:
        return None
    match = _PROMPT.match(line.strip())
    if match is None:
        return None
    args = match.group("args").strip()
    tool = _TOOL_NAMES.get(match.group("tool"))
    if tool is None or (not args and tool != "nslookup"):
        return None
    return tool, args


def _reverse_name(address: str) -> str | None:
    parts = address.split(".")
    if len(parts) == 4 and all(decimal(p, limit=255) is not None for p in parts):
        return ".".join(reversed(parts)) + ".in-addr.arpa."
    return None


_ARGUMENT_FLAGS = frozenset({"-t", "-q", "-c", "-x", "-p", "-b", "-k", "-y", "-a", "-f", "-W", "-R", "-m", "-s"})
"""The options that take the next word as their value (it is not the name, type or class asked)."""


def parse_command(tool: Tool, args: str) -> Command:
    """Read the arguments of a dig-family command line the way the tool would (best effort, never raises)."""
    cmd = Command(tool)
    if "'" in args or '"' in args:
        words = [w.strip("'\"") for w in _WORDS.findall(args)]
    else:
        words = args.split()  # what _WORDS finds in a line without quotes: its runs of non-whitespace
    bare: list[str] = []
    count = len(words)
    i = 0
    while i < count:
        word = words[i]
        first = word[:1]  # one comparison per kind of word, not one `startswith` per branch
        if first == "@" and len(word) > 1:
            cmd.server = word[1:]
        elif first == "+":
            cmd.options.append(word.lower())
        elif first == "-":
            if tool == "nslookup" and "=" in word:
                key, _, value = word[1:].partition("=")
                if key.lower() in ("type", "query", "querytype", "q", "ty") and is_rdtype(value.upper()):
                    cmd.qtype = value.upper()
                elif key.lower() in ("class", "cl"):
                    cmd.qclass = value.upper()
            elif word in _ARGUMENT_FLAGS and i + 1 < count:
                nxt = words[i + 1]
                if word == "-t" and is_rdtype(nxt.upper()):
                    cmd.qtype = nxt.upper()
                elif word == "-q" and tool != "host":
                    cmd.qname = nxt
                elif word == "-c":
                    cmd.qclass = nxt.upper()
                elif word == "-x":
                    cmd.qname = _reverse_name(nxt) or nxt
                    cmd.qtype = cmd.qtype or "PTR"
                i += 1
            elif tool == "drill" and word == "-D":
                cmd.options.append("+dnssec")
            elif tool == "drill" and word == "-T":
                cmd.options.append("+trace")
        else:
            bare.append(word)
        i += 1
    for word in bare:
        upper = word.upper()
        if cmd.qtype is None and upper.startswith("IXFR=") and upper[5:].isdigit():
            cmd.qtype = "IXFR"  # `IXFR=serial` (dig, kdig): an incremental transfer from that serial
        elif cmd.qtype is None and "." not in word and is_rdtype(upper) and upper not in _CLASSES:
            cmd.qtype = upper
        elif cmd.qclass is None and upper in ("IN", "CH", "HS", "CHAOS"):
            cmd.qclass = upper
        elif cmd.qname is None:
            cmd.qname = word
        elif tool in ("host", "nslookup") and cmd.server is None:
            cmd.server = word
    return cmd


__all__ = [
    "Command",
    "command_line",
    "ede",
    "ede_from_bytes",
    "ede_from_option",
    "failed_transfer",
    "is_rdtype",
    "join_multiline",
    "open_parens",
    "option_text",
    "parse_command",
    "rcode_number",
    "record",
    "strip_comment",
    "ttl_seconds",
]
