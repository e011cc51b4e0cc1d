"""Parsing `/dnscheck NAME [TYPE] [@RESOLVER…]`: what people paste, what is refused, and the Slack policy."""

from __future__ import annotations

import ipaddress
import string

import dns.name
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.core.check import target
from bot.core.errors import BadName, BadType, BotError, NotAllowed, UsageError


@pytest.mark.parametrize(
    ("text", "name", "rdtype", "resolvers"),
    [
        ("example.com", "example.com.", "A", ()),
        ("Example.COM. aaaa", "example.com.", "AAAA", ()),
        ("MX example.com", "example.com.", "MX", ()),
        ("bücher.example", "xn--bcher-kva.example.", "A", ()),
        ("BÜCHER.example TXT", "xn--bcher-kva.example.", "TXT", ()),
        ("https://www.example.com:8443/path?q=1#x", "www.example.com.", "A", ()),
        ("<https://www.example.com/a|www.example.com/a>", "www.example.com.", "A", ()),
        ("<http://example.org> ns", "example.org.", "NS", ()),
        ("<mailto:alice@mail.example.net|alice@mail.example.net> mx", "mail.example.net.", "MX", ()),
        ("alice@example.net", "example.net.", "A", ()),
        ("example.com:443", "example.com.", "A", ()),
        ("example.com/some/path", "example.com.", "A", ()),
        ("'example.com',", "example.com.", "A", ()),
        ("_dmarc.example.com txt", "_dmarc.example.com.", "TXT", ()),
        ("*.example.com", "*.example.com.", "A", ()),
        ("example.com type65", "example.com.", "HTTPS", ()),
        ("example.com MAILB", "example.com.", "MAILB", ()),
        ("example.com @1.1.1.1 @[2606:4700::1111]", "example.com.", "A", ("1.1.1.1", "2606:4700::1111")),
        ("example.com @1.1.1.1 @1.1.1.1", "example.com.", "A", ("1.1.1.1",)),
        ("example.com @system", "example.com.", "A", ("system",)),
        (".", ".", "A", ()),
        ("com", "com.", "A", ()),
        ("192.0.2.1", "1.2.0.192.in-addr.arpa.", "PTR", ()),
        ("2001:db8::1 ptr", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", ()),
        ("  example.com\tA  ", "example.com.", "A", ()),
        ("example.com &amp;", None, None, None),
        ("dig @8.8.8.8 example.com MX +dnssec +short", "example.com.", "MX", ("8.8.8.8",)),
        ("dig -t txt example.com", "example.com.", "TXT", ()),
        ("dig -x 192.0.2.1", "1.2.0.192.in-addr.arpa.", "PTR", ()),
        ("kdig example.com IN aaaa", "example.com.", "AAAA", ()),
        ("example.com -4 ns", "example.com.", "NS", ()),
        ("in ns", "in.", "NS", ()),
        ("dig", "dig.", "A", ()),
    ],
)
def test_parses_what_people_paste(
    text: str, name: str | None, rdtype: str | None, resolvers: tuple[str, ...] | None
) -> None:
    if name is None:
        with pytest.raises(BotError):
            target.from_text(text)
        return
    parsed = target.from_text(text)
    assert (parsed.name, parsed.rdtype, parsed.resolvers) == (name, rdtype, resolvers)


def test_display_and_reverse() -> None:
    assert target.from_text("xn--bcher-kva.example").display == "bücher.example."
    parsed = target.from_text("192.0.2.1")
    assert parsed.reverse_of == "192.0.2.1" and parsed.display == "192.0.2.1"


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("", UsageError, "Give me a name"),
        ("@1.1.1.1", UsageError, "not only a resolver"),
        ("example.com A extra", UsageError, "Too many words"),
        ("example.com -q", UsageError, "options"),
        ("example.com -t", UsageError, "-t needs a value"),
        ("example.com @", UsageError, "@ needs a resolver"),
        ("example.com @ 1.1.1.1", UsageError, "@ needs a resolver"),
        ("-x example.com", UsageError, "-x needs an IP address"),
        ("-x --json", UsageError, "-x needs an IP address"),
        ("example..com", BadName, "empty label"),
        (".example.com", BadName, "empty label"),
        ("a" * 64 + ".com", BadName, "longer than 63"),
        (".".join(["abcdefghi"] * 30), BadName, "longer than 255"),
        ("exa$mple.com", BadName, "characters a host name cannot have"),
        ("https://", BadName, "no host name"),
        ("example.com AXFR", BadType, "zone transfer"),
        ("example.com OPT", BadType, "transport"),
        ("example.com NOTATYPE", BadType, "not a DNS record type"),
        ("xn--zz.example", BadName, "punycode"),
        ("xn--a.com", BadName, "punycode"),
        ("www.xn--.com", BadName, "punycode"),
        ("xn--abc-.com", BadName, "punycode"),
        ("example.com @dns.google", BadName, "IP address"),
        ("example.com @1 @2 @3 @4 @5", BadName, "IP address"),
        ("example.com " + " ".join(f"@10.0.0.{i}" for i in range(5)), UsageError, "At most 4 resolvers"),
        ("::%e", BadName, "scoped IPv6"),  # dnspython's reverse-name parser raised SyntaxError on it
        ("[fe80::1%eth0]", BadName, "scoped IPv6"),
    ],
)
def test_refuses_with_a_clear_message(text: str, error: type[BotError], message: str) -> None:
    with pytest.raises(error) as caught:
        target.from_text(text)
    assert message in str(caught.value)


