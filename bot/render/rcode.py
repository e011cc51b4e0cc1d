"""Rendering /rcode answers: one code explained, or several side by side, as Block Kit and as terminal text.

Both renderers consume the same `Comparison`, so Slack and the terminal cannot drift. In Slack, each row
(description / when you see it / how to fix) is one section whose fields hold one code each: Slack lays fields
out in two columns, which is the side-by-side view, and stacks them on a phone. Field text is budgeted so that
even a five-way comparison stays inside Slack's per-message size limit without losing the closing sections.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.core.codes.compare import Comparison
from bot.core.codes.knowledge import FACETS, Entry, Knowledge, Source
from bot.core.codes.query import USAGE
from bot.render.escape import code_span, mrkdwn
from bot.render.limits import clip

WIDTH = 100
ROWS = (("description", "What it means"), ("when", "When you see it"), ("fix", "How to fix"))


# ------------------------------------------------------------------------------------------------ Block Kit


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text, verbatim=True)


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"• {mrkdwn(item)}" for item in items)


def _fit_bullets(items: Sequence[str], budget: int, more_hint: str) -> str:
    """Whole bullets while they fit in `budget` characters, then "+N more" pointing at the full answer."""
    out: list[str] = []
    used = 0
    for index, item in enumerate(items):
        line = f"• {mrkdwn(item)}"
        if used + len(line) + 1 > budget - 60 and out:
            out.append(f"_+{len(items) - index} more: {more_hint}_")
            break
        out.append(clip(line, budget - 60))
        used += len(line) + 1
    return "\n".join(out) or "_—_"


def _field_text(entry: Entry, row: str, budget: int) -> str:
    hint = f"`/rcode {_query_word(entry)}`"
    if row == "description":
        return clip(mrkdwn(entry.description), budget)
    items = entry.when if row == "when" else entry.fix
    return _fit_bullets(items, budget, hint)


def _query_word(entry: Entry) -> str:
    """What to type to see this entry alone."""
    if entry.kind == "ede":
        return f"ede {entry.value}"
    return entry.name.lower() if entry.status == "assigned" else str(entry.value)


def _link(source: Source) -> str:
    url = source.url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    rfc = re.fullmatch(r"RFC ?(\d+)", source.key)
    label = f"RFC {rfc.group(1)}" if rfc else source.title if len(source.title) <= 60 else source.key
    return f"<{url}|{mrkdwn(label)}>"


def _links(sources: Sequence[Source]) -> str:
    return "Learn more: " + " · ".join(_link(s) for s in sources[:12])


def _entry_heading(entry: Entry) -> str:
    name = mrkdwn(entry.label)
    title = mrkdwn(entry.title)
    return f"*{name}*\n_{title}_\n{mrkdwn(entry.summary)}" if title != name else f"*{name}*\n{mrkdwn(entry.summary)}"


def comparison_blocks(comparison: Comparison) -> list[Block]:
    """Block Kit for one code or a side-by-side comparison."""
    if comparison.is_single:
        return single_blocks(comparison)
    entries = comparison.entries
    # Budgets keep the whole comparison, closing sections included, under Slack's ~12k message limit.
    row_budget = max(250, min(1200, 3600 // (3 * len(entries))))
    facet_budget = max(120, min(400, 1600 // (len(FACETS) * len(entries))))
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=clip(comparison.title, 150))),
        SectionBlock(fields=[_md(clip(_entry_heading(e), min(400, 1400 // len(entries)))) for e in entries]),
    ]
    for row, label in ROWS:
        fields = [_md(f"*{mrkdwn(comparison.short(e.ident))}*\n{_field_text(e, row, row_budget)}") for e in entries]
        blocks.append(SectionBlock(text=_md(f"*{label}*"), fields=fields))
    blocks.append(DividerBlock())
    if comparison.notes:
        blocks.append(ContextBlock(elements=[_md(clip(_bullets(comparison.notes), 1000))]))
    if comparison.curated_differences:
        text = "*Key differences*\n" + _fit_bullets(comparison.curated_differences, 1800, "`rcodebot rcode` in a terminal")
        blocks.append(SectionBlock(text=_md(text)))
    # Four or five codes: the facet grid would crowd out the closing sections; the terminal keeps it.
    for facet in comparison.facet_rows if len(entries) <= 3 else ():
        fields = [_md(clip(f"*{mrkdwn(comparison.short(i))}*: {mrkdwn(t)}", facet_budget)) for i, t in facet.values]
        blocks.append(SectionBlock(text=_md(f"*{facet.label}*"), fields=fields))
    if comparison.when_which:
        text = "*When to use which*\n" + _fit_bullets(comparison.when_which, 1300, "`rcodebot rcode` in a terminal")
        blocks.append(SectionBlock(text=_md(text)))
    context = [_md("Each in full: " + " · ".join(f"`/rcode {code_span(_query_word(e))}`" for e in entries))]
    if comparison.references:
        context.append(_md(clip(_links(comparison.references), 900)))
    blocks.append(ContextBlock(elements=context))
    return blocks


def single_blocks(comparison: Comparison) -> list[Block]:
    """Block Kit for one code explained on its own."""
    entry = comparison.entries[0]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=clip(entry.label, 150))),
        SectionBlock(
            text=_md(clip(f"*{mrkdwn(entry.title)}* — {mrkdwn(entry.summary)}\n\n{mrkdwn(entry.description)}", 2500))
        ),
    ]
    if comparison.notes:
        blocks.append(ContextBlock(elements=[_md(clip(_bullets(comparison.notes), 1500))]))
    if entry.when:
        blocks.append(SectionBlock(text=_md(clip("*When you see it*\n" + _bullets(entry.when), 2500))))
    if entry.fix:
        blocks.append(SectionBlock(text=_md(clip("*How to fix*\n" + _bullets(entry.fix), 2500))))
    facets = [(label, entry.facet(key)) for key, label in FACETS if entry.facet(key)]
    if facets:
        blocks.append(SectionBlock(fields=[_md(clip(f"*{label}*\n{mrkdwn(text)}", 700)) for label, text in facets]))
    if entry.use_when:
        blocks.append(SectionBlock(text=_md(clip(f"*When to send it*\n{mrkdwn(entry.use_when)}", 1200))))
    context = []
    if entry.related:
        context.append(_md(clip("Often confused with: " + ", ".join(mrkdwn(r) for r in entry.related), 600)))
    if entry.references:
        context.append(_md(clip(_links(entry.references), 1400)))
    if context:
        blocks.append(ContextBlock(elements=context))
    return blocks


def comparison_fallback(comparison: Comparison) -> str:
    """Slack's notification text: the title and the one-line summaries (escaped)."""
    lines = [mrkdwn(comparison.title)] + [f"{mrkdwn(e.label)}: {mrkdwn(e.summary)}" for e in comparison.entries]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ terminal


