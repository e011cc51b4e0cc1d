"""Shared snippets and text files: read like a paste, downloaded only from Slack, with the token kept home.

The end-to-end tests run the real app (the Procfile's web: line) against the fake Slack, which also hosts the
files and answers a token without `files:read` the way Slack does (a redirect to the sign-in page).
"""

from __future__ import annotations

import time
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


def test_the_token_goes_only_to_slack_file_hosts_or_the_api_origin() -> None:
    assert files.may_send_token("https://files.slack.com/files-pri/T1-F1/download/a.txt", API)
    assert files.may_send_token("https://files.slack-gov.com/files-pri/T1-F1/a.txt", API)
    assert files.may_send_token("http://127.0.0.1:8080/files-pri/x", "http://127.0.0.1:8080/api/")
    for url in (
        "http://files.slack.com/files-pri/T1-F1/a.txt",  # not HTTPS
        "https://files.slack.com.evil.example/files-pri/a.txt",
        "https://evil.example/files.slack.com/a.txt",
        "https://files.slack.com:8443/a.txt",
        "http://127.0.0.1:8081/files-pri/x",  # same host, another port: another origin
        "file:///etc/passwd",
        "https://[::1/broken",
        "",
    ):
        assert not files.may_send_token(url, "http://127.0.0.1:8080/api/"), url


@given(st.text(max_size=200), st.sampled_from([API, "http://127.0.0.1:8080/api/"]))
def test_may_send_token_never_raises_and_allows_only_known_origins(url: str, api: str) -> None:
    if files.may_send_token(url, api):
        assert url.startswith(("https://files.slack.com", "https://files.slack-gov.com", api.removesuffix("api/")))


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
    assert [f.id for f in files.shared_files({"files": [image, pdf, snippet, log, connect, "junk"]})] == ["F3", "F4", "F5"]
    many = [{"id": f"F{i}", "mode": "snippet"} for i in range(10)]
    assert len(files.shared_files({"files": many})) == files.MAX_FILES


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
    sentinel(http_bot, fake, channel)
    assert downloads(fake, entry), "the snippet was not even read"
    assert fake.find(lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts) == []


def test_a_file_hosted_elsewhere_is_not_fetched_and_the_token_stays_home(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    with FakeSlack() as elsewhere:
        entry = elsewhere.add_file(DIG)
        ts = share(http_bot, channel, [entry])
        sentinel(http_bot, fake, channel)
        assert elsewhere.snapshot() == []
    assert fake.find(lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts) == []


def test_without_files_read_nothing_is_posted_and_the_log_says_how_to_fix_it(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    entry = fake.add_file(DIG, served=False)
    ts = share(http_bot, channel, [entry])
    sentinel(http_bot, fake, channel)
    (download,) = downloads(fake, entry)
    assert download.answer["status"] == 302
    assert fake.find(lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts) == []
    server = http_bot.server  # type: ignore[attr-defined]
    assert "files:read" in server.log()
    assert "?redir=" not in "".join(c.path for c in fake.snapshot() if c.method == "file_download")


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
