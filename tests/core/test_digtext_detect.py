"""The paste gate: true for every real output (as typed and as Slack sends it), false for ordinary DNS chat."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import digtext
from bot.core.digtext import looks_like_dig
from bot.render.escape import mrkdwn
from tests.conftest import CORPUS
from tests.core import chat

# `dig +short` prints bare values: indistinguishable from chat, so the gate leaves them alone (explain reads them).
NOT_DETECTABLE = {
    "dns-violations__dns-violations__dve-2020-0001_dig-short-ns.txt",
    "isc-projects__bind9__rrsetorder_dig-short-fixed.txt",
}
OUTPUTS = sorted(p for p in [*CORPUS.glob("jc/*.out"), *CORPUS.glob("wild/*.txt")] if p.name not in NOT_DETECTABLE)


def _slack(text: str) -> str:
    """Roughly what Slack sends for a paste: escaped, names auto-linked, in a code block."""
    escaped = mrkdwn(text)
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


@settings(max_examples=300, deadline=None)
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


@settings(max_examples=300, deadline=None)
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
    assert not looks_like_dig(mrkdwn(line))


@settings(max_examples=500, deadline=None)
@given(st.randoms(use_true_random=False))
def test_ordinary_chat_is_never_detected(rnd: random.Random) -> None:
    message = chat.message(rnd)
    assert not looks_like_dig(message), message


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(chat.WORDS), max_size=30), st.sampled_from([" ", "\n", ", ", ". ", " - "]))
def test_any_mix_of_dns_words_is_not_detected(words: list[str], separator: str) -> None:
    assert not looks_like_dig(separator.join(words))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_never_raises(text: str) -> None:
    assert looks_like_dig(text) in (True, False)
