"""`Reply`: what every command returns, whichever front end shows it.

One value carries the terminal text, the Slack notification text, the Block Kit blocks and the machine-readable
data, so the CLI's `--json`, the chat shell and the Slack listeners cannot drift apart (errbot's "commands return
data; templates present it").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block

from bot.render import limits


@dataclass(frozen=True, slots=True)
class Reply:
    """A rendered answer.

    Attributes:
        text: readable terminal text (CLI, chat shell); never holds Slack markup.
        fallback: Slack's top-level `text`: the notification and screen-reader text, already mrkdwn-escaped.
        blocks: Block Kit blocks, already fitted to Slack's limits.
        data: the JSON object for `--json`, without `text` and `blocks` (added by `to_json`).
        ok: False when the answer is an error (unknown code, bad name): shells map it to a non-zero exit.
    """

    text: str
    fallback: str
    blocks: list[Block] = field(default_factory=list)
    data: Mapping[str, Any] = field(default_factory=dict)
    ok: bool = True
    _dicts: list[dict[str, Any]] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", limits.fit(self.blocks))
        object.__setattr__(self, "fallback", limits.clip(self.fallback, limits.MAX_MESSAGE_TEXT))

    @classmethod
    def error(cls, message: str, data: Mapping[str, Any] | None = None) -> Reply:
        """A short error answer (`message` is plain text; it is escaped here for Slack)."""
        from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

        from bot.render.escape import mrkdwn

        escaped = mrkdwn(message)
        return cls(
            text=message,
            fallback=escaped,
            blocks=[SectionBlock(text=MarkdownTextObject(text=f":warning: {escaped}", verbatim=True))],
            data={"error": message, **(data or {})},
            ok=False,
        )

    def block_dicts(self) -> list[dict[str, Any]]:
        """The blocks as JSON-ready dicts (what Slack receives), validated by the models once per reply."""
        if self._dicts is None:
            object.__setattr__(self, "_dicts", [b.to_dict() for b in self.blocks])
        assert self._dicts is not None
        return list(self._dicts)

    def to_json(self) -> dict[str, Any]:
        """The public `--json` object: `data` plus `text` and `blocks`."""
        return {**self.data, "text": self.text, "blocks": self.block_dicts()}
