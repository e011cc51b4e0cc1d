"""The knowledge file: every RCODE, every Extended DNS Error and NODATA, loaded once and validated.

`knowledge/rcodes.yaml` is the single source of truth for what rcodebot says about a code (schema:
knowledge/README.md). Loading validates it completely, because a half-written entry would otherwise surface as
a blank field in front of someone in the middle of an incident: any problem stops the program with one line that
names the file, the entry and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from bot.core.errors import KnowledgeError

Kind = Literal["rcode", "ede", "pseudo"]
Status = Literal["assigned", "unassigned", "private_use", "reserved"]

#: The facets every entry answers, in display order, with their labels.
FACETS: tuple[tuple[str, str], ...] = (
    ("sent_by", "Who sends it"),
    ("means", "What it says about the name"),
    ("cached", "Caching"),
    ("client_next", "What the client does next"),
)
FACET_KEYS = tuple(key for key, _ in FACETS)
APPEARS_IN = ("header", "edns", "tsig", "tkey")

#: What the registries must hold, so that a missing code is caught at load time.
REQUIRED_RCODES: dict[int, tuple[str, ...]] = {
    **{v: () for v in range(12)},
    16: ("BADVERS", "BADSIG"),
    **{v: () for v in range(17, 24)},
}
REQUIRED_EDES = range(34)
REQUIRED_PSEUDO = ("NODATA",)
REGISTRY_SIZE = 65536
RANGE_KINDS: tuple[Status, ...] = ("unassigned", "private_use", "reserved")
SUMMARY_MAX = 150

_NORMALISE = re.compile(r"[^A-Z0-9]+")


def normalise(text: str) -> str:
    """The form names are matched in: upper case, letters and digits only (`Not-Impl` -> `NOTIMPL`)."""
    return _NORMALISE.sub("", text.upper())


@dataclass(frozen=True, slots=True)
class Source:
    """A reference: an RFC, a registry, a draft."""

    key: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Entry:
    """Everything rcodebot knows about one code (or one unassigned/private range of codes).

    `ident` is the identifier used across the file and the JSON (`SERVFAIL`, `EDE 9`, `NODATA`; ranges:
    `RCODE 13`, `EDE 50000`). `name` is what people call it: the IANA upper-case name for RCODEs, the purpose text
    for EDEs.
    """

    kind: Kind
    ident: str
    name: str
    value: int | None
    title: str
    summary: str
    description: str
    when: tuple[str, ...]
    fix: tuple[str, ...]
    facets: tuple[tuple[str, str], ...]
    use_when: str
    references: tuple[Source, ...]
    related: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    appears_in: tuple[str, ...] = ()
    with_rcodes: tuple[str, ...] = ()
    iana: str = ""
    status: Status = "assigned"
    span: tuple[int, int] | None = None

    def facet(self, key: str) -> str:
        """The text of one facet (empty when the entry has none)."""
        return dict(self.facets).get(key, "")

    @property
    def label(self) -> str:
        """A short human label: `SERVFAIL (RCODE 2)`, `EDE 9 (DNSKEY Missing)`, `NODATA`, `RCODE 13 (unassigned)`."""
        if self.status != "assigned":
            return f"{self.ident} ({self.status.replace('_', ' ')})"
        if self.kind == "rcode":
            return f"{self.name} (RCODE {self.value})"
        if self.kind == "ede":
            return f"{self.ident} ({self.name})"
        return self.name


@dataclass(frozen=True, slots=True)
class Pair:
    """Curated notes for codes people confuse (two or more)."""

    codes: tuple[str, ...]
    differences: tuple[str, ...]
    when_which: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Range:
    """An unassigned, private-use or reserved span of a registry."""

    registry: Literal["rcode", "ede"]
    first: int
    last: int
    kind: Status
    summary: str
    description: str
    fix: tuple[str, ...]


@dataclass(frozen=True)
class Knowledge:
    """The loaded knowledge file, with lookups by identifier, value and any spelling of a name."""

    path: str
    sources: Mapping[str, Source]
    rcodes: tuple[Entry, ...]
    edes: tuple[Entry, ...]
    pseudo: tuple[Entry, ...]
    ranges: tuple[Range, ...]
    pairs: tuple[Pair, ...]
    _by_ident: dict[str, Entry] = field(default_factory=dict, repr=False)
    _by_name: dict[str, Entry] = field(default_factory=dict, repr=False)
    _rcode_values: dict[int, tuple[Entry, ...]] = field(default_factory=dict, repr=False)
    _ede_values: dict[int, Entry] = field(default_factory=dict, repr=False)
    _pairs: dict[frozenset[str], Pair] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in (*self.rcodes, *self.edes, *self.pseudo):
            self._by_ident[entry.ident] = entry
        # A value with two meanings (16) lists the header/EDNS meaning first and the TSIG one last.
        for entry in sorted(self.rcodes, key=lambda e: "tsig" in e.appears_in):
            self._rcode_values.setdefault(entry.value or 0, ())
            self._rcode_values[entry.value or 0] += (entry,)
        for entry in self.edes:
            self._ede_values[entry.value or 0] = entry
        for pair in self.pairs:
            self._pairs[frozenset(pair.codes)] = pair
        for entry in (*self.rcodes, *self.pseudo, *self.edes):
            for spelling in self.spellings(entry):
                self._by_name.setdefault(normalise(spelling), entry)

    @staticmethod
    def spellings(entry: Entry) -> tuple[str, ...]:
        """Every spelling that names this entry (name, IANA spelling, aliases; `EDE n` for EDEs)."""
        spellings = [entry.name, entry.iana, *entry.aliases]
        if entry.kind == "ede":
            spellings.append(entry.ident)
        return tuple(s for s in spellings if s)

    # ----------------------------------------------------------------------------------------------- lookups

    def get(self, ident: str) -> Entry:
        """The entry for an identifier (`SERVFAIL`, `EDE 9`, `NODATA`, or a range ident like `RCODE 13`)."""
        if ident in self._by_ident:
            return self._by_ident[ident]
        match = re.fullmatch(r"(RCODE|EDE) (\d+)", ident)
        if match:
            value = int(match.group(2))
            return self.rcode(value) if match.group(1) == "RCODE" else self.ede(value)
        raise KeyError(ident)

    def rcode(self, value: int, *, tsig: bool = False) -> Entry:
        """The entry for an RCODE value 0..65535; 16 is BADVERS, or BADSIG with `tsig=True`."""
        return self.rcode_meanings(value)[-1 if tsig else 0]

    def rcode_meanings(self, value: int) -> tuple[Entry, ...]:
        """Every meaning of an RCODE value: one entry, or two for 16 (BADVERS in OPT, BADSIG in TSIG)."""
        if value in self._rcode_values:
            return self._rcode_values[value]
        return (self._range_entry("rcode", value),)

    def ede(self, value: int) -> Entry:
        """The entry for an Extended DNS Error INFO-CODE 0..65535."""
        if value in self._ede_values:
            return self._ede_values[value]
        return self._range_entry("ede", value)

    def rcode_named(self, text: str) -> Entry | None:
        """An RCODE from any spelling tools print or people type (`NOTIMPL`, `RESERVED11`, `servfail`)."""
        key = normalise(text)
        match = re.fullmatch(r"(?:RESERVED|RCODE)(\d{1,5})", key)
        if match and int(match.group(1)) < REGISTRY_SIZE:
            return self.rcode(int(match.group(1)))
        entry = self._by_name.get(key)
        return entry if entry is not None and entry.kind == "rcode" else None

    def named(self, text: str) -> Entry | None:
        """Any entry (RCODE, EDE purpose, NODATA) from a spelling; None when nothing is called that."""
        return self.rcode_named(text) or self._by_name.get(normalise(text))

    def spelling_index(self) -> Mapping[str, Entry]:
        """Normalised spelling -> entry, for matching and 'did you mean' suggestions."""
        return self._by_name

    def all_names(self) -> tuple[str, ...]:
        """Every name and alias, for 'did you mean' suggestions."""
        return tuple(s for e in (*self.rcodes, *self.pseudo, *self.edes) for s in self.spellings(e))

    def pair(self, idents: Iterable[str]) -> Pair | None:
        """Curated notes for exactly this set of codes, if any."""
        return self._pairs.get(frozenset(idents))

    def pairs_within(self, idents: Sequence[str]) -> tuple[Pair, ...]:
        """Curated notes for every curated set contained in `idents` (for three-way comparisons)."""
        wanted = set(idents)
        return tuple(p for p in self.pairs if len(p.codes) > 1 and set(p.codes) <= wanted)

    def _range_entry(self, registry: Literal["rcode", "ede"], value: int) -> Entry:
        if not 0 <= value < REGISTRY_SIZE:
            raise ValueError(f"{registry} value {value} is outside 0..65535")
        for span in self.ranges:
            if span.registry == registry and span.first <= value <= span.last:
                return _entry_for_range(span, value, self.sources)
        raise ValueError(f"{registry} value {value} is in no registry range")  # excluded by validation


def _entry_for_range(span: Range, value: int, sources: Mapping[str, Source]) -> Entry:
    prefix = "RCODE" if span.registry == "rcode" else "EDE"
    label = {"unassigned": "Unassigned", "private_use": "Private Use", "reserved": "Reserved"}[span.kind]
    registry = "IANA-RCODES" if span.registry == "rcode" else "IANA-EDE"
    references = tuple(sources[k] for k in (registry,) if k in sources)
    return Entry(
        kind=span.registry,
        ident=f"{prefix} {value}",
        name=label,
        value=value,
        title=f"{label} ({span.first}–{span.last})" if span.first != span.last else label,
        summary=span.summary,
        description=span.description,
        when=(),
        fix=span.fix,
        facets=(),
        use_when="",
        references=references,
        status=span.kind,
        span=(span.first, span.last),
    )


# --------------------------------------------------------------------------------------------------- loading


@lru_cache(maxsize=4)
def load(path: str | Path) -> Knowledge:
    """Read and validate the knowledge file (cached per path: it is read once per process)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise KnowledgeError(path=path, where="file", problem=f"cannot be read ({err.strerror or err})") from None
    return from_text(text, str(path))


