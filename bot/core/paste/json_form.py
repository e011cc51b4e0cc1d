"""DNS messages printed as JSON: `kdig +json` (RFC 8427's names), read into the same `ToolOutput` as text.

kdig prints one object per response (`{"ID": …, "QR": 1, "RCODE": 2, "QNAME": …, "answerRRs": […]}`); with
`+qr`, `{"queryMessage": {…}, "responseMessage": {…}}`; for a transfer, a list of messages. Its EDNS data comes
two ways, depending on the version:
- Knot 3.2 and older print the OPT pseudo-record as a raw record in `additionalRRs` (TYPE 41): the UDP size is
  its CLASS, DO and the extended RCODE are bits of its TTL, and the options (EDE, NSID, COOKIE) are only in its
  `RDATAHEX`, which is decoded here;
- Knot 3.3 and newer print an `EDNS` object (`Version`, `FLAGS`, `RCODE`, `UDPSIZE`, and one key per option:
  `EDE: {CODE, Purpose, TEXT}`, `NSID: {HEX, TEXT}`, `COOKIE: [client, server]`). Two EDE options give two `EDE`
  keys in one object, so objects are read as key/value pairs, not as a dict that keeps only the last. Its keys
  are read in any case: later drafts of the EDNS presentation format write them in lower case.
A failed query prints only `{` `}` after its `;; WARNING:` lines (read by the text reader); the empty object holds
nothing. The JSON shows no server and no query time.

`split` finds the JSON objects in a paste and returns what they hold plus the text around them, for the line
reader. It never raises: malformed JSON is left to the line reader as text, and the number of failed decode attempts
is bounded, so a paste of braces costs a few bounded scans, not one per line (messages read are not counted:
each moves the scan past itself).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import dns.opcode
import dns.rcode
import dns.rdatatype

from bot.core.paste import fields
from bot.core.paste.model import TRANSFER_FAILED, Counts, Ede, Edns, Record, ToolOutput

#: A message object holds these (RFC 8427 section 2.1): enough to tell it from any other JSON in a paste.
_MESSAGE_KEYS = frozenset({"ID", "QR", "Opcode", "RCODE", "QNAME", "QDCOUNT"})
_FLAGS = (("QR", "qr"), ("AA", "aa"), ("TC", "tc"), ("RD", "rd"), ("RA", "ra"), ("AD", "ad"), ("CD", "cd"))
_SECTIONS = (("answerRRs", "answer"), ("authorityRRs", "authority"), ("additionalRRs", "additional"))
_OPEN = re.compile(r"^[ \t]*[{\[][ \t]*$", re.MULTILINE)
_MAX_ATTEMPTS = 40
_OPT, _EDE, _NSID, _COOKIE = 41, 15, 3, 10

Pairs = list[tuple[str, Any]]


def _pairs(items: Pairs) -> Pairs:
    return items


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs)


Piece = tuple[str, "list[ToolOutput] | None"]


def split(text: str) -> tuple[list[Piece], bool]:
    """The paste cut into pieces in order: `(text, [])` for the line reader, `("", outputs)` for JSON messages, and
    `("", None)` where kdig printed an empty object (the failed query in the lines before it ends there).

    The second value says whether any JSON message was found; when none was, the one piece is the whole text.
    """
    if ("{" not in text and "[" not in text) or ('"RCODE"' not in text and '"responseMessage"' not in text):
        # No line that opens a JSON value (`_OPEN`, looked for by a memchr first), or no message key.
        return [(text, [])], False
    pieces: list[Piece] = []
    found = False
    pos = 0
    attempts = 0
    for match in _OPEN.finditer(text):
        start = match.start()
        if start < pos:
            continue
        if attempts >= _MAX_ATTEMPTS:
            break
        brace = text.index(match.group().strip(), start)
        try:
            value, end = _DECODER.raw_decode(text, brace)
        except (ValueError, RecursionError):
            attempts += 1  # only failures count: a message read moves on past itself, a failure may rescan
            continue
        outputs = list(_outputs(value))
        if not outputs and not _is_empty(value):
            attempts += 1
            continue  # some other JSON: leave it to the line reader
        pieces.append((text[pos:start], []))
        pieces.append(("", outputs or None))
        found = found or bool(outputs)
        pos = end
    if not found:  # only empty objects or other JSON: the line reader reads the paste as it is
        return [(text, [])], False
    pieces.append((text[pos:], []))
    return pieces, found


def _is_empty(value: object) -> bool:
    """kdig's `{` `}` for a query that got no response (the failure is in the `;;` lines above it)."""
    return isinstance(value, list) and not value


def _is_object(value: object) -> bool:
    """Whether a decoded value is a JSON object (the decoder gives objects as lists of key/value tuples)."""
    return isinstance(value, list) and all(isinstance(p, tuple) and len(p) == 2 for p in value)


def _obj(value: object) -> tuple[dict[str, Any], dict[str, list[Any]]] | None:
    """A JSON object as (its first value per key, every value per key: EDE can repeat), or None."""
    if not _is_object(value):
        return None
    first: dict[str, Any] = {}
    every: dict[str, list[Any]] = {}
    for key, item in value:  # type: ignore[attr-defined]
        first.setdefault(key, item)
        every.setdefault(key, []).append(item)
    return first, every


