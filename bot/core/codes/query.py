"""The /rcode query language, one parser for Slack, the CLI and the chat shell.

People type `2 vs 4`, `servfail vs notimp`, `SERVFAIL/NOTIMP`, `2,4`, `rcode 5`, `ede 6 vs ede 9`,
`nodata vs nxdomain`, or a whole sentence ("what's the difference between nxdomain and servfail?"). The parser
finds the codes in the text and ignores the chatter around them, but a word that is *almost* a code name
("servfial") is answered with "did you mean SERVFAIL?" rather than silently dropped, because a comparison
missing the code the user meant is worse than a question back.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from bot.core.codes.knowledge import REGISTRY_SIZE, Knowledge, normalise
from bot.core.errors import UnknownCode, UsageError

#: How much of a query is read: codes are short, and anything longer is someone pasting the wrong thing.
MAX_QUERY_CHARS = 300
#: How many codes one comparison shows (more does not fit a Slack message usefully).
MAX_CODES = 5

USAGE = """\
Ask about DNS response codes by number or name, and compare them side by side:
  2 vs 4                  servfail vs notimp         SERVFAIL/REFUSED/NOTIMP
  rcode 5                 refused                    nodata vs nxdomain
  ede 9                   ede 6 vs ede 9             16  (BADVERS and BADSIG)
  list                    list ede                   help
