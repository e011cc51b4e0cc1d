"""The local chat shell: routing like Slack, and grouping multi-line pastes into one message."""

from __future__ import annotations

import io
from collections.abc import Iterator

from bot import shell
from bot.core.codes import knowledge
from bot.settings import Settings


def lines(text: str) -> tuple[object, object]:
    stream = io.StringIO(text)
    return shell.stream_reader(stream, prompt=None, out=io.StringIO())


def grouped(text: str) -> list[str]:
    read_line, more_ready = lines(text)
    return list(shell.messages(read_line, more_ready))  # type: ignore[arg-type]


def session() -> tuple[shell.Shell, io.StringIO]:
    out = io.StringIO()
    return shell.Shell(knowledge.load_default, Settings(), out, io.StringIO()), out


def test_single_lines_are_messages() -> None:
    assert grouped("/rcode 2 vs 4\nservfail vs refused?\n") == ["/rcode 2 vs 4", "servfail vs refused?"]


def test_tool_output_is_one_message() -> None:
    paste = "; <<>> DiG 9.18.1 <<>> example.com\n;; global options: +cmd\n;; Got answer:\n\n;; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: 1\n"
    got = grouped(paste + "\n\n/rcode 5\n")
    assert got[0].startswith("; <<>> DiG") and "status: SERVFAIL" in got[0]
    assert got[-1] == "/rcode 5"


def test_command_ends_a_paste() -> None:
    got = grouped("$ dig example.com\n;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 2\n/rcode 0\n")
    assert got == ["$ dig example.com\n;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 2", "/rcode 0"]


def test_burst_on_a_terminal_is_one_message() -> None:
    feed: Iterator[str] = iter(["first line\n", "second\n", "third\n"])
    pending = [True, True, False]

    def read_line() -> str | None:
        return next(feed, None)

    def more_ready() -> bool:
        return pending.pop(0) if pending else False

    assert list(shell.messages(read_line, more_ready)) == ["first line\nsecond\nthird"]


def test_command_in_a_burst_starts_a_new_message() -> None:
    feed: Iterator[str] = iter(["servfail?\n", "/dnscheck example.com\n"])
    ready = [True, False, False]

    def read_line() -> str | None:
        return next(feed, None)

    def more_ready() -> bool:
        return ready.pop(0) if ready else False

    assert list(shell.messages(read_line, more_ready)) == ["servfail?", "/dnscheck example.com"]


def test_routes_like_slack() -> None:
    sh, _ = session()
    reply = sh.route("/rcode 2 vs 4")
    assert reply is not None and reply.ok and reply.text.startswith("SERVFAIL (RCODE 2) vs NOTIMP")
    reply = sh.route("what's the difference between nxdomain and servfail?")
    assert reply is not None and reply.text.startswith("NXDOMAIN (RCODE 3) vs SERVFAIL")
    reply = sh.route("help")
    assert reply is not None and "/dnscheck" in reply.text


def test_bad_input_gets_an_answer_not_a_traceback() -> None:
    sh, _ = session()
    for text in ("servfial", "/nosuch thing", "70000", "<!channel> " * 500):
        reply = sh.route(text)
        assert reply is not None and not reply.ok and reply.text
    assert sh.route("   ") is None


def test_serve_until_quit() -> None:
    sh, out = session()
    status = sh.serve(iter(["/rcode 5", "/quit", "/rcode 4"]))
    assert status == 0
    assert "REFUSED (RCODE 5)" in out.getvalue() and "NOTIMP (RCODE 4)" not in out.getvalue()