def load_default() -> Knowledge:
    """The knowledge file shipped with rcodebot (knowledge/rcodes.yaml at the top of the project)."""
    return load(Path(__file__).resolve().parents[3] / "knowledge" / "rcodes.yaml")


def from_text(text: str, path: str = "rcodes.yaml") -> Knowledge:
    """Parse and validate knowledge YAML; raise KnowledgeError naming the entry and field at the first problem."""
    return from_document(parse(text, path), path)


def parse(text: str, path: str = "rcodes.yaml") -> Any:
    """The knowledge YAML as plain data (dicts, lists, strings, numbers), not yet validated.

    Plain data is what a cache can keep (`bot.knowledge_cache` stores it as JSON, which loads in a fraction of the
    time YAML takes); `from_document` validates it either way."""
    import yaml  # only here: a process that reads the cached document never imports it

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        doc = yaml.load(text, Loader=loader)  # a SafeLoader (C or pure Python)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "YAML"
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise KnowledgeError(path=path, where=where, problem=f"invalid YAML: {problem}") from None
    return doc


def from_document(doc: Any, path: str = "rcodes.yaml") -> Knowledge:
    """Validate parsed knowledge data (from `parse`, or a cache of it) into a `Knowledge`."""
    return _Validator(path).document(doc)


