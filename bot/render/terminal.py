"""Text for a terminal, and JSON for a pipe: whatever a paste or a DNS answer held, it cannot act on the reader.

A pasted output (or a TXT record, an EDE text) can carry bytes a terminal obeys: ESC sequences that move the
cursor, recolour or retitle the window, C1 controls (U+009B is a one-character CSI), a carriage return that
overwrites the line, bidi overrides and isolates that reorder what is shown (U+202E, U+2066…), NUL. `safe` makes
each of them visible as an escape (`\\x1b`, `\\u202e`), the way doggo shows them, and leaves tabs, newlines and every
printable character alone. Lone surrogates (from a JSON `\\ude00` escape) become escapes too, so writing the text
can never raise UnicodeEncodeError.

`json_text` is the one serialiser of the `--json` outputs: strict JSON (a non-finite number, which `json` would
print as NaN/Infinity, becomes null), UTF-8 safe and terminal safe (a lone surrogate, a C1 or bidi control is
written as its `\\uXXXX` escape, which means the same character to any JSON reader).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# C0 except tab and newline, DEL, C1; the Arabic letter mark, LRM/RLM, bidi embeddings/overrides/isolates; lone
# surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """`text` with every character a terminal would act on (or could not encode) shown as an escape."""
    return _UNSAFE.sub(_visible, text)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def json_text(value: Any) -> str:
    """`value` as strict, UTF-8-encodable JSON text (indented, non-ASCII kept readable)."""
    text = json.dumps(_finite(value), indent=2, ensure_ascii=False, allow_nan=False)
    # `json` escapes C0 controls but writes DEL, C1 controls (U+009B is a one-character CSI), bidi controls and lone
    # surrogates as they are. They can only sit inside a JSON string, where a `\uXXXX` escape means the same thing:
    # a pipe gets the same data, and a terminal that shows the JSON obeys none of them.
    return _UNSAFE_IN_JSON.sub(_json_escape, text)


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"
