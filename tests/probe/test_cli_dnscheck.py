"""`rcodebot dnscheck` input handling: bad input exits 2 with a clear message and sends nothing."""

from __future__ import annotations

import io
import json

import pytest

from bot.cli import Environment, ExitStatus, main


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), Environment(stdin=io.StringIO(), stdout=out, stderr=err, environ={}))
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dnscheck", "example..com"], "empty label"),
        (["dnscheck", "example.com", "NOTATYPE"], "not a DNS record type"),
        (["dnscheck", "example.com", "AXFR"], "zone transfer"),
        (["dnscheck", "example.com", "--resolver", "dns.google"], "IP address"),
        (["dnscheck", "example.com", "--timeout", "0"], "--timeout must be between"),
        (["dnscheck", "example.com", "--deadline", "9999"], "--deadline must be between"),
        (["dnscheck", "a", "b", "c"], "Too many words"),
    ],
)
def test_bad_input_exits_2(argv: list[str], message: str) -> None:
    status, out, err = _cli(*argv)
    assert status == ExitStatus.USAGE
    assert out == "" and message in err and "Traceback" not in err


def test_bad_input_as_json() -> None:
    status, out, _ = _cli("dnscheck", "exa$mple.com", "--json")
    assert status == ExitStatus.USAGE
    assert "cannot have" in json.loads(out)["error"]


def test_no_arguments_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = _cli("dnscheck")
    assert status == ExitStatus.USAGE
    assert "rcodebot dnscheck NAME [TYPE]" in capsys.readouterr().err  # argparse writes its usage to sys.stderr


def test_system_resolvers_expand_and_explicit_ones_win() -> None:
    from bot.services import dnscheck
    from bot.settings import ProbeSettings

    probe = ProbeSettings(resolvers=("system", "1.1.1.1", "system"))
    request = dnscheck.parse("example.com", probe, trusted=True)
    pairs = dnscheck.resolvers_for(request, probe, system=lambda: ["127.0.0.53", "10.0.0.2"])
    assert pairs == [("system", "127.0.0.53"), ("system", "10.0.0.2"), ("1.1.1.1", "1.1.1.1")]
    explicit = dnscheck.parse("example.com @1.1.1.1", probe, trusted=False)
    assert dnscheck.resolvers_for(explicit, probe, system=lambda: ["127.0.0.53"]) == [("1.1.1.1", "1.1.1.1")]
    assert dnscheck.resolvers_for(request, probe, system=lambda: []) == [("1.1.1.1", "1.1.1.1")]


def test_slack_requests_respect_the_allow_list_and_private_rule() -> None:
    from bot.core.errors import NotAllowed
    from bot.services import dnscheck
    from bot.settings import ProbeSettings

    probe = ProbeSettings(resolvers=("1.1.1.1", "10.0.0.53"), allowed_resolvers=None)
    with pytest.raises(NotAllowed, match="allow-list"):
        dnscheck.parse("example.com @8.8.8.8", probe, trusted=False)
    with pytest.raises(NotAllowed, match="private or local"):
        dnscheck.parse("example.com @10.0.0.53", probe, trusted=False)
    assert dnscheck.parse("example.com @10.0.0.53", probe, trusted=True).allow_private is True
    request = dnscheck.parse("bücher.example AAAA @1.1.1.1", probe, trusted=False)
    assert (request.name, request.rdtype, request.allow_private) == ("xn--bcher-kva.example.", "AAAA", False)
    assert dnscheck.progress(request).text == "Checking bücher.example. AAAA via 1.1.1.1…"


def test_slack_users_never_reach_the_local_stub_unless_private_addresses_are_allowed() -> None:
    """`system` (named with @, or among the configured resolvers) expands to /etc/resolv.conf's nameservers; for a
    Slack user its private and local ones (a stub on 127.0.0.53, a resolver on the office LAN) are not asked."""
    from bot.core.errors import NotAllowed
    from bot.services import dnscheck
    from bot.settings import ProbeSettings

    stub = ["127.0.0.53", "10.0.0.2"]
    probe = ProbeSettings(resolvers=("system", "1.1.1.1"))
    with pytest.raises(NotAllowed, match=r"@system is this machine's own resolver \(127\.0\.0\.53, 10\.0\.0\.2\)"):
        dnscheck.parse("example.com @system", probe, trusted=False, system=lambda: stub)
    configured = dnscheck.parse("example.com", probe, trusted=False, system=lambda: stub)
    assert dnscheck.resolvers_for(configured, probe, system=lambda: stub) == [("1.1.1.1", "1.1.1.1")]
    # A public address in resolv.conf is no private network: @system may reach it, and only it.
    public = ["127.0.0.53", "9.9.9.9"]
    named = dnscheck.parse("example.com @system", probe, trusted=False, system=lambda: public)
    assert dnscheck.resolvers_for(named, probe, system=lambda: public) == [("system", "9.9.9.9")]
    # The operator allows private addresses: Slack users reach the stub again.
    open_probe = ProbeSettings(resolvers=("system", "1.1.1.1"), allow_private=True)
    allowed = dnscheck.parse("example.com @system", open_probe, trusted=False, system=lambda: stub)
    assert allowed.allow_private is True
    assert dnscheck.resolvers_for(allowed, open_probe, system=lambda: stub) == [("system", a) for a in stub]
    # The terminal is the operator's: the stub is always asked there.
    trusted = dnscheck.parse("example.com @system", probe, trusted=True, system=lambda: stub)
    assert dnscheck.resolvers_for(trusted, probe, system=lambda: stub) == [("system", a) for a in stub]
