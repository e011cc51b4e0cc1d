"""What reaches Bolt over HTTP (bot/slack/screen.py), against the real `rcodebot serve --http`: oversized, junk,
unsigned and slow requests are refused with 4xx/503 and one log line, never a traceback, never the body in the log,
and never by tying up every thread."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
import urllib.parse

from tests.slack.conftest import SECRET, SlackSender, payload, unique


def _log(bot: SlackSender) -> str:
    return bot.server.log()  # type: ignore[attr-defined,no-any-return]


def _send_raw(port: int, head: bytes, body: bytes = b"", *, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head + body)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and len(answer) > answer.index(b"\r\n\r\n") + 4:
                    break
        except (ConnectionResetError, TimeoutError):
            pass
    return answer


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_an_unsigned_10_mb_body_is_refused_unread_and_never_logged(http_bot: SlackSender) -> None:
    before = len(_log(http_bot))
    marker = unique("BODYMARK").encode()
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"X-Slack-Request-Timestamp: 1\r\nX-Slack-Signature: v0=00\r\nContent-Length: 10485760\r\n"
    )
    # Only the headers are sent: the server answers before reading any body, and a body still in flight when it
    # closes would make the kernel reset the connection (losing the answer in the test, not the refusal).
    answer = _send_raw(http_bot.port, head + b"X-Marker: " + marker + b"\r\n\r\n")
    assert _status(answer) == 413
    time.sleep(0.2)
    grown = _log(http_bot)[before:]
    assert len(grown) < 2000 and marker.decode() not in grown and "Traceback" not in grown
    assert "refused POST /slack/events" in grown and "10,485,760 bytes" in grown


def test_an_unsigned_body_is_never_logged(http_bot: SlackSender) -> None:
    before = len(_log(http_bot))
    marker = unique("SECRETBODY")
    body = json.dumps({"type": "event_callback", "note": marker * 100}).encode()
    answer = http_bot.raw(body, "application/json", signature="v0=" + "0" * 64)
    assert answer.status == 401
    time.sleep(0.2)
    grown = _log(http_bot)[before:]
    assert marker not in grown and "Traceback" not in grown and "invalid signature" in grown


def _signed(body: bytes, timestamp: str) -> str:
    digest = hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def test_junk_before_the_signature_gets_4xx_and_one_line(http_bot: SlackSender) -> None:
    form = urllib.parse.urlencode(payload("slash_command")).encode()
    cases = [
        ("abc", form, "application/x-www-form-urlencoded", 401),
        ("1e9", form, "application/x-www-form-urlencoded", 401),
        (str(int(time.time())), b"[" * 1000 + b"]" * 1000, "application/json", 401),
        (str(int(time.time())), b'{"a": "\xff\xfe"}', "application/json", 400),
    ]
    for timestamp, body, content_type, expected in cases:
        before = len(_log(http_bot))
        signature = _signed(body, timestamp) if expected == 400 else "v0=" + "1" * 64
        answer = http_bot.raw(
            body, content_type, timestamp=None, signature=signature, headers={"X-Slack-Request-Timestamp": timestamp}
        )
        assert answer.status == expected, (timestamp, body[:20], answer.status, answer.text)
        time.sleep(0.1)
        grown = _log(http_bot)[before:]
        assert "Traceback" not in grown and grown.count("\n") <= 2, grown


def test_slow_clients_cannot_hold_every_thread(http_bot: SlackSender) -> None:
    # 64 connections send their headers and then never their bodies (the server has 32 threads).
    slow = []
    try:
        for _ in range(64):
            sock = socket.create_connection(("127.0.0.1", http_bot.port), timeout=10)
            sock.sendall(
                b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"X-Slack-Request-Timestamp: 1\r\nX-Slack-Signature: v0=00\r\nContent-Length: 1000\r\n\r\n{"
            )
            slow.append(sock)
        time.sleep(0.5)
        started = time.monotonic()
        assert http_bot.get("/healthz").status == 200
        response, _, _ = http_bot.command("/rcode", "2")
        assert response.status == 200 and "SERVFAIL" in response.text
        assert time.monotonic() - started < 4  # not after the slow clients' 5 s read timeout
        # The stalled reads end: refused with 408 (or 503 at once when half the threads were already waiting).
        statuses = set()
        for sock in slow:
            sock.settimeout(10)
            try:
                statuses.add(_status(sock.recv(4096)))
            except (OSError, IndexError, ValueError):
                statuses.add(0)
        assert statuses <= {408, 503} and 408 in statuses, statuses
    finally:
        for sock in slow:
            sock.close()
