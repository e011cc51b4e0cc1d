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
