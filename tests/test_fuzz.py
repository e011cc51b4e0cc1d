"""Every entry point, fed hostile and mangled input: no exception, strict JSON, harmless terminal and mrkdwn text,
Block Kit within Slack's limits.

The entry points are the functions each front end calls with what a user typed or pasted: the channel gate and
the paste reply (raw, and as Slack sends it: escaped, fenced, quoted), a shared snippet, a mention, `rcodebot
explain`, `/rcode`, `/dnscheck`'s arguments and the live-check button's value. The inputs are real tool outputs
from the corpus, cut, spliced and salted with what a fuzz pass found harmful (long digit runs in numeric fields,
control and bidi characters, lone surrogates, mentions and links, open parentheses), and lines of every form the
reader knows with random tails. Derandomized in CI (the suite's profile); `HYPOTHESIS_PROFILE=explore` runs ten
times as many, at random.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.cli import Environment, main
from bot.core.codes.knowledge import load_default
from bot.core.errors import BotError
from bot.core.paste import digtext
from bot.render import limits, terminal
from bot.render.escape import entities, from_slack
from bot.render.reply import Reply
from bot.services import dnscheck, paste, rcode
from bot.settings import ProbeSettings
from bot.slack import messages
from bot.slack.listeners.events import strip_mention
from tests.conftest import CORPUS, examples

KB = load_default()
PROBE = ProbeSettings(resolvers=("127.0.0.1",))
SAMPLES = sorted(
    p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".txt", ".out", ".json") and p.name != "manifest.json"
)
TEXTS = [p.read_text(encoding="utf-8", errors="replace") for p in SAMPLES]

HOSTILE = [
    "<!channel>",
    "<!here>",
    "<@U0123>",
    "<#C0123|x>",
    "<!subteam^S1>",
    "<https://evil.example|click>",
    "&lt;!channel&gt;",
    "\x1b[2J\x1b]0;pwned\x07",
    "\x9b31m",
    "\u202e",
    "\u2066",
    "\x00",
    "\ud800",
    "\udfff",
    "\r",
    "\t",
    "```",
    "> ",
    "9" * 5000,
    "(" * 300,
    " " * 3000,
    "_dmarc.",
    "*.",
    "~x~",
    "nan",
    "inf",
    "1e999",
    "-0",
    "\u0663\u0664",
]
PREFIXES = [
    ";; ->>HEADER<<- opcode: QUERY, status: ",
    ";; flags: qr rd ra; QUERY: ",
    "; EDNS: version: ",
    "; udp: ",
    "; EDE: ",
    ";; Query time: ",
    ";; MSG SIZE  rcvd: ",
    ";; SERVER: ",
    "; <<>> DiG ",
    ";; Received ",
    "Host x.example not found: ",
    "Server:\t",
    "Address:\t",
    "** server can't find ",
    "x.example has address ",
    ";; communications error to ",
    ";; connection timed out; ",
    "www.example.com. ",
    "example.com. 300 IN SOA ns. h. (",
    ";; ERROR: ",
    ";; WARNING: ",
    "Error: error sending query: ",
    "update failed: ",
    "; fully validated",
    ";; resolution failed: ",
    "$TTL ",
    "@ IN SOA ",
    '{"Message": {"Header": {"RCODE": ',
    "rcode: ",
    "id: ",
]

hostile = st.sampled_from(HOSTILE)
tail = st.one_of(hostile, st.text(max_size=40), st.from_regex(r"[0-9]{1,40}", fullmatch=True))
line = st.builds(lambda p, t: p + t, st.sampled_from(PREFIXES), tail)


@st.composite
def pastes(draw: st.DrawFn) -> str:
    """A corpus output cut and salted, or lines of known forms with random tails."""
    if draw(st.booleans()):
        text = draw(st.sampled_from(TEXTS))
        for _ in range(draw(st.integers(0, 4))):
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.one_of(hostile, line, st.text(max_size=20))) + text[at:]
        if draw(st.booleans()):
            at = draw(st.integers(0, len(text)))
            text = text[:at] if draw(st.booleans()) else text[at:]
        return text
    return "\n".join(draw(st.lists(line, min_size=1, max_size=25)))


def slack_forms(text: str) -> list[str]:
    """The paste as Slack could deliver it: escaped, fenced, quoted, with Windows line endings."""
    escaped = entities(text)
    return [escaped, "```" + escaped + "```", "&gt; " + escaped.replace("\n", "\n&gt; "), escaped.replace("\n", "\r\n")]


# ------------------------------------------------------------------------------------------------ assertions

_UNSAFE_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINK = re.compile(r"<https?://[^<>|\s]+\|[^<>]+>")  # the renderer's own links (the knowledge file's references)


def refuse(constant: str) -> None:
    raise AssertionError(f"non-strict JSON constant {constant}")


def strict(payload: object) -> None:
    """`--json` output as the CLI writes it: strict JSON that any UTF-8 terminal or pipe accepts."""
    text = terminal.json_text(payload)
    text.encode("utf-8")
    json.loads(text, parse_constant=refuse)


def sendable(payload: object) -> None:
    """A Slack payload: strict JSON whose text is valid Unicode (a lone surrogate could not be sent)."""
    json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")


def mrkdwn_texts(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [t for v in node.values() for t in mrkdwn_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in mrkdwn_texts(v)]
    return []


def check_reply(reply: Reply) -> None:
    """What any reply must be, whatever the input: Slack-safe blocks within limits, strict JSON."""
    limits.check(reply.blocks)
    dicts = reply.block_dicts()
    for text in [*mrkdwn_texts(dicts), reply.fallback]:
        # Nothing from the input can be a mention, a special command or a link; no link is cut in half.
        rest = _LINK.sub("", text)
        assert "<" not in rest and ">" not in rest, text[:300]
        text.encode("utf-8")
    sendable(messages.message_args(reply))
    strict(reply.to_json())


def check_terminal(text: str) -> None:
    assert _UNSAFE_TERMINAL.search(text) is None, repr(text[:300])


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(stdin), stdout=out, stderr=err, environ={}, cwd=Path("/nonexistent"))
    status = main(list(argv), env)
    return status, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------------------------------------ the tests

FUZZ = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@FUZZ
@given(pastes())
@example("; <<>> DiG 9.18 <<>> x\n;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: " + "9" * 5000)
@example('{"Message": {"Header": {"RCODE": 0, "ANCOUNT": 1}, "Question": [{"QNAME": "\\ude00."}]}}')
@example(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\nexample.com. 300 IN TXT (" + " " * 5000)
def test_channel_paste_and_snippet(text: str) -> None:
    for form in [text, *slack_forms(text)]:
        is_slack = form is not text
        digtext.looks_like_dig(form)  # the gate decides nothing here: the reply must hold whatever it says
        reply = paste.answer(form, KB, offer_probe=True, from_slack=is_slack)
        if reply is not None:
            check_reply(reply)
            check_terminal(terminal.safe(reply.text).replace("\n", "").replace("\t", ""))
        paste.probe_target(form, from_slack=is_slack)


@FUZZ
@given(pastes())
def test_rcodebot_explain(text: str) -> None:
    for args in (("explain",), ("explain", "--json")):
        status, out, err = cli(*args, stdin=text)
        assert status in (0, 2), (status, err)
        check_terminal(out.replace("\n", "").replace("\t", ""))
        check_terminal(err.replace("\n", ""))
        if "--json" in args:
            json.loads(out, parse_constant=refuse)


words = st.one_of(
    hostile,
    st.sampled_from(["2", "vs", "servfail", "notimp", "ede", "9", "rcode", "nodata", "65535", "4096", "-1", ",", "badsig"]),
    st.text(max_size=12),
)
queries = st.lists(words, max_size=8).map(" ".join)


@FUZZ
@given(queries)
@example("servfail vs nta")
def test_rcode_and_mentions(text: str) -> None:
    for form in (text, entities(text)):
        try:
            reply = rcode.answer(from_slack(form), KB)
        except BotError as err:
            assert str(err) and "Traceback" not in str(err)
            continue
        check_reply(reply)
        check_terminal(terminal.safe(reply.text).replace("\n", "").replace("\t", ""))
    mention = strip_mention(f"<@UBOT> {entities(text)}", "UBOT")
    assert "<@UBOT>" not in mention
    status, out, err = cli("rcode", *text.split(), "--json") if text.split() else (0, "{}", "")
    assert status in (0, 2, 3), err
    json.loads(out, parse_constant=refuse) if out.strip() else None


targets = st.lists(
    st.one_of(
        hostile,
        st.sampled_from(["example.com", "A", "AAAA", "TXT", "@127.0.0.1", "@::1", "@::%e", "@system", "trace", "x" * 300]),
        st.text(max_size=30),
        st.from_regex(r"@[0-9a-f:.%]{1,40}", fullmatch=True),
    ),
    max_size=5,
).map(" ".join)


@FUZZ
@given(targets, st.booleans())
@example("::%e", False)
@example("@::%e example.com", True)
def test_dnscheck_arguments_and_the_button_value(text: str, trusted: bool) -> None:
    # `/dnscheck ARGS`, a mention's "dnscheck ARGS" and the live-check button's (forgeable) value all go through here.
    for form in (text, from_slack(entities(text))):
        try:
            request = dnscheck.parse(form, PROBE, trusted=trusted)
        except BotError as err:
            assert str(err)
            continue
        progress: Any = dnscheck.progress(request)
        check_reply(progress)
