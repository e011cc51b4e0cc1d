"""A check and its delegation walk (`trace`) run side by side in one event loop, each under its own query budget.

The walk shares nothing with the check but the deadline, so it adds no round trip to the check's own chain: the
check takes as long as the longer of the two (bot/core/check/trace.py says why the walk is one round trip per level).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.core.check.observations import ProbeResult
from bot.core.check.plan import Planner
from bot.core.check.trace import Tracer, TraceResult
from bot.probe.runner import blocking, probe


def run_with_trace(
    name: str,
    rdtype: str,
    resolvers: Sequence[tuple[str, str]],
    hints: Sequence[tuple[str, str]],
    *,
    allow_private: bool,
    query_timeout: float,
    deadline: float,
    budget: int,
    port: int = 53,
    security: bool = True,
) -> tuple[ProbeResult, TraceResult]:
    """Blocking: the check and the walk from `hints` (name, address) down to NAME, in one fresh event loop."""

    async def both() -> tuple[ProbeResult, TraceResult]:
        planner = Planner(name, rdtype, resolvers, allow_private=allow_private, security=security)
        tracer = Tracer(name, rdtype, hints, resolvers, allow_private=allow_private)
        check = probe(planner, query_timeout=query_timeout, deadline=deadline, budget=budget, port=port)
        trace = probe(tracer, query_timeout=query_timeout, deadline=deadline, budget=budget, port=port)
        return await asyncio.gather(check, trace)

    return blocking(both())