def _as_message(value: object) -> dict[str, Any] | None:
    """A JSON object that is a DNS message (or kdig's +qr wrapper), as a dict of its first values."""
    obj = _obj(value)
    if obj is None:
        return None
    first = obj[0]
    if "responseMessage" in first or "queryMessage" in first:
        return first
    # A number in RCODE (RFC 8427 section 2.1) and another header field: a log line's "RCODE": "…" is not one.
    rcode = first.get("RCODE")
    if not isinstance(rcode, int) or isinstance(rcode, bool) or len(_MESSAGE_KEYS & first.keys()) < 2:
        return None
    return first


def _messages(value: object) -> list[dict[str, Any]]:
    """The messages in a JSON array (a transfer, or several responses)."""
    if not isinstance(value, list) or _is_object(value):
        return []
    return [m for m in (_as_message(v) for v in value) if m is not None]


def _outputs(value: object) -> Iterator[ToolOutput]:
    if isinstance(value, list) and value and not _is_object(value):
        messages = _messages(value)
        if messages:
            yield _transfer(messages)
        return
    message = _as_message(value)
    if message is None:
        return
    if "responseMessage" in message:  # +qr: the printed query is not a response
        response = message["responseMessage"]
        inner = _as_message(response)
        if inner is not None:
            yield _output(inner)
        elif messages := _messages(response):
            yield _transfer(messages)
        return
    if "queryMessage" in message or message.get("QR") == 0:
        return  # a query printed alone (+qr with no response)
    yield _output(message)


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and 0 <= value <= 0xFFFFFFFF:
        return value
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _type_name(number: object, name: object) -> str | None:
    if _str(name) is not None:
        return str(name)
    value = _int(number)
    if value is None or value > 65535:
        return None
    return dns.rdatatype.to_text(dns.rdatatype.RdataType.make(value))


def _record(entry: object) -> tuple[Record | None, dict[str, Any] | None]:
    """One RR object -> (Record, None), or (None, the OPT pseudo-record) for TYPE 41, or (None, None)."""
    rr = _as_record_dict(entry)
    if rr is None:
        return None, None
    if _int(rr.get("TYPE")) == _OPT or rr.get("TYPEname") == "OPT":
        return None, rr
    rtype = _type_name(rr.get("TYPE"), rr.get("TYPEname"))
    name = _str(rr.get("NAME"))
    if rtype is None or name is None:
        return None, None
    data = _str(rr.get(f"rdata{rtype}"))
    if data is None:
        hexed = _str(rr.get("RDATAHEX")) or ""
        length = _int(rr.get("RDLENGTH"))
        data = f"\\# {length if length is not None else len(hexed) // 2} {hexed}".rstrip()
    rclass = _str(rr.get("CLASSname"))
    if rclass is None and _int(rr.get("CLASS")) == 1:
        rclass = "IN"
    return Record(name=name, rtype=rtype, data=data, ttl=_int(rr.get("TTL")), rclass=rclass), None


def _as_record_dict(entry: object) -> dict[str, Any] | None:
    obj = _obj(entry)
    return obj[0] if obj is not None else None


def _options(hexed: str) -> Iterator[tuple[int, bytes]]:
    """The EDNS options in an OPT record's RDATA (code, data); stops at the first malformed one."""
    try:
        data = bytes.fromhex(hexed)
    except ValueError:
        return
    pos = 0
    while pos + 4 <= len(data):
        code, length = int.from_bytes(data[pos : pos + 2], "big"), int.from_bytes(data[pos + 2 : pos + 4], "big")
        body = data[pos + 4 : pos + 4 + length]
        if len(body) != length:
            return
        yield code, body
        pos += 4 + length


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


class _Edns:
    """What the OPT record (old kdig) or the EDNS object (new kdig) says."""

    def __init__(self) -> None:
        self.edns: Edns | None = None
        self.ext_rcode: int | None = None
        self.rcode_name: str | None = None
        self.ede: list[Ede] = []
        self.nsid: str | None = None
        self.cookie: str | None = None
        self.options: list[str] = []

    def from_opt(self, rr: dict[str, Any]) -> None:
        ttl = _int(rr.get("TTL")) or 0
        self.edns = Edns(version=(ttl >> 16) & 0xFF, flags=("do",) if ttl & 0x8000 else (), udp=_int(rr.get("CLASS")))
        self.ext_rcode = ttl >> 24
        for code, body in _options(_str(rr.get("RDATAHEX")) or ""):
            if code == _EDE:
                self.ede.append(fields.ede_from_bytes(body))
            elif code == _NSID:
                self.nsid = _text(body) if body and body.isascii() and body.decode().isprintable() else body.hex()
            elif code == _COOKIE:
                self.cookie = body.hex()
            else:
                self.options.append(f"OPT{code}")

    def from_object(self, value: object) -> None:
        obj = _obj(_upper_keys(value))
        if obj is None:
            return
        first, every = obj
        flags = first.get("FLAGS")
        self.edns = Edns(
            version=_int(first.get("VERSION")),
            flags=tuple(str(f).lower() for f in flags if isinstance(f, str)) if isinstance(flags, list) else (),
            udp=_int(first.get("UDPSIZE")),
        )
        self.rcode_name = _str(first.get("RCODE"))
        for ede in every.get("EDE", []):
            item = _as_record_dict(ede)
            if item is not None:
                self.ede.append(Ede(_int(item.get("CODE")), _str(item.get("PURPOSE")), _str(item.get("TEXT"))))
        nsid = _as_record_dict(first.get("NSID"))
        if nsid is not None:
            self.nsid = _str(nsid.get("TEXT")) or _str(nsid.get("HEX"))
        cookie = first.get("COOKIE")
        if isinstance(cookie, list):
            self.cookie = "".join(c for c in cookie if isinstance(c, str)) or None
        self.options = [k for k in first if k.startswith("OPT") and k[3:].isdigit()]


