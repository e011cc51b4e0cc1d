"""What an HTTP request must be before Bolt sees it: small, quick, signed, UTF-8.

An attack pass on `serve --http` found that Bolt, handed a request as it came:
- logs the whole body of an unsigned request at INFO ("Invalid request signature", 10 MB in one line for a 10 MB
  POST);
- answers a non-integer `X-Slack-Request-Timestamp` (`abc`, `1e9`) or a body that is not UTF-8 with a 500 and a
  35-line traceback, before any signature check (slack_sdk's `SignatureVerifier` calls `int()` and `.decode()`);
- waits for ever on a body that never finishes, holding one of the server's threads: 32 such connections stopped
  every request, /healthz included.

So each POST to /slack/events is screened first (the same checks Bolt makes, made safely, before it): a body over `max_body` bytes is refused with 413 without being
read; the body is read with a timeout (408 when it stalls), and at most half the server's threads may be waiting on
a body for longer than a quarter of a second (503 beyond that, at once), so slow clients can never hold every
thread, and a request that arrives whole (as Slack's do) never needs a slot; the timestamp must be a
number; the body must be UTF-8 (400); the signature must verify (401). Each refusal is one log line that names the
size and the reason, never the body. Only then does Bolt get the request, with the body already read.
"""

from __future__ import annotations

import io
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_sdk.signature import SignatureVerifier

log = logging.getLogger("rcodebot.http")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

MAX_TIMESTAMP_DIGITS = 12
READ_CHUNK = 65536
QUICK_READ = 0.25
"""Seconds a body may take before its reader needs one of the slots for slow readers."""


class Refused(Exception):
    """A request screened out: the HTTP status and a short reason (for the client and the log line)."""

    def __init__(self, status: str, reason: str, *, unread: bool = False) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.unread = unread  # the body was left (partly) unread: the connection must not wait for it


class Screen:
    """Reads and checks a Slack request's body; see the module docstring for what and why."""

    def __init__(self, signing_secret: str, *, max_body: int, timeout: float, readers: int) -> None:
        self.verifier = SignatureVerifier(signing_secret)
        self.max_body = max_body
        self.timeout = timeout
        self._readers = threading.BoundedSemaphore(max(1, readers))

    def body(self, environ: dict[str, Any]) -> bytes:
        """The request's body, read and checked; raises `Refused`."""
        length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING") or "").lower()
        if length_text:
            if not (length_text.isascii() and length_text.isdigit()) or len(length_text) > 12:
                raise Refused("400 Bad Request", "malformed Content-Length", unread=True)
            length = int(length_text)
            if length > self.max_body:
                raise Refused("413 Payload Too Large", f"body of {length:,} bytes (limit {self.max_body:,})", unread=True)
        elif not chunked:
            length = 0
        else:
            length = -1  # read up to the limit and see
        body = self._read(environ, length)
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TIMESTAMP_DIGITS) or not signature:
            raise Refused("401 Unauthorized", "missing or malformed signature headers")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("400 Bad Request", f"body of {len(body):,} bytes is not UTF-8") from None
        if not self.verifier.is_valid(text, timestamp, str(signature)):
            raise Refused("401 Unauthorized", f"invalid signature on a body of {len(body):,} bytes")
        return body

    def _read(self, environ: dict[str, Any], length: int) -> bytes:
        """Read the body: first for a moment without a slot (Slack sends its whole request at once, so a real
        request is read here even while slow clients hold every slot), then, for a body still missing, in one of
        the slots for slow readers, until the timeout."""
        if length == 0:
            return b""
        sock = environ.get("gunicorn.socket")
        if not isinstance(sock, socket.socket):
            return self._read_all(environ["wsgi.input"], length, [])  # not under gunicorn: nothing to time out
        previous = sock.gettimeout()
        parts: list[bytes] = []
        slotted = False
        try:
            sock.settimeout(min(QUICK_READ, self.timeout))
            try:
                return self._read_all(environ["wsgi.input"], length, parts)
            except TimeoutError:
                pass
            if not self._readers.acquire(blocking=False):
                raise Refused("503 Service Unavailable", "too many requests are still sending their bodies", unread=True)
            slotted = True
            sock.settimeout(self.timeout)
            try:
                return self._read_all(environ["wsgi.input"], length, parts)
            except TimeoutError:
                raise Refused("408 Request Timeout", f"body not received within {self.timeout:g} s", unread=True) from None
        except OSError as err:
            raise Refused("400 Bad Request", f"body could not be read ({err.__class__.__name__})", unread=True) from None
        finally:
            try:
                sock.settimeout(previous)
            except OSError:
                pass
            if slotted:
                self._readers.release()

    def _read_all(self, stream: Any, length: int, parts: list[bytes]) -> bytes:
        """Read into `parts` (kept across a timeout, so a second attempt goes on where the first stopped)."""
        wanted = self.max_body + 1 if length < 0 else length
        got = sum(len(p) for p in parts)
        while got < wanted:
            chunk = stream.read(min(READ_CHUNK, wanted - got))
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        if got > self.max_body:
            raise Refused("413 Payload Too Large", f"body over {self.max_body:,} bytes", unread=True)
        return b"".join(parts)


def _stop_reading(environ: dict[str, Any]) -> None:
    """Shut the read side of a connection whose body is left unread. The answer still goes out; but gunicorn closes
    a connection gracefully, draining what the client still sends for up to 2 s, and it does so on the worker's one
    event-loop thread: 48 slow clients refused at once stalled every other connection for a minute and a half."""
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RD)
        except OSError:
            pass


def screened(screen: Screen, environ: dict[str, Any], start_response: StartResponse, app: WsgiApp) -> Iterable[bytes]:
    """Run `app` on the request when it passes `screen`, with its body already read; else refuse it."""
    try:
        body = screen.body(environ)
    except Refused as refused:
        peer = environ.get("REMOTE_ADDR") or "?"
        log.info("refused %s %s from %s: %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), peer, refused.reason)
        data = f"{refused.reason}\n".encode()
        headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
        if refused.unread:
            headers.append(("Connection", "close"))
            _stop_reading(environ)
        start_response(refused.status, headers)
        return [data]
    environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    return app(environ, start_response)
