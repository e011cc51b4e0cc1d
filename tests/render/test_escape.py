"""mrkdwn escaping and reading Slack's escaped message text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.render import escape


def test_control_sequences_are_neutralised() -> None:
    for hostile in ("<!channel>", "<!here>", "<@U123>", "<!subteam^S1>", "<https://evil.example|click>"):
        escaped = escape.mrkdwn(hostile)
        assert "<" not in escaped and ">" not in escaped


def test_ampersand_first() -> None:
    assert escape.mrkdwn("a & <b>") == "a &amp; &lt;b&gt;"


def test_from_slack() -> None:
    text = "dig &lt;&lt;&gt;&gt; <http://example.com|example.com> <mailto:a@b.example|a@b.example> <https://x.example> &amp;"
    assert escape.from_slack(text) == "dig <<>> example.com a@b.example https://x.example &"


def test_mentions_are_left_for_the_caller() -> None:
    assert escape.strip_links("<@U123> hi <!here>") == "<@U123> hi <!here>"


@given(st.text(max_size=500))
def test_round_trip(text: str) -> None:
    assert escape.unescape(escape.mrkdwn(text)) == text
    escaped = escape.mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped


@given(st.text(max_size=300))
def test_code_span_has_no_fence(text: str) -> None:
    span = escape.code_span(text)
    assert "```" not in span and "<" not in span
