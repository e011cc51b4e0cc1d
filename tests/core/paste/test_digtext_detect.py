"""The paste gate: true for every real output (as typed and as Slack sends it), false for ordinary DNS chat."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.paste import detect, digtext
from bot.core.paste.digtext import looks_like_dig
from bot.core.paste.fields import is_rdtype
from bot.render.escape import entities
from tests.conftest import CORPUS, examples
from tests.core.paste import chat

# `dig +short` prints bare values: indistinguishable from chat, so the gate leaves them alone (explain reads them).
NOT_DETECTABLE = {
    "dns-violations__dns-violations__dve-2020-0001_dig-short-ns.txt",
    "isc-projects__bind9__rrsetorder_dig-short-fixed.txt",
}
OUTPUTS = sorted(p for p in [*CORPUS.glob("jc/*.out"), *CORPUS.glob("wild/*.txt")] if p.name not in NOT_DETECTABLE)


def _slack(text: str) -> str:
    """Roughly what Slack sends for a paste: escaped, names auto-linked, in a code block."""
    escaped = entities(text)
    for name in ("example.com", "google.com", "example.org"):
        escaped = escaped.replace(f" {name} ", f" <http://{name}|{name}> ")
    return "```" + escaped + "```"


@pytest.mark.parametrize("path", OUTPUTS, ids=lambda p: p.name)
def test_every_real_output_is_detected(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert looks_like_dig(text)
    assert looks_like_dig(_slack(text))
    assert looks_like_dig("why does this fail?\n" + text + "\nany idea?")


@pytest.mark.parametrize(
    "text",
    [
        "Host nope.example.com not found: 3(NXDOMAIN)",
        "```Host nope.example.com not found: 2(SERVFAIL)```",
        "example.com has address 93.184.215.14",
        "<http://example.com|example.com> has address 93.184.215.14",
        "www.example has no AAAA record",
        ";; connection timed out; no servers could be reached",
        ";; communications error to 10.0.0.53#53: timed out\n;; no servers could be reached",
        "; EDE: 9 (DNSKEY Missing): (no SEP matching the DS found for example.com.)",
        ";; -&gt;&gt;HEADER&lt;&lt;- opcode: QUERY, status: SERVFAIL, id: 1",
        "; &lt;&lt;&gt;&gt; DiG 9.18.28 &lt;&lt;&gt;&gt; example.com",
        "Server:\t\t10.0.0.2\nAddress:\t10.0.0.2#53\n\n** server can’t find nope.example.com: NXDOMAIN",
        "Server:  UnKnown\nAddress:  192.168.1.1\n\n*** UnKnown can't find nope.example.com: Non-existent domain",
        "- type: MESSAGE\n  message:\n    response_message_data:\n      status: SERVFAIL",
        "example.com.\t\t300\tIN\tA\t93.184.215.14\nexample.com.\t\t300\tIN\tA\t93.184.215.15",
        ";; ->>HEADER<<- opcode: QUERY; status: SERVFAIL; id: 1\n;; Flags: qr rd ra; QUERY: 1; ANSWER: 0; AUTHORITY: 0; ADDITIONAL: 1",
        "; fully validated\nexample.com. 300 IN A 93.184.215.14",
        ";; resolution failed: SERVFAIL",
        "- type: DIG_ERROR\n  message: |\n    no servers could be reached",
        "```- type: DIG_ERROR\n  message: |\n    communications error to 192.0.2.1#53: connection refused\n```",
        "&gt; ;; ->>HEADER<<- opcode: QUERY, status: REFUSED, id: 1",
    ],
)
def test_forms_the_corpus_lacks(text: str) -> None:
    assert looks_like_dig(text)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.from_regex(r"\S+", fullmatch=True),
    st.integers(min_value=0, max_value=65535),
    st.from_regex(r"\w+", fullmatch=True),
    st.sampled_from(["", "```"]),
    st.sampled_from(["", "```", " (from the office)"]),
)
def test_host_nxdomain_line_is_detected_alone(name: str, code: int, rcode: str, before: str, after: str) -> None:
    """host's one-line failure, whatever the name and rcode (the one-line branch tests the first character first)."""
    assert looks_like_dig(f"{before}Host {name} not found: {code}({rcode}){after}")


