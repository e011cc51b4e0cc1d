"""The local chat shell: talk to rcodebot in a terminal exactly as in Slack, with nothing configured.

Like hubot's shell adapter or errbot's text backend: each message goes through the same services the Slack
listeners call (`/rcode`, `/dnscheck`, pasted tool output, plain questions) and the reply's terminal text is
printed. Multi-line pastes are grouped into one message: on a terminal, lines that arrive in one burst are one
paste; from a pipe, tool output runs until two blank lines, a `/command`, or the end of input.
"""

from __future__ import annotations

import re
import select
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO

from bot.core.codes.knowledge import Knowledge
from bot.core.errors import BotError, UnknownCode
from bot.render import terminal
from bot.render.reply import Reply
from bot.settings import Settings

PROMPT = "rcodebot> "
BANNER = """\
rcodebot chat shell. Type as you would in Slack:
  /rcode 2 vs 4              compare response codes (or just: servfail vs refused?)
  /dnscheck example.com A    run the live probe (add `trace` to walk from the root, `report` for every check)
  paste dig/kdig/drill/delv/host/nslookup output to have it explained
  help                       this text; /quit or Ctrl-D to leave"""
SLACK_HINT = (
    "No Slack tokens are configured, so this is the local chat shell. To connect Slack, set SLACK_BOT_TOKEN and "
    "SLACK_SIGNING_SECRET (HTTP mode) or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode); see the README."
)

# The first line of a tool output, as people paste it (a shell prompt with the command, or the output itself).
_TOOL_START = re.compile(
    r"^\s*(?:```|[$%#>]\s*(?:dig|kdig|drill|delv|host|nslookup)\b|;\s*<<>>|;;\s|;\s*(?:fully validated|unsigned answer|negative)"
    r"|Server:\s|Host \S+ not found|\*\* server can't|\S+ has (?:IPv6 )?address |(?:dig|kdig|drill|delv|host|nslookup)\s+\S)",
    re.IGNORECASE,
)
_QUIT = frozenset({"/quit", "/exit", "quit", "exit", ":q"})


@dataclass
class Shell:
    """One chat session: reads messages, routes them, writes replies."""

    knowledge_loader: Callable[[], Knowledge]
    settings: Settings
    stdout: TextIO
    stderr: TextIO

    def route(self, message: str) -> Reply | None:
        """The reply to one message, or None for an empty one. Never raises for user input."""
        text = message.strip()
        if not text:
            return None
        try:
            return self._route(text)
        except UnknownCode as err:
            return Reply.error(str(err), {"suggestions": err.suggestions})
        except BotError as err:
            return Reply.error(str(err))

    def _route(self, text: str) -> Reply:
        from bot.services import rcode

        command, _, rest = text.partition(" ") if text.startswith("/") else ("", "", text)
        command = command.lower()
        if command in ("/help", "/?") or text.lower() in ("help", "?"):
            return rcode.help_reply(BANNER)
        if command == "/rcode":
            return rcode.answer(rest, self.knowledge_loader())
        if command == "/dnscheck":
            return self._dnscheck(rest)
        if command == "/explain":
            return self._paste(rest) or Reply.error("I found no dig, kdig, drill, delv, host or nslookup output in that.")
        if command:
            return Reply.error(f"Unknown command {command[:30]}. Try /rcode, /dnscheck, /explain or help.")
        pasted = self._paste(text)
        if pasted is not None:
            return pasted
        return rcode.answer(text, self.knowledge_loader())

    def _paste(self, text: str) -> Reply | None:
        from bot.core.paste import digtext
        from bot.services import paste

        if not digtext.looks_like_dig(text):
            return None
        return paste.answer(text, self.knowledge_loader(), offer_probe=False)

    def _dnscheck(self, text: str) -> Reply:
        from bot.services import dnscheck

        request = dnscheck.parse(text, self.settings.probe, trusted=True)
        self.write(dnscheck.progress(request))
        return dnscheck.run(request, self.settings, self.knowledge_loader())

    def write(self, reply: Reply) -> None:
        """Print a reply's terminal text."""
        self.stdout.write(terminal.safe(reply.text.rstrip("\n")) + "\n")
        self.stdout.flush()

    def serve(self, messages: Iterator[str]) -> int:
        """Answer messages until the input ends or the user quits."""
        for message in messages:
            if message.strip().lower() in _QUIT:
                break
            reply = self.route(message)
            if reply is not None:
                self.write(reply)
        return 0


def messages(read_line: Callable[[], str | None], more_ready: Callable[[], bool]) -> Iterator[str]:
    """Group input lines into chat messages (see the module docstring for the rules)."""
    pending: str | None = None
    while True:
        line = pending if pending is not None else read_line()
        pending = None
        if line is None:
            return
        lines = [line.rstrip("\n")]
        if more_ready():
            # A terminal paste: everything that arrived together is one message.
            while True:
                nxt = read_line()
                if nxt is None:
                    break
                if _is_command(nxt):
                    pending = nxt
                    break
                lines.append(nxt.rstrip("\n"))
                if not more_ready():
                    break
        elif _TOOL_START.search(line):
            blanks = 0
            while True:
                nxt = read_line()
                if nxt is None:
                    break
                stripped = nxt.strip()
                if _is_command(nxt):
                    pending = nxt
                    break
                blanks = blanks + 1 if not stripped else 0
                if blanks >= 2:
                    break
                lines.append(nxt.rstrip("\n"))
        yield "\n".join(lines)


def _is_command(line: str) -> bool:
    """A `/command` line starts a new message, even in the middle of a paste."""
    stripped = line.strip()
    return stripped.startswith("/") and not stripped.startswith("//") and stripped[1:2].isalpha()


def stream_reader(stream: TextIO, *, prompt: str | None, out: TextIO) -> tuple[Callable[[], str | None], Callable[[], bool]]:
    """read_line / more_ready for a stream: `input()` editing on a terminal, plain reads from a pipe."""
    interactive = prompt is not None

    def read_line() -> str | None:
        if interactive:
            try:
                # A line already waiting is the rest of a paste: no prompt in front of it.
                return input("" if more_ready() else prompt)
            except EOFError:
                out.write("\n")
                return None
        line = stream.readline()
        return line if line else None

    def more_ready() -> bool:
        if not interactive:
            return False
        try:
            ready, _, _ = select.select([stream], [], [], 0.05)
        except (OSError, ValueError):
            return False
        return bool(ready)

    return read_line, more_ready
