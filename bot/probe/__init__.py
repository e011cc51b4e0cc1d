"""The DNS shell: the only package that sends DNS queries.

`run(...)` drives a `bot.core.check.plan.Planner`: it sends what the planner asks, all at once and in parallel
(asyncio), feeds each result back as it arrives, and stops at the check's deadline or when the query budget is
used up. Every failure to get an answer becomes an `Exchange` with an `Outcome`; nothing here raises for DNS
trouble.
"""

from bot.probe.runner import probe, run
from bot.probe.system import system_resolvers

__all__ = ["probe", "run", "system_resolvers"]