@settings(max_examples=examples(300), deadline=None)
@given(
    st.from_regex(r"[a-z0-9][a-z0-9.-]*\.", fullmatch=True),
    st.sampled_from(["NXDOMAIN", "SERVFAIL", "REFUSED", "NOTIMP", "FORMERR"]),
    st.sampled_from(["", "```"]),
    st.sampled_from(["", "```", "\n", "\nwhy does this fail?"]),
)
def test_nslookup_one_line_failure_is_detected_alone(name: str, status: str, before: str, after: str) -> None:
    """nslookup's reverse lookup of an unknown address prints only `** server can't find NAME: STATUS`."""
    text = f"{before}** server can't find {name}: {status}{after}"
    assert looks_like_dig(text)
    outputs = digtext.from_text(text).outputs
    assert [(o.tool, o.status) for o in outputs] == [("nslookup", status)]


@pytest.mark.parametrize(
    "text",
    [
        "Host nope.example not found: 3(NXDOMAIN) and it has been like that since monday",
        "```** server can't find 1.2.0.192.in-addr.arpa: NXDOMAIN``` has anyone seen this?",
    ],
)
def test_one_line_failure_is_detected_when_has_follows(text: str) -> None:
    """A one-line message holding ` has ` used to go to the host-answer check only, and was lost if that failed."""
    assert looks_like_dig(text)


@pytest.mark.parametrize("line", chat.LINES)
def test_known_chat_lines_are_not_detected(line: str) -> None:
    assert not looks_like_dig(line)
    assert not looks_like_dig(entities(line))


@settings(max_examples=examples(500), deadline=None)
@given(st.randoms(use_true_random=False))
def test_ordinary_chat_is_never_detected(rnd: random.Random) -> None:
    message = chat.message(rnd)
    assert not looks_like_dig(message), message


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.sampled_from(chat.WORDS), max_size=30), st.sampled_from([" ", "\n", ", ", ". ", " - "]))
def test_any_mix_of_dns_words_is_not_detected(words: list[str], separator: str) -> None:
    assert not looks_like_dig(separator.join(words))


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=3000))
def test_never_raises(text: str) -> None:
    assert looks_like_dig(text) in (True, False)


# ------------------------------------------------------------------------------------------------ the definition

# What the gate recognises (forms 1-5 in the docstring of bot/core/paste/detect.py), written the slow, obvious way:
# split the message into lines and try every pattern where it applies. The gate finds the same with one search per
# message (a copy with tabs turned into spaces, candidates confirmed on the original): the tests below check that
# the two agree.
_HOST_LINE = re.compile(detect._LEAD + detect._NAME + detect._HOST_ANSWER)
_RECORD_LINE = re.compile(detect._LEAD + detect._NAME + detect._RECORD)
_FIXED_START = re.compile(r"(?:```|&gt; |> )?(?:" + detect._STARTS + ")", re.MULTILINE)


