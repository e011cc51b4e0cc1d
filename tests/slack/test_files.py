"""Shared snippets and text files: read like a paste, downloaded only from Slack, with the token kept home.

The end-to-end tests run the real app (the Procfile's web: line) against the fake Slack, which also hosts the
files and answers a token without `files:read` the way Slack does (a redirect to the sign-in page).
"""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.slack import files
from tests.slack.conftest import PAYLOADS, SlackSender, unique
from tests.slack.fakeslack import BOT_USER_ID, FakeSlack
from tests.slack.test_http import ACTION_RUN_CHECK, sentinel

API = "https://slack.com/api/"
DIG = (PAYLOADS / "dig_servfail.txt").read_text(encoding="utf-8")


def share(
    bot: SlackSender, channel: str, entries: list[dict[str, Any]], text: str = "", ts: str | None = None, **event: Any
) -> str:
    ts = ts or f"{time.time():.6f}"
    response, _ = bot.event(
        {"channel": channel, "ts": ts, "subtype": "file_share", "text": text, "files": entries, "upload": False, **event}
    )
    assert response.status == 200
    return ts


def downloads(fake: FakeSlack, entry: dict[str, Any]) -> list[Any]:
    return fake.find(lambda c: c.method == "file_download" and entry["id"] in c.path)


# ------------------------------------------------------------------------------------------------- the rules


def test_the_token_goes_only_to_file_paths_on_slack_file_hosts_or_a_gateway() -> None:
    assert files.may_send_token("https://files.slack.com/files-pri/T1-F1/download/a.txt", API)
    assert files.may_send_token("https://files.slack-gov.com/files-pri/T1-F1/a.txt", API)
    assert files.may_send_token("http://127.0.0.1:8080/files-pri/T1-F1/a.txt", "http://127.0.0.1:8080/api/")
    gateway = "http://127.0.0.1:8080/api/"
    for url, api in (
        ("https://slack.com/api/auth.revoke", API),  # a Web API method: the token would act as the bot
        ("https://slack.com/api/chat.postMessage?channel=C1&text=%3C!channel%3E", API),
        ("https://slack.com/files-pri/T1-F1/a.txt", API),  # Slack's API host is never a file host
        ("https://files.slack.com/api/auth.revoke", API),  # a file host, but not a file path
        ("https://files.slack.com/files-pri/../api/auth.revoke", API),
        ("https://files.slack.com/files-pri/%2e%2e/api/auth.revoke", API),
        ("https://user:pw@files.slack.com/files-pri/T1-F1/a.txt", API),
        ("http://files.slack.com/files-pri/T1-F1/a.txt", API),  # not HTTPS
        ("https://files.slack.com.evil.example/files-pri/a.txt", API),
        ("https://evil.example/files-pri/files.slack.com/a.txt", API),
        ("https://files.slack.com:8443/files-pri/a.txt", API),
        ("http://127.0.0.1:8081/files-pri/x", gateway),  # same host, another port: another origin
        ("http://127.0.0.1:8080/api/auth.revoke", gateway),
        ("file:///files-pri/etc/passwd", gateway),
        ("https://[::1/broken", gateway),
        ("", gateway),
    ):
        assert not files.may_send_token(url, api), url


_urls = st.builds(
    "{}://{}{}{}{}".format,
    st.sampled_from(["https", "http", "file", "HTTPS", ""]),
    st.sampled_from(["", "user@", "u:p@"]),
    st.sampled_from(["files.slack.com", "files.slack-gov.com", "slack.com", "127.0.0.1", "evil.example", "[::1]"]),
    st.sampled_from(["", ":443", ":8080", ":8081", ":x"]),
    st.sampled_from(["/files-pri/T1-F1/a.txt", "/files-pri/../api/x", "/api/auth.revoke", "/", "", "/files-pri"]),
)


