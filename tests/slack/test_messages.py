"""The Slack-only pieces, without a server: `public`, mention stripping, share button, in-place updates, notices."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, MarkdownTextObject, SectionBlock

from bot.core.errors import BadName, UnknownCode
from bot.core.ratelimit import Verdict
from bot.render.reply import Reply
from bot.slack import messages
from bot.slack.listeners.events import strip_mention
from bot.slack.reporting import describe
from tests.slack.conftest import payload
from tests.slack.fakeslack import block_problem


def section_reply(text: str, count: int = 1) -> Reply:
    return Reply(text=text, fallback=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text)) for _ in range(count)])


def test_split_public() -> None:
    assert messages.split_public("2 vs 4 public") == ("2 vs 4", True)
    assert messages.split_public("  servfail PUBLIC ") == ("servfail", True)
    assert messages.split_public("public") == ("", True)
    assert messages.split_public("publicity vs 4") == ("publicity vs 4", False)
    assert messages.split_public("republic") == ("republic", False)


def test_split_diagram() -> None:
    assert messages.split_diagram("example.com MX diagram") == ("example.com MX", True)
    assert messages.split_diagram("example.com DIAGRAM public") == ("example.com public", True)
    assert messages.split_diagram("diagram") == ("diagram", False)  # a lone word is the name to check
    assert messages.split_diagram("diagram.example.com") == ("diagram.example.com", False)
    assert messages.split_diagram("diagram.example diagram") == ("diagram.example", True)
    assert messages.split_diagram("example.com @diagram") == ("example.com @diagram", False)


@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(["", " diagram", " Diagram public", " diagram trace"]),
)
def test_split_diagram_drops_only_the_word_diagram_after_the_name(text: str, tail: str) -> None:
    original = text + tail
    query, diagram = messages.split_diagram(original)
    words = original.split()
    rest = [w for w in words[1:] if w.lower() != "diagram"]
    assert diagram == (len(rest) < len(words[1:]))
    assert query.split() == (words[:1] + rest if diagram else words)
    if not diagram:
        assert query == original.strip()


def test_the_diagram_button_sits_under_the_headline_only_when_there_is_a_picture() -> None:
    from bot.core.check.graph import Graph, Node

    reply = section_reply("headline", count=4)
    assert messages.with_diagram_button(reply, "example.com. A") == reply.blocks  # no picture, no button
    graph = Graph("example.com.", "A", "ok", (".",), (Node("answer", "answer", "x"),), ())
    blocks = [b.to_dict() for b in messages.with_diagram_button(reply.with_graph(graph), "example.com. A")]
    assert [b["type"] for b in blocks] == ["section", "section", "actions", "section", "section"]
    (button,) = blocks[2]["elements"]
    assert (button["action_id"], button["value"]) == (messages.ACTION_SHOW_DIAGRAM, "example.com. A")
    full = section_reply("x" * 200, count=50).with_graph(graph)
    fitted = messages.with_diagram_button(full, "example.com. A")
    assert len(fitted) <= 50 and fitted[2].type == "actions" and block_problem([b.to_dict() for b in fitted]) is None


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_split_public_never_loses_the_query(text: str) -> None:
    query, public = messages.split_public(text)
    if public:
        assert text.rstrip().lower().endswith("public")
        assert text.strip().startswith(query)
    else:
        assert query == text.strip()


def test_strip_mention_removes_only_the_bot() -> None:
    assert strip_mention("<@U0BOT> servfail vs refused", "U0BOT") == "servfail vs refused"
    assert strip_mention("<@U0BOT|rcodebot>: what is ede 9?", "U0BOT") == "what is ede 9?"
    assert strip_mention("ask <@U0OTHER> or <@U0BOT> 2 vs 4", "U0BOT") == "ask <@U0OTHER> or   2 vs 4".replace("   ", "  ")


@given(st.text(max_size=60))
def test_strip_mention_leaves_no_bot_mention(text: str) -> None:
    stripped = strip_mention(f"<@U0BOT> {text}", "U0BOT")
    assert "<@U0BOT>" not in stripped or "<@U0BOT>" in text


def test_notice_escapes_user_text() -> None:
    reply = messages.notice("'<!channel>' is not a name & <@U123> <https://evil|click>")
    rendered = reply.fallback + str(reply.block_dicts())
    for ping in ("<!channel>", "<@U123>", "<https://evil"):
        assert ping not in rendered
    assert "&lt;!channel&gt;" in reply.fallback


def test_error_notice_adds_suggestions_once() -> None:
    reply = messages.error_notice(UnknownCode(text="srvfail", suggestions=["SERVFAIL", "REFUSED"]))
    assert "Did you mean SERVFAIL, REFUSED?" in reply.text
    already = messages.error_notice(
        UnknownCode("I don't know 'x'. Did you mean SERVFAIL?", text="x", suggestions=["SERVFAIL"])
    )
    assert already.text.count("SERVFAIL") == 1
    assert messages.error_notice(BadName(name="a..b", reason="empty label")).text.startswith("'a..b'")


def test_rate_limited_says_when() -> None:
    assert "try again in 42 s" in messages.rate_limited(Verdict(False, 41.2)).text


def test_share_button_is_added_and_dropped_when_the_message_is_full() -> None:
    blocks = messages.with_share_button(section_reply("SERVFAIL vs REFUSED"), "servfail vs refused")
    assert blocks[-1]["type"] == "actions"
    assert (blocks[-1]["elements"][0]["action_id"], blocks[-1]["elements"][0]["value"]) == (
        messages.ACTION_SHARE,
        "servfail vs refused",
    )
    full = section_reply("x" * 2900, count=60)  # fitted by Reply to Slack's size; the button must still fit
    with_button = messages.with_share_button(full, "2 vs 4")
    assert block_problem(with_button) is None
    assert with_button[-1]["type"] == "actions"
    too_long = messages.with_share_button(section_reply("a"), "x" * 2001)  # a button value holds 2,000 at most
    assert all(b["type"] != "actions" for b in too_long)


def test_shared_blocks_name_the_sharer_and_fit() -> None:
    blocks = messages.shared_blocks(section_reply("x" * 2900, count=60), "U0SHARER")
    assert block_problem(blocks) is None
    assert blocks[-1]["elements"][0]["text"] == "Shared by <@U0SHARER> with /rcode"
    fifty = Reply(text="t", fallback="t", blocks=[SectionBlock(text=MarkdownTextObject(text="b")) for _ in range(50)])
    assert len(fifty.blocks) == 50
    assert block_problem(messages.shared_blocks(fifty, "U0SHARER")) is None
    anonymous = messages.shared_blocks(section_reply("a"), "not an id <!channel>")
    assert anonymous[-1]["elements"][0]["text"] == "Shared by someone with /rcode"


def test_without_action_keeps_the_explanation_and_drops_the_button() -> None:
    original = [
        SectionBlock(text=MarkdownTextObject(text="explanation")).to_dict(),
        ActionsBlock(
            elements=[ButtonElement(text="Run live check", action_id="run_live_check", value="a.example A")]
        ).to_dict(),
        {"type": "future_block_kind", "whatever": 1},
    ]
    kept = messages.without_action(original, "run_live_check")
    assert [b.to_dict() for b in kept] == [original[0]]


def test_combine_fits_head_and_tail_in_one_message() -> None:
    head = section_reply("h" * 2900, count=3).blocks
    combined = messages.combine(head, section_reply("t" * 2900, count=10))
    assert block_problem([b.to_dict() for b in combined]) is None
    assert combined[0].text.text.startswith("h")


def test_describe_names_who_and_where() -> None:
    command = payload("slash_command")
    assert describe(command) == "/rcode team=T0TEAM user=U0ONCALL channel=C0INCIDENT"
    action = payload("block_actions")
    assert describe(action).startswith("action placeholder team=T0TEAM user=U0ONCALL channel=C0INCIDENT")
    event = payload("event_message")
    assert "event_id=Ev0PLACEHOLDER" in describe(event) and describe(event).startswith("message ")
