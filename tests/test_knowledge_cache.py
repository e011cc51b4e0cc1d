"""The knowledge file read through its cache (`bot.knowledge_cache`), and what a short terminal command imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import knowledge_cache
from bot.core.codes import knowledge
from bot.core.errors import KnowledgeError
from bot.settings import KNOWLEDGE_FILE, Settings
from tests.conftest import CORPUS

ROOT = Path(__file__).resolve().parent.parent


def _entries(kb: knowledge.Knowledge) -> list[object]:
    return [*kb.rcodes, *kb.pseudo, *kb.edes, *kb.pairs]


def test_cached_knowledge_is_the_same_knowledge(tmp_path: Path) -> None:
    direct = knowledge.load(KNOWLEDGE_FILE)
    first = knowledge_cache.load(KNOWLEDGE_FILE, tmp_path)
    cached = list(tmp_path.glob("knowledge-*.json"))
    assert len(cached) == 1, "the shipped file round-trips through JSON, so it is cached"
    second = knowledge_cache.load(KNOWLEDGE_FILE, tmp_path)
    assert _entries(first) == _entries(direct) == _entries(second)
    assert json.loads(cached[0].read_text(encoding="utf-8")) == knowledge.parse(KNOWLEDGE_FILE.read_text(encoding="utf-8"))


def test_an_edited_file_is_parsed_again(tmp_path: Path) -> None:
    source = tmp_path / "rcodes.yaml"
    text = KNOWLEDGE_FILE.read_text(encoding="utf-8")
    source.write_text(text, encoding="utf-8")
    cache = tmp_path / "cache"
    knowledge_cache.load(source, cache)
    edited = text.replace("The server failed to produce an answer", "The server could not answer", 1)
    assert edited != text
    source.write_text(edited, encoding="utf-8")
    kb = knowledge_cache.load(source, cache)
    assert len(list(cache.glob("knowledge-*.json"))) == 2
    assert kb.rcode(2).summary.startswith("The server could not answer")


def test_a_broken_cache_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    knowledge_cache.load(KNOWLEDGE_FILE, tmp_path)
    (cached,) = tmp_path.glob("knowledge-*.json")
    cached.write_text('{"half a', encoding="utf-8")
    kb = knowledge_cache.load(KNOWLEDGE_FILE, tmp_path)
    assert _entries(kb) == _entries(knowledge.load(KNOWLEDGE_FILE))
    assert json.loads(cached.read_text(encoding="utf-8"))  # rewritten whole


def test_a_cache_that_is_invalid_knowledge_still_fails_validation(tmp_path: Path) -> None:
    # The cache holds parsed data, not trusted data: it is validated like the file.
    knowledge_cache.load(KNOWLEDGE_FILE, tmp_path)
    (cached,) = tmp_path.glob("knowledge-*.json")
    cached.write_text(json.dumps({"rcodes": "not a list"}), encoding="utf-8")
    with pytest.raises(KnowledgeError):
        knowledge_cache.load(KNOWLEDGE_FILE, tmp_path)


def test_an_unwritable_cache_changes_nothing(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    kb = knowledge_cache.load(KNOWLEDGE_FILE, blocked / "cache")  # its parent is a file: mkdir fails
    assert _entries(kb) == _entries(knowledge.load(KNOWLEDGE_FILE))
    assert not list(tmp_path.glob("**/*.tmp"))


def test_no_cache_without_a_place_for_it(tmp_path: Path) -> None:
    assert knowledge_cache.load(KNOWLEDGE_FILE, None).rcode(2).name == "SERVFAIL"
    with pytest.raises(KnowledgeError):
        knowledge_cache.load(tmp_path / "missing.yaml", tmp_path)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"RCODEBOT_CACHE_DIR": "/srv/cache"}, Path("/srv/cache")),
        ({"RCODEBOT_CACHE_DIR": "off", "HOME": "/home/u"}, None),
        ({"XDG_CACHE_HOME": "/x", "HOME": "/home/u"}, Path("/x/rcodebot")),
        ({"XDG_CACHE_HOME": "relative", "HOME": "/home/u"}, Path("/home/u/.cache/rcodebot")),
        ({"HOME": "/home/u"}, Path("/home/u/.cache/rcodebot")),
        ({}, None),
    ],
)
def test_where_the_cache_is(environ: dict[str, str], expected: Path | None) -> None:
    assert Settings.from_env(environ).cache_dir == expected


# Modules the paste path has no use for, each a large part of a short command's start-up: dnspython's message
# parser (with importlib.metadata behind it) and the live check's delegation walk.
HEAVY = frozenset({"dns.message", "bot.core.check.trace", "bot.probe"})


def test_explaining_in_a_terminal_imports_neither_slack_nor_yaml(tmp_path: Path) -> None:
    # Start-up is what a short command costs: the terminal path never builds Block Kit, and a cached knowledge
    # file needs no YAML parser. (Measured in benchmarks/bench_startup.py; this checks the design, not a time.)
    paste = CORPUS / "wild" / "hickory-dns__hickory-dns__client-rs_dig-9.18.28-servfail-multi-ede.txt"
    probe = (
        "import sys; from bot import cli; status = cli.main(['explain', sys.argv[1]]); "
        "print(status, sorted({m.split('.')[0] for m in sys.modules} & {'slack_sdk', 'slack_bolt', 'yaml'})); "
        "print(sorted(set(sys.modules) & HEAVY))"
    ).replace("HEAVY", repr(HEAVY))
    env = {**os.environ, "RCODEBOT_CACHE_DIR": str(tmp_path)}
    run = [sys.executable, "-c", probe, str(paste)]
    first = subprocess.run(run, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert first.stdout.strip().splitlines()[-2].endswith("['yaml']"), first.stdout  # the first run parses the file
    second = subprocess.run(run, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert second.stdout.strip().splitlines()[-2:] == ["0 []", "[]"], second.stdout
