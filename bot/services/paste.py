"""Pasted tool output: read it, explain it, render it (the one composition the CLI, shell and Slack share)."""

from __future__ import annotations

from bot.core.codes.knowledge import Knowledge
from bot.core.paste import digtext
from bot.core.paste.explain import explain
from bot.render import paste as render
from bot.render.escape import from_slack as unslack
from bot.render.reply import Reply


def answer(text: str, knowledge: Knowledge, *, offer_probe: bool = False, from_slack: bool = False) -> Reply | None:
    """The explanation of every tool output in `text`, or None when it holds none.

    `from_slack=True` undoes Slack's escaping and auto-links first. With `offer_probe`, the blocks end with the
    "Run live check" button for the first output's name and type (when the output names them). Pure and fast: a
    40,000-character paste is read in milliseconds, so Slack can answer it straight away.
    """
    if from_slack:
        text = unslack(text)
    explanation = explain(digtext.from_text(text), knowledge)
    if not explanation.detected:
        return None
    return render.reply(explanation, offer_probe=offer_probe)


def probe_target(text: str, *, from_slack: bool = False) -> tuple[str, str] | None:
    """(qname, qtype) of the first output that names its query, for the "Run live check" button."""
    if from_slack:
        text = unslack(text)
    paste = digtext.from_text(text)
    for output in paste.outputs:
        if output.qname and output.qname != "." and not output.qname.startswith("<"):
            return output.qname, output.qtype or "A"
    return None
