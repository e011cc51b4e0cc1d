"""The check's diagram in Slack (`bot.slack.diagrams`, the "Show diagram" button, `/dnscheck NAME diagram`).

End to end: the real app (the Procfile web: command) checks names in the loopback DNS lab, and the fake Web API
takes the upload as Slack does (files.getUploadURLExternal, the bytes POSTed to the upload URL it returned, on
this same loopback server, files.completeUploadExternal into a channel and thread), recording each upload.
"""

from __future__ import annotations

import json
import struct
import threading
import time
import urllib.parse
from typing import Any

import pytest

from bot.core.check.graph import Edge, Graph, Node
from bot.slack import diagrams
from bot.slack.messages import ACTION_SHOW_DIAGRAM, DIAGRAM_BLOCK_ID
from tests.lab.lab import Lab
from tests.slack.conftest import SlackSender, payload, unique
from tests.slack.fakeslack import Call, FakeSlack, Upload
from tests.slack.test_http import ACTION_RUN_CHECK, slack_escape

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def hostile_graph() -> Graph:
    name = "<!channel>&x.example."
    return Graph(
        name,
        "TXT",
        "failure",
        (".", "example."),
        (Node("zone:.", "zone", "."), Node("answer", "answer", f"{name} TXT\n<@U123>", "broken", "example.", "bogus")),
        (Edge("zone:.", "answer", "broken"),),
        cause="<!here> DNSSEC validation fails",
    )


# ------------------------------------------------------------------------------------------------ the pieces


def test_the_file_name_comment_and_alt_text_are_safe_for_hostile_names() -> None:
    graph = hostile_graph()
    assert diagrams.filename(graph) == "dnscheck-_channel_x.example-TXT.png"
    comment = diagrams.comment(graph, "<@U0ONCALL>")
    assert "<!channel>" not in comment and "<!here>" not in comment and "&lt;!channel&gt;&amp;x" in comment
    assert comment.endswith("(asked by <@U0ONCALL>)")  # the only markup: the asker, from Slack's own payload
    assert len(diagrams.alt_text(graph)) <= diagrams.MAX_ALT_TEXT and "top cause" in diagrams.alt_text(graph)


def test_a_picture_over_the_size_bound_is_not_uploaded(monkeypatch: pytest.MonkeyPatch) -> None:
    data, problem = diagrams.png(hostile_graph())
    assert data is not None and data[:8] == PNG and problem is None
    monkeypatch.setattr(diagrams, "MAX_UPLOAD_BYTES", len(data) - 1)
    data, problem = diagrams.png(hostile_graph())
    assert data is None and problem is not None and "too large" in problem


def test_without_graphviz_the_asker_is_told_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no `dot` anywhere
    diagrams.RENDERED.clear()
    data, problem = diagrams.png(hostile_graph())
    assert data is None and problem is not None and "apt-get install graphviz" in problem and "\n" not in problem
    diagrams.RENDERED.clear()


