"""Rendering the explanation of pasted tool output: terminal text, Block Kit and JSON, from one `Explanation`.

Everything that came from the paste (names, servers, record data, EDE text) is escaped for mrkdwn here, and so is
the knowledge file's text once `NAME`/`SERVER` are filled in from the paste: a TXT record holding `<!channel>`
pings nobody. The "Run live check" button carries `NAME TYPE` of the first output; the Slack side validates it
again before probing (a button value can be forged).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.paste.explain import Explanation, Finding, OutputExplanation
from bot.render.escape import mrkdwn
from bot.render.reply import Reply

if TYPE_CHECKING:
    from slack_sdk.models.blocks import Block

ACTION_RUN_CHECK = "run_live_check"
"""action_id of the "Run live check" button; its value is `NAME TYPE`."""

BLOCK_RUN_CHECK = "paste_run_check"
MAX_DETAILED = 3
MAX_LISTED = 10
MAX_BUTTON_VALUE = 2000

ICON = {
    "ok": "✅",
    "nodata": "ℹ️",
    "referral": "↪️",
    "nxdomain": "ℹ️",
    "failure": "🔴",
    "no_answer": "⏱️",
    "unknown": "❔",
}
MARK = {"info": "·", "warning": "!", "problem": "✗"}
SLACK_MARK = {"info": "•", "warning": "⚠️", "problem": "🔴"}
TRUNCATED = "The paste is longer than a Slack message can be; I read the first {limit:,} characters."
NOTHING = "I found no dig, kdig, drill, delv, host or nslookup output in that."


def reply(explanation: Explanation, *, offer_probe: bool = False) -> Reply:
    """The whole reply: terminal text, Slack fallback and blocks, and the `--json` data."""
    target = explanation.target() if offer_probe else None
    return Reply(
        text=text(explanation),
        fallback=fallback(explanation),
        blocks=lambda: _blocks(explanation, target),
        data=explanation.to_json(),
        ok=explanation.detected,
    )


# ------------------------------------------------------------------------------------------------- text


def query_label(item: OutputExplanation) -> str:
    o = item.output
    parts = [p for p in (o.qname, o.qtype) if p]
    return " ".join(parts) or "(query not shown)"


def tool_label(item: OutputExplanation) -> str:
    o = item.output
    tool: str = o.tool if o.tool != "unknown" else "tool output"
    if o.form in ("short", "yaml", "trace", "json"):
        tool += f" +{o.form}"
    return f"{tool} {o.version}" if o.version else tool


def fact_list(item: OutputExplanation) -> list[str]:
    o = item.output
    facts = []
    if o.flags:
        facts.append(f"flags {' '.join(o.flags)}")
    if o.counts is not None and o.counts.answer is not None:
        facts.append(f"answer {o.counts.answer}, authority {o.counts.authority}, additional {o.counts.additional}")
    elif o.answer:
        facts.append(f"{len(o.answer)} record{'s' if len(o.answer) != 1 else ''}")
    if o.edns is not None:
        edns = f"EDNS {o.edns.version}"
        if o.edns.flags:
            edns += f" {' '.join(o.edns.flags)}"
        if o.edns.udp:
            edns += f" udp {o.edns.udp}"
        facts.append(edns)
    if o.nsid:
        facts.append(f"NSID {o.nsid}")
    if o.hops:
        facts.append(f"{len(o.hops)} hops")
    if o.query_time_ms is not None:
        facts.append(f"{o.query_time_ms:g} ms")
    if o.msg_size is not None:
        facts.append(f"{o.msg_size} bytes")
    return facts


def _finding_text(f: Finding) -> list[str]:
    lines = [f"  {MARK[f.severity]} {f.title}", f"    {f.detail}"]
    lines += [f"    → {fix}" for fix in f.fix]
    return lines


def output_text(item: OutputExplanation) -> str:
    """One output, as plain text."""
    o = item.output
    head = f"{tool_label(item)} · {query_label(item)}"
    if o.server:
        head += f" · server {o.server}"
    lines = [head, f"{item.status_label}: {item.headline}"]
    if item.ede:
        lines += ["", "Extended DNS Errors"]
        for note in item.ede:
            extra = f' "{note.ede.text}"' if note.ede.text else ""
            lines.append(f"  {note.label}{extra}")
            if note.entry is not None:
                lines.append(f"    {note.entry.summary}")
    if item.findings:
        lines += ["", "What the output shows"]
        for finding in item.findings:
            lines += _finding_text(finding)
    if item.next_steps:
        lines += ["", "Next steps"]
        lines += [f"  {n}. {step}" for n, step in enumerate(item.next_steps, 1)]
    facts = fact_list(item)
    if facts:
        lines += ["", " · ".join(facts)]
    return "\n".join(lines)


def text(explanation: Explanation) -> str:
    """Plain terminal text for the whole paste."""
    if not explanation.detected:
        return NOTHING + "\n"
    parts = []
    count = len(explanation.outputs)
    for number, item in enumerate(explanation.outputs, 1):
        title = f"── output {number} of {count} ──\n" if count > 1 else ""
        parts.append(title + output_text(item))
    if explanation.truncated:
        parts.append(TRUNCATED.format(size=explanation.paste.size, limit=explanation.paste.limit))
    return "\n\n".join(parts).rstrip() + "\n"


def fallback(explanation: Explanation) -> str:
    """Slack's notification text: the status of each output, escaped."""
    if not explanation.detected:
        return mrkdwn(NOTHING)
    items = [f"{item.status_label} for {query_label(item)}" for item in explanation.outputs[:3]]
    first = explanation.outputs[0]
    if first.ede:
        items[0] += f" ({', '.join(n.label for n in first.ede)})"
    more = f" and {len(explanation.outputs) - 3} more" if len(explanation.outputs) > 3 else ""
    return mrkdwn("; ".join(items) + more)


def _blocks(explanation: Explanation, target: tuple[str, str] | None) -> list[Block]:
    """The Block Kit blocks, built only when a Slack reply (or `--json`) asks for them: the terminal never does, and
    importing slack_sdk's models is most of a short `rcodebot explain`'s start-up."""
    from bot.render import paste_blocks

    return paste_blocks.blocks(explanation, target=target)
