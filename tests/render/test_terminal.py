"""Terminal text and --json output: nothing from a paste can act on the terminal, and the JSON is always strict."""

from __future__ import annotations

import io
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import Environment, ExitStatus, main
from bot.render import terminal
from tests.conftest import examples
from tests.core.paste.test_json_form import KNOT_33

# Everything a terminal obeys: C0 but tab/newline (ESC, BEL, CR, NUL…), DEL, C1 (U+009B is a one-byte CSI),
# bidi marks, embeddings, overrides and isolates, and lone surrogates (which cannot even be encoded).
UNSAFE = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]] + [
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
    "\ud800",
    "\ude00",
    "\udfff",
]


def test_every_unsafe_character_becomes_a_visible_escape() -> None:
    for char in UNSAFE:
        shown = terminal.safe(f"a{char}b")
        assert char not in shown and shown.startswith("a\\") and shown.endswith("b"), repr(char)
    assert terminal.safe("\x1b[2J\x9b31m") == "\\x1b[2J\\x9b31m"
    assert terminal.safe("evil\u202etxt.exe") == "evil\\u202etxt.exe"


def test_tabs_newlines_and_printable_text_are_left_alone() -> None:
    text = "NOERROR\tok\nbücher.example 例え.テスト 🙂 ~_* <b>&amp;"
    assert terminal.safe(text) == text


@settings(max_examples=examples(300))
@given(st.text(max_size=200))
def test_safe_text_holds_no_unsafe_character_and_always_encodes(text: str) -> None:
    shown = terminal.safe(text)
    assert not any(char in shown for char in UNSAFE)
    shown.encode("utf-8")  # never UnicodeEncodeError
    # Each unsafe character became exactly its escape (\xNN or \uNNNN); everything else is untouched.
    assert len(shown) == len(text) + sum(3 if ord(c) < 0x100 else 5 for c in text if c in UNSAFE)
    if not any(c in UNSAFE for c in text):
        assert shown == text


def test_json_text_is_strict_and_encodable() -> None:
    value = {"ms": math.nan, "big": math.inf, "nested": [-math.inf, 1.5], "text": "a\ude00b\x1b"}
    text = terminal.json_text(value)
    text.encode("utf-8")
    parsed = json.loads(text, parse_constant=lambda name: pytest.fail(f"non-strict JSON constant {name}"))
    assert parsed == {"ms": None, "big": None, "nested": [None, 1.5], "text": "a\ude00b\x1b"}


@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(max_size=20),
        lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=4),
        max_leaves=20,
    )
)
def test_json_text_of_anything_is_strict(value: object) -> None:
    text = terminal.json_text(value)
    text.encode("utf-8")
    json.loads(text, parse_constant=lambda name: pytest.fail(f"non-strict JSON constant {name}"))


def _explain(stdin: str, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["explain", *argv], Environment(stdin=io.StringIO(stdin), stdout=out, stderr=err, environ={}))
    return status, out.getvalue()


HOSTILE_KDIG = KNOT_33.replace('"TEXT": "resolver-1"', '"TEXT": "res\\ude00 \\u001b]0;pwned\\u0007 \\u202eevil"')


def test_a_kdig_json_paste_with_a_lone_surrogate_and_escapes_is_explained_safely() -> None:
    status, out = _explain(HOSTILE_KDIG)
    assert status == ExitStatus.OK
    out.encode("utf-8")  # the real CLI writes UTF-8: this was a UnicodeEncodeError
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "res\\ude00 \\x1b]0;pwned\\x07 \\u202eevil" in out
    status, out = _explain(HOSTILE_KDIG, "--json")
    assert status == ExitStatus.OK
    out.encode("utf-8")
    assert json.loads(out)["outputs"][0]["nsid"] == "res\ude00 \x1b]0;pwned\x07 \u202eevil"


def test_a_dig_paste_with_terminal_escapes_in_a_txt_record_cannot_act_on_the_terminal() -> None:
    paste = (
        "; <<>> DiG 9.18.28 <<>> example.com TXT\n;; global options: +cmd\n;; Got answer:\n"
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n"
        ";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0\n\n"
        ";; QUESTION SECTION:\n;example.com.\t\t\tIN\tTXT\n\n"
        ';; ANSWER SECTION:\nexample.com.\t300\tIN\tTXT\t"\x1b[2J\x9b31m\u202eboo\x00"\n\n'
        ";; Query time: nan msec\n;; MSG SIZE  rcvd: 80\n"
    )
    status, out = _explain(paste)
    assert status == ExitStatus.OK
    assert not any(char in out for char in UNSAFE)
    status, out = _explain(paste, "--json")
    data = json.loads(out, parse_constant=lambda name: pytest.fail(f"non-strict JSON constant {name}"))
    assert data["outputs"][0]["query_time_ms"] is None  # "nan msec" is not a time


def test_json_text_escapes_what_a_terminal_obeys() -> None:
    # A C1 CSI, DEL, bidi controls and a lone surrogate in a string: the same data for a JSON reader, nothing a
    # terminal acts on for whoever looks at the output.
    value = {"version": "9\x9b31m\x7f\u202e\u2066\ud800"}
    text = terminal.json_text(value)
    assert json.loads(text) == value
    assert not any(c in text for c in "\x9b\x7f\u202e\u2066\ud800")
    text.encode("utf-8")
