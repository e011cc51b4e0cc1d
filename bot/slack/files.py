"""Text snippets and text files shared in Slack: which ones to read, and reading them safely.

Long pastes often arrive as a snippet (Slack offers to turn a long paste into one, and people post `dig +trace`
that way) rather than as message text: the message event then has subtype `file_share` and a `files` list. The
text itself is not in the event; it is fetched from the file's `url_private_download` with the bot token
(`files:read` scope).

What matters here:
- The bot token goes only to a private file path (`/files-pri/…`) on Slack's own file hosts (`files.slack.com`,
  GovSlack's `files.slack-gov.com`) over HTTPS, or on the origin of a configured Web API that is not Slack's (an
  enterprise gateway, the tests' fake Slack). Nothing else is fetched: the event is signed, but a file entry's
  URL is whatever the sharing app said (remote files are skipped), and the token acts as the bot wherever it is
  accepted, Slack's own API methods included.
- Redirects are not followed: Slack answers a request it will not serve (no `files:read`, a revoked token) with a
  redirect to its sign-in page, and following it would send the token on and read HTML as if it were the file.
- At most `MAX_FILES` files per message, each read up to `MAX_BYTES` (enough for the reader's 40,000 characters
  and a sign that there was more), with a timeout: a huge upload costs one bounded read, not the process.
- Only text: a snippet (`mode: snippet`), or a hosted file whose MIME type is `text/*` or whose Slack `filetype` is
  plain text. Images, PDFs and archives are never downloaded.
"""

from __future__ import annotations

import http.client
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.paste.digtext import MAX_CHARS

log = logging.getLogger("rcodebot.slack")

MAX_FILES = 3
#: Bytes read of one file: the reader reads MAX_CHARS characters; UTF-8 needs at most 4 bytes each, and one more
#: byte tells that the file went on (so the reply can say only the first part was read).
MAX_BYTES = 4 * MAX_CHARS + 1
FETCH_TIMEOUT = 10.0
SLACK_FILE_HOSTS = frozenset({"files.slack.com", "files.slack-gov.com"})
#: Slack's own API hosts: files never live there, so the API origin is a file host only for gateways and fakes.
SLACK_API_HOSTS = frozenset({"slack.com", "slack-gov.com", "api.slack.com", "api.slack-gov.com"})
#: Where Slack serves a file's bytes (`url_private`, `url_private_download`).
FILE_PATH = "/files-pri/"
#: Slack `filetype`s that are plain text (a snippet's language is often guessed: dig output shows up as any of these).
TEXT_FILETYPES = frozenset({"text", "shell", "bash", "sh", "plain", "log", "markdown", "yaml", "json"})


@dataclass(frozen=True, slots=True)
class SharedFile:
    """What the event says about one shared file (the fields this module uses)."""

    id: str
    name: str
    url: str | None
    is_text: bool
    needs_info: bool  # Slack Connect: the event carries only the id; `files.info` has the rest

    @classmethod
    def from_event(cls, raw: Mapping[str, Any]) -> SharedFile | None:
        """The file as the event describes it, or None when the entry is not a file object at all."""
        file_id = raw.get("id")
        if not isinstance(file_id, str) or not file_id:
            return None
        mimetype = str(raw.get("mimetype") or "")
        filetype = str(raw.get("filetype") or "")
        mode = str(raw.get("mode") or "")
        url = raw.get("url_private_download") or raw.get("url_private")
        external = mode in ("external", "tombstone") or raw.get("is_external") is True
        return cls(
            id=file_id,
            name=str(raw.get("name") or raw.get("title") or file_id),
            url=url if isinstance(url, str) and url else None,
            # A remote file (files.remote.add) lives elsewhere, at a URL another app chose: never fetched.
            is_text=not external and (mode == "snippet" or mimetype.startswith("text/") or filetype in TEXT_FILETYPES),
            needs_info=raw.get("file_access") == "check_file_info",
        )


def shared_files(event: Mapping[str, Any]) -> list[SharedFile]:
    """The files attached to a message event that may hold pasted output (text, or not yet known), in order."""
    raw = event.get("files")
    if not isinstance(raw, list):
        return []
    found = [f for f in (SharedFile.from_event(r) for r in raw if isinstance(r, Mapping)) if f is not None]
    return [f for f in found if f.is_text or f.needs_info][:MAX_FILES]


