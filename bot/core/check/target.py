"""What `/dnscheck` was asked: `NAME [TYPE] [@RESOLVER…]` -> a `Target`, and the policy on who may probe what.

People paste all sorts of things where a name belongs: `bücher.example`, `example.com.`, a URL, an e-mail
address, an IP address (meaning "check its PTR", like `dig -x`), or Slack's auto-link markup
(`<http://example.com|example.com>`). `from_text` takes the host out of all of them, IDNA-encodes it and checks
that it is a name a probe can ask about, so a bad name is answered at once and nothing is sent. It never touches
the network: this runs inside Slack's 3-second ack.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdatatype
import dns.reversename

from bot.core.errors import BadName, BadType, NotAllowed, UsageError

USAGE = "Usage: /dnscheck NAME [TYPE] [@RESOLVER…]   e.g. /dnscheck example.com AAAA @1.1.1.1"
TRACE = "trace"  # the word (or dig's `+trace`) that asks for the delegation walked from the root
REPORT = "report"  # the word that asks for the full report: every check, passed, warned or failed
MAX_RESOLVERS = 4
SYSTEM = "system"

# Slack's auto-link markup, still escaped: <http://x|label>, <mailto:a@b|a@b>, <http://x>
_SLACK_LINK = re.compile(r"<((?:https?|mailto|ftp):[^<>|\s]*)(?:\|([^<>]*))?>", re.IGNORECASE)
_LABEL = re.compile(r"^(?:\*|[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?|[A-Za-z0-9_-]+)$")
# Types that are not ordinary questions: transfers (a check must not pull zones) and transport records.
_NOT_QUERIES = frozenset(
    {0, dns.rdatatype.AXFR, dns.rdatatype.IXFR, dns.rdatatype.OPT, dns.rdatatype.TSIG, dns.rdatatype.TKEY}
)
_TOOLS = frozenset({"dig", "kdig", "drill", "delv", "host", "nslookup", "/dnscheck", "dnscheck"})
_TRIM = "\"'`()[]{}<>,;!?"
# IDNA 2003 and IDNA 2008 encode these differently (2003 maps ß to ss and ς to σ and drops the joiners; 2008 keeps them).
_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")


@dataclass(frozen=True, slots=True)
class Target:
    """A validated check request, before any policy is applied.

    Attributes:
        name: absolute, lower-case, IDNA-encoded text (`xn--bcher-kva.example.`).
        rdtype: the record type's mnemonic (`A`, `TYPE65534`).
        resolvers: resolver IP addresses named with `@` (normalised text), in the order given; may hold "system".
        display: the name as a person reads it (Unicode), for messages.
        reverse_of: the IP address when the user gave one and the name is its reverse (PTR) name.
        trace: walk the delegation from the root too (`trace`, or dig's `+trace`).
        report: list every check, passed or not (`report`).
    """

    name: str
    rdtype: str
    resolvers: tuple[str, ...] = ()
    display: str = ""
    reverse_of: str | None = None
    trace: bool = False
    report: bool = False


def from_text(text: str) -> Target:
    """Parse `NAME [TYPE] [@RESOLVER…] [trace] [report]` (either order of NAME and TYPE, like dig).

    A pasted dig command line works too: a leading `dig`/`kdig`/`drill`/`host`, `-t TYPE`, `-x ADDRESS`, a class
    `IN` and `+options` are understood (the options are ignored: the probe picks its own flags).

    Raises:
        UsageError: nothing, or too much, was given.
        BadName: the name (or a resolver) is not something a probe can ask.
        BadType: the type is not a queryable record type.
    """
    cleaned = _unslack(text)
    tokens = cleaned.split()
    if tokens and tokens[0].lower() in _TOOLS and len(tokens) > 1:
        tokens = tokens[1:]  # a pasted command line: `dig @8.8.8.8 example.com MX +dnssec`
    if not tokens:
        raise UsageError(f"Give me a name to check. {USAGE}")
    resolvers: list[str] = []
    words: list[str] = []
    rdtype_flag: str | None = None
    pending: str | None = None
    trace = False
    for token in tokens:
        if pending is not None:
            if pending == "-t":
                rdtype_flag = token
            elif not _is_ip(token):
                raise UsageError(f"-x needs an IP address (like dig -x 192.0.2.1), not {token!r}. {USAGE}")
            else:
                words.insert(0, token)
            pending = None
        elif token == "@":
            raise UsageError(f"@ needs a resolver IP address right after it, e.g. @1.1.1.1. {USAGE}")
        elif token.startswith("@") and len(token) > 1:
            resolvers.append(resolver_from_text(token[1:]))
        elif token in ("-t", "-x"):
            pending = token
        elif token.lower() == "+" + TRACE:
            trace = True
        elif token.startswith("+") and len(token) > 1:
            continue  # dig's query options: the probe chooses its own flags (EDNS, DO, CD when it helps)
        elif token in ("-4", "-6"):
            continue
        elif token.startswith("-") and len(token) > 1 and not _is_ip(token):
            raise UsageError(f"I don't take options like {token!r} here. {USAGE}")
        else:
            words.append(token)
    if pending is not None:
        raise UsageError(f"{pending} needs a value. {USAGE}")
    if len(words) > 1 and any(w.lower() == TRACE for w in words):
        trace = True  # `example.com trace`; a lone `trace` is a name
        words = [w for w in words if w.lower() != TRACE]
    report = False
    if len(words) > 1 and any(w.lower() == REPORT for w in words):
        report = True  # `example.com report`; a lone `report` is a name, and so is the first of `report report`
        words = [w for w in words if w.lower() != REPORT] or [words[0]]
    if len(words) == 3 and words[1].upper() == "IN":
        del words[1]  # `example.com IN MX`, dig's class argument
    elif len(words) == 3 and words[2].upper() == "IN":
        del words[2]
    if rdtype_flag is not None:
        words = [*words[:1], rdtype_flag, *words[1:]]
    if not words:
        raise UsageError(f"Give me a name to check, not only a resolver. {USAGE}")
    if len(words) > 2:
        raise UsageError(f"Too many words: {' '.join(words[2:])!r}. {USAGE}")
    if len(words) == 2 and _is_type(words[0]) and not _is_type(words[1]):
        words.reverse()  # `dig MX example.com` order
    if len(resolvers) > MAX_RESOLVERS:
        raise UsageError(f"At most {MAX_RESOLVERS} resolvers per check. {USAGE}")
    name, display, reverse_of = name_from_text(words[0])
    rdtype = type_from_text(words[1]) if len(words) == 2 else ("PTR" if reverse_of else "A")
    return Target(
        name=name,
        rdtype=rdtype,
        resolvers=tuple(dict.fromkeys(resolvers)),
        display=display,
        reverse_of=reverse_of,
        trace=trace,
        report=report,
    )


def name_from_text(raw: str) -> tuple[str, str, str | None]:
    """Take the host out of what was pasted and return (absolute IDNA text, display text, reversed IP or None)."""
    host = _host_of(raw)
    if not host:
        raise BadName(name=raw, reason="there is no host name in it")
    if _is_ip(host):
        address = ipaddress.ip_address(host.strip("[]"))
        if isinstance(address, ipaddress.IPv6Address) and address.scope_id is not None:
            # `fe80::1%eth0`, `::%e`: the zone names an interface of the asking machine, not part of the address.
            raise BadName(name=raw, reason="it is a scoped IPv6 address (…%zone); give the address without the %zone")
        try:
            reverse = dns.reversename.from_address(str(address))
        except dns.exception.DNSException as err:
            raise BadName(name=raw, reason=f"its address has no reverse name ({err})") from None
        return reverse.to_text().lower(), str(address), str(address)
    if host == ".":
        return ".", ".", None
    relative = host[:-1] if host.endswith(".") else host
    if relative.startswith(".") or ".." in relative:
        raise BadName(name=raw, reason="it has an empty label (two dots in a row, or a leading dot)")
    if not dns.name.have_idna_2008 and _DEVIATIONS.intersection(relative):
        # Without the `idna` package dnspython falls back to IDNA 2003, which would silently check straße.de as
        # strasse.de: a different domain, often with a different owner. Refuse rather than answer about the wrong zone.
        raise BadName(
            name=raw,
            reason="it has ß, ς or a zero-width joiner, which IDNA 2003 and 2008 encode differently; "
            "give its xn-- (punycode) form instead",
        )
    try:
        if relative.isascii():
            name = dns.name.from_text(relative, origin=dns.name.root)
        else:
            name = dns.name.from_unicode(relative, origin=dns.name.root)
    except dns.name.LabelTooLong:
        raise BadName(name=raw, reason="a label is longer than 63 octets") from None
    except dns.name.NameTooLong:
        raise BadName(name=raw, reason="it is longer than 255 octets") from None
    except dns.name.EmptyLabel:
        raise BadName(name=raw, reason="it has an empty label (two dots in a row)") from None
    except (dns.exception.DNSException, UnicodeError, ValueError) as err:
        raise BadName(name=raw, reason=f"it is not valid IDNA ({err})") from None
    for label in name.labels[:-1]:
        text = label.decode("ascii", "replace")
        if not _LABEL.match(text):
            raise BadName(name=raw, reason=f"the label {text!r} holds characters a host name cannot have")
        if text[:4].lower() == "xn--" and not _valid_a_label(text.lower()):
            raise BadName(name=raw, reason=f"the label {text!r} is not valid punycode (an IDNA xn-- label)")
    absolute = name.to_text().lower()
    try:
        display = dns.name.from_text(absolute).to_unicode()
    except (dns.exception.DNSException, UnicodeError, ValueError):
        display = absolute
    return absolute, display, None


def type_from_text(text: str) -> str:
    """A record type mnemonic or TYPEnnn -> its canonical text; transfers and transport types are refused.

    ANY, MAILA and MAILB stay allowed: they are questions (RFC 8482 answers ANY minimally; NOTIMP to MAILB is
    one of the answers a check exists to explain).
    """
    try:
        value = dns.rdatatype.from_text(text.strip().upper())
    except (dns.rdatatype.UnknownRdatatype, ValueError):
        raise BadType(rdtype=text) from None
    if value in _NOT_QUERIES:
        raise BadType(f"{text!r} is a zone transfer or transport record type, not something a check can ask for.")
    return dns.rdatatype.to_text(value)


def resolver_from_text(text: str) -> str:
    """`1.1.1.1`, `[2606:4700::1111]`, `system` -> normalised text; host names are refused (no system lookups)."""
    stripped = text.strip().strip("[]")
    if stripped.lower() == SYSTEM:
        return SYSTEM
    try:
        return str(ipaddress.ip_address(stripped))
    except ValueError:
        raise BadName(
            name=text, reason="name the resolver by its IP address (e.g. @1.1.1.1); I do not look resolver names up"
        ) from None


def is_public(address: str) -> bool:
    """True for an address the bot may query on behalf of an untrusted user.

    Private, loopback, link-local, multicast, reserved, unspecified and shared (CGNAT) space is not public: a Slack
    user must not be able to point the bot at the operator's internal network.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    elif ip.version == 6 and ip.sixtofour is not None:
        ip = ip.sixtofour  # a 6to4 relay delivers to the embedded IPv4 address, so that is what must be public
    if ip.version == 6 and ip.is_site_local:
        return False  # deprecated fec0::/10, still used as internal space
    return (
        not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified)
        and ip.is_global
    )


