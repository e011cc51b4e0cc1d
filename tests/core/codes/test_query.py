"""The /rcode query language: every documented form, chat around it, typos, and hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.codes import knowledge, query
from bot.core.errors import BotError, UnknownCode, UsageError
from tests.conftest import examples


@pytest.fixture(scope="module")
def kb() -> knowledge.Knowledge:
    return knowledge.load_default()


def idents(text: str, kb: knowledge.Knowledge) -> tuple[str, ...]:
    parsed = query.parse(text, kb)
    assert isinstance(parsed, query.CodeQuery), parsed
    return parsed.idents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 vs 4", ("SERVFAIL", "NOTIMP")),
        ("servfail vs notimp", ("SERVFAIL", "NOTIMP")),
        ("SERVFAIL/NOTIMP", ("SERVFAIL", "NOTIMP")),
        ("2,4", ("SERVFAIL", "NOTIMP")),
        ("rcode 5", ("REFUSED",)),
        ("5", ("REFUSED",)),
        ("refused", ("REFUSED",)),
        ("Refused", ("REFUSED",)),
        ("notimpl", ("NOTIMP",)),
        ("RESERVED11", ("DSOTYPENI",)),
        ("servfail vs refused vs notimp", ("SERVFAIL", "REFUSED", "NOTIMP")),
        ("1, 2, 3, 4", ("FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP")),
        ("ede 9", ("EDE 9",)),
        ("ede 6 vs ede 9", ("EDE 6", "EDE 9")),
        ("ede6 vs ede9", ("EDE 6", "EDE 9")),
        ("ede 6 vs 9", ("EDE 6", "EDE 9")),
        ("nodata vs nxdomain", ("NODATA", "NXDOMAIN")),
        ("no data", ("NODATA",)),
        ("16", ("BADVERS", "BADSIG")),
        ("badsig", ("BADSIG",)),
        ("3900", ("RCODE 3900",)),
        ("13", ("RCODE 13",)),
        ("ede 50000", ("EDE 50000",)),
        ("dnskey missing", ("EDE 9",)),
        ("servfail vs ede 22", ("SERVFAIL", "EDE 22")),
        ("what's the difference between nxdomain and servfail?", ("NXDOMAIN", "SERVFAIL")),
        ("What’s the difference between NXDOMAIN and SERVFAIL?", ("NXDOMAIN", "SERVFAIL")),
        ("hey, what does rcode 5 mean?", ("REFUSED",)),
        ("servfail vs servfail", ("SERVFAIL",)),
        ("<@U123ABC> servfail vs refused", ("SERVFAIL", "REFUSED")),
        ("`SERVFAIL` vs *REFUSED*", ("SERVFAIL", "REFUSED")),
    ],
)
def test_documented_forms(text: str, expected: tuple[str, ...], kb: knowledge.Knowledge) -> None:
    assert idents(text, kb) == expected


@pytest.mark.parametrize("text", ["help", "HELP", "", "   ", "?", "/help"])
def test_help(text: str, kb: knowledge.Knowledge) -> None:
    assert isinstance(query.parse(text, kb), query.HelpQuery)


@pytest.mark.parametrize(
    ("text", "registry"), [("list", "rcode"), ("list ede", "ede"), ("all edes", "ede"), ("list all codes", "rcode")]
)
def test_list(text: str, registry: str, kb: knowledge.Knowledge) -> None:
    parsed = query.parse(text, kb)
    assert isinstance(parsed, query.ListQuery) and parsed.registry == registry


def test_list_word_next_to_a_code_is_not_a_listing(kb: knowledge.Knowledge) -> None:
    assert idents("servfail all", kb) == ("SERVFAIL",)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("servfial", "SERVFAIL"), ("nxdomian", "NXDOMAIN"), ("refsued vs servfail", "REFUSED"), ("notimpp", "NOTIMP")],
)
def test_typo_gets_did_you_mean(text: str, suggestion: str, kb: knowledge.Knowledge) -> None:
    with pytest.raises(UnknownCode) as err:
        query.parse(text, kb)
    assert suggestion in err.value.suggestions
    assert f"Did you mean {suggestion}" in str(err.value) or suggestion in str(err.value)


@pytest.mark.parametrize("text", ["banana", "what is the meaning of life", "x" * 5000])
def test_no_code_found(text: str, kb: knowledge.Knowledge) -> None:
    with pytest.raises(UnknownCode) as err:
        query.parse(text, kb)
    assert "couldn't find a DNS code" in str(err.value) or "don't know" in str(err.value)
    assert len(str(err.value)) < 300


@pytest.mark.parametrize("text", ["70000", "rcode 65536", "ede 99999999999999"])
def test_out_of_range(text: str, kb: knowledge.Knowledge) -> None:
    with pytest.raises(UsageError) as err:
        query.parse(text, kb)
    assert "0 to 65535" in str(err.value)


def test_too_many_codes(kb: knowledge.Knowledge) -> None:
    with pytest.raises(UsageError) as err:
        query.parse("0 1 2 3 4 5 6", kb)
    assert "at most" in str(err.value)


def test_absurd_input_is_bounded(kb: knowledge.Knowledge) -> None:
    text = "servfail " + "\x00\x1b<!channel>\u202e" * 1000 + " refused"
    parsed = query.parse(text, kb)
    assert isinstance(parsed, query.CodeQuery)
    assert parsed.idents == ("SERVFAIL",)  # the tail beyond the bound is not read
    assert len(parsed.text) <= query.MAX_QUERY_CHARS
    assert "\x00" not in parsed.text and "<!channel>" not in parsed.text


def test_error_echo_is_bounded(kb: knowledge.Knowledge) -> None:
    with pytest.raises(UnknownCode) as err:
        query.parse("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", kb)
    assert len(err.value.text) <= 40


# ------------------------------------------------------------------------------------------------ properties


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=600))
def test_never_raises_anything_but_bot_errors(text: str) -> None:
    kb = knowledge.load_default()
    try:
        parsed = query.parse(text, kb)
    except BotError as err:
        assert str(err) and "\n" not in str(err) and len(str(err)) < 400
        return
    if isinstance(parsed, query.CodeQuery):
        assert 1 <= len(parsed.idents) <= query.MAX_CODES
        assert len(set(parsed.idents)) == len(parsed.idents)
        for ident in parsed.idents:
            kb.get(ident)


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(st.sampled_from(["rcode", "ede", "nodata"]), min_size=1, max_size=4).flatmap(
        lambda kinds: st.tuples(st.just(kinds), st.lists(st.integers(0, 65535), min_size=len(kinds), max_size=len(kinds)))
    ),
    st.sampled_from([" vs ", ", ", "/", " and ", " versus "]),
)
def test_any_codes_round_trip(spec: tuple[list[str], list[int]], sep: str) -> None:
    """Codes written in any documented form come back as the same entries, in the order asked."""
    kb = knowledge.load_default()
    kinds, values = spec
    parts, expected = [], []
    for kind, value in zip(kinds, values, strict=True):
        if kind == "ede":
            parts.append(f"ede {value}")
            expected.append(kb.ede(value).ident)
        elif kind == "nodata":
            parts.append("nodata")
            expected.append("NODATA")
        else:
            parts.append(f"rcode {value}")
            expected.extend(e.ident for e in kb.rcode_meanings(value))
    unique = tuple(dict.fromkeys(expected))
    if len(unique) > query.MAX_CODES:
        with pytest.raises(UsageError):
            query.parse(sep.join(parts), kb)
        return
    assert idents(sep.join(parts), kb) == unique


@settings(max_examples=examples(100), deadline=None)
@given(
    st.sampled_from(
        [
            "NOERROR",
            "FORMERR",
            "SERVFAIL",
            "NXDOMAIN",
            "NOTIMP",
            "REFUSED",
            "YXDOMAIN",
            "NOTAUTH",
            "BADVERS",
            "BADCOOKIE",
            "NODATA",
        ]
    ),
    st.sampled_from(["{}", "{} ?", "what is {}", "explain {} please", "`{}`", "*{}*", "is this {} again??"]),
    st.sampled_from([str.lower, str.upper, str.title]),
)
def test_names_in_chat(name: str, template: str, case: object) -> None:
    kb = knowledge.load_default()
    assert callable(case)
    assert idents(template.format(case(name)), kb) == (name,)


@pytest.mark.parametrize("text", ["-1", "rcode -2", "ede -9", "servfail vs -3"])
def test_negative_numbers_are_out_of_range(text: str, kb: knowledge.Knowledge) -> None:
    """`-1` is not RCODE 1 (FORMERR): the minus sign must not be dropped silently."""
    with pytest.raises(UsageError) as err:
        query.parse(text, kb)
    assert "0 to 65535" in str(err.value)


@pytest.mark.parametrize(("text", "expected"), [("ede-9", ("EDE 9",)), ("rcode-2", ("SERVFAIL",))])
def test_glued_hyphen_is_not_a_minus(text: str, expected: tuple[str, ...], kb: knowledge.Knowledge) -> None:
    assert idents(text, kb) == expected


@pytest.mark.parametrize(("text", "muted"), [("mute", True), ("MUTE", True), (" unmute ", False), ("Unmute", False)])
def test_mute_and_unmute_are_channel_commands_not_codes(text: str, muted: bool, kb: knowledge.Knowledge) -> None:
    parsed = query.parse(text, kb)
    assert isinstance(parsed, query.MuteQuery) and parsed.muted is muted
    assert query.mute_request(text) is muted


@pytest.mark.parametrize("text", ["mute servfail", "muted", "2 vs 4", "why mute", ""])
def test_only_the_word_alone_is_a_mute(text: str) -> None:
    assert query.mute_request(text) is None
