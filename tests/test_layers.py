"""The architecture rule, tested: the functional core never imports Slack, the network or the environment.

bot/core may import the standard library (minus sockets/subprocess/env), yaml and dnspython's pure value
modules; bot/render may add slack_sdk.models. Everything that talks to the network lives in bot/probe,
everything Slack in bot/slack.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"

PURE_DNS = {
    "dns.rcode",
    "dns.rdatatype",
    "dns.rdataclass",
    "dns.name",
    "dns.edns",
    "dns.flags",
    "dns.opcode",
    "dns.exception",
    "dns.rdata",
    "dns.rrset",
    "dns.rdataset",
    "dns.message",
    "dns.dnssec",
    "dns.rdtypes",
    "dns.ttl",
    "dns.immutable",
    "dns.enum",
    "dns.tokenizer",
    "dns.ipv4",
    "dns.ipv6",
    "dns.reversename",
    "dns.idna",
}
FORBIDDEN_ANYWHERE_IN_CORE = (
    "slack_bolt",
    "slack_sdk",
    "dns.resolver",
    "dns.query",
    "dns.asyncquery",
    "dns.asyncresolver",
    "socket",
    "subprocess",
    "urllib.request",
    "http",
    "asyncio",
    "bot.probe",
    "bot.slack",
    "bot.services",
    "bot.commands",
    "bot.settings",
)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Attribute) and node.attr == "environ":
            names.append("os.environ")
    return names


def _allowed(name: str, layer: str) -> bool:
    if name == "os.environ":
        return False
    if layer == "render" and name.startswith("slack_sdk.models"):
        return True
    if layer == "render" and name.startswith("bot.render"):
        return True
    if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_ANYWHERE_IN_CORE):
        return False
    if name == "dns" or name.startswith("dns."):
        return any(name == pure or name.startswith(pure + ".") for pure in PURE_DNS)
    return True


@pytest.mark.parametrize("layer", ["core", "render"])
def test_pure_layers_import_nothing_impure(layer: str) -> None:
    files = sorted((BOT / layer).rglob("*.py"))
    assert files, f"no modules under bot/{layer}"
    bad = [f"{p.relative_to(BOT.parent)}: {name}" for p in files for name in _imports(p) if not _allowed(name, layer)]
    assert bad == []


def test_rule_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import os\nimport dns.query\nfrom slack_bolt import App\nx = os.environ\n")
    names = _imports(sample)
    assert [n for n in names if not _allowed(n, "core")] == ["dns.query", "slack_bolt", "os.environ"]