def may_send_token(url: str, api_url: str) -> bool:
    """Whether the bot token may be sent to `url`: a private file path (`/files-pri/…`) on Slack's file hosts over
    HTTPS, or on the Web API's own origin when that is not Slack's (an enterprise gateway, the tests' fake Slack).

    Never to a Web API method: with the token, a GET of `https://slack.com/api/auth.revoke` (or `chat.postMessage?…`)
    acts as the bot, and a file entry's URL is whatever the sharer's app said it was.
    """
    try:
        target = urllib.parse.urlsplit(url)
        api = urllib.parse.urlsplit(api_url)
        target_port, api_port = target.port, api.port
    except ValueError:
        return False
    path = target.path.lower()
    if target.username is not None or target.password is not None or not target.path.startswith(FILE_PATH):
        return False
    if "/../" in path or path.endswith("/..") or "%2e" in path or "%2f" in path or "\\" in path:
        return False
    if target.scheme == "https" and target.hostname in SLACK_FILE_HOSTS and target_port in (None, 443):
        return True
    if api.hostname is None or api.hostname in SLACK_API_HOSTS:
        return False
    return (target.scheme, target.hostname, target_port) == (api.scheme, api.hostname, api_port)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect means Slack will not serve the file to this token: stop, do not carry the token on."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects())


class FileUnavailable(Exception):
    """The file could not be read (no access, gone, not text); the message says why, for the log."""


def fetch_text(url: str, token: str, *, api_url: str, limit: int = MAX_BYTES, timeout: float = FETCH_TIMEOUT) -> str:
    """The first `limit` bytes of a Slack file as text (UTF-8, undecodable bytes replaced).

    Raises FileUnavailable with the reason when the URL is not Slack's, Slack redirects (no `files:read`), answers
    an error or HTML (a sign-in page), or the connection fails.
    """
    if not may_send_token(url, api_url):
        raise FileUnavailable(f"not a Slack file URL, the token is not sent there: {url[:100]}")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            ctype = str(response.headers.get("Content-Type") or "")
            if "text/html" in ctype:
                raise FileUnavailable("Slack answered with a web page, not the file (is the files:read scope granted?)")
            data: bytes = response.read(limit)
    except urllib.error.HTTPError as err:
        if 300 <= err.code < 400:
            raise FileUnavailable(
                f"Slack redirected ({err.code}) instead of serving the file: the app needs the files:read scope "
                "(add it and reinstall the app)"
            ) from None
        raise FileUnavailable(f"Slack answered HTTP {err.code}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
        raise FileUnavailable(f"could not download the file: {getattr(err, 'reason', err)!s:.200}") from None
    return data.decode("utf-8", "replace")


InfoLookup = Callable[[str], Mapping[str, Any] | None]


def read_texts(
    files: Sequence[SharedFile],
    token: str,
    *,
    api_url: str,
    file_info: InfoLookup,
    fetch: Callable[..., str] = fetch_text,
) -> list[str]:
    """The text of each readable file (files.info first for Slack Connect ones); failures are logged and skipped."""
    texts: list[str] = []
    for shared in files:
        current = shared
        if shared.needs_info:
            try:
                info = file_info(shared.id)
            except Exception:  # a lookup that fails must never become a reply under someone's file
                log.exception("files.info %s failed", shared.id)
                continue
            looked_up = SharedFile.from_event(info) if info is not None else None
            if looked_up is None or not looked_up.is_text:
                continue
            current = looked_up
        if current.url is None:
            log.info("shared file %s has no download URL; skipped", current.id)
            continue
        try:
            texts.append(fetch(current.url, token, api_url=api_url))
        except FileUnavailable as err:
            log.warning("shared file %s (%s) not read: %s", current.id, current.name[:80], err)
        except Exception:  # whatever else breaks while reading one file: skip it, say so in the log, post nothing
            log.exception("shared file %s (%s) not read", current.id, current.name[:80])
    return texts