def reference(text: str) -> bool:
    """Forms 1-6, one line at a time; `\r\n` and `\r` end lines as `\n` does; no record of a zone file counts."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if detect._SEMI.search(text) is not None or detect._FIRST_FAILURE.match(text) is not None:  # forms 1 and 5
        return True
    lines = text.split("\n")
    if len(lines) > 1 and re.search(r'"(?:QDCOUNT|ANCOUNT|RCODE)":\s*\d+,(?:\s|>|&gt;)*"', text):  # form 6, kdig +json
        return True
    zone_file = detect.ZONE_FILE.search(text) is not None
    offset = 0
    for number, line in enumerate(lines):
        if _HOST_LINE.fullmatch(line) is not None:  # form 2
            return True
        record = _RECORD_LINE.fullmatch(line)
        if record is not None and len(lines) > 1 and is_rdtype(record["type"]) and not zone_file:  # form 3
            return True
        if number > 0 and _FIXED_START.match(text, offset) is not None:  # form 4
            return True
        offset += len(line) + 1
    return False


_REAL_LINES = sorted({line for path in OUTPUTS for line in path.read_text(encoding="utf-8").split("\n")})
_CHAT_LINES = sorted({*chat.LINES, *(entities(line) for line in chat.LINES)})
_NAMES = ("example.com", "www.example.", "<http://example.com|example.com>", "1.2.0.192.in-addr.arpa.", "a-b_c.example", "x")
_SECONDS = (
    " has address 93.184.215.14",
    " has IPv6 address 2606:2800:220:1:248:1893:25c8:1946",
    " has no AAAA record",
    " has MX record 10 mx.example.com.",
    " has address 10.0.0.1 according to route53",
    " 300 IN A 93.184.215.14",
    "   300   IN   AAAA   2001:db8::1",
    '\t\t300\tIN\tTXT\t"v=spf1; -all"',
    " 300 IN NOPE data",
    " 300 IN A",
)
_PREFIXES = ("", "", "", "```", "&gt; ", "> ", " ", "  ", "\t", " \t ", "&gt;  ", "```\t")


def _line(rnd: random.Random) -> str:
    """One line: real tool output, chat, a made-up answer or record (some broken), or a shuffle of DNS words."""
    kind = rnd.random()
    if kind < 0.35:
        line = rnd.choice(_REAL_LINES)
    elif kind < 0.65:
        line = rnd.choice(_CHAT_LINES)
    elif kind < 0.9:
        # Some names long enough for the first word to reach the bound of the gate's line search.
        name = rnd.choice(_NAMES) * rnd.choice((1, 1, 1, 8, 40))
        line = name + rnd.choice(_SECONDS)
    else:
        line = " ".join(rnd.choice(chat.WORDS) for _ in range(rnd.randint(0, 8)))
    line = rnd.choice(_PREFIXES) + line
    change = rnd.random()
    if change < 0.1:
        line = line.replace(" ", "\t")
    elif change < 0.2:
        line = line.replace("\t", " ")
    elif change < 0.25:
        line += "\r"
    return line


def _mix(rnd: random.Random) -> str:
    """A message of one to eight such lines, sometimes in a code block."""
    text = "\n".join(_line(rnd) for _ in range(rnd.choice((1, 1, 1, 2, 3, 5, 8))))
    return "```" + text + "```" if rnd.random() < 0.15 else text


@settings(max_examples=examples(1000), deadline=None)
@given(st.randoms(use_true_random=False))
def test_the_gate_agrees_with_its_definition(rnd: random.Random) -> None:
    text = _mix(rnd)
    assert looks_like_dig(text) == reference(text), text


def test_the_agreement_is_not_vacuous() -> None:
    """The gate agrees on every one of a fixed sample of mixes, which hold both kinds of message, many of them
    detected by their lines alone (no `;` marker), some with tabs, some longer than a thousand characters."""
    rnd = random.Random(53)
    texts = [_mix(rnd) for _ in range(3000)]
    verdicts = [looks_like_dig(text) for text in texts]
    assert verdicts == [reference(text) for text in texts]
    assert 0.2 < sum(verdicts) / len(texts) < 0.8
    by_lines = [text for text, verdict in zip(texts, verdicts, strict=True) if verdict and not detect._SEMI.search(text)]
    assert len(by_lines) > 0.1 * len(texts)
    assert any("\t" in text for text in by_lines) and any(len(text) >= 1024 for text in by_lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A fixed start counts only from the second line on: "Server: x / Address: y" alone is also how people write.
        ("Server: prod-db-1\nAddress: 10.0.0.5", False),
        ("what does this mean?\nServer:  UnKnown\nAddress:  192.168.1.1", True),
        ("what does this mean?\n&gt; Address:\t10.0.0.2#53", True),
        ("Host nope.example not found: 3(NXDOMAIN)\nany idea?", True),
        # Bare records need a second line; host's answers do not.
        ("example.com. 300 IN A 93.184.215.14", False),
        ("example.com. 300 IN A 93.184.215.14\nexample.com. 300 IN A 93.184.215.15", True),
        ("example.com has address 93.184.215.14", True),
        # The whole line must be the answer or the record.
        ("status?\nthe zone has DS record issues", False),
        ("status?\nexample.com has no AAAA, is that expected?", False),
        ("status?\nexample.com. 300 IN NOPE data", False),
        # Tabs and indentation, which the gate's copy turns into spaces.
        ("look:\n\t example.com has address 93.184.215.14", True),
        ("look:\nexample.com.\t\t300\tIN\tA\t93.184.215.14", True),
        ("look:\nHost\tnope.example not found: 3(NXDOMAIN)", False),
        # A first word that runs into the next line (no space on its own line) does not hide that line.
        ("nospace\nexample.com has address 93.184.215.14", True),
        # A line that starts like a fixed start but is an answer, on the first line where fixed starts do not count.
        ("response_message_data: has address 192.0.2.1\nthanks", True),
    ],
)
def test_corner_cases_of_the_definition(text: str, expected: bool) -> None:
    assert reference(text) is expected
    assert looks_like_dig(text) is expected


def test_aligned_records_are_detected() -> None:
    """Columns padded with spaces (TTL and class apart by more than one space): missed before the line search."""
    text = "why?\nexample.com.        300     IN      A       93.184.215.14\n"
    assert looks_like_dig(text)
    assert looks_like_dig(entities(text))


def test_a_record_after_many_look_alike_lines_is_detected() -> None:
    """The old candidate loop gave up after 20 `N IN X` lines that were not records; the line search does not."""
    text = "\n".join(["a 1 IN FOO b"] * 25 + ["example.com. 300 IN A 93.184.215.14"])
    assert looks_like_dig(text)


@pytest.mark.parametrize("length", [63, 64, 65, 1023, 1024, 1025, 3000])
def test_first_words_of_any_length(length: int) -> None:
    """The line search skips the first word with a bounded loop; a word that reaches the bound is still looked at."""
    name = "a" * (length - len(".example")) + ".example"
    for text in (
        f"hi\n{name} has address 192.0.2.1",
        f"{name} has no AAAA record\nthanks",
        f"hi\n{name} 300 IN A 192.0.2.1",
    ):
        assert looks_like_dig(text), (length, text[-40:])
        assert not looks_like_dig(text.replace(" has ", " had ").replace(" IN ", " ON ")), (length, text[-40:])


def test_long_runs_without_spaces_are_not_detected() -> None:
    """Lines with no space at all (a base64 blob) reach the bound on every line: each is confirmed and rejected."""
    blob = "\n".join("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 2 for _ in range(500))
    assert not looks_like_dig(blob)
    assert looks_like_dig(blob + "\nexample.com has address 192.0.2.1")


def test_the_first_word_skip_stops_at_the_end_of_its_line() -> None:
    # A skip that ran on past the newline re-read up to a thousand characters from every newline of a run of empty
    # lines (33 ms for 40,000 characters). It must stop where its line ends, and reach any length within the line.
    skip = re.compile(detect._FIRST_WORD)
    assert skip.match("ab\ncd").end() == 2
    assert skip.match("\n\n\n").end() == 0
    assert skip.match("x" * 5000 + " has").end() == 5000
    assert looks_like_dig("hi\n" + "x" * 5000 + ".example has address 192.0.2.1")
    assert not looks_like_dig("google.com.     172800  IN" + "\n" * 39_970)