@given(_urls | st.text(max_size=120), st.sampled_from([API, "http://127.0.0.1:8080/api/"]))
def test_may_send_token_never_raises_and_allows_only_file_paths_on_known_origins(url: str, api: str) -> None:
    if not files.may_send_token(url, api):
        return
    target, origin = urllib.parse.urlsplit(url), urllib.parse.urlsplit(api)
    assert target.path.startswith("/files-pri/") and "/../" not in target.path
    assert target.username is None and target.password is None
    on_slack = target.scheme == "https" and target.hostname in files.SLACK_FILE_HOSTS and target.port in (None, 443)
    on_gateway = (target.scheme, target.hostname, target.port) == (origin.scheme, origin.hostname, origin.port)
    assert on_slack or (on_gateway and origin.hostname not in files.SLACK_API_HOSTS)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from(["files", "text", "subtype"]), _json))
def test_shared_files_reads_any_event_without_raising(event: dict[str, Any]) -> None:
    found = files.shared_files(event)
    assert len(found) <= files.MAX_FILES
    assert all(f.is_text or f.needs_info for f in found)


def test_only_text_files_are_candidates_and_at_most_three() -> None:
    image = {"id": "F1", "mimetype": "image/png", "filetype": "png", "mode": "hosted", "url_private": "https://x"}
    pdf = {"id": "F2", "mimetype": "application/pdf", "filetype": "pdf", "mode": "hosted"}
    snippet = {"id": "F3", "mode": "snippet", "filetype": "python"}
    log = {"id": "F4", "mimetype": "text/plain", "mode": "hosted"}
    connect = {"id": "F5", "mode": "file_access", "file_access": "check_file_info"}
    remote = {"id": "F6", "mode": "external", "filetype": "text", "url_private": "https://slack.com/api/auth.revoke"}
    flagged = {"id": "F7", "mode": "hosted", "mimetype": "text/plain", "is_external": True}
    found = files.shared_files({"files": [image, pdf, snippet, log, connect, remote, flagged, "junk"]})
    assert [f.id for f in found] == ["F3", "F4", "F5"]
    many = [{"id": f"F{i}", "mode": "snippet"} for i in range(10)]
    assert len(files.shared_files({"files": many})) == files.MAX_FILES


