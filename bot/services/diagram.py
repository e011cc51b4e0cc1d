"""A check and its picture: the check as `dnscheck.run` makes it (trace included when asked for), and its graph
(`bot.core.check.graph`), for `rcodebot dnscheck --diagram`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.check.graph import Graph
from bot.core.codes.knowledge import Knowledge
from bot.render.reply import Reply
from bot.services import dnscheck
from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class Drawn:
    reply: Reply
    graph: Graph


def check(request: dnscheck.CheckRequest, settings: Settings, knowledge: Knowledge) -> Drawn | None:
    """The check's reply and graph; None when there is no resolver to ask (or no graph could be built)."""
    reply = dnscheck.run(request, settings, knowledge)
    if reply.graph is None:
        return None
    return Drawn(reply, reply.graph)
