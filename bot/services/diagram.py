"""A check and its picture: probe, diagnose, build the graph (`bot.core.check.graph`), render it with Graphviz."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.check.diagnosis import Diagnosis, diagnose
from bot.core.check.graph import Graph, build
from bot.core.codes.knowledge import Knowledge
from bot.render import diagnosis as render
from bot.render.reply import Reply
from bot.services import dnscheck
from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class Drawn:
    reply: Reply
    diagnosis: Diagnosis
    graph: Graph


def check(request: dnscheck.CheckRequest, settings: Settings, knowledge: Knowledge) -> Drawn | None:
    """The check's reply, diagnosis and graph; None when there is no resolver to ask."""
    result = dnscheck.probe(request, settings)
    if result is None:
        return None
    diagnosis = diagnose(result, knowledge, display=request.display)
    return Drawn(render.reply(diagnosis), diagnosis, build(result, diagnosis))
