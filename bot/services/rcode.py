"""/rcode: a question about codes in, a rendered explanation or comparison out."""

from __future__ import annotations

from bot.core.codes import query as query_mod
from bot.core.codes.compare import compare
from bot.core.codes.knowledge import Knowledge
from bot.core.errors import UsageError
from bot.render import rcode as render
from bot.render.escape import mrkdwn
from bot.render.reply import Reply


def answer(text: str, knowledge: Knowledge) -> Reply:
    """Answer an /rcode query; raises UnknownCode / UsageError (BotError) for what cannot be answered.

    Pure and fast (no I/O): Slack sends it inside the 3-second ack.
    """
    parsed = query_mod.parse(text, knowledge)
    if isinstance(parsed, query_mod.HelpQuery):
        return help_reply()
    if isinstance(parsed, query_mod.MuteQuery):
        word = "mute" if parsed.muted else "unmute"
        raise UsageError(
            f"`{word}` works in Slack: type `/rcode {word}` in a channel to turn automatic replies to pasted DNS output "
            f"{'off' if parsed.muted else 'on'} there."
        )
    if isinstance(parsed, query_mod.ListQuery):
        return Reply(
            text=render.list_text(knowledge, parsed.registry),
            fallback=f"DNS {'Extended DNS Error codes' if parsed.registry == 'ede' else 'RCODEs'}",
            blocks=render.list_blocks(knowledge, parsed.registry),
            data={
                "query": parsed.text,
                "list": parsed.registry,
                "entries": [
                    {"value": v, "name": n, "summary": s} for v, n, s in render.list_rows(knowledge, parsed.registry)
                ],
            },
        )
    entries = tuple(knowledge.get(ident) for ident in parsed.idents)
    comparison = compare(parsed.text, entries, knowledge)
    return Reply(
        text=render.comparison_text(comparison),
        fallback=render.comparison_fallback(comparison),
        blocks=render.comparison_blocks(comparison),
        data=render.comparison_json(comparison),
    )


def help_reply(extra: str = "") -> Reply:
    """The usage text as a reply."""
    text = render.help_text() + (f"\n\n{extra}" if extra else "")
    return Reply(
        text=text,
        fallback=mrkdwn("rcodebot: ask about DNS response codes, e.g. 2 vs 4"),
        blocks=render.help_blocks(extra),
        data={"help": text},
    )