def _fill(paragraph: str, first: str, rest: str) -> list[str]:
    """Greedy word wrap to WIDTH (textwrap's regex chunking costs more than the rest of a reply)."""
    lines: list[str] = []
    line = first
    empty = True
    for word in paragraph.split():
        if not empty and len(line) + 1 + len(word) > WIDTH:
            lines.append(line)
            line, empty = rest, True
        line = f"{line}{'' if empty else ' '}{word}"
        empty = False
    lines.append(line)
    return lines


def _wrap(text: str, indent: str = "  ", bullet: str = "") -> str:
    first = indent + bullet
    rest = indent + " " * len(bullet)
    out: list[str] = []
    for paragraph in (p for p in text.split("\n") if p.strip()):
        out.extend(_fill(paragraph, first if not out else rest, rest))
    return "\n".join(out)


def _section(title: str, body: str) -> str:
    return f"{title}\n{body}"


def _heading(title: str) -> str:
    return f"{title}\n{'=' * min(WIDTH, len(title))}"


def comparison_text(comparison: Comparison) -> str:
    """Readable terminal text for one code or a comparison."""
    if comparison.is_single:
        return single_text(comparison)
    entries = comparison.entries
    parts = [_heading(comparison.title)]
    parts.append("\n".join(_wrap(f"{e.label} — {e.title}: {e.summary}", "", "") for e in entries))
    for row, label in ROWS:
        body = []
        for entry in entries:
            if row == "description":
                body.append(_wrap(f"{comparison.short(entry.ident)}: {entry.description}"))
            else:
                items = entry.when if row == "when" else entry.fix
                body.append(f"  {comparison.short(entry.ident)}")
                body.extend(_wrap(item, "    ", "• ") for item in items)
        parts.append(_section(label, "\n".join(body)))
    if comparison.notes:
        parts.append(_section("Note", "\n".join(_wrap(n, "  ", "• ") for n in comparison.notes)))
    if comparison.curated_differences:
        parts.append(_section("Key differences", "\n".join(_wrap(d, "  ", "• ") for d in comparison.curated_differences)))
    if comparison.facet_rows:
        body = []
        for facet in comparison.facet_rows:
            body.append(f"  {facet.label}")
            body.extend(_wrap(f"{comparison.short(i)}: {t}", "    ", "• ") for i, t in facet.values)
        parts.append(_section("At a glance", "\n".join(body)))
    if comparison.when_which:
        parts.append(_section("When to use which", "\n".join(_wrap(w, "  ", "• ") for w in comparison.when_which)))
    if comparison.references:
        parts.append(_section("Learn more", "\n".join(f"  {s.title}: {s.url}" for s in comparison.references)))
    return "\n\n".join(parts) + "\n"


