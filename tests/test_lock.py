"""requirements.lock against pyproject.toml and against .venv: the build is pinned, and the pins are the ones used.

A dependency added to pyproject.toml without `scripts/lock`, a range the lock no longer satisfies, a stale pin, or
a .venv that drifted from the lock each fail here, naming the package.
"""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
# Installed in every virtualenv by venv itself; scripts/setup leaves them alone.
TOOLING = {"pip"}


def read_lock(text: str) -> dict[str, str]:
    """name -> exact version, from `name==version` lines (comments and blank lines skipped)."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and name and version and " " not in version, f"requirements.lock line {number}: not name==version"
        pins[canonicalize_name(name)] = version
    return pins


def direct_requirements() -> list[Requirement]:
    """Everything pyproject.toml asks for: runtime dependencies, every extra, and the build backend."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    for extra in project["project"].get("optional-dependencies", {}).values():
        wanted.extend(extra)
    return [Requirement(text) for text in wanted]


def closure(roots: list[Requirement]) -> set[str]:
    """Every distribution the requirements reach through installed metadata (markers and extras evaluated)."""
    seen: set[tuple[str, str]] = set()  # (distribution, one of its extras or "")
    names: set[str] = set()
    todo = [(req, "") for req in roots]  # a requirement, and the extra of its parent that asked for it
    while todo:
        req, parent_extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({**default_environment(), "extra": parent_extra}):
            continue
        name = canonicalize_name(req.name)
        names.add(name)
        for extra in {"", *req.extras}:
            if (name, extra) not in seen:
                seen.add((name, extra))
                todo.extend((Requirement(text), extra) for text in importlib.metadata.requires(req.name) or [])
    return names


@pytest.fixture(scope="module")
def pins() -> dict[str, str]:
    return read_lock(LOCK.read_text(encoding="utf-8"))


def test_every_requirement_of_pyproject_is_pinned_within_its_range(pins: dict[str, str]) -> None:
    for req in direct_requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in requirements.lock: run scripts/lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {req.name}=={pins[name]}, outside pyproject.toml's {req}: run scripts/lock"
        )


def test_the_lock_holds_exactly_the_transitive_closure(pins: dict[str, str]) -> None:
    needed = closure(direct_requirements())
    missing = sorted(needed - set(pins))
    stale = sorted(set(pins) - needed)
    assert not missing, f"needed but not pinned (run scripts/lock): {missing}"
    assert not stale, f"pinned but needed by nothing in pyproject.toml (run scripts/lock): {stale}"


def test_venv_holds_exactly_the_lock(pins: dict[str, str]) -> None:
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
        if canonicalize_name(dist.metadata["Name"]) not in TOOLING | {"rcodebot"}
    }
    differ = {name: (installed.get(name), pins.get(name)) for name in installed.keys() | pins.keys()}
    wrong = {name: pair for name, pair in differ.items() if pair[0] != pair[1]}
    assert not wrong, f"installed vs locked (run scripts/setup): {dict(sorted(wrong.items()))}"


def test_read_lock_rejects_a_range() -> None:
    with pytest.raises(AssertionError, match="line 2"):
        read_lock("# header\nredis>=5\n")
    assert read_lock("# c\n\nRuamel.YAML==0.19.1\n") == {"ruamel-yaml": "0.19.1"}