def test_a_file_that_is_not_read_is_skipped_whatever_the_error() -> None:
    shared = files.shared_files(
        {"files": [{"id": "F1", "mode": "snippet", "url_private": "https://files.slack.com/files-pri/a"}]}
    )

    def boom(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("anything at all")

    def no_info(file_id: str) -> None:
        raise OSError("network down")

    assert files.read_texts(shared, "xoxb-x", api_url=API, file_info=no_info, fetch=boom) == []
    connect = files.shared_files({"files": [{"id": "F2", "mode": "file_access", "file_access": "check_file_info"}]})
    assert files.read_texts(connect, "xoxb-x", api_url=API, file_info=no_info) == []


def test_a_file_on_another_host_is_refused_before_any_connection() -> None:
    try:
        files.fetch_text("https://evil.example/a.txt", "xoxb-secret", api_url=API)
    except files.FileUnavailable as err:
        assert "not a Slack file URL" in str(err)
    else:
        raise AssertionError("fetched a non-Slack URL with the token")


# ------------------------------------------------------------------------------------------------ end to end


def test_a_shared_snippet_of_dig_output_is_explained_in_its_thread(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    entry = fake.add_file(DIG, name="dig.txt")
    ts = share(http_bot, channel, [entry], text="any idea why?")
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == ts
    assert "SERVFAIL" in reply.all_text()
    assert len(reply.buttons(ACTION_RUN_CHECK)) == 1
    (download,) = downloads(fake, entry)
    assert download.authorization == "Bearer xoxb-1234-5678-fake"


def test_a_snippet_without_tool_output_gets_no_reply(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    entry = fake.add_file("import dns.resolver\nprint(dns.resolver.resolve('example.com'))\n", name="check.py")
    ts = share(http_bot, channel, [entry], text="my script")
    fake.wait_for(lambda c: c.method == "file_download" and entry["id"] in c.path)  # it was read
    sentinel(http_bot, fake, channel)
    assert fake.find(lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts) == []


# The files are read one after another, so a readable dig snippet shared after the bad ones is a barrier: its
# explanation is posted only once the bad ones were dealt with (refused, skipped, or failed without a reply).


def explained_after(fake: FakeSlack, channel: str, ts: str) -> str:
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == ts
    text = reply.all_text()
    assert "SERVFAIL" in text and "ref " not in text, text  # the explanation, not "something went wrong (ref …)"
    return text


def test_a_file_pointing_at_the_web_api_is_never_fetched(http_bot: SlackSender, fake: FakeSlack) -> None:
    """A remote file's URL is whatever the sharing app chose: an API method would act as the bot with its token."""
    channel = unique("C")
    revoke = fake.api_url + "auth.revoke"
    remote = {"id": "F0REMOTE", "mode": "external", "filetype": "text", "url_private": revoke, "is_external": True}
    hosted = {"id": "F0HOSTED", "mode": "snippet", "url_private_download": revoke}
    ts = share(http_bot, channel, [remote, hosted, fake.add_file(DIG)])
    explained_after(fake, channel, ts)
    assert fake.find(lambda c: "auth.revoke" in c.path) == []  # no request of any kind went there


def test_a_file_hosted_elsewhere_is_not_fetched_and_the_token_stays_home(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    with FakeSlack() as elsewhere:
        ts = share(http_bot, channel, [elsewhere.add_file(DIG), fake.add_file(DIG)])
        explained_after(fake, channel, ts)
        assert elsewhere.snapshot() == []


def test_without_files_read_the_file_is_skipped_and_the_log_says_how_to_fix_it(
    http_bot: SlackSender, fake: FakeSlack
) -> None:
    channel = unique("C")
    refused = fake.add_file(DIG.replace("SERVFAIL", "REFUSED"), served=False)
    ts = share(http_bot, channel, [refused, fake.add_file(DIG)])
    text = explained_after(fake, channel, ts)
    assert "REFUSED" not in text  # the refused file's text was not read (Slack's sign-in page even less)
    (download,) = downloads(fake, refused)
    assert download.answer["status"] == 302
    assert "?redir=" not in "".join(c.path for c in fake.snapshot() if c.method == "file_download")  # not followed
    server = http_bot.server  # type: ignore[attr-defined]
    assert "files:read" in server.log()


def test_a_file_server_that_is_not_http_does_not_become_an_error_reply(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    broken = fake.add_file(DIG, broken=True)
    ts = share(http_bot, channel, [broken, fake.add_file(DIG)])
    explained_after(fake, channel, ts)
    assert downloads(fake, broken)


def test_a_slack_connect_file_is_looked_up_with_files_info(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    entry = fake.add_file(DIG)
    ts = share(http_bot, channel, [{"id": entry["id"], "mode": "file_access", "file_access": "check_file_info"}])
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == ts and "SERVFAIL" in reply.all_text()
    assert fake.find(lambda c: c.method == "files.info" and c.body.get("file") == entry["id"])
    assert downloads(fake, entry)


def test_an_image_is_never_downloaded_but_a_paste_beside_it_is_answered(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    image = fake.add_file(b"\x89PNG\r\n", name="screenshot.png", mimetype="image/png", filetype="png", mode="hosted")
    escaped = DIG.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    ts = share(http_bot, channel, [image], text=escaped)
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == ts and "SERVFAIL" in reply.all_text()
    assert downloads(fake, image) == []


def test_a_huge_snippet_is_read_in_part_and_says_so(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    entry = fake.add_file((DIG + "\n") * 400)  # ~300 KB: more than one message can hold
    share(http_bot, channel, [entry])
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.answer["ok"] is True, reply.answer
    assert "I read the first 40,000 characters" in reply.all_text()


def test_a_mention_with_a_snippet_explains_the_snippet(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    entry = fake.add_file(DIG)
    ts = f"{time.time():.6f}"
    http_bot.event(
        {"channel": channel, "ts": ts, "text": f"<@{BOT_USER_ID}> why?", "files": [entry], "subtype": "file_share"},
        kind="event_app_mention",
    )
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert "SERVFAIL" in reply.all_text() and len(reply.buttons(ACTION_RUN_CHECK)) == 1  # the paste's explanation
    # The same share also arrives as a message event: it is the mention's to answer, not answered twice.
    share(http_bot, channel, [entry], text=f"<@{BOT_USER_ID}> why?", ts=ts)
    sentinel(http_bot, fake, channel)
    assert len(fake.find(lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts)) == 1
