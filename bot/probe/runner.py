"""Send the planner's queries in parallel, under one deadline and one query budget.

The loop is deliberately dumb (dnspython's `Resolver.resolve()` next to `_Resolution`): start what the planner
asks, wait for whichever finishes first, feed it back, start the follow-ups. Independent queries therefore run at
the same time, and a check takes about as long as its longest chain of dependent queries, not their sum.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import socket
import time
from collections.abc import Coroutine, Sequence
from typing import Any, Protocol, TypeVar

import dns.asyncbackend
import dns.asyncquery
import dns.exception
import dns.flags
import dns.inet
import dns.message
import dns.rcode

from bot.core.check.observations import DEADLINE_ERROR, Ask, Exchange, Outcome, ProbeResult
from bot.core.check.plan import Planner

MIN_TIMEOUT = 1.0  # a shortened timeout is never shorter than this (a slow but working server answers within it)
EDNS_PAYLOAD = 1232  # the DNS flag day 2020 size: no IP fragmentation
_NO_ROUTE = {errno.ENETUNREACH, errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL, errno.EPROTONOSUPPORT}
R_co = TypeVar("R_co", covariant=True)


class Plans(Protocol[R_co]):
    """What the loop drives: the check's `Planner`, or the delegation walk's `Tracer`."""

    def start(self) -> list[Ask]: ...

    def feed(self, exchange: Exchange) -> list[Ask]: ...

    def result(
        self,
        exchanges: Sequence[Exchange],
        *,
        now: float,
        elapsed_ms: float,
        budget: int,
        deadline_hit: bool,
        notes: Sequence[str] = (),
    ) -> R_co: ...


def run(
    name: str,
    rdtype: str,
    resolvers: Sequence[tuple[str, str]],
    *,
    allow_private: bool,
    query_timeout: float,
    deadline: float,
    budget: int,
    port: int = 53,
    security: bool = True,
) -> ProbeResult:
    """Blocking: run one check in a fresh event loop and return what it learned."""
    planner = Planner(name, rdtype, resolvers, allow_private=allow_private, security=security)
    return blocking(probe(planner, query_timeout=query_timeout, deadline=deadline, budget=budget, port=port))


T = TypeVar("T")


def blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a check's coroutine to the end in a fresh event loop, and return its result."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    # Called from inside an event loop (an async front end): run the check's own loop in a worker thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="dnscheck") as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def probe(planner: Plans[R_co], *, query_timeout: float, deadline: float, budget: int, port: int = 53) -> R_co:
    """Run the planner's queries until it has nothing more to ask, the deadline passes or the budget is spent."""
    loop = asyncio.get_running_loop()
    wall_start = time.time()
    start = loop.time()
    end = start + deadline
    exchanges: list[Exchange] = []
    running: dict[asyncio.Task[Exchange], tuple[Ask, float]] = {}
    sent = 0
    budget_notes: list[str] = []

    def launch(asks: Sequence[Ask]) -> None:
        nonlocal sent
        backlog = list(asks)
        while backlog:
            ask = backlog.pop(0)
            now = loop.time()
            if sent >= budget:
                skipped = Exchange(
                    ask,
                    Outcome.SKIPPED,
                    error=f"not sent: the budget of {budget} queries was used up",
                    started_ms=(now - start) * 1000,
                )
                if not budget_notes:
                    budget_notes.append(f"stopped at the query budget ({budget} queries); some checks were left out")
                exchanges.append(skipped)
                backlog.extend(planner.feed(skipped))
                continue
            sent += 1
            patient = query_timeout if ask.patience >= 1 else max(MIN_TIMEOUT, query_timeout * ask.patience)
            timeout = max(0.001, min(query_timeout, patient, end - now))
            task = asyncio.ensure_future(_exchange(ask, timeout, port, start, loop, allow_tcp=lambda: _take()))
            running[task] = (ask, now)

    def _take() -> bool:
        """Spend one query of the budget on a TCP retry, if any is left."""
        nonlocal sent
        if sent >= budget:
            return False
        sent += 1
        return True

    launch(planner.start())
    deadline_hit = False
    while running:
        remaining = end - loop.time()
        if remaining <= 0:
            deadline_hit = True
            break
        done, _ = await asyncio.wait(running.keys(), timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            running.pop(task)
            exchange = task.result()
            exchanges.append(exchange)
            launch(planner.feed(exchange))
    notes: list[str] = list(budget_notes)
    if running:
        deadline_hit = True
        now = loop.time()
        for task, (ask, started) in running.items():
            task.cancel()
            exchanges.append(
                Exchange(
                    ask,
                    Outcome.TIMEOUT,
                    ms=(now - started) * 1000,
                    error=f"{DEADLINE_ERROR} {deadline:g} s deadline",
                    started_ms=(started - start) * 1000,
                )
            )
        await asyncio.gather(*running.keys(), return_exceptions=True)
        notes.append(f"the check's {deadline:g} s deadline passed; this is what was learned by then")
    elapsed_ms = (loop.time() - start) * 1000
    return planner.result(
        exchanges, now=wall_start, elapsed_ms=elapsed_ms, budget=budget, deadline_hit=deadline_hit, notes=notes
    )


def make_message(ask: Ask) -> dns.message.QueryMessage:
    """The query for an ask: flags, EDNS version and DO exactly as planned."""
    if ask.edns >= 0:
        query = dns.message.make_query(ask.qname, ask.rdtype, use_edns=ask.edns, want_dnssec=ask.do, payload=EDNS_PAYLOAD)
    else:
        query = dns.message.make_query(ask.qname, ask.rdtype, use_edns=False)
    flags = 0
    if ask.rd:
        flags |= dns.flags.RD
    if ask.cd:
        flags |= dns.flags.CD
    query.flags = flags
    return query


async def _udp(query: dns.message.Message, server: str, timeout: float, port: int) -> dns.message.Message:
    """UDP over a *connected* socket, so an ICMP port unreachable ends the query at once as "port closed" instead of
    waiting out the timeout (an unconnected socket never hears about it)."""
    backend = dns.asyncbackend.get_default_backend()
    family = dns.inet.af_for_address(server)
    making = backend.make_socket(family, socket.SOCK_DGRAM, 0, None, (server, port))  # type: ignore[no-untyped-call]
    sock = await asyncio.wait_for(making, timeout)
    async with sock:
        reply: dns.message.Message = await dns.asyncquery.udp(
            query, server, timeout=timeout, port=port, raise_on_truncation=True, ignore_unexpected=True, sock=sock
        )
        return reply


async def _exchange(
    ask: Ask,
    timeout: float,
    port: int,
    start: float,
    loop: asyncio.AbstractEventLoop,
    *,
    allow_tcp: object,
) -> Exchange:
    """Send one query (UDP, TCP on truncation) and turn whatever happens into an Exchange."""
    query = make_message(ask)
    began = loop.time()
    started_ms = (began - start) * 1000
    transport = "tcp" if ask.tcp else "udp"
    truncated: dns.message.Message | None = None
    try:
        if ask.tcp:
            reply = await dns.asyncquery.tcp(query, ask.server, timeout=timeout, port=port)
        else:
            try:
                reply = await _udp(query, ask.server, timeout, port)
            except dns.message.Truncated as err:
                truncated = err.message()  # type: ignore[no-untyped-call]
                if not callable(allow_tcp) or not allow_tcp():
                    return Exchange(
                        ask,
                        Outcome.ANSWER,
                        truncated,
                        (loop.time() - began) * 1000,
                        error="truncated; no budget left to retry over TCP",
                        transport="udp",
                        started_ms=started_ms,
                    )
                transport = "udp+tcp"
                left = max(0.001, timeout - (loop.time() - began))
                reply = await dns.asyncquery.tcp(query, ask.server, timeout=left, port=port)
    except (dns.exception.Timeout, TimeoutError):
        outcome, error = Outcome.TIMEOUT, f"no answer within {timeout:.1f} s over {transport.split('+')[-1].upper()}"
    except ConnectionRefusedError:
        outcome, error = Outcome.PORT_CLOSED, f"port {port} closed ({transport.split('+')[-1].upper()} refused)"
    except OSError as err:
        if err.errno in _NO_ROUTE:
            outcome, error = Outcome.NO_ROUTE, f"this machine has no route to {ask.server} ({err.strerror})"
        elif err.errno == errno.EHOSTUNREACH:
            outcome, error = Outcome.TIMEOUT, f"host unreachable ({err.strerror})"
        elif err.errno in (errno.ECONNRESET, errno.EPIPE):
            outcome, error = Outcome.PORT_CLOSED, f"connection reset ({err.strerror})"
        else:
            outcome, error = Outcome.GARBAGE, f"{type(err).__name__}: {err}"
    except EOFError:
        outcome, error = Outcome.GARBAGE, "the connection closed without an answer"
    except dns.exception.DNSException as err:
        outcome, error = Outcome.GARBAGE, f"a reply that is not valid DNS ({type(err).__name__}: {err})"
    except asyncio.CancelledError:
        raise
    except Exception as err:  # a malformed reply can make dnspython raise nearly anything; it is still a result
        outcome, error = Outcome.GARBAGE, f"{type(err).__name__}: {err}"
    else:
        return Exchange(ask, Outcome.ANSWER, reply, (loop.time() - began) * 1000, transport=transport, started_ms=started_ms)
    if truncated is not None:
        return Exchange(
            ask,
            Outcome.ANSWER,
            truncated,
            (loop.time() - began) * 1000,
            error=f"truncated, and the TCP retry failed: {error}",
            transport=transport,
            started_ms=started_ms,
        )
    return Exchange(
        ask, outcome, None, (loop.time() - began) * 1000, error=error, transport=transport, started_ms=started_ms
    )
