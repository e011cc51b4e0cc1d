"""The Block Kit side of a pasted-output reply (`bot.render.paste` builds the text and calls this lazily).

Everything that came from the paste is escaped for mrkdwn here; see `bot.render.paste` for why.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.paste.explain import Explanation, OutputExplanation
from bot.render.escape import code_span, mrkdwn, unicode_text
from bot.render.limits import MAX_SECTION_TEXT, clip
from bot.render.paste import (
    ACTION_RUN_CHECK,
    BLOCK_RUN_CHECK,
    ICON,
    MAX_BUTTON_VALUE,
    MAX_DETAILED,
    MAX_LISTED,
    NOTHING,
    SLACK_MARK,
    TRUNCATED,
    fact_list,
    query_label,
    tool_label,
)

# ------------------------------------------------------------------------------------------------ Slack


def _md(value: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(value, MAX_SECTION_TEXT), verbatim=True)


def _code(value: str) -> str:
    """Inline code for a value from the paste (escaped; a backtick inside cannot end the span)."""
    return "`" + code_span(value).replace("`", "'") + "`"


def _section(value: str) -> SectionBlock:
    return SectionBlock(text=_md(value))


def _head(item: OutputExplanation) -> str:
    o = item.output
    line = f"{ICON[item.verdict]} *{mrkdwn(item.status_label)}* for {_code(query_label(item))}"
    if o.server:
        line += f" from {_code(o.server)}"
    return f"{line}\n{mrkdwn(item.headline)}"


def _ede_block(item: OutputExplanation) -> SectionBlock:
    lines = ["*Extended DNS Errors*"]
    for note in item.ede:
        line = f"• *{mrkdwn(note.label)}*"
        if note.ede.text:
            line += f" — “{mrkdwn(note.ede.text)}”"
        lines.append(line)
        if note.entry is not None:
            lines.append(f"   {mrkdwn(note.entry.summary)}")
    return _section("\n".join(lines))


def _findings_block(item: OutputExplanation) -> SectionBlock:
    lines = ["*What the output shows*"]
    for f in item.findings:
        lines.append(f"{SLACK_MARK[f.severity]} *{mrkdwn(f.title)}*: {mrkdwn(f.detail)}")
        lines += [f"   → {mrkdwn(fix)}" for fix in f.fix]
    return _section("\n".join(lines))


def _steps_block(item: OutputExplanation) -> SectionBlock:
    lines = ["*Next steps*"] + [f"{n}. {mrkdwn(step)}" for n, step in enumerate(item.next_steps, 1)]
    return _section("\n".join(lines))


def _context(item: OutputExplanation) -> ContextBlock:
    facts = [tool_label(item), *fact_list(item)]
    return ContextBlock(elements=[_md(mrkdwn(" · ".join(facts)))])


def output_blocks(item: OutputExplanation) -> list[Block]:
    """The blocks for one output: status, EDEs, findings, next steps, facts."""
    out: list[Block] = [_section(_head(item))]
    if item.ede:
        out.append(_ede_block(item))
    if item.findings:
        out.append(_findings_block(item))
    if item.next_steps:
        out.append(_steps_block(item))
    out.append(_context(item))
    return out


def blocks(explanation: Explanation, *, target: tuple[str, str] | None = None) -> list[Block]:
    """Block Kit for the whole paste; with `target`, a "Run live check" button at the end."""
    if not explanation.detected:
        return [_section(mrkdwn(NOTHING))]
    out: list[Block] = []
    items = explanation.outputs
    for number, item in enumerate(items[:MAX_DETAILED]):
        if number:
            out.append(DividerBlock())
        out += output_blocks(item)
    if len(items) > MAX_DETAILED:
        rest = [
            f"{ICON[i.verdict]} {mrkdwn(i.status_label)} for {code_span(query_label(i))}"
            for i in items[MAX_DETAILED:MAX_LISTED]
        ]
        if len(items) > MAX_LISTED:
            rest.append(f"… and {len(items) - MAX_LISTED} more")
        out += [DividerBlock(), _section("*Also in the paste*\n" + "\n".join(rest))]
    if explanation.truncated:
        note = TRUNCATED.format(size=explanation.paste.size, limit=explanation.paste.limit)
        out.append(ContextBlock(elements=[_md(f"✂️ {mrkdwn(note)}")]))
    if target is not None:
        out.append(run_check_actions(*target))
    return out


def run_check_actions(name: str, rdtype: str) -> ActionsBlock:
    """The actions block with the "Run live check" button (value `NAME TYPE`)."""
    value = unicode_text(f"{name} {rdtype}")[:MAX_BUTTON_VALUE]
    return ActionsBlock(
        block_id=BLOCK_RUN_CHECK,
        elements=[ButtonElement(text="Run live check", action_id=ACTION_RUN_CHECK, value=value, style="primary")],
    )
