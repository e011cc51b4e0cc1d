"""One exception root for everything a user can cause, with messages a person can read.

Shells (CLI, chat shell, Slack listeners) catch `BotError` and show `str(err)`; anything else is a bug and goes
to the shell's one error mapper (never a traceback to the user). Modelled on dnspython's `dns.exception`:
the class carries a `fmt` template and the keyword arguments fill it.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BotError(Exception):
    """Something the user asked for could not be done."""

    fmt: ClassVar[str] = "Something went wrong."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.fmt.format(**kwargs)
            except (KeyError, IndexError):
                message = self.fmt
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class UsageError(BotError):
    """The command was not understood."""

    fmt = "I didn't understand that. {hint}"


class UnknownCode(BotError):
    """A code or code name that is not in the knowledge file."""

    fmt = "I don't know the code {text!r}."

    def __init__(self, message: str | None = None, *, text: str = "", suggestions: list[str] | None = None) -> None:
        self.text = text
        self.suggestions = list(suggestions or [])
        super().__init__(message, text=text)


class BadName(BotError):
    """A domain name that cannot be probed."""

    fmt = "{name!r} is not a domain name I can check: {reason}"


class BadType(BotError):
    """A record type that cannot be probed."""

    fmt = "{rdtype!r} is not a DNS record type I can query."


class KnowledgeError(BotError):
    """The knowledge file is broken: raised at load time, naming the file, the entry and the field."""

    fmt = "{path}: {where}: {problem}"


class ConfigError(BotError):
    """Missing or malformed configuration, reported as one line at start."""

    fmt = "configuration: {problem}"


class NotAllowed(BotError):
    """A request the operator's policy refuses (resolver not allow-listed, private target, rate limit)."""

    fmt = "{reason}"