@pytest.mark.parametrize("text", ["straße.de", "STRASSE.de", "faß.example"])
def test_sharp_s_is_never_silently_folded_to_ss(text: str) -> None:
    """IDNA 2003 maps ß to ss, IDNA 2008 keeps it: straße.de and strasse.de are different domains (both registered,
    by different owners). Checking the other one would answer about the wrong zone."""
    try:
        parsed = target.from_text(text)
    except BadName as err:
        assert "ß" in str(err) or "xn--" in str(err)
        return
    if "ß" in text:
        assert "ss" not in parsed.name and parsed.name.startswith("xn--")
    else:
        assert parsed.name == text.lower() + "."


def test_policy_for_slack_users() -> None:
    allow = ("system", "1.1.1.1", "8.8.8.8")
    public = target.from_text("example.com @1.1.1.1")
    target.check_policy(public, allow_list=allow, allow_private=False, trusted=False)
    with pytest.raises(NotAllowed, match="allow-list"):
        target.check_policy(target.from_text("example.com @9.9.9.9"), allow_list=allow, allow_private=False, trusted=False)
    with pytest.raises(NotAllowed, match="private or local"):
        target.check_policy(
            target.from_text("example.com @10.0.0.53"), allow_list=("10.0.0.53",), allow_private=False, trusted=False
        )
    target.check_policy(
        target.from_text("example.com @10.0.0.53"), allow_list=("10.0.0.53",), allow_private=True, trusted=False
    )
    target.check_policy(target.from_text("example.com @192.0.2.99"), allow_list=allow, allow_private=False, trusted=True)
    target.check_policy(target.from_text("example.com @system"), allow_list=allow, allow_private=False, trusted=False)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("1.1.1.1", True),
        ("2606:4700::1111", True),
        ("10.1.2.3", False),
        ("127.53.1.1", False),
        ("169.254.169.254", False),
        ("224.0.0.251", False),
        ("::1", False),
        ("fe80::1", False),
        ("100.64.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("0.0.0.0", False),
        ("192.0.2.1", False),
        ("nonsense", False),
        # 6to4 (2002::/16) carries an IPv4 address in bits 16-48: a 6to4 relay delivers to that address
        ("2002:a00:1::", False),
        ("2002:c0a8:101::53", False),
        ("2002:7f00:1::", False),
        ("2002:808:808::1", True),
        ("fec0::53", False),  # deprecated IPv6 site-local space is still somebody's internal network
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert target.is_public(address) is public


_label = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=20)


@given(st.lists(_label, min_size=1, max_size=5), st.booleans(), st.sampled_from(["", " A", " mx", " TXT", " type65"]))
def test_any_host_name_round_trips(labels: list[str], dot: bool, rdtype: str) -> None:
    text = ".".join(labels) + ("." if dot else "")
    assume(not _is_ip(".".join(labels)))  # an IP address means its PTR name (tested above)
    parsed = target.from_text(text + rdtype)
    assert parsed.name == ".".join(labels).lower() + "."
    assert dns.name.from_text(parsed.name).is_absolute()


_ADDRESSY = st.text(alphabet=st.sampled_from("0123456789abcdef:.%[]/-x @"), max_size=40)


@given(st.one_of(st.text(max_size=300), _ADDRESSY))
def test_never_crashes_on_arbitrary_text(text: str) -> None:
    try:
        parsed = target.from_text(text)
    except BotError as err:
        assert str(err)
    else:
        name = dns.name.from_text(parsed.name)
        assert name.is_absolute() and len(name.to_wire()) <= 255
        assert parsed.name == parsed.name.lower()


@given(
    st.text(alphabet="abcdéüßçøåñ-", min_size=1, max_size=20).filter(lambda s: not s.startswith("-") and not s.endswith("-"))
)
def test_unicode_labels_become_idna(label: str) -> None:
    try:
        parsed = target.from_text(f"{label}.example")
    except BadName:
        return
    assert parsed.name.isascii() and parsed.name.endswith(".example.")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("text", "name", "rdtype", "trace"),
    [
        ("example.com trace", "example.com.", "A", True),
        ("example.com MX TRACE @1.1.1.1", "example.com.", "MX", True),
        ("trace example.com aaaa", "example.com.", "AAAA", True),
        ("dig +trace example.com", "example.com.", "A", True),
        ("example.com +trace +dnssec", "example.com.", "A", True),
        ("trace", "trace.", "A", False),  # a lone word is the name
        ("trace.example.com", "trace.example.com.", "A", False),
        ("example.com", "example.com.", "A", False),
    ],
)
def test_trace_word_and_digs_plus_trace(text: str, name: str, rdtype: str, trace: bool) -> None:
    parsed = target.from_text(text)
    assert (parsed.name, parsed.rdtype, parsed.trace) == (name, rdtype, trace)


@pytest.mark.parametrize(
    ("text", "name", "rdtype", "report", "trace"),
    [
        ("example.com report", "example.com.", "A", True, False),
        ("example.com MX REPORT @1.1.1.1", "example.com.", "MX", True, False),
        ("report example.com aaaa", "example.com.", "AAAA", True, False),
        ("example.com report trace", "example.com.", "A", True, True),
        ("report", "report.", "A", False, False),  # a lone word is the name
        ("report report", "report.", "A", True, False),
        ("report.example.com", "report.example.com.", "A", False, False),
        ("example.com", "example.com.", "A", False, False),
    ],
)
def test_report_word(text: str, name: str, rdtype: str, report: bool, trace: bool) -> None:
    parsed = target.from_text(text)
    assert (parsed.name, parsed.rdtype, parsed.report, parsed.trace) == (name, rdtype, report, trace)