class _Validator:
    """Turns the parsed YAML into a `Knowledge`, failing at the first problem with its location."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> KnowledgeError:
        return KnowledgeError(path=self.path, where=where, problem=problem)

    def mapping(self, value: object, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping, got {type(value).__name__}")
        return value

    def items(self, doc: Mapping[str, Any], key: str) -> list[Any]:
        value = doc.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(key, "expected a non-empty list")
        return value

    def text(self, item: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> str:
        value = item.get(key)
        if value is None and optional:
            return ""
        if value is None:
            raise self.fail(where, f"field {key!r} is missing")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"field {key!r} must be non-empty text")
        return " ".join(value.split()) if key in ("summary", "name", "title", "iana") else value.strip()

    def texts(self, item: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> tuple[str, ...]:
        value = item.get(key)
        if value is None and optional:
            return ()
        if value is None:
            raise self.fail(where, f"field {key!r} is missing")
        if not isinstance(value, list) or not all(isinstance(v, str | int) and str(v).strip() for v in value):
            raise self.fail(where, f"field {key!r} must be a list of non-empty texts")
        return tuple(str(v).strip() for v in value)

    def integer(self, item: Mapping[str, Any], key: str, where: str) -> int:
        value = item.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"field {key!r} must be a whole number")
        if not 0 <= value < REGISTRY_SIZE:
            raise self.fail(where, f"field {key!r} must be in 0..65535")
        return value

    # ---------------------------------------------------------------------------------------------------------

    def document(self, doc: object) -> Knowledge:
        top = self.mapping(doc, "top level")
        known = {"sources", "rcodes", "edes", "pseudo", "ranges", "pairs", "version"}
        for key in top:
            if key not in known:
                raise self.fail("top level", f"unknown section {key!r} (expected {', '.join(sorted(known))})")
        sources = self.sources(top.get("sources"))
        rcodes = tuple(
            self.entry(item, "rcode", f"rcodes[{i}]", sources) for i, item in enumerate(self.items(top, "rcodes"))
        )
        edes = tuple(self.entry(item, "ede", f"edes[{i}]", sources) for i, item in enumerate(self.items(top, "edes")))
        pseudo = tuple(
            self.entry(item, "pseudo", f"pseudo[{i}]", sources) for i, item in enumerate(self.items(top, "pseudo"))
        )
        ranges = tuple(self.range(item, f"ranges[{i}]") for i, item in enumerate(self.items(top, "ranges")))
        self.completeness(rcodes, edes, pseudo, ranges)
        idents = {e.ident for e in (*rcodes, *edes, *pseudo)}
        self.unique_spellings((*rcodes, *pseudo, *edes))
        for entry in (*rcodes, *edes, *pseudo):
            for ref in (*entry.related, *entry.with_rcodes):
                if ref not in idents:
                    raise self.fail(f"{entry.ident}", f"related code {ref!r} is not an entry of this file")
        pairs = tuple(self.pair(item, f"pairs[{i}]", idents) for i, item in enumerate(self.items(top, "pairs")))
        return Knowledge(self.path, sources, rcodes, edes, pseudo, ranges, pairs)

    def sources(self, value: object) -> dict[str, Source]:
        mapping = self.mapping(value, "sources")
        out: dict[str, Source] = {}
        for key, item in mapping.items():
            where = f"sources.{key}"
            item = self.mapping(item, where)
            url = self.text(item, "url", where)
            if not url.startswith("https://"):
                raise self.fail(where, "field 'url' must be an https:// address")
            out[str(key)] = Source(str(key), self.text(item, "title", where), url)
        return out

    def entry(self, raw: object, kind: Kind, where: str, sources: Mapping[str, Source]) -> Entry:
        item = self.mapping(raw, where)
        value: int | None = None
        if kind == "pseudo":
            name = self.text(item, "name", where)
            ident = name.upper()
        else:
            value = self.integer(item, "value", where)
            name = self.text(item, "name", where)
            ident = name.upper() if kind == "rcode" else f"EDE {value}"
            if kind == "rcode" and name != name.upper():
                raise self.fail(f"{where} ({name})", "field 'name' must be the IANA name in upper case")
        where = f"{where} ({ident})"
        summary = self.text(item, "summary", where)
        if len(summary) > SUMMARY_MAX:
            raise self.fail(where, f"field 'summary' is {len(summary)} characters (at most {SUMMARY_MAX})")
        facets_raw = self.mapping(item.get("facets"), f"{where} field 'facets'")
        facets = []
        for key in FACET_KEYS:
            facets.append((key, self.text(facets_raw, key, f"{where} facets")))
        extra = set(facets_raw) - set(FACET_KEYS)
        if extra:
            raise self.fail(where, f"unknown facet {sorted(extra)[0]!r} (expected {', '.join(FACET_KEYS)})")
        refs = self.texts(item, "references", where)
        for ref in refs:
            if ref not in sources:
                raise self.fail(where, f"reference {ref!r} is not in 'sources'")
        appears_in = self.texts(item, "appears_in", where, optional=kind != "rcode")
        for place in appears_in:
            if place not in APPEARS_IN:
                raise self.fail(where, f"field 'appears_in' has {place!r} (expected any of {', '.join(APPEARS_IN)})")
        when = self.texts(item, "when", where)
        fix = self.texts(item, "fix", where)
        if not when or not fix:
            raise self.fail(where, f"field {'when' if not when else 'fix'!r} must not be empty")
        return Entry(
            kind=kind,
            ident=ident,
            name=name,
            value=value,
            title=self.text(item, "title", where, optional=True) or name,
            summary=summary,
            description=self.text(item, "description", where),
            when=when,
            fix=fix,
            facets=tuple(facets),
            use_when=self.text(item, "use_when", where),
            references=tuple(sources[r] for r in refs),
            related=self.texts(item, "related", where, optional=True),
            aliases=self.texts(item, "aliases", where, optional=True),
            appears_in=appears_in,
            with_rcodes=self.texts(item, "with_rcodes", where, optional=True),
            iana=self.text(item, "iana", where, optional=True),
        )

    def range(self, raw: object, where: str) -> Range:
        item = self.mapping(raw, where)
        registry = item.get("registry")
        if registry not in ("rcode", "ede"):
            raise self.fail(where, "field 'registry' must be 'rcode' or 'ede'")
        kind = item.get("kind")
        if kind not in RANGE_KINDS:
            raise self.fail(where, f"field 'kind' must be one of {', '.join(RANGE_KINDS)}")
        first, last = self.integer(item, "first", where), self.integer(item, "last", where)
        if first > last:
            raise self.fail(where, f"'first' ({first}) is after 'last' ({last})")
        where = f"{where} ({registry} {first}-{last})"
        return Range(
            registry,
            first,
            last,
            kind,
            self.text(item, "summary", where),
            self.text(item, "description", where),
            self.texts(item, "fix", where, optional=True),
        )

    def completeness(
        self, rcodes: Sequence[Entry], edes: Sequence[Entry], pseudo: Sequence[Entry], ranges: Sequence[Range]
    ) -> None:
        seen: dict[str, str] = {}
        for entry in (*rcodes, *edes, *pseudo):
            if entry.ident in seen:
                raise self.fail(entry.ident, "duplicate entry")
            seen[entry.ident] = entry.ident
        by_value: dict[int, list[str]] = {}
        for entry in rcodes:
            by_value.setdefault(entry.value or 0, []).append(entry.name)
        for value, names in REQUIRED_RCODES.items():
            have = by_value.get(value, [])
            if not have:
                raise self.fail(f"rcodes (RCODE {value})", "missing: every IANA RCODE needs an entry")
            if names and sorted(have) != sorted(names):
                raise self.fail(
                    f"rcodes (RCODE {value})", f"expected entries {' and '.join(names)}, found {', '.join(have)}"
                )
            if not names and len(have) > 1:
                raise self.fail(f"rcodes (RCODE {value})", f"duplicate value: {', '.join(have)}")
        ede_values = {e.value for e in edes}
        for value in REQUIRED_EDES:
            if value not in ede_values:
                raise self.fail(f"edes (EDE {value})", "missing: every IANA Extended DNS Error code needs an entry")
        pseudo_names = {e.name for e in pseudo}
        for name in REQUIRED_PSEUDO:
            if name not in pseudo_names:
                raise self.fail(f"pseudo ({name})", "missing")
        self.coverage("rcode", {e.value or 0 for e in rcodes}, ranges)
        self.coverage("ede", {e.value or 0 for e in edes}, ranges)

    def coverage(self, registry: str, assigned: set[int], ranges: Sequence[Range]) -> None:
        """Every value 0..65535 is assigned or in exactly one range: no gaps, no overlaps."""
        spans = sorted((r.first, r.last) for r in ranges if r.registry == registry)
        points = sorted(assigned)
        cursor = 0
        items = sorted([(v, v, "assigned") for v in points] + [(a, b, "range") for a, b in spans])
        for first, last, what in items:
            if first < cursor:
                raise self.fail(
                    f"ranges ({registry} {first}-{last})", f"overlaps another {what if what == 'range' else 'entry'}"
                )
            if first > cursor:
                raise self.fail(f"ranges ({registry})", f"values {cursor}-{first - 1} are neither assigned nor in a range")
            cursor = last + 1
        if cursor != REGISTRY_SIZE:
            raise self.fail(f"ranges ({registry})", f"values {cursor}-65535 are neither assigned nor in a range")

    def unique_spellings(self, entries: Sequence[Entry]) -> None:
        owner: dict[str, str] = {}
        for entry in entries:
            for spelling in set(map(normalise, Knowledge.spellings(entry))):
                other = owner.get(spelling)
                if other is not None and other != entry.ident:
                    raise self.fail(entry.ident, f"name or alias {spelling!r} also names {other}")
                owner[spelling] = entry.ident

    def pair(self, raw: object, where: str, idents: set[str]) -> Pair:
        item = self.mapping(raw, where)
        codes = self.texts(item, "codes", where)
        if len(codes) < 2 or len(set(codes)) != len(codes):
            raise self.fail(where, "field 'codes' must name two or more different codes")
        for code in codes:
            if code not in idents:
                raise self.fail(where, f"code {code!r} is not an entry of this file")
        where = f"{where} ({' / '.join(codes)})"
        return Pair(codes, self.texts(item, "differences", where), self.texts(item, "when_which", where))
