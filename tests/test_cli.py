"""The terminal front end, run in-process with injected streams (httpie's MockEnvironment pattern)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import Environment, ExitStatus, main


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str


def run(*argv: str, stdin: str = "", environ: dict[str, str] | None = None, cwd: Path | None = None) -> Result:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(
        stdin=io.StringIO(stdin), stdout=out, stderr=err, environ=environ or {}, cwd=cwd or Path("/nonexistent")
    )
    status = main(list(argv), env)
    return Result(status, out.getvalue(), err.getvalue())


def test_rcode_compare_text() -> None:
    r = run("rcode", "2", "vs", "4")
    assert r.status == ExitStatus.OK, r.stderr
    assert r.stdout.startswith("SERVFAIL (RCODE 2) vs NOTIMP (RCODE 4)\n")
    for heading in ("What it means", "When you see it", "How to fix", "Key differences", "When to use which", "Learn more"):
        assert f"\n{heading}\n" in r.stdout
    assert "https://" in r.stdout


def test_rcode_json_shape() -> None:
    r = run("rcode", "servfail", "vs", "notimp", "--json")
    assert r.status == 0
    data = json.loads(r.stdout)
    assert data["query"] == "servfail vs notimp"
    assert [e["name"] for e in data["entries"]] == ["SERVFAIL", "NOTIMP"]
    first = data["entries"][0]
    assert first["kind"] == "rcode" and first["value"] == 2
    for key in ("summary", "description", "when", "fix", "references"):
        assert first[key], key
    assert isinstance(data["differences"], list) and data["differences"]
    assert data["text"].startswith("SERVFAIL (RCODE 2) vs NOTIMP (RCODE 4)")
    assert isinstance(data["blocks"], list) and data["blocks"][0]["type"] == "header"


def test_rcode_json_names_are_iana_upper_case() -> None:
    data = json.loads(run("rcode", "0", "4", "16", "--json").stdout)
    assert [e["name"] for e in data["entries"]] == ["NOERROR", "NOTIMP", "BADVERS", "BADSIG"]
    assert [e["kind"] for e in data["entries"]] == ["rcode"] * 4


@pytest.mark.parametrize(("code", "status"), [("13", "unassigned"), ("3900", "private_use")])
def test_rcode_json_range(code: str, status: str) -> None:
    data = json.loads(run("rcode", code, "--json").stdout)
    entry = data["entries"][0]
    assert entry["kind"] == "rcode" and entry["value"] == int(code) and entry["status"] == status
    assert entry["range"]["status"] == status
    assert ("unassigned" if status == "unassigned" else "private use") in data["text"].lower()


def test_rcode_json_kinds() -> None:
    data = json.loads(run("rcode", "ede", "9", "vs", "nodata", "--json").stdout)
    assert [(e["kind"], e["value"], e["name"]) for e in data["entries"]] == [
        ("ede", 9, "DNSKEY Missing"),
        ("pseudo", None, "NODATA"),
    ]


def test_unknown_query_exits_2_with_suggestions() -> None:
    r = run("rcode", "servfial", "--json")
    assert r.status == ExitStatus.USAGE
    data = json.loads(r.stdout)
    assert set(data) == {"error", "suggestions"}
    assert "SERVFAIL" in data["suggestions"]
    r = run("rcode", "servfial")
    assert r.status == 2 and "Did you mean SERVFAIL" in r.stderr and r.stdout == ""


def test_no_traceback_on_absurd_input() -> None:
    r = run("rcode", "\x00" * 10 + "<" * 5000)
    assert r.status == 2
    assert "Traceback" not in r.stderr and len(r.stderr) < 400


def test_help_and_version() -> None:
    r = run("rcode", "help")
    assert r.status == 0 and "2 vs 4" in r.stdout
    assert run("--help").status == 0


def test_broken_knowledge_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "k.yaml"
    bad.write_text("rcodes: [\n")
    r = run("rcode", "2", environ={"RCODEBOT_KNOWLEDGE": str(bad)})
    assert r.status == ExitStatus.CONFIG
    assert r.stderr.count("\n") == 1 and "k.yaml" in r.stderr and "invalid YAML" in r.stderr


def test_bad_configuration_is_one_line() -> None:
    r = run("rcode", "2", environ={"RCODEBOT_QUERY_TIMEOUT": "soon"})
    assert r.status == ExitStatus.CONFIG
    assert r.stderr == "rcodebot: configuration: RCODEBOT_QUERY_TIMEOUT='soon' is not a number\n"


def test_no_command_without_tokens_opens_the_shell() -> None:
    r = run(stdin="2 vs 5\n")
    assert r.status == 0
    assert "SERVFAIL (RCODE 2) vs REFUSED (RCODE 5)" in r.stdout
    assert "No Slack tokens" in r.stderr


def test_python_dash_m(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "bot", "rcode", "5"], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("REFUSED (RCODE 5)")


def test_mute_is_a_slack_command_not_an_unknown_code() -> None:
    r = run("rcode", "mute")
    assert r.status == ExitStatus.USAGE
    assert "/rcode mute" in r.stderr and "in a channel" in r.stderr and "know the code" not in r.stderr
