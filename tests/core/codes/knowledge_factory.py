"""A complete, minimal knowledge document built in code, for testing the validator one fault at a time."""

from __future__ import annotations

import copy
from typing import Any

import yaml

RCODE_NAMES = {
    0: "NOERROR",
    1: "FORMERR",
    2: "SERVFAIL",
    3: "NXDOMAIN",
    4: "NOTIMP",
    5: "REFUSED",
    6: "YXDOMAIN",
    7: "YXRRSET",
    8: "NXRRSET",
    9: "NOTAUTH",
    10: "NOTZONE",
    11: "DSOTYPENI",
    17: "BADKEY",
    18: "BADTIME",
    19: "BADMODE",
    20: "BADNAME",
    21: "BADALG",
    22: "BADTRUNC",
    23: "BADCOOKIE",
}


def _entry(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "summary": "A one-line summary.",
        "description": "What it means.",
        "when": ["Resolver: when it happens."],
        "fix": ["Run `dig example.com`."],
        "facets": {"sent_by": "Someone.", "means": "Something.", "cached": "Briefly.", "client_next": "Retries."},
        "use_when": "Return it when appropriate.",
        "references": ["RFC1035"],
    }
    base.update(fields)
    return base


def minimal_doc() -> dict[str, Any]:
    """Every required code, every range, one pair: valid as it is."""
    rcodes = [_entry(value=v, name=n, appears_in=["header"]) for v, n in RCODE_NAMES.items()]
    rcodes.append(_entry(value=16, name="BADVERS", appears_in=["edns"]))
    rcodes.append(_entry(value=16, name="BADSIG", appears_in=["tsig"]))
    rcodes[4]["aliases"] = ["NOTIMPL"]
    rcodes[11]["aliases"] = ["RESERVED11"]
    edes = [_entry(value=v, name=f"Purpose {v}") for v in range(34)]
    return {
        "sources": {"RFC1035": {"title": "Domain names", "url": "https://www.rfc-editor.org/rfc/rfc1035"}},
        "rcodes": rcodes,
        "edes": edes,
        "pseudo": [_entry(name="NODATA")],
        "ranges": [
            {"registry": "rcode", "first": 12, "last": 15, "kind": "unassigned", "summary": "s", "description": "d"},
            {"registry": "rcode", "first": 24, "last": 3840, "kind": "unassigned", "summary": "s", "description": "d"},
            {"registry": "rcode", "first": 3841, "last": 4095, "kind": "private_use", "summary": "s", "description": "d"},
            {"registry": "rcode", "first": 4096, "last": 65534, "kind": "unassigned", "summary": "s", "description": "d"},
            {"registry": "rcode", "first": 65535, "last": 65535, "kind": "reserved", "summary": "s", "description": "d"},
            {"registry": "ede", "first": 34, "last": 49151, "kind": "unassigned", "summary": "s", "description": "d"},
            {"registry": "ede", "first": 49152, "last": 65535, "kind": "private_use", "summary": "s", "description": "d"},
        ],
        "pairs": [{"codes": ["SERVFAIL", "REFUSED"], "differences": ["One fails."], "when_which": ["Use one."]}],
    }


def dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def variant(**changes: Any) -> dict[str, Any]:
    """A deep copy of the minimal document, for mutation."""
    doc = copy.deepcopy(minimal_doc())
    doc.update(changes)
    return doc
