"""Comparisons: what to say when someone asks about one code or puts several side by side.

Two descriptions next to each other rarely tell an on-call engineer which one they are looking at. A
`Comparison` therefore adds, in order of value: the curated notes for the pair (knowledge `pairs`), the facets
on which the codes differ (who sends it, what it says about the name, caching, what the client does next), and
"when to use which" from each entry's guidance. Facets on which both codes agree are left out: they are not a
difference.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.codes.knowledge import FACETS, Entry, Knowledge, Pair, Source


@dataclass(frozen=True, slots=True)
class FacetRow:
    """One facet across the compared entries: label, then (ident, text) per entry."""

    key: str
    label: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """One code explained, or several compared, ready for any renderer."""

    query: str
    entries: tuple[Entry, ...]
    pairs: tuple[Pair, ...]
    facet_rows: tuple[FacetRow, ...]
    notes: tuple[str, ...]
    references: tuple[Source, ...]

    @property
    def is_single(self) -> bool:
        """True when one code is explained rather than several compared."""
        return len(self.entries) == 1

    @property
    def curated_differences(self) -> tuple[str, ...]:
        """The knowledge file's notes for the curated pairs among the entries."""
        return tuple(d for p in self.pairs for d in p.differences)

    @property
    def differences(self) -> tuple[str, ...]:
        """Key differences as sentences: curated notes first, then every facet on which the entries differ."""
        derived = tuple(
            f"{row.label} — " + " ".join(f"{self.short(ident)}: {_sentence(text)}" for ident, text in row.values)
            for row in self.facet_rows
        )
        return self.curated_differences + derived if not self.is_single else ()

    def short(self, ident: str) -> str:
        """The short name of a compared entry (`SERVFAIL`, `EDE 9`, `RCODE 13`)."""
        return _short(ident, self.entries)

    @property
    def when_which(self) -> tuple[str, ...]:
        """When you will see (or should send) which: curated notes, then each entry's own guidance."""
        curated = tuple(w for p in self.pairs for w in p.when_which)
        own = tuple(f"{_short(e.ident, self.entries)}: {e.use_when}" for e in self.entries if e.use_when)
        return curated + own

    @property
    def title(self) -> str:
        """`SERVFAIL (RCODE 2) vs NOTIMP (RCODE 4)`."""
        return " vs ".join(e.label for e in self.entries)


def compare(query: str, entries: tuple[Entry, ...], knowledge: Knowledge) -> Comparison:
    """Build the comparison of `entries` (one or more, in the order asked)."""
    idents = [e.ident for e in entries]
    pairs = knowledge.pairs_within(idents) if len(entries) > 1 else ()
    rows: list[FacetRow] = []
    if len(entries) > 1:
        for key, label in FACETS:
            values = tuple((e.ident, e.facet(key)) for e in entries if e.facet(key))
            if len(values) == len(entries) and len({_fold(text) for _, text in values}) > 1:
                rows.append(FacetRow(key, label, values))
    return Comparison(
        query=query,
        entries=entries,
        pairs=pairs,
        facet_rows=tuple(rows),
        notes=_notes(entries),
        references=_references(entries),
    )


def _notes(entries: tuple[Entry, ...]) -> tuple[str, ...]:
    """Facts the user would otherwise trip over: shared values, codes that need EDNS or TSIG to be seen."""
    notes: list[str] = []
    values: dict[tuple[str, int | None], list[Entry]] = {}
    for entry in entries:
        if entry.kind == "rcode":
            values.setdefault((entry.kind, entry.value), []).append(entry)
    for (_, value), same in values.items():
        if len(same) > 1:
            names = " and ".join(e.name for e in same)
            notes.append(
                f"RCODE {value} has two meanings ({names}): which one depends on where it appears "
                f"({'; '.join(f'{e.name} in {_places(e)}' for e in same)})."
            )
    for entry in entries:
        if entry.kind == "rcode" and entry.value is not None and entry.value > 15 and entry.status == "assigned":
            if "header" not in entry.appears_in:
                notes.append(
                    f"{entry.name} ({entry.value}) does not fit the 4-bit header RCODE: it is only seen in {_places(entry)}."
                )
        if entry.status != "assigned" and entry.span is not None and len(entries) > 1:
            notes.append(f"{entry.ident} falls in the {entry.span[0]}–{entry.span[1]} range: {entry.summary}")
        if entry.kind == "rcode" and entry.status != "assigned" and entry.value is not None and entry.value > 15:
            notes.append(
                f"RCODE {entry.value} cannot travel in the 4-bit header: "
                + (
                    "it needs the EDNS OPT record's extended RCODE (12 bits, up to 4095)."
                    if entry.value <= 4095
                    else "only the 16-bit TSIG/TKEY error field can hold it."
                )
            )
    return tuple(dict.fromkeys(notes))


def _places(entry: Entry) -> str:
    names = {
        "header": "the DNS header",
        "edns": "the EDNS OPT record",
        "tsig": "the TSIG error field",
        "tkey": "the TKEY error field",
    }
    return " or ".join(names[p] for p in entry.appears_in) or "the DNS header"


def _references(entries: tuple[Entry, ...]) -> tuple[Source, ...]:
    seen: dict[str, Source] = {}
    for entry in entries:
        for source in entry.references:
            seen.setdefault(source.key, source)
    return tuple(seen.values())


def _short(ident: str, entries: tuple[Entry, ...]) -> str:
    for entry in entries:
        if entry.ident == ident:
            return entry.name if entry.kind != "ede" and entry.status == "assigned" else entry.ident
    return ident


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _fold(text: str) -> str:
    return " ".join(text.lower().split())
