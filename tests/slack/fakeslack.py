"""A stand-in for Slack's side, on 127.0.0.1:<ephemeral>: the Web API, response_url, and the Socket Mode server.

It records every call (path, Authorization header, parsed body) so tests assert on what was posted, and it
enforces Block Kit limits the way Slack does (`invalid_blocks`), so an oversized reply fails a test instead of
failing in front of a user. Only Slack's side is fake: the app under test is the real one.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from bot.render import limits

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
TEAM_ID = "T0TEAM"
MAX_MESSAGE_TEXT = 40_000
#: The app's OAuth credentials (Basic Information -> App Credentials) as this fake Slack knows them.
CLIENT_ID = "111.222"
CLIENT_SECRET = "fake-client-secret"


@dataclass
class Call:
    """One request the app made to Slack."""

    path: str
    method: str  # Web API method ("chat.postMessage") or "response_url"
    authorization: str | None
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.body.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        return list(blocks or [])

    def all_text(self) -> str:
        """The top-level text plus every string inside the blocks (what a person could read)."""
        texts = [str(self.body.get("text") or "")]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("text", "value") and isinstance(value, str):
                        texts.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.blocks)
        return "\n".join(texts)

    def buttons(self, action_id: str) -> list[dict[str, Any]]:
        """The button elements with this action_id in the posted blocks."""
        return [
            e
            for b in self.blocks
            if b.get("type") == "actions"
            for e in b.get("elements", [])
            if e.get("action_id") == action_id
        ]


@dataclass(frozen=True)
class SlackFile:
    """A file the fake serves: its `files[]` entry, its bytes, and whether a bot token may download it."""

    entry: dict[str, Any]
    data: bytes
    served: bool = True
    broken: bool = False


def block_problem(blocks: Any) -> str | None:
    """Why Slack would refuse these blocks, or None."""
    if blocks in (None, "", []):
        return None
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return "blocks are not JSON"
    if not isinstance(blocks, list):
        return "blocks is not a list"
    try:
        parsed = Block.parse_all(blocks)
        if any(b is None for b in parsed) or len(parsed) != len(blocks):
            return "unknown block type"
        limits.check(parsed)
        for raw in blocks:
            if raw.get("type") == "header" and raw.get("text", {}).get("type") != "plain_text":
                return "header text must be plain_text"
            if raw.get("type") == "context":
                for element in raw.get("elements", []):
                    if len(str(element.get("text", ""))) > 3000:
                        return "context element over 3000"
    except (SlackObjectFormationError, ValueError, AttributeError, KeyError, TypeError) as err:
        return str(err) or type(err).__name__
    return None


#: What a workflow step's token (xwfp-) may call here (the methods the custom step uses).
WORKFLOW_TOKEN_METHODS = frozenset(
    {"functions.completeSuccess", "functions.completeError", "chat.postMessage", "chat.getPermalink", "auth.test"}
)


@dataclass
class Workspace:
    """A workspace (or, with `org_wide`, an Enterprise Grid org) the app can be installed into."""

    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False
    #: Token rotation: tokens expire after `expires_in` seconds and come with a refresh token.
    expires_in: int | None = None
    valid: set[str] = field(default_factory=set)

    @property
    def bot_user_id(self) -> str:
        return f"U0BOT{self.team_id or self.enterprise_id}"


class FakeSlack:
    """The fake Web API + response_url sink. Use as a context manager, or `start()`/`stop()`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._cond = threading.Condition()
        self._ts = 1_700_000_000.000100
        self._failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._files: dict[str, SlackFile] = {}
        self.ws_url: str | None = None
        #: Channels the bot is not a member of: chat.postMessage there answers not_in_channel, as Slack does.
        self.not_member: set[str] = set()
        #: Other refusals of chat.postMessage by channel, e.g. {"C1": "is_archived"} (Slack's error codes).
        self.post_errors: dict[str, str] = {}
        #: OAuth: install codes waiting for oauth.v2.access, and every token issued (token -> its workspace).
        self._grants: dict[str, Workspace] = {}
        self.tokens: dict[str, Workspace] = {}
        self._refresh_tokens: dict[str, Workspace] = {}
        self._issued = 0
        #: Seconds oauth.v2.access takes to answer a refresh (so two refreshes can overlap in a test).
        self.refresh_delay = 0.0
        #: users.info answers by user id ({"is_admin": True}, {"is_owner": True}, a "team_id"); others are members.
        self.users: dict[str, dict[str, Any]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8", "replace")
                ctype = self.headers.get("Content-Type") or ""
                if "json" in ctype:
                    body = json.loads(raw) if raw else {}
                else:
                    body = {k: v[-1] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
                status, headers, answer = fake._handle(self.path, self.headers.get("Authorization"), body)
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if isinstance(answer, bytes) else "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                status, headers, data = fake._download(self.path, self.headers.get("Authorization"))
                if status == 0:  # a broken server: bytes that are not HTTP, then the connection closes
                    self.wfile.write(data)
                    self.close_connection = True
                    return
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-slack", daemon=True)

    # ---------------------------------------------------------------------------------------------- lifecycle

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------------------------------- behaviour

    def fail_next(self, method: str, times: int = 1, status: int = 429, headers: dict[str, str] | None = None) -> None:
        """Answer the next `times` calls of `method` with `status` (e.g. 429 + Retry-After)."""
        with self._cond:
            self._failures.setdefault(method, []).extend([(status, headers or {"Retry-After": "0"})] * times)

    def add_file(
        self, content: str | bytes, *, name: str = "snippet.txt", served: bool = True, broken: bool = False, **fields: Any
    ) -> dict[str, Any]:
        """Host a file and return its `files[]` entry as a message event carries it (a text snippet by default).

        `served=False` makes the download answer as Slack does for a token without `files:read`: a redirect to the
        sign-in page; `broken=True` answers with bytes that are not HTTP at all.
        """
        file_id = f"F{len(self._files) + 1:08d}{int(time.monotonic() * 1e6) % 100000:05d}"
        data = content.encode("utf-8") if isinstance(content, str) else content
        url = f"http://127.0.0.1:{self.port}/files-pri/{TEAM_ID}-{file_id}/download/{name}"
        entry: dict[str, Any] = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": "text/plain",
            "filetype": "text",
            "pretty_type": "Plain Text",
            "mode": "snippet",
            "size": len(data),
            "url_private": url.replace("/download/", "/"),
            "url_private_download": url,
            "preview": data[:200].decode("utf-8", "replace"),
        }
        entry.update(fields)
        with self._cond:
            self._files[file_id] = SlackFile(entry, data, served, broken)
        return entry

    def add_grant(self, code: str, workspace: Workspace) -> None:
        """Slack's side of the consent screen: `code` (single use) installs the app into `workspace`."""
        with self._cond:
            self._grants[code] = workspace

    def _issue(self, workspace: Workspace) -> dict[str, Any]:
        """A new bot token for `workspace`; with rotation, it replaces every earlier one (Slack's refresh)."""
        self._issued += 1
        token = f"xoxb-{workspace.team_id or workspace.enterprise_id}-{self._issued}"
        if workspace.expires_in is not None:
            workspace.valid.clear()
        workspace.valid.add(token)
        self.tokens[token] = workspace
        answer: dict[str, Any] = {"access_token": token, "token_type": "bot"}
        if workspace.expires_in is not None:
            refresh = f"xoxe-1-{self._issued}"
            self._refresh_tokens[refresh] = workspace
            answer.update(refresh_token=refresh, expires_in=workspace.expires_in)
        return answer

    def _oauth_access(self, auth: str | None, body: dict[str, Any]) -> dict[str, Any]:
        """oauth.v2.access: the app authenticates with HTTP Basic client_id:client_secret (as slack_sdk sends it)."""
        try:
            credentials = base64.b64decode((auth or "").removeprefix("Basic ").strip()).decode()
        except ValueError:
            credentials = ""
        if credentials != f"{CLIENT_ID}:{CLIENT_SECRET}":
            return {"ok": False, "error": "invalid_client_id"}
        if body.get("grant_type") == "refresh_token":
            with self._cond:
                workspace = self._refresh_tokens.pop(str(body.get("refresh_token")), None)  # single use
            if workspace is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            time.sleep(self.refresh_delay)
            with self._cond:
                answer = self._issue(workspace)
            return {"ok": True, **answer, "expires_in": 43200}
        with self._cond:
            workspace = self._grants.pop(str(body.get("code")), None)
            if workspace is None:
                return {"ok": False, "error": "invalid_code"}
            answer = self._issue(workspace)
        return {
            "ok": True,
            "app_id": "A0RCODEBOT",
            "authed_user": {"id": "U0INSTALLER"},
            "scope": "commands,chat:write",
            "bot_user_id": workspace.bot_user_id,
            "team": None if workspace.org_wide else {"id": workspace.team_id, "name": f"Team {workspace.team_id}"},
            "enterprise": {"id": workspace.enterprise_id, "name": "Org"} if workspace.enterprise_id else None,
            "is_enterprise_install": workspace.org_wide,
            **answer,
        }

    def revoke(self, team_or_enterprise: str) -> None:
        """Uninstall from Slack's side: the workspace's tokens stop working."""
        with self._cond:
            for token, workspace in self.tokens.items():
                if team_or_enterprise in (workspace.team_id, workspace.enterprise_id):
                    workspace.valid.discard(token)

    def _download(self, path: str, auth: str | None) -> tuple[int, dict[str, str], bytes]:
        """GET /files-pri/T-F/[download/]name: the file's bytes for a bot token, else Slack's sign-in redirect."""
        call = Call(path, "file_download", auth, {})
        found = None
        if path.startswith("/files-pri/"):
            file_id = path.removeprefix("/files-pri/").split("/", 1)[0].split("-", 1)[-1]
            with self._cond:
                found = self._files.get(file_id)
        token = (auth or "").removeprefix("Bearer ").strip()
        if found is not None and found.broken:
            status, headers, data = 0, {}, b"NOT HTTP AT ALL\r\n\r\n"
        elif found is None:
            status, headers, data = 404, {"Content-Type": "text/plain"}, b"file_not_found"
        elif not token.startswith("xoxb-") or token == "xoxb-revoked" or not found.served:
            login = f"http://127.0.0.1:{self.port}/?redir={urllib.parse.quote(path)}"
            status, headers, data = 302, {"Location": login, "Content-Type": "text/html"}, b"<html>sign in</html>"
        else:
            status, headers, data = 200, {"Content-Type": "text/plain; charset=utf-8"}, found.data
        call.answer = {"status": status}
        self._record(call)
        return status, headers, data

    def _next_ts(self) -> str:
        self._ts += 0.0001
        return f"{self._ts:.6f}"

    def _handle(self, path: str, auth: str | None, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        if path.startswith("/response/"):
            call = Call(path, "response_url", auth, body)
            with self._cond:
                queued = self._failures.get("response_url")
                failure = queued.pop(0) if queued else None
            if failure is not None:
                call.answer = {"status": failure[0], "body": "rate_limited"}
                self._record(call)
                return failure[0], failure[1], b"rate_limited"
            problem = block_problem(body.get("blocks"))
            status, answer = (400, b"invalid_blocks") if problem else (200, b"ok")
            if len(str(body.get("text") or "")) > MAX_MESSAGE_TEXT:
                status, answer = 400, b"msg_too_long"
            call.answer = {"status": status, "body": answer.decode(), "problem": problem}
            self._record(call)
            return status, {}, answer
        method = path.removeprefix("/api/").split("?", 1)[0]
        call = Call(path, method, auth, body)
        with self._cond:
            queued = self._failures.get(method)
            failure = queued.pop(0) if queued else None
        if failure is not None:
            status, headers = failure
            call.answer = {"status": status}
            self._record(call)
            return status, headers, {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}
        answer = self._answer(method, auth, body)
        call.answer = answer
        self._record(call)
        return 200, {}, answer

    def _answer(self, method: str, auth: str | None, body: dict[str, Any]) -> dict[str, Any]:
        token = (auth or "").removeprefix("Bearer ").strip() or str(body.get("token") or "")
        if method == "oauth.v2.access":
            return self._oauth_access(auth, body)
        with self._cond:
            issued = self.tokens.get(token)
        if issued is not None:
            if token not in issued.valid:
                return {"ok": False, "error": "token_expired" if issued.expires_in else "token_revoked"}
            if method == "auth.test":
                return {
                    "ok": True,
                    "url": "https://fake.slack.test/",
                    "team": "Fake",
                    "user": "rcodebot",
                    "team_id": issued.team_id,
                    "enterprise_id": issued.enterprise_id,
                    "user_id": issued.bot_user_id,
                    "bot_id": f"B{issued.bot_user_id}",
                    "is_enterprise_install": issued.org_wide,
                }
        if method == "apps.connections.open":
            if not token.startswith("xapp-") or token == "xapp-revoked":
                return {"ok": False, "error": "not_authed" if not token else "invalid_auth"}
            return {"ok": True, "url": self.ws_url or "ws://127.0.0.1:9/nowhere"}
        # xwfp-: the short-lived token Slack sends with function_executed (a workflow step's own token).
        if not token.startswith(("xoxb-", "xwfp-")):
            return {"ok": False, "error": "not_authed" if not token else "invalid_auth"}
        if token.startswith("xwfp-") and method not in WORKFLOW_TOKEN_METHODS:
            return {"ok": False, "error": "not_allowed_token_type"}
        if token == "xoxb-revoked":
            return {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Fake",
                "user": "rcodebot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "files.info":
            with self._cond:
                hosted = self._files.get(str(body.get("file") or ""))
            if hosted is None:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": hosted.entry}
        if method in ("functions.completeSuccess", "functions.completeError"):
            if not str(body.get("function_execution_id") or "").startswith("Fx"):
                return {"ok": False, "error": "invalid_execution_id"}
            if method == "functions.completeError" and not body.get("error"):
                return {"ok": False, "error": "invalid_arguments"}
            if method == "functions.completeSuccess":
                try:
                    outputs = json.loads(body["outputs"]) if isinstance(body.get("outputs"), str) else body.get("outputs")
                except ValueError:
                    outputs = None
                if not isinstance(outputs, dict):
                    return {"ok": False, "error": "invalid_arguments"}
            return {"ok": True}
        if method == "users.info":
            user = str(body.get("user") or "")
            if not user.startswith(("U", "W")):
                return {"ok": False, "error": "user_not_found"}
            with self._cond:
                extra = dict(self.users.get(user, {}))
            profile = {"is_admin": False, "is_owner": False, "is_primary_owner": False, "is_bot": False}
            return {"ok": True, "user": {"id": user, "team_id": TEAM_ID, "name": user.lower(), **profile, **extra}}
        if method in ("views.publish", "views.open"):
            view = json.loads(body["view"]) if isinstance(body.get("view"), str) else body.get("view")
            if not isinstance(view, dict) or view.get("type") != ("home" if method == "views.publish" else "modal"):
                return {"ok": False, "error": "invalid_arguments"}
            if method == "views.publish" and not str(body.get("user_id") or "").startswith(("U", "W")):
                return {"ok": False, "error": "user_not_found"}
            if method == "views.open" and not body.get("trigger_id"):
                return {"ok": False, "error": "invalid_trigger_id"}
            if len(view.get("blocks") or []) > 100:
                return {"ok": False, "error": "invalid_blocks", "problem": "more than 100 blocks in a view"}
            problem = block_problem(view.get("blocks"))
            if problem:
                return {"ok": False, "error": "invalid_blocks", "problem": problem}
            return {"ok": True, "view": {"id": "V0HOME", **view}}
        if method == "chat.getPermalink":
            channel, ts = str(body.get("channel") or ""), str(body.get("message_ts") or "")
            if not channel or not ts:
                return {"ok": False, "error": "message_not_found"}
            return {
                "ok": True,
                "channel": channel,
                "permalink": f"https://fake.slack.test/archives/{channel}/p{ts.replace('.', '')}",
            }
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            if not body.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            if body.get("channel") in self.not_member:
                return {"ok": False, "error": "not_in_channel"}
            if method == "chat.postMessage" and str(body.get("channel")) in self.post_errors:
                return {"ok": False, "error": self.post_errors[str(body["channel"])]}
            if not body.get("text") and not body.get("blocks"):
                return {"ok": False, "error": "no_text"}
            if len(str(body.get("text") or "")) > MAX_MESSAGE_TEXT:
                return {"ok": False, "error": "msg_too_long"}
            problem = block_problem(body.get("blocks"))
            if problem:
                return {"ok": False, "error": "invalid_blocks", "problem": problem}
            ts = str(body["ts"]) if method == "chat.update" else self._next_ts()
            return {"ok": True, "channel": body["channel"], "ts": ts, "message": {"text": body.get("text"), "ts": ts}}
        return {"ok": True}

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    # ----------------------------------------------------------------------------------------------- queries

    def snapshot(self) -> list[Call]:
        with self._cond:
            return list(self.calls)

    def find(self, predicate: Callable[[Call], bool]) -> list[Call]:
        return [c for c in self.snapshot() if predicate(c)]

    def wait_for(self, predicate: Callable[[Call], bool], count: int = 1, timeout: float = 15.0) -> list[Call]:
        """Wait until at least `count` recorded calls match; fail with what was recorded otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if predicate(c)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.body.get("channel"), str(c.body.get("text"))[:60]) for c in self.calls[-10:]]
                    raise AssertionError(f"expected {count} matching call(s), found {len(found)}; last calls: {seen}")
                self._cond.wait(left)

    def to_response(self, name: str) -> Callable[[Call], bool]:
        return lambda c: c.method == "response_url" and c.path == f"/response/{name}"

    def posted_in(self, channel: str, method: str = "chat.postMessage") -> Callable[[Call], bool]:
        return lambda c: c.method == method and c.body.get("channel") == channel


class FakeSocketModeServer:
    """Slack's Socket Mode WebSocket side: says hello, pushes envelopes, and collects the app's acks."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self._cond = threading.Condition()
        self._outbox: asyncio.Queue[dict[str, Any]] | None = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Future[None] | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._run, name="fake-socket-mode", daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket=fake"

    def start(self) -> FakeSocketModeServer:
        self._thread.start()
        assert self._ready.wait(10), "the fake Socket Mode server did not start"
        return self

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())

    async def _main(self) -> None:
        from websockets.asyncio.server import ServerConnection, serve

        self._outbox = asyncio.Queue()
        self._stop = self._loop.create_future()

        async def handler(ws: ServerConnection) -> None:
            with self._cond:
                self.connections += 1
                self._cond.notify_all()
            hello = {
                "type": "hello",
                "num_connections": 1,
                "connection_info": {"app_id": "A0FAKE"},
                "debug_info": {"host": "fake", "approximate_connection_time": 3600},
            }
            await ws.send(json.dumps(hello))

            async def pump() -> None:
                assert self._outbox is not None
                while True:
                    envelope = await self._outbox.get()
                    await ws.send(json.dumps(envelope))

            sender = asyncio.ensure_future(pump())
            try:
                async for message in ws:
                    data = json.loads(message)
                    with self._cond:
                        self.received.append(data)
                        self._cond.notify_all()
            except Exception:  # the client closing mid-frame is normal at teardown
                pass
            finally:
                sender.cancel()

        async with serve(handler, "127.0.0.1", 0) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop

    def wait_connected(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.connections == 0:
                left = deadline - time.monotonic()
                assert left > 0, "the app never connected to the Socket Mode server"
                self._cond.wait(left)

    def push(self, envelope: dict[str, Any]) -> None:
        def put() -> None:
            assert self._outbox is not None
            self._outbox.put_nowait(envelope)

        self._loop.call_soon_threadsafe(put)

    def wait_ack(self, envelope_id: str, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for data in self.received:
                    if data.get("envelope_id") == envelope_id:
                        return data
                left = deadline - time.monotonic()
                assert left > 0, f"no ack for {envelope_id}; received {self.received}"
                self._cond.wait(left)


def iter_texts(calls: list[Call]) -> Iterator[str]:
    for call in calls:
        yield call.all_text()
