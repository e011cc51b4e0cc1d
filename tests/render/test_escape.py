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
    assert escape.unescape(escape.entities(text)) == text
    escaped = escape.mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped


def outside_code(text: str) -> str:
    """The parts of mrkdwn text that Slack formats: everything outside backtick spans."""
    return "".join(text.split("`")[0::2])


FORMATTING_TEXT = st.text(alphabet=st.sampled_from("ab.-_*~ `()',\n"), max_size=120)


@given(FORMATTING_TEXT)
def test_no_formatting_character_is_left_outside_code(text: str) -> None:
    escaped = escape.mrkdwn(text)
    outside = outside_code(escaped)
    assert not any(c in outside for c in "*_~"), (text, escaped)


@given(FORMATTING_TEXT.filter(lambda t: "`" not in t))
def test_only_backticks_are_added(text: str) -> None:
    # Copying the reply gives the data back: the words are untouched, only put in code spans.
    assert escape.mrkdwn(text).replace("`", "") == escape.entities(text)


def test_dns_names_never_format() -> None:
    assert escape.mrkdwn("_dmarc.example.com. and _spf.example.com.") == "`_dmarc.example.com`. and `_spf.example.com`."
    assert escape.mrkdwn("*.example.com has *no* TXT") == "`*.example.com` has `*no*` TXT"
    assert escape.mrkdwn("dig 9.18.28-1~deb12u2-Debian") == "dig `9.18.28-1~deb12u2-Debian`"
    assert escape.mrkdwn("(xfr_key, or") == "(`xfr_key`, or"
    # Code the text already has stays as it is; an unpaired backtick cannot open a span further on.
    assert escape.mrkdwn("run `dig _x.example` then") == "run `dig _x.example` then"
    assert escape.mrkdwn("a ` b _c_") == "a ' b `_c_`"


@given(st.text(max_size=300))
def test_code_span_has_no_fence(text: str) -> None:
    span = escape.code_span(text)
    assert "```" not in span and "<" not in span
