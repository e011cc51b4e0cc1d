"""What every subcommand is handed: its I/O environment, its parsed arguments, and the exit statuses.

It lives apart from `bot/cli.py` so the subcommand modules (`bot/commands/*`) and the CLI that maps their errors
both import it, and neither imports the other (the CLI imports the commands; the commands import only this).
"""

from __future__ import annotations

import argparse
import enum
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.render import terminal

if TYPE_CHECKING:
    from bot.core.codes import knowledge as knowledge_mod
    from bot.core.errors import BotError
    from bot.render.reply import Reply
    from bot.settings import Settings


class ExitStatus(enum.IntEnum):
    """Exit statuses, one meaning each."""

    OK = 0
    ERROR = 1  # a bug or an unexpected failure
    USAGE = 2  # bad arguments, unknown code, invalid name
    DNS_FAILURE = 3  # dnscheck found a failure (a verdict other than ok/nxdomain/nodata)
    CONFIG = 4  # missing or malformed configuration / knowledge file
    DEGRADED = 5  # dnscheck: the name resolves now, but a cause was found (some resolvers, some of the time)
    INTERRUPTED = 130


@dataclass
class Environment:
    """Everything the CLI reads from or writes to, injectable for tests."""

    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    cwd: Path = field(default_factory=Path.cwd)

    @property
    def stdin_isatty(self) -> bool:
        """Whether a person is typing (the shell prints a banner and prompt only then)."""
        try:
            return self.stdin.isatty()
        except (AttributeError, ValueError):
            return False


class Context:
    """What a subcommand needs, built lazily so `rcodebot --help` loads nothing."""

    def __init__(self, env: Environment, args: argparse.Namespace) -> None:
        self.env = env
        self.args = args

    @cached_property
    def settings(self) -> Settings:
        """Settings from the environment and ./.env."""
        from bot.settings import Settings

        return Settings.from_env(self.env.environ, dotenv=self.env.cwd / ".env")

    @cached_property
    def knowledge(self) -> knowledge_mod.Knowledge:
        """The validated knowledge file."""
        from bot import knowledge_cache

        return knowledge_cache.load(self.settings.knowledge_path, self.settings.cache_dir)

    def emit(self, reply: Reply, *, as_json: bool = False) -> None:
        """Write a reply as text or as the public JSON object."""
        if as_json:
            self.env.stdout.write(terminal.json_text(reply.to_json()) + "\n")
        else:
            self.env.stdout.write(terminal.safe(reply.text.rstrip("\n")) + "\n")

    def emit_error(self, error: BotError, *, as_json: bool = False, extra: Mapping[str, Any] | None = None) -> None:
        """Write a user-facing error: JSON on stdout with --json, one line on stderr otherwise."""
        if as_json:
            payload = {"error": str(error), **(extra or {})}
            self.env.stdout.write(terminal.json_text(payload) + "\n")
        else:
            self.env.stderr.write(f"rcodebot: {terminal.safe(str(error))}\n")


Runner = Callable[[Context], int]
