"""Reading and explaining a paste takes time linear in its length, whatever the paste holds.

An independent fuzz pass found shapes that took time quadratic in their length (seconds of CPU for one
40,000-character message): a word or `Server:<TAB>` followed by a long run of digits, a record line padded with
spaces. This test generates long runs of each character class after each line prefix the reader knows — taken
from the real outputs of the corpus and the hand-written samples, cut where a field starts, so new line forms are
covered as they are added — and compares the work at 4,000 and 32,000 characters: 8 times the input may cost
about 8 times the time, never 64. It compares two runs of the same code, never a wall-clock limit.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from bot.core.codes.knowledge import load_default
from bot.core.paste import digtext
from bot.services import paste as paste_service
from tests.conftest import CORPUS

KB = load_default()
SMALL, LARGE = 4_000, 32_000
#: Linear work grows 8x from SMALL to LARGE; quadratic work 64x. The bound leaves room for a loaded machine.
MAX_GROWTH = 24.0
RUNS = {
    "digits": "7",
    "letters": "a",
    "spaces": " ",
    "tabs": "\t",
    "open parens": "(",
    "close parens": ")",
    "semicolons": ";",
    "dots": ".",
    "colons": ":",
    "quotes": '"',
    "backslashes": "\\",
    "hex pairs": "ab ",
    "non-ASCII": "é",
    "newlines": "\n",
    "words": "x1 ",
}
DIG_HEADER = (
    "; <<>> DiG 9.18.28 <<>> example.com\n;; global options: +cmd\n;; Got answer:\n"
    ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n"
    ";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n\n;; ANSWER SECTION:\n"
)
_FIELD_START = re.compile(r"[:=\t(\[]\s*|\s+")


def _prefixes() -> list[str]:
    """Every distinct way a known line starts, cut just before one of its fields (at most a few per line)."""
    lines: list[str] = []
    for path in sorted([*CORPUS.glob("jc/*.out"), *CORPUS.glob("wild/*.txt")]):
        lines += path.read_text(encoding="utf-8", errors="replace").splitlines()
    seen: dict[str, None] = {}
    shapes: set[str] = set()
    for line in lines:
        for match in list(_FIELD_START.finditer(line))[:3]:
            prefix = line[: match.end()]
            shape = re.sub(r"[A-Za-z0-9+/=.-]+", "w", prefix.strip(" \t")[:24])  # one prefix per shape of line start
            if prefix.strip() and shape not in shapes:
                shapes.add(shape)
                seen[prefix] = None
    return list(seen)


PREFIXES = sorted({p for p in _prefixes() if any(c.isalpha() or c in ";:" for c in p)})


def _work(text: str) -> None:
    digtext.looks_like_dig(text)
    paste_service.answer(text, KB, offer_probe=True)


def _seconds(fn: Callable[[], None], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _growth(make: Callable[[int], str]) -> float:
    small, large = make(SMALL), make(LARGE)
    ratio = _seconds(lambda: _work(large), 1) / max(_seconds(lambda: _work(small), 2), 1e-4)
    if ratio > MAX_GROWTH:  # measure again, more carefully, before calling it super-linear
        ratio = _seconds(lambda: _work(large), 3) / max(_seconds(lambda: _work(small), 5), 1e-4)
    return ratio


def test_there_are_many_prefixes() -> None:
    assert len(PREFIXES) > 50


@pytest.mark.parametrize("run", sorted(RUNS), ids=sorted(RUNS))
def test_a_long_run_after_any_known_line_start_is_linear(run: str) -> None:
    chars = RUNS[run]
    slow = []
    for prefix in PREFIXES:
        for context in ("", DIG_HEADER):

            def make(size: int, prefix: str = prefix, context: str = context) -> str:
                body = context + prefix
                return body + (chars * (size // len(chars) + 1))[: max(0, size - len(body))]

            ratio = _growth(make)
            if ratio > MAX_GROWTH:
                slow.append(f"{context[:10]!r}+{prefix!r}: x{ratio:.0f}")
    assert not slow, f"super-linear reading after a run of {run}: {slow[:5]}"


@pytest.mark.parametrize(
    "shape",
    [
        lambda n: "abc " + "1" * n,  # a word followed by a long run of digits
        lambda n: "Server:\t" + "1" * n,
        lambda n: DIG_HEADER + "example.com. 300 IN SOA ns. host. (" + " " * n,  # a parenthesis left open
        lambda n: DIG_HEADER + "example.com. 300 IN A 192.0.2.1" + " " * n + "x",
    ],
    ids=["word-digits", "server-tab-digits", "open-paren-spaces", "record-spaces"],
)
def test_the_shapes_the_fuzz_pass_found_are_linear(shape: Callable[[int], str]) -> None:
    assert _growth(shape) < MAX_GROWTH
