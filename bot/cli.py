"""The terminal front end: `rcodebot rcode|dnscheck|explain|shell|serve`.

`main(argv, env)` takes its whole I/O environment as arguments (httpie's `Environment`), so tests run it
in-process with StringIO streams and a dict environment. It holds the one place where a `BotError` becomes a
message and an exit status; anything else is a bug, reported in one line (`--traceback` shows it).
"""

from __future__ import annotations

import argparse
import enum
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TextIO

from bot import __version__
from bot.core import knowledge as knowledge_mod
from bot.core.errors import BotError, ConfigError, KnowledgeError, UsageError
from bot.render.reply import Reply
from bot.settings import Settings


class ExitStatus(enum.IntEnum):
    """Exit statuses, one meaning each."""

    OK = 0
    ERROR = 1  # a bug or an unexpected failure
    USAGE = 2  # bad arguments, unknown code, invalid name
    DNS_FAILURE = 3  # dnscheck found a failure (a verdict other than ok/nxdomain/nodata)
    CONFIG = 4  # missing or malformed configuration / knowledge file
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
        return Settings.from_env(self.env.environ, dotenv=self.env.cwd / ".env")

    @cached_property
    def knowledge(self) -> knowledge_mod.Knowledge:
        """The validated knowledge file."""
        return knowledge_mod.load(self.settings.knowledge_path)

    def emit(self, reply: Reply, *, as_json: bool = False) -> None:
        """Write a reply as text or as the public JSON object."""
        if as_json:
            self.env.stdout.write(json.dumps(reply.to_json(), indent=2, ensure_ascii=False) + "\n")
        else:
            self.env.stdout.write(reply.text.rstrip("\n") + "\n")

    def emit_error(self, error: BotError, *, as_json: bool = False, extra: Mapping[str, Any] | None = None) -> None:
        """Write a user-facing error: JSON on stdout with --json, one line on stderr otherwise."""
        if as_json:
            payload = {"error": str(error), **(extra or {})}
            self.env.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        else:
            self.env.stderr.write(f"rcodebot: {error}\n")


Runner = Callable[[Context], int]


def _build_parser() -> argparse.ArgumentParser:
    # Subcommand modules are imported here, not at module level, so a broken optional part (e.g. Slack) cannot
    # stop `rcodebot rcode` from working.
    from bot.commands import dnscheck, explain, rcode, serve, shell

    parser = argparse.ArgumentParser(
        prog="rcodebot",
        description="Explain DNS response codes, read dig output and find the cause of DNS failures.",
        epilog="With no command: serves Slack when SLACK_BOT_TOKEN or SLACK_APP_TOKEN is set, else opens the chat shell.",
    )
    parser.add_argument("--version", action="version", version=f"rcodebot {__version__}")
    parser.add_argument("--traceback", action="store_true", help="show the Python traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (rcode, dnscheck, explain, shell, serve):
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run the CLI and return the exit status."""
    env = env or Environment()
    parser = _build_parser()
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int) else ExitStatus.USAGE
    ctx = Context(env, args)
    runner: Runner | None = getattr(args, "run", None)
    if runner is None:
        from bot.commands import default

        runner = default.run
    try:
        return int(runner(ctx))
    except KeyboardInterrupt:
        env.stderr.write("\n")
        return ExitStatus.INTERRUPTED
    except (ConfigError, KnowledgeError) as err:
        env.stderr.write(f"rcodebot: {err}\n")
        return ExitStatus.CONFIG
    except UsageError as err:
        env.stderr.write(f"rcodebot: {err}\n")
        return ExitStatus.USAGE
    except BotError as err:
        env.stderr.write(f"rcodebot: {err}\n")
        return ExitStatus.ERROR
    except Exception as err:
        if getattr(args, "traceback", False):
            raise
        env.stderr.write(f"rcodebot: unexpected error: {type(err).__name__}: {err} (run with --traceback for details)\n")
        return ExitStatus.ERROR