def check_policy(target: Target, *, allow_list: Iterable[str], allow_private: bool, trusted: bool) -> None:
    """Refuse what an untrusted (Slack) user may not ask: a resolver off the allow-list, or a private one.

    Raises:
        NotAllowed: naming the resolver and the rule.
    """
    if trusted:
        return
    allowed = {_normal(item) for item in allow_list}
    for resolver in target.resolvers:
        if _normal(resolver) not in allowed:
            listed = ", ".join(sorted(allowed)) or "none"
            raise NotAllowed(reason=f"@{resolver} is not on this bot's resolver allow-list ({listed}).")
        if resolver != SYSTEM and not allow_private and not is_public(resolver):
            raise NotAllowed(reason=f"@{resolver} is a private or local address; this bot does not query those.")


def _normal(item: str) -> str:
    try:
        return str(ipaddress.ip_address(item.strip("[]")))
    except ValueError:
        return item.strip().lower()


def _unslack(text: str) -> str:
    """Undo Slack's link markup and entity escaping (harmless on text typed in a terminal)."""

    def label(match: re.Match[str]) -> str:
        return match.group(2) if match.group(2) else match.group(1)

    text = _SLACK_LINK.sub(label, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _host_of(raw: str) -> str:
    """The host part of a URL, e-mail address, `host:port` or `host/path`; else the text itself."""
    token = raw.strip().strip(_TRIM)
    if token.lower().startswith("mailto:"):
        token = token[len("mailto:") :]
    if "://" in token:
        try:
            parsed = urllib.parse.urlsplit(token)
            host = parsed.hostname or ""
        except ValueError:
            host = ""
        return host.strip(_TRIM)
    if _is_ip(token):
        return token
    if "@" in token:
        token = token.rsplit("@", 1)[1]
    token = token.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if token.count(":") == 1:
        host, _, port = token.partition(":")
        if port.isdigit() or port == "":
            token = host
    return token.strip(_TRIM)


def _valid_a_label(label: str) -> bool:
    """True when an `xn--` label decodes to printable non-ASCII text and encodes back to itself (RFC 5891 4.4)."""
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError, IndexError):
        return False
    if not decoded or decoded.isascii() or not decoded.isprintable():
        return False
    return "xn--" + decoded.encode("punycode").decode("ascii") == label


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _is_type(text: str) -> bool:
    try:
        dns.rdatatype.from_text(text.upper())
    except (dns.rdatatype.UnknownRdatatype, ValueError):
        return False
    return True