def single_text(comparison: Comparison) -> str:
    """Readable terminal text for one code."""
    entry = comparison.entries[0]
    parts = [
        _heading(entry.label),
        _wrap(f"{entry.title}: {entry.summary}", ""),
        _wrap(entry.description, ""),
    ]
    if comparison.notes:
        parts.append(_section("Note", "\n".join(_wrap(n, "  ", "• ") for n in comparison.notes)))
    if entry.when:
        parts.append(_section("When you see it", "\n".join(_wrap(w, "  ", "• ") for w in entry.when)))
    if entry.fix:
        parts.append(_section("How to fix", "\n".join(_wrap(f, "  ", "• ") for f in entry.fix)))
    facets = [(label, entry.facet(key)) for key, label in FACETS if entry.facet(key)]
    if facets:
        parts.append(_section("At a glance", "\n".join(_wrap(f"{label}: {text}", "  ", "• ") for label, text in facets)))
    if entry.use_when:
        parts.append(_section("When to send it", _wrap(entry.use_when)))
    if entry.related:
        parts.append(_section("Often confused with", _wrap(", ".join(entry.related))))
    if entry.references:
        parts.append(_section("Learn more", "\n".join(f"  {s.title}: {s.url}" for s in entry.references)))
    return "\n\n".join(parts) + "\n"


# ------------------------------------------------------------------------------------------------ JSON


def entry_json(entry: Entry) -> dict[str, Any]:
    """The public JSON shape of one entry (`--json` `entries[]`)."""
    data: dict[str, Any] = {
        "kind": entry.kind,
        "value": entry.value,
        "name": entry.name,
        "ident": entry.ident,
        "title": entry.title,
        "status": entry.status,
        "summary": entry.summary,
        "description": entry.description,
        "when": list(entry.when),
        "fix": list(entry.fix),
        "facets": dict(entry.facets),
        "use_when": entry.use_when,
        "references": [{"key": s.key, "title": s.title, "url": s.url} for s in entry.references],
        "related": list(entry.related),
        "aliases": list(entry.aliases),
        "appears_in": list(entry.appears_in),
    }
    if entry.span is not None:
        data["range"] = {"first": entry.span[0], "last": entry.span[1], "status": entry.status}
    if entry.with_rcodes:
        data["with_rcodes"] = list(entry.with_rcodes)
    return data


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """The public JSON object of an /rcode answer (without `text` and `blocks`, which `Reply` adds)."""
    return {
        "query": comparison.query,
        "entries": [entry_json(e) for e in comparison.entries],
        "differences": list(comparison.differences),
        "when_to_use": list(comparison.when_which),
        "notes": list(comparison.notes),
    }


# ------------------------------------------------------------------------------------------------ help, list


def help_text() -> str:
    """The usage text (the same words in Slack, the CLI and the shell)."""
    return USAGE


def help_blocks(extra: str = "") -> list[Block]:
    """Usage as Block Kit."""
    body = f"```{code_span(USAGE)}```"
    blocks: list[Block] = [SectionBlock(text=_md("*rcodebot* explains DNS response codes."))]
    blocks.append(SectionBlock(text=_md(body)))
    if extra:
        blocks.append(ContextBlock(elements=[_md(mrkdwn(extra))]))
    return blocks


def list_rows(knowledge: Knowledge, registry: str) -> list[tuple[str, str, str]]:
    """(value, name, summary) rows of a registry listing, ranges included."""
    rows: list[tuple[str, str, str]] = []
    entries = knowledge.edes if registry == "ede" else (*knowledge.rcodes, *knowledge.pseudo)
    for entry in entries:
        value = "—" if entry.value is None else str(entry.value)
        rows.append((value, entry.name, entry.summary))
    for span in knowledge.ranges:
        if span.registry == registry:
            value = f"{span.first}" if span.first == span.last else f"{span.first}–{span.last}"
            rows.append((value, span.kind.replace("_", " "), span.summary))
    return rows


def list_text(knowledge: Knowledge, registry: str) -> str:
    """A registry listing for the terminal."""
    title = "Extended DNS Error codes" if registry == "ede" else "DNS RCODEs (and NODATA)"
    rows = list_rows(knowledge, registry)
    width = max(len(r[1]) for r in rows)
    lines = [title, "=" * len(title)]
    lines.extend(f"{value:>11}  {name:<{width}}  {summary}" for value, name, summary in rows)
    return "\n".join(lines) + "\n"


def list_blocks(knowledge: Knowledge, registry: str) -> list[Block]:
    """A registry listing for Slack: compact lines, several per section."""
    title = "Extended DNS Error codes" if registry == "ede" else "DNS RCODEs (and NODATA)"
    rows = list_rows(knowledge, registry)
    lines = [f"`{value}` *{mrkdwn(name)}* — {mrkdwn(clip(summary, 90, '…'))}" for value, name, summary in rows]
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=title))]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2800:
            blocks.append(SectionBlock(text=_md("\n".join(chunk))))
            chunk = []
        chunk.append(clip(line, 400))
    if chunk:
        blocks.append(SectionBlock(text=_md("\n".join(chunk))))
    blocks.append(ContextBlock(elements=[_md("Ask about any of them: `/rcode 2 vs 4`, `/rcode ede 9`.")]))
    return blocks