Numbers are RCODEs (0-65535) unless written `ede N`; names may be any spelling tools print (NOTIMPL, RESERVED11).
In a Slack channel, `/rcode mute` and `/rcode unmute` turn automatic replies to pasted output off and on."""

Registry = Literal["rcode", "ede"]


@dataclass(frozen=True, slots=True)
class CodeQuery:
    """Explain one code, or compare several, in the order asked (`idents` as in the knowledge file)."""

    text: str
    idents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HelpQuery:
    """The user asked for help (or asked nothing)."""

    text: str


@dataclass(frozen=True, slots=True)
class ListQuery:
    """The user asked for the list of codes in a registry."""

    text: str
    registry: Registry


@dataclass(frozen=True, slots=True)
class MuteQuery:
    """`mute` / `unmute`: turn automatic replies to pastes off or on in a Slack channel (not a code)."""

    text: str
    muted: bool


Query = CodeQuery | HelpQuery | ListQuery | MuteQuery

#: The words that are channel commands, not code names: `mute` is no RCODE, and must never be "did you mean…".
MUTE_WORDS = {"mute": True, "unmute": False}

# Words that carry no code: dropped before matching. "error", "code" and friends are here because they surround
# codes in chat ("what does rcode 5 mean"); multi-word names ("Format Error") are matched before words are dropped.
_FILLER = frozenset(
    """
    a about all also an and any are as at be between by can code codes compare comparison could dif diff difference
    differences dig dns do does doing explain for from get getting give got how i im in is it its me mean meaning
    means my of on or please rcode rcodes response responses return returned returns s see seeing should show so
    status tell than the their them then there these they this to us use versus vs vs. v was we what whats when
    where which while who why will with wrong you your hey hi hello thanks thank ok okay error errors result results
    answer answers query queries server servers resolver get gets one ones other than and/or number numbers value
    name names type types extended edns opt header flag flags bit bits
    """.split()
)
_HELP_WORDS = frozenset({"help", "usage", "?", "h", "-h", "--help", "commands"})
_LIST_WORDS = frozenset({"list", "all", "every", "table", "registry", "ls"})
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'._-]*|\?", re.IGNORECASE)
_SLACK_MARKUP = re.compile(r"<[^<>]{0,200}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_NUMBER = re.compile(r"\d+")
_NEGATIVE = re.compile(r"(?<![\w.-])-\d+\b")
_EDE_GLUED = re.compile(r"ede[:#-]?(\d+)")
_RCODE_GLUED = re.compile(r"rcode[:#-]?(\d+)")
_MAX_NAME_WORDS = 5


def clean(text: str) -> str:
    """Bound the text and remove what is never part of a code: control characters, Slack markup (`<@U1>`)."""
    text = text[: MAX_QUERY_CHARS * 4]
    text = _CONTROL.sub(" ", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = _SLACK_MARKUP.sub(" ", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return text[:MAX_QUERY_CHARS]


def parse(text: str, knowledge: Knowledge) -> Query:
    """Turn what the user typed into a query; raise UnknownCode/UsageError with a helpful message."""
    cleaned = clean(text)
    words = [w.lower().replace("'", "").strip(".-_") for w in _TOKEN.findall(cleaned.replace("/", " ").replace(",", " "))]
    words = [w for w in words if w]
    if not text.strip() or (
        words and all(w in _HELP_WORDS or w in _FILLER for w in words) and any(w in _HELP_WORDS for w in words)
    ):
        return HelpQuery(cleaned)
    if not words:
        raise UnknownCode(
            "I couldn't find a DNS code in that. Try a number (2), a name (servfail), `ede 9`, or `nodata`.",
            text=_shown(cleaned.strip()),
        )
    muted = mute_request(text)
    if muted is not None:
        return MuteQuery(cleaned, muted)
    if words[0] in _LIST_WORDS and all(w in _LIST_WORDS or w in _FILLER or w in ("ede", "edes") for w in words):
        registry: Registry = "ede" if any(w.startswith("ede") for w in words) else "rcode"
        return ListQuery(cleaned, registry)
    negative = _NEGATIVE.search(cleaned)
    if negative:
        # The tokenizer drops the sign, which would turn `-1` into RCODE 1 (FORMERR).
        raise UsageError(f"{_shown(negative.group())} is out of range: RCODEs and Extended DNS Errors go from 0 to 65535.")
    return CodeQuery(cleaned, _codes(words, cleaned, knowledge))


def mute_request(text: str) -> bool | None:
    """True for `mute`, False for `unmute` (any case, the text alone), None for anything else."""
    return MUTE_WORDS.get(clean(text).strip().lower())


def _codes(words: list[str], cleaned: str, knowledge: Knowledge) -> tuple[str, ...]:
    idents: list[str] = []
    unknown: list[str] = []
    kind: Registry | None = None  # an explicit `ede`/`rcode` prefix carries over to bare numbers that follow
    i = 0
    while i < len(words):
        word = words[i]
        glued_ede, glued_rcode = _EDE_GLUED.fullmatch(word), _RCODE_GLUED.fullmatch(word)
        if glued_ede or glued_rcode:
            kind = "ede" if glued_ede else "rcode"
            match = glued_ede or glued_rcode
            assert match is not None
            idents.extend(_numbered(kind, match.group(1), knowledge))
            i += 1
            continue
        if word in ("ede", "edes", "rcode", "rcodes") and i + 1 < len(words) and _NUMBER.fullmatch(words[i + 1]):
            kind = "ede" if word.startswith("ede") else "rcode"
            idents.extend(_numbered(kind, words[i + 1], knowledge))
            i += 2
            continue
        if _NUMBER.fullmatch(word):
            idents.extend(_numbered(kind or "rcode", word, knowledge))
            i += 1
            continue
        consumed = _match_name(words, i, knowledge)
        if consumed:
            span, ident = consumed
            idents.append(ident)
            i += span
            continue
        if word not in _FILLER and word not in _HELP_WORDS:
            unknown.append(word)
        i += 1

    # A word that is nearly a code name is a typo to ask about, not chatter to ignore.
    for word in unknown:
        suggestions = suggest(word, knowledge)
        if suggestions and (
            not idents or difflib.SequenceMatcher(None, normalise(word), normalise(suggestions[0])).ratio() >= 0.8
        ):
            raise UnknownCode(
                f"I don't know the code {_shown(word)!r}. Did you mean {' or '.join(suggestions[:3])}?",
                text=word,
                suggestions=suggestions,
            )
    if not idents:
        shown = _shown(" ".join(unknown) or cleaned)
        raise UnknownCode(
            f"I couldn't find a DNS code in {shown!r}. Try a number (2), a name (servfail), `ede 9`, or `nodata`.",
            text=shown,
            suggestions=suggest(unknown[0], knowledge) if unknown else [],
        )
    unique = tuple(dict.fromkeys(idents))
    if len(unique) > MAX_CODES:
        raise UsageError(f"That's {len(unique)} codes; I compare at most {MAX_CODES} at once.")
    return unique


def _numbered(kind: Registry, digits: str, knowledge: Knowledge) -> list[str]:
    value = int(digits) if len(digits) <= 6 else REGISTRY_SIZE
    if value >= REGISTRY_SIZE:
        what = "Extended DNS Error codes" if kind == "ede" else "RCODEs"
        raise UsageError(f"{_shown(digits)} is out of range: {what} go from 0 to 65535.")
    if kind == "ede":
        return [knowledge.ede(value).ident]
    return [entry.ident for entry in knowledge.rcode_meanings(value)]


def _match_name(words: list[str], start: int, knowledge: Knowledge) -> tuple[int, str] | None:
    """Longest run of words from `start` that names a code (`dnskey missing`, `non existent domain`)."""
    for span in range(min(_MAX_NAME_WORDS, len(words) - start), 0, -1):
        run = words[start : start + span]
        if span > 1 and (run[-1] in _FILLER and run[-1] not in ("error", "data", "domain", "answer")):
            continue
        entry = knowledge.named("".join(run))
        if entry is not None:
            return span, entry.ident
    return None


def suggest(word: str, knowledge: Knowledge, limit: int = 3) -> list[str]:
    """The code names closest to a misspelt word, as identifiers people recognise."""
    key = normalise(word)
    if len(key) < 4:
        return []  # too short to be a recognisable misspelling ("ok", "ns")
    index = knowledge.spelling_index()
    close = difflib.get_close_matches(key, index.keys(), n=limit * 3, cutoff=0.7)
    names = (index[c].name if index[c].kind != "ede" else index[c].ident for c in close)
    return list(dict.fromkeys(names))[:limit]


def _shown(text: str) -> str:
    """User text echoed back in an error: bounded (escaping is the renderer's job)."""
    return text if len(text) <= 40 else text[:39] + "…"
