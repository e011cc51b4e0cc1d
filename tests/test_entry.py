"""The `rcodebot` process as a user runs it: stderr holds exactly what the project means to print.

Each command runs as a real subprocess through the console script, with a clean environment (no PYTHONWARNINGS
inherited), so a dependency that starts warning at import time (cryptography 51 deprecating DSA, printed through
dnspython, was the first) fails these tests only if it reaches the user's terminal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from bot import entry
from tests.conftest import CORPUS, ROOT
from tests.lab import Lab
from tests.lab import addresses as A

RCODEBOT = Path(sys.executable).parent / "rcodebot"
PASTE = CORPUS / "wild" / "hickory-dns__hickory-dns__client-rs_dig-9.18.28-servfail-multi-ede.txt"


def clean_env(**extra: str) -> dict[str, str]:
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def rcodebot(*args: str, stdin: str = "", cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RCODEBOT), *args], input=stdin, capture_output=True, text=True, timeout=60, env=clean_env(**env), cwd=cwd
    )


@pytest.mark.parametrize(
    "args",
    [["rcode", "2", "vs", "4"], ["rcode", "ede", "9", "--json"], ["--help"], ["dnscheck", "--help"], ["explain", "--help"]],
    ids=["rcode", "rcode-json", "help", "dnscheck-help", "explain-help"],
)
def test_commands_print_nothing_on_stderr(args: list[str], tmp_path: Path) -> None:
    done = rcodebot(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.strip()


def test_explain_of_a_paste_prints_nothing_on_stderr(tmp_path: Path) -> None:
    done = rcodebot("explain", stdin=PASTE.read_text(encoding="utf-8"), cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert "SERVFAIL" in done.stdout
    as_json = rcodebot("explain", "--json", stdin=PASTE.read_text(encoding="utf-8"), cwd=tmp_path)
    assert (as_json.returncode, as_json.stderr) == (0, "")
    assert json.loads(as_json.stdout)["outputs"][0]["status"] == "SERVFAIL"


def test_errors_are_exactly_one_line_on_stderr(tmp_path: Path) -> None:
    unknown = rcodebot("rcode", "servfial", cwd=tmp_path)
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert unknown.stderr.count("\n") == 1 and unknown.stderr.startswith("rcodebot: ") and "SERVFAIL" in unknown.stderr
    chat = rcodebot("explain", stdin="is the dns down again?\n", cwd=tmp_path)
    assert (chat.returncode, chat.stdout) == (2, "")
    assert chat.stderr == "rcodebot: I found no dig, kdig, drill, delv, host or nslookup output in that.\n"
    bad = rcodebot("dnscheck", "example..com", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.count("\n") == 1 and "empty label" in bad.stderr


def test_serve_with_bad_configuration_is_one_line(tmp_path: Path) -> None:
    done = rcodebot("serve", "--http", cwd=tmp_path, SLACK_BOT_TOKEN="not-a-token", SLACK_SIGNING_SECRET="s")
    assert done.returncode == 4
    assert done.stderr == "rcodebot: configuration: SLACK_BOT_TOKEN should start with xoxb- (the Bot User OAuth Token)\n"


@pytest.mark.lab
def test_dnscheck_against_the_lab_prints_nothing_on_stderr(lab: Lab, tmp_path: Path) -> None:
    # dnscheck imports dnspython's DNSSEC code, the path on which cryptography's DSA warning appears.
    ok = rcodebot("dnscheck", "www.healthy-signed.lab", "--resolver", A.UNBOUND, cwd=tmp_path)
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout.startswith("OK: www.healthy-signed.lab. A")
    failed = rcodebot("dnscheck", "www.expired.lab", "-r", A.UNBOUND, "--json", cwd=tmp_path)
    assert (failed.returncode, failed.stderr) == (3, "")
    assert json.loads(failed.stdout)["causes"][0]["id"] == "dnssec_bogus"


def test_a_dependency_warning_stays_off_stderr_and_our_own_shows() -> None:
    # A real process, as the entry point sets it up: a warning attributed to a third-party module is dropped, one
    # attributed to a module of ours is printed.
    code = (
        "import warnings, bot.entry as e\n"
        "e.quiet_dependency_warnings()\n"
        "exec(compile('import warnings; warnings.warn(\"noise from a dependency\", FutureWarning)', 'dep.py', 'exec'),"
        " {'__name__': 'somedependency.sub'})\n"
        "exec(compile('import warnings; warnings.warn(\"our own warning\", UserWarning)', 'own.py', 'exec'),"
        " {'__name__': 'bot.something'})\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=clean_env())
    assert done.returncode == 0, done.stderr
    assert "noise from a dependency" not in done.stderr
    assert "our own warning" in done.stderr


def test_the_filter_respects_warnings_the_user_asked_for() -> None:
    with warnings.catch_warnings():
        warnings.resetwarnings()
        assert entry.quiet_dependency_warnings(["default"]) is False
        assert warnings.filters == []
        assert entry.quiet_dependency_warnings([]) is True
        action, _, _, module, _ = warnings.filters[0]
        assert action == "ignore" and module is not None
        assert module.match("cryptography.utils") and module.match("dns.dnssecalgs.dsa") and module.match("botany")
        assert not module.match("bot") and not module.match("bot.core.paste")