def _upper_keys(value: object) -> object:
    """The EDNS object with its keys (and its options' keys) in upper case: Knot 3.3 prints `Version`, `FLAGS`,
    `UDPSIZE`, `Purpose` (draft-peltan-edns-presentation-format-02), later drafts `version`, `flags`, `udpsize`."""
    if not _is_object(value):
        return value
    return [(str(k).upper(), _upper_keys(v) if _is_object(v) else v) for k, v in value]  # type: ignore[attr-defined]


def _status(header_rcode: int | None, edns: _Edns) -> tuple[str | None, int | None]:
    if edns.rcode_name is not None:
        return edns.rcode_name, fields.rcode_number(edns.rcode_name)
    if header_rcode is None or header_rcode > 15:
        return None, None
    value = header_rcode | ((edns.ext_rcode or 0) << 4)
    try:
        return dns.rcode.to_text(dns.rcode.Rcode.make(value)), value
    except ValueError:
        return f"RCODE{value}", value


def _output(message: dict[str, Any]) -> ToolOutput:
    edns = _Edns()
    sections: dict[str, list[Record]] = {"answer": [], "authority": [], "additional": []}
    for key, section in _SECTIONS:
        entries = message.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            record, opt = _record(entry)
            if record is not None:
                sections[section].append(record)
            elif opt is not None and edns.edns is None:
                edns.from_opt(opt)
    edns_object = message.get("EDNS", message.get("edns"))
    if edns_object is not None:
        edns.from_object(edns_object)
    qname, qclass = _str(message.get("QNAME")), _str(message.get("QCLASSname"))
    qtype = _type_name(message.get("QTYPE"), message.get("QTYPEname"))
    questions = message.get("questionRRs")
    if qname is None and isinstance(questions, list) and questions:
        question = _as_record_dict(questions[0]) or {}
        qname = _str(question.get("NAME"))
        qtype = _type_name(question.get("TYPE"), question.get("TYPEname"))
        qclass = _str(question.get("CLASSname"))
    status, rcode = _status(_int(message.get("RCODE")), edns)
    message_id = _int(message.get("ID"))
    opcode = _int(message.get("Opcode"))
    counts = Counts(
        query=_int(message.get("QDCOUNT")),
        answer=_int(message.get("ANCOUNT")),
        authority=_int(message.get("NSCOUNT")),
        additional=_int(message.get("ARCOUNT")),
    )
    kdig = "dateString" in message or "msgLength" in message
    return ToolOutput(
        tool="kdig" if kdig else "unknown",
        form="json",
        qname=qname,
        qtype=qtype,
        qclass=qclass if qclass is not None else ("IN" if _int(message.get("QCLASS")) == 1 else None),
        opcode=dns.opcode.to_text(dns.opcode.Opcode.make(opcode)) if opcode is not None and opcode < 16 else None,
        status=status,
        rcode=rcode,
        id=message_id if message_id is not None and message_id <= 65535 else None,
        flags=tuple(flag for key, flag in _FLAGS if _int(message.get(key))),
        counts=counts if any(v is not None for v in counts.to_json().values()) else None,
        edns=edns.edns,
        ede=tuple(edns.ede),
        cookie=edns.cookie,
        nsid=edns.nsid,
        options=tuple(edns.options),
        answer=tuple(sections["answer"]),
        authority=tuple(sections["authority"]),
        additional=tuple(sections["additional"]),
        msg_size=_int(message.get("msgLength")),
        # A refused transfer reads as the text forms do (dig's `; Transfer failed.`, kdig's `;; ERROR: … 'NOTAUTH'`).
        warnings=(TRANSFER_FAILED,) if fields.failed_transfer(qtype, status) else (),
    )


def _transfer(messages: list[dict[str, Any]]) -> ToolOutput:
    """A zone transfer printed as a list of messages: one output, every message's answer records in order."""
    first = _output(messages[0])
    answers = [r for m in messages for r in _output(m).answer]
    sizes = [_int(m.get("msgLength")) or 0 for m in messages]
    return first._replace(answer=tuple(answers), msg_size=sum(sizes) or None)
