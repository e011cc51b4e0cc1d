"""Real dig, kdig, host and nslookup against a server that loses the first query of every name, and real nsupdate and
knsupdate against the lab's NSD, Knot, BIND and Unbound: the failed tries before the answer, and the server's answer
to an UPDATE, read back as the tools print them today.

The lossy server is a small dnspython responder on loopback (the Debian servers cannot be told to drop one query):
it answers the second try of each name with one A record, or with SERVFAIL for names under `servfail.`, which is
what a resolver waiting on unreachable nameservers looks like from the client.
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import threading
from collections.abc import Iterator

import dns.message
import dns.rcode
import dns.rrset
import pytest

from bot.core.paste import digtext
from bot.core.paste.explain import OutputExplanation, explain
from tests.lab.daemons import ENV
from tests.lab.lab import Lab
from tests.tools.test_real_tools import KB, run

pytestmark = pytest.mark.lab

LOSSY = "127.53.58.1"
_names = itertools.count()


@pytest.fixture(scope="module")
def lossy() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((LOSSY, 53))
    sock.settimeout(0.2)
    stop = threading.Event()
    seen: dict[str, int] = {}

    def serve() -> None:
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            try:
                query = dns.message.from_wire(wire)
            except Exception:
                continue
            name = query.question[0].name
            seen[name.to_text()] = seen.get(name.to_text(), 0) + 1
            if seen[name.to_text()] == 1:
                continue  # the first try of each name is lost
            response = dns.message.make_response(query)
            if name.labels[-2:-1] == (b"servfail",):
                response.set_rcode(dns.rcode.SERVFAIL)
            else:
                response.answer.append(dns.rrset.from_text(name, 300, "IN", "A", "192.0.2.7"))
            sock.sendto(response.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield LOSSY
    stop.set()
    thread.join()
    sock.close()


def _one(text: str) -> OutputExplanation:
    assert digtext.looks_like_dig(text), text
    assert digtext.looks_like_dig(text.replace("\n", "\r\n")), text
    paste = digtext.from_text(text)
    assert len(paste.outputs) == 1, text
    return explain(paste, KB).outputs[0]


def _commands(server: str, name: str) -> dict[str, tuple[str, ...]]:
    return {
        "dig": ("dig", "+timeout=1", "+tries=3", f"@{server}", name, "A"),
        "kdig": ("kdig", "+timeout=1", "+retry=2", f"@{server}", name, "A"),
        "host": ("host", "-W", "1", "-R", "3", "-t", "A", name, server),
        "nslookup": ("nslookup", "-timeout=1", "-retry=3", name, server),
    }


@pytest.mark.parametrize("tool", ["dig", "kdig", "host", "nslookup"])
@pytest.mark.parametrize("zone", ["example", "servfail"])
def test_a_lost_first_try_then_the_answer(lab: Lab, lossy: str, tool: str, zone: str) -> None:
    name = f"n{next(_names)}.{zone}."
    item = _one(run(*_commands(lossy, name)[tool]))
    o = item.output
    assert o.tool == tool
    assert o.status == ("SERVFAIL" if zone == "servfail" else "NOERROR")
    assert o.retried == "timeout" and o.failed_tries and all("timed out" in t for t in o.failed_tries)
    finding = next(f for f in item.findings if f.ident == "retried_timeout")
    if zone == "servfail":
        assert finding.severity == "problem" and "unreachable nameservers" in finding.title
    data = item.to_json()
    assert data["retried"] == "timeout" and data["failed_tries"] == list(o.failed_tries)


NSD, KNOT, BIND_AUTH, UNBOUND = "127.53.2.1", "127.53.3.1", "127.53.4.1", "127.53.53.1"


def _update(tool: str, server: str, zone: str = "healthy-unsigned.lab") -> str:
    script = f"server {server}\nzone {zone}\nupdate add x.{zone} 300 A 192.0.2.1\nsend\n"
    proc = subprocess.run(
        [tool, "-t", "3"],
        input=script,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=ENV,
        timeout=30,
        check=False,
    )
    return proc.stdout


@pytest.mark.parametrize(
    ("tool", "server", "status"),
    [
        ("nsupdate", NSD, "NOTIMP"),
        ("nsupdate", KNOT, "NOTAUTH"),
        ("nsupdate", BIND_AUTH, "REFUSED"),
        ("nsupdate", UNBOUND, "NOTIMP"),
        ("knsupdate", NSD, "NOTIMPL"),
        ("knsupdate", KNOT, "NOTAUTH"),
        ("knsupdate", BIND_AUTH, "REFUSED"),
        ("knsupdate", UNBOUND, "NOTIMPL"),
    ],
)
def test_update_refused_or_not_implemented(lab: Lab, tool: str, server: str, status: str) -> None:
    item = _one(_update(tool, server))
    assert (item.output.tool, item.output.opcode, item.output.status) == (tool, "UPDATE", status)
    assert item.verdict == "failure"
    ident = "update_" + ("notimp" if status.startswith("NOTIMP") else status.lower())
    assert ident in {f.ident for f in item.findings}
    assert all("lame" not in f.title for f in item.findings)
