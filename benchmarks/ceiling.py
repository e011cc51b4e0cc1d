"""A measuring stick, not a reader: a data point for how fast a pure-Python reader of dig output can be.

`bench_digtext` times it beside jc to show where the throughput target sits. It is one fast design, not a proof
of a bound: it reads only dig's standard full layout (banner, header, flags, question, EDNS line, EDE lines, the
three record sections, server, query time, message size) with one precompiled regex search per field over the
whole output, records with one `findall` per section, and builds `NamedTuple`s (as the reader now does too). It
has no per-line Python at all, and it extracts less than jc does (no WHEN,
no cookie, no opt flags, no +multi records, no failures, no other tool, no question from the command line).
tests/test_ceiling.py checks that it reads what it claims on most of the corpus it is timed on.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Rec(NamedTuple):
    name: str
    rtype: str
    data: str
    ttl: int
    rclass: str


class Out(NamedTuple):
    version: str | None
    opcode: str | None
    status: str | None
    id: int | None
    flags: tuple[str, ...]
    counts: tuple[int, int, int, int] | None
    qname: str | None
    qclass: str | None
    qtype: str | None
    server: str | None
    query_time_ms: float | None
    msg_size: int | None
    edns: tuple[str, ...] | None
    ede: tuple[tuple[str, ...], ...]
    answer: tuple[Rec, ...]
    authority: tuple[Rec, ...]
    additional: tuple[Rec, ...]


_HEAD = re.compile(
    r";; ->>HEADER<<- opcode: (\w+), status: (\w+), id: (\d+)\n"
    r";; flags:([a-z ]*); QUERY: (\d+), ANSWER: (\d+), AUTHORITY: (\d+), ADDITIONAL: (\d+)"
)
_QUESTION = re.compile(r";; QUESTION SECTION:\n;(\S+)\s+(\w+)\s+(\w+)")
_SERVER = re.compile(r";; SERVER: ([^\s(]+)")
_TIME = re.compile(r";; Query time: (\d+)")
_SIZE = re.compile(r";; MSG SIZE  rcvd: (\d+)")
_EDNS = re.compile(r"; EDNS: version: (\d+), flags:([a-z ]*); udp: (\d+)")
_EDE = re.compile(r"; EDE: (\d+)(?: \(([^)]*)\))?(?:: \((.*)\))?$", re.MULTILINE)
_RECORD = re.compile(r"^([^\s;]\S*)[ \t]+(\d+)[ \t]+([A-Z]+)[ \t]+([A-Z][A-Z0-9-]*)[ \t]+([^\n]*)$", re.MULTILINE)


def _section(text: str, title: str) -> tuple[Rec, ...]:
    start = text.find(title)
    if start < 0:
        return ()
    end = text.find("\n\n", start)
    body = text[start : end if end >= 0 else len(text)]
    return tuple([Rec(n, t, d, int(ttl), c) for n, ttl, c, t, d in _RECORD.findall(body)])


def read(text: str) -> list[Out]:
    """Every standard dig output in `text`, split at the banner."""
    outs = []
    for part in text.split("; <<>> DiG")[1:] or [text]:
        head = _HEAD.search(part)
        question = _QUESTION.search(part)
        server, took, size = _SERVER.search(part), _TIME.search(part), _SIZE.search(part)
        edns = _EDNS.search(part) if "EDNS:" in part else None
        outs.append(
            Out(
                version=part[1 : part.find(" ", 1)] or None,
                opcode=head.group(1) if head else None,
                status=head.group(2) if head else None,
                id=int(head.group(3)) if head else None,
                flags=tuple(head.group(4).split()) if head else (),
                counts=(int(head.group(5)), int(head.group(6)), int(head.group(7)), int(head.group(8))) if head else None,
                qname=question.group(1) if question else None,
                qclass=question.group(2) if question else None,
                qtype=question.group(3) if question else None,
                server=server.group(1) if server else None,
                query_time_ms=float(took.group(1)) if took else None,
                msg_size=int(size.group(1)) if size else None,
                edns=edns.groups() if edns else None,
                ede=tuple(_EDE.findall(part)) if "EDE" in part else (),
                answer=_section(part, ";; ANSWER SECTION:"),
                authority=_section(part, ";; AUTHORITY SECTION:"),
                additional=_section(part, ";; ADDITIONAL SECTION:"),
            )
        )
    return outs