def test_a_picture_drawn_ahead_is_drawn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawn right after the result is posted, and only once: a click (even one arriving mid-drawing) waits for it."""
    drawn: list[str] = []
    real = diagrams.diagram.render

    def counted(graph: Graph, form: diagrams.diagram.Format) -> bytes:
        drawn.append(graph.name)
        time.sleep(0.3)
        return real(graph, form)

    monkeypatch.setattr(diagrams.diagram, "render", counted)
    diagrams.RENDERED.clear()
    graph = hostile_graph()
    ahead = threading.Thread(target=diagrams.prepare, args=(graph,))
    ahead.start()
    time.sleep(0.05)
    clicks: list[diagrams.Drawn] = []
    clickers = [threading.Thread(target=lambda: clicks.append(diagrams.png(graph))) for _ in range(3)]
    for t in [*clickers]:
        t.start()
    for t in [ahead, *clickers]:
        t.join(10)
    assert drawn == [graph.name] and len(clicks) == 3
    assert all(data is not None and data[:8] == PNG for data, _ in clicks)
    other = Graph("other.example.", "A", "ok", (".",), (Node("answer", "answer", "192.0.2.1"),), ())
    assert diagrams.png(other)[0] is not None and drawn == [graph.name, "other.example."]  # another check: drawn


def test_the_pictures_kept_are_bounded_in_number_and_time() -> None:
    kept = diagrams.Rendered(keep_seconds=0.2, keep_count=2)
    graphs = [Graph(f"n{i}.example.", "A", "ok", (".",), (Node("answer", "answer", str(i)),), ()) for i in range(3)]
    for graph in graphs:
        kept.get(graph)
    assert len(kept._entries) == 2  # the oldest went first
    time.sleep(0.3)
    kept.get(graphs[0])
    assert len(kept._entries) == 1  # the expired ones are gone


# ------------------------------------------------------------------------------------------------ end to end


def check(bot: SlackSender, fake: FakeSlack, lab: Lab, scenario_id: str, channel: str, *extra: str) -> Call:
    """/dnscheck of a lab scenario in `channel`; the result as posted to the response_url."""
    scenario = lab.scenarios[scenario_id]
    lab.flush()
    text = " ".join([scenario.qname.rstrip("."), scenario.qtype, *extra])
    _, name, _ = bot.command("/dnscheck", text, user_id=unique("U"), channel_id=channel)
    (result,) = fake.wait_for(fake.to_response(name), timeout=30)
    return result


def click(
    bot: SlackSender,
    fake: FakeSlack,
    result: Call,
    channel: str,
    ts: str,
    *,
    thread_ts: str | None = None,
    ephemeral: bool = False,
    user: str | None = None,
) -> str:
    """Click "Show diagram" on `result`, as it sits in `channel` at `ts`; returns the response_url name."""
    (button,) = result.buttons(ACTION_SHOW_DIAGRAM)
    body: dict[str, Any] = payload("block_actions")
    name = unique("d")
    body["response_url"] = fake.response_url(name)
    body["actions"][0].update(action_id=ACTION_SHOW_DIAGRAM, value=button["value"], block_id=DIAGRAM_BLOCK_ID)
    body["user"]["id"] = user or unique("U")
    body["channel"]["id"] = channel
    body["container"].update(channel_id=channel, message_ts=ts, is_ephemeral=ephemeral)
    message = {**body["message"], "blocks": result.blocks, "text": result.body.get("text"), "ts": ts}
    message.pop("thread_ts")
    if thread_ts is not None:
        message["thread_ts"] = thread_ts
    body["message"] = message
    answer = bot.raw(urllib.parse.urlencode({"payload": json.dumps(body)}).encode(), "application/x-www-form-urlencoded")
    assert answer.status == 200 and answer.body == b""  # acked at once, nothing in the ack
    return name


def uploaded(fake: FakeSlack, channel: str, count: int = 1) -> list[Upload]:
    fake.wait_for(
        lambda c: c.method == "files.completeUploadExternal" and c.body.get("channel_id") == channel and c.answer.get("ok"),
        count,
        30,
    )
    return fake.uploads_in(channel)


pytestmark = pytest.mark.lab


def test_a_click_uploads_the_diagram_into_the_results_thread(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    channel = unique("C")
    result = check(lab_bot, fake, lab, "expired_rrsig", channel, "public")
    assert result.body["response_type"] == "in_channel"
    kinds = [b["type"] for b in result.blocks]
    assert kinds[2] == "actions" and result.blocks[2]["block_id"] == DIAGRAM_BLOCK_ID  # under the headline
    user = unique("U")
    click(lab_bot, fake, result, channel, "1732430500.000100", user=user)
    (upload,) = uploaded(fake, channel)
    assert upload.thread_ts == "1732430500.000100"  # a new thread under the result
    assert upload.filename == "dnscheck-www.expired.lab-A.png" and upload.data is not None
    assert upload.length == len(upload.data) and max(png_size(upload.data)) <= 2000
    assert upload.title == "www.expired.lab. A: failure"
    assert upload.initial_comment is not None and f"asked by <@{user}>" in upload.initial_comment
    assert "DNSSEC" in upload.initial_comment or "signature" in upload.initial_comment.lower()
    assert upload.alt_txt and "www.expired.lab." in upload.alt_txt
    (url_call,) = fake.find(lambda c: c.method == "files.getUploadURLExternal" and c.body.get("filename") == upload.filename)
    upload_url = url_call.answer["upload_url"]
    assert upload_url.startswith(f"http://127.0.0.1:{fake.port}/upload/")  # the bytes went to the fake, on loopback
    assert fake.find(lambda c: c.method == "file_upload" and c.body["file_id"] == upload.file_id)


def test_a_click_in_a_thread_posts_into_that_thread(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    channel = unique("C")
    result = check(lab_bot, fake, lab, "healthy_signed", channel, "public")
    click(lab_bot, fake, result, channel, "1732430600.000200", thread_ts="1732430600.000100")
    (upload,) = uploaded(fake, channel)
    assert upload.thread_ts == "1732430600.000100" and upload.title == "www.healthy-signed.lab. A: ok"


def test_a_run_live_check_result_offers_the_diagram_in_the_pastes_thread(
    lab_bot: SlackSender, fake: FakeSlack, lab: Lab
) -> None:
    qname, resolver = lab.scenarios["expired_rrsig"].qname, lab.resolvers[0]
    paste = (
        f"\n; <<>> DiG 9.18.28 <<>> {qname} A\n;; global options: +cmd\n;; Got answer:\n"
        ";; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: 1234\n"
        ";; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1\n\n"
        f";; QUESTION SECTION:\n;{qname}\t\t\tIN\tA\n\n;; Query time: 5 msec\n"
        f";; SERVER: {resolver}#53({resolver}) (UDP)\n;; MSG SIZE  rcvd: 80\n"
    )
    channel, paste_ts = unique("C"), "1732431200.000100"
    lab_bot.event({"channel": channel, "ts": paste_ts, "text": slack_escape(paste)})
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert reply.body["thread_ts"] == paste_ts
    (button,) = reply.buttons(ACTION_RUN_CHECK)
    lab.flush()
    message = {"blocks": reply.blocks, "text": reply.body["text"], "ts": reply.answer["ts"], "thread_ts": paste_ts}
    _, name, _ = lab_bot.action(ACTION_RUN_CHECK, button["value"], user=unique("U"), channel=channel, message=message)
    _, result = fake.wait_for(fake.to_response(name), count=2, timeout=30)
    assert result.buttons(ACTION_SHOW_DIAGRAM) and not result.buttons(ACTION_RUN_CHECK)
    click(lab_bot, fake, result, channel, reply.answer["ts"], thread_ts=paste_ts)
    (upload,) = uploaded(fake, channel)
    assert upload.thread_ts == paste_ts and upload.title == "www.expired.lab. A: failure"


def test_two_clicks_upload_one_file(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    channel = unique("C")
    result = check(lab_bot, fake, lab, "lame", channel, "public")
    first = click(lab_bot, fake, result, channel, "1732430700.000100")
    second = click(lab_bot, fake, result, channel, "1732430700.000100")
    uploaded(fake, channel)
    (told,) = fake.wait_for(fake.to_response(second))
    assert "already posted" in told.all_text() and told.body["response_type"] == "ephemeral"
    time.sleep(1.0)  # long enough for a second upload to arrive, were there one
    assert len(fake.uploads_in(channel)) == 1
    assert fake.find(fake.to_response(first)) == []  # the first clicker sees the file, no message


def test_a_click_on_a_private_result_posts_into_the_channel(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    channel = unique("C")
    result = check(lab_bot, fake, lab, "healthy_signed", channel)
    assert result.body["response_type"] == "ephemeral"
    click(lab_bot, fake, result, channel, "1732430800.000100", ephemeral=True)
    (upload,) = uploaded(fake, channel)
    assert upload.thread_ts is None  # nobody else can open a thread under an ephemeral message


def test_dnscheck_diagram_posts_the_picture_with_the_result(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    channel = unique("C")
    result = check(lab_bot, fake, lab, "expired_rrsig", channel, "diagram")
    assert "FAILURE" in result.all_text() and result.buttons(ACTION_SHOW_DIAGRAM)
    (upload,) = uploaded(fake, channel)
    assert upload.thread_ts is None and upload.title == "www.expired.lab. A: failure"
    assert upload.data is not None and upload.data[:8] == PNG


def test_where_the_bot_is_not_a_member_the_clicker_is_told_and_can_click_again(
    lab_bot: SlackSender, fake: FakeSlack, lab: Lab
) -> None:
    channel = unique("C")
    result = check(lab_bot, fake, lab, "healthy_signed", channel, "public")
    fake.not_member.add(channel)
    try:
        name = click(lab_bot, fake, result, channel, "1732430900.000100")
        (told,) = fake.wait_for(fake.to_response(name), timeout=30)
        assert "Invite me" in told.all_text() and fake.uploads_in(channel) == []
    finally:
        fake.not_member.discard(channel)
    click(lab_bot, fake, result, channel, "1732430900.000100")  # invited now: the failed click did not count
    assert len(uploaded(fake, channel)) == 1


def test_an_app_without_files_write_says_so(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    channel = unique("C")
    result = check(lab_bot, fake, lab, "healthy_signed", channel, "public")
    fake.method_errors["files.getUploadURLExternal"] = "missing_scope"
    try:
        name = click(lab_bot, fake, result, channel, "1732431100.000100")
        (told,) = fake.wait_for(fake.to_response(name), timeout=30)
    finally:
        del fake.method_errors["files.getUploadURLExternal"]
    assert "files:write" in told.all_text() and fake.uploads_in(channel) == []


def test_a_rate_limited_upload_waits_for_retry_after(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    channel = unique("C")
    result = check(lab_bot, fake, lab, "healthy_signed", channel, "public")
    fake.fail_next("files.completeUploadExternal", status=429, headers={"Retry-After": "1"})
    click(lab_bot, fake, result, channel, "1732431000.000100")
    (upload,) = uploaded(fake, channel)
    refused, taken = fake.find(lambda c: c.method == "files.completeUploadExternal" and c.body.get("channel_id") == channel)
    assert refused.answer == {"status": 429} and taken.answer["ok"] is True
    assert taken.at - refused.at >= 0.9  # Slack's Retry-After was honoured
    assert upload.data is not None
