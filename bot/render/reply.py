"""`Reply`: what every command returns, whichever front end shows it.

One value carries the terminal text, the Slack notification text, the Block Kit blocks and the machine-readable
data, so the CLI's `--json`, the chat shell and the Slack listeners cannot drift apart (errbot's "commands return
data; templates present it").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.render import limits

if TYPE_CHECKING:
    from slack_sdk.models.blocks import Block

    from bot.core.check.graph import Graph

BlockSource = Sequence["Block"] | Callable[[], Sequence["Block"]]
"""Blocks, or a function that builds them: a renderer passes a function so that a reply only the terminal shows
never imports slack_sdk's Block Kit models (most of a short `rcodebot explain`'s start-up)."""


@dataclass(frozen=True, init=False, eq=False)
class Reply:
    """A rendered answer.

    Attributes:
        text: readable terminal text (CLI, chat shell); never holds Slack markup.
        fallback: Slack's top-level `text`: the notification and screen-reader text, already mrkdwn-escaped.
        blocks: Block Kit blocks, fitted to Slack's limits (built on first use when the renderer deferred them).
        data: the JSON object for `--json`, without `text` and `blocks` (added by `to_json`).
        ok: False when the answer is an error (unknown code, bad name): shells map it to a non-zero exit.
        graph: a live check's picture as data (`bot.core.check.graph`), for the diagram; never in `--json`.
    """

    text: str
    fallback: str
    data: Mapping[str, Any]
    ok: bool
    graph: Graph | None
    _source: BlockSource = field(repr=False)
    _fitted: list[Block] | None = field(default=None, repr=False)
    _dicts: list[dict[str, Any]] | None = field(default=None, repr=False)

    def __init__(
        self,
        text: str,
        fallback: str,
        blocks: BlockSource = (),
        data: Mapping[str, Any] | None = None,
        ok: bool = True,
        graph: Graph | None = None,
    ) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "fallback", limits.clip(fallback, limits.MAX_MESSAGE_TEXT))
        object.__setattr__(self, "data", data if data is not None else {})
        object.__setattr__(self, "ok", ok)
        object.__setattr__(self, "graph", graph)
        object.__setattr__(self, "_source", blocks)
        object.__setattr__(self, "_fitted", None)
        object.__setattr__(self, "_dicts", None)

    def with_graph(self, graph: Graph | None) -> Reply:
        """The same reply carrying `graph` (the blocks already built are kept)."""
        copy = Reply(self.text, self.fallback, self._source, self.data, self.ok, graph)
        object.__setattr__(copy, "_fitted", self._fitted)
        object.__setattr__(copy, "_dicts", self._dicts)
        return copy

    @property
    def blocks(self) -> list[Block]:
        """The blocks, fitted to Slack's limits once."""
        if self._fitted is None:
            source = self._source
            built = source() if callable(source) else source
            object.__setattr__(self, "_fitted", limits.fit(built))
        assert self._fitted is not None
        return list(self._fitted)

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
