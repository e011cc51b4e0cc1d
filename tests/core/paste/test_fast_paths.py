"""The reader's fast paths read exactly what the general patterns beside them read.

For speed (benchmarks/bench_digtext.py), the common layout of the most frequent lines (records, the question, the
header, the counts, dig's EDNS line) is read by a cheaper pattern or by `partition`, tried first; the general
pattern reads every other layout. These properties state that wherever a fast path accepts a line, the general
pattern accepts it too and yields the same values, on lines built from the characters that could tell them apart
(tabs, runs of spaces, other whitespace, Unicode digits, parentheses, `;`).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.paste import fields
from bot.core.paste import patterns as P
from bot.core.paste.dig_lines import dig_banner, dig_header, dig_query_time, dig_server

SEP = st.sampled_from([" ", "\t", "\t\t", "  ", " \t", "\x0b", "\xa0", ""])
WORD = st.sampled_from(
    ["example.com.", "a", "IN", "CH", "A", "AAAA", "TXT", "TYPE65", "NONE", "ANY", "x-y", "(", ")", ";", "3600",
     "0", "1h", "٣", "²", "99999999999999999999999", '"a b"', "10 mail.example.com.", "-", "@", "r"]
)  # fmt: skip
TAIL = st.sampled_from(["", " ", "\t", "  ", "\u3000", "x", " x"])


@st.composite
def lines(draw: st.DrawFn, lead: str = "") -> str:
    words = draw(st.lists(st.tuples(WORD, SEP), min_size=1, max_size=7))
    return lead + "".join(w + s for w, s in words).rstrip(" \t") + draw(TAIL)


@given(lines())
def test_common_record_layout_reads_as_the_record_pattern(line: str) -> None:
    common = fields._RECORD_COMMON.fullmatch(line)
    if common is not None:
        general = fields._RECORD.match(line)
        assert general is not None and general.groups() == common.groups()


@given(lines())
def test_common_record_types_are_what_is_rdtype_accepts(line: str) -> None:
    record = fields.record(line)
    general = fields._RECORD.match(line)
    if record is not None:
        assert general is not None
        assert record.rtype not in fields._CLASSES and fields.is_rdtype(record.rtype)


@given(lines(";"))
def test_common_question_layout_reads_as_the_question_pattern(line: str) -> None:
    common = P.QUESTION_COMMON.fullmatch(line)
    if common is not None:
        general = P.QUESTION.match(line)
        assert general is not None and general.group("name", "type", "cls") == common.group("name", "type", "cls")


OPS = st.sampled_from(["QUERY", "UPDATE", "Q_Y", "Q-Y", "QÜERY", "", "QUERY;"])
STATUSES = st.sampled_from(["NOERROR", "SERVFAIL", "RESERVED11", "NO_ERROR", "NÖ", "", "NOERROR,"])
IDS = st.sampled_from(["1", "65535", "65536", "٣٣", "²", "", "12 x", "007"])


@given(OPS, STATUSES, IDS, st.sampled_from([", ", ",  ", "; ", ","]))
def test_common_header_layout_reads_as_the_header_pattern(op: str, status: str, ident: str, sep: str) -> None:
    body = f"->>HEADER<<- opcode: {op}{sep}status: {status}{sep}id: {ident}"
    common = dig_header(body)
    if common is not None:
        general = P.HEADER.match(body)
        assert general is not None and general.group("label") == "status"
        assert (general.group("op"), general.group("st"), general.group("id")) == common


COUNT = st.sampled_from(["0", "1", "٣", "12345678901234567890", "123456789012345678901", ""])


@given(st.lists(COUNT, min_size=4, max_size=4), st.sampled_from([", ", "; ", ",", ",  "]), TAIL)
def test_common_counts_read_as_the_count_pattern(counts: list[str], sep: str, tail: str) -> None:
    text = (
        " "
        + sep.join(f"{k}: {v}" for k, v in zip(("QUERY", "ANSWER", "AUTHORITY", "ADDITIONAL"), counts, strict=True))
        + tail
    )
    common = P.COUNTS_FAST.fullmatch(text)
    if common is not None:
        values = dict(P.COUNT.findall(text))
        general = [values[k] for k in ("QUERY", "ANSWER", "AUTHORITY", "ADDITIONAL")]
        assert [fields.decimal(v) for v in general] == [int(v) for v in common.groups()]


@given(COUNT, st.sampled_from(["", " do", " do co", " DO", ";"]), COUNT, TAIL)
def test_dig_edns_layout_reads_as_the_edns_pattern(version: str, flags: str, udp: str, tail: str) -> None:
    rest = f"version: {version}, flags:{flags}; udp: {udp}{tail}"
    common = P.EDNS_FAST.fullmatch(rest)
    if common is not None:
        general = P.EDNS_DIG.search(rest)
        assert general is not None and "MBZ" not in general.group("rest")
        size = P.UDP.search(general.group("rest"))
        assert size is not None
        assert (general.group("v"), general.group("f"), size.group(1)) == common.groups()


TIMES = st.sampled_from(["0", "12", "1.5", "٣", "²", "", "12 ", "123456789012345678901"])


@given(TIMES, st.sampled_from([" msec", " ms", "msec", "  msec", " msec x"]))
def test_dig_query_time_reads_as_the_query_time_pattern(ms: str, unit: str) -> None:
    body = f"Query time: {ms}{unit}"
    common = dig_query_time(body)
    if common is not None:
        general = P.QUERY_TIME.search(body)
        assert general is not None and general.group("ms") == common


PARTS = st.sampled_from(["192.0.2.1#53", "::1#53", "a b", "", "(", ")", "(192.0.2.1)", " (UDP)", " (TCP)", "(UDP)",
                         " (udp)", "  (UDP)", " (UDP) x", " ()", "\xa0", "\t", "#", "x"])  # fmt: skip


@given(st.lists(PARTS, max_size=4))
def test_dig_server_reads_as_the_server_pattern(parts: list[str]) -> None:
    body = "SERVER: " + "".join(parts)
    common = dig_server(body)
    if common is not None:
        general = P.SERVER.match(body)
        assert general is not None and general.group("srv", "tr") == common


@given(TIMES)
def test_dig_message_size_reads_as_the_message_size_pattern(size: str) -> None:
    body = "MSG SIZE  rcvd: " + size
    if size.isdigit() and size.isascii():  # what DigLines.h_msg_size reads without the pattern
        general = P.MSG_SIZE.match(body)
        assert general is not None and general.group("n") == size


BANNER_PARTS = st.sampled_from(["<<>>", "<<>", " ", "  ", "\t", "DiG", "9.18.28", "9.18 x", "@1.1.1.1", "example.com",
                                "+short", "", "\xa0"])  # fmt: skip


@given(st.lists(BANNER_PARTS, max_size=8))
def test_dig_banner_reads_as_the_banner_pattern(parts: list[str]) -> None:
    body = "<<>> DiG " + "".join(parts)
    common = dig_banner(body)
    if common is not None:
        general = P.BANNER.match(body)
        assert general is not None
        version, args = general.group("ver", "args")
        assert args is not None and (version, args.strip()) == (common[0], common[1].strip())
