"""The App Home tab and the workspace-settings modal, as Block Kit (pure: values in, `slack_sdk.models` out).

The Home tab says what the bot does, lists the commands with examples, and shows the workspace's current settings:
its own where it chose some, else the operator's (marked as the bot's defaults). Workspace admins and owners get a
"Change settings" button that opens the modal; everyone else sees the settings read-only, with a line saying who
can change them.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.render.escape import code_span, mrkdwn


@dataclass(frozen=True, slots=True)
class Limit:
    """An allowance as shown: `count` checks per `seconds`, and whether the workspace chose it."""

    count: int
    seconds: float
    chosen: bool = False

    @property
    def typed(self) -> str:
        """The form it is typed in (`5/60`)."""
        return f"{self.count}/{self.seconds:g}"


@dataclass(frozen=True, slots=True)
class Shown:
    """A workspace's settings as the Home tab shows them (the shell fills it from the store and the operator's
    settings; this module stays pure).

    Attributes:
        resolvers: the resolvers a check asks; `resolvers_chosen` when they are the workspace's own.
        user_rate, channel_rate: the allowances in force (the workspace's, else the operator's).
        allow_list: what a person may name with @resolver (the operator's).
        user_ceiling, channel_ceiling: the operator's allowances, the most a workspace may choose.
        max_resolvers: how many resolvers a workspace may list.
    """

    resolvers: tuple[str, ...]
    resolvers_chosen: bool
    user_rate: Limit
    channel_rate: Limit
    allow_list: tuple[str, ...]
    user_ceiling: Limit
    channel_ceiling: Limit
    max_resolvers: int


#: action_id of the Home tab's "Change settings" button (admins only).
ACTION_EDIT = "home_edit_settings"
#: callback_id of the settings modal; its inputs' block and action ids.
CALLBACK_SETTINGS = "workspace_settings"
FIELD_RESOLVERS = "resolvers"
FIELD_USER_RATE = "user_rate"
FIELD_CHANNEL_RATE = "channel_rate"

ABOUT = (
    "*rcodebot* helps on-call people with DNS. It explains DNS response codes and Extended DNS Errors, runs live "
    "checks that name the cause of a failure and how to fix it, and explains `dig`, `kdig`, `drill`, `delv`, `host` "
    "and `nslookup` output pasted in a channel it is in, in the paste's thread."
)
COMMANDS = (
    ("/rcode 2 vs 4", "compare response codes side by side (names work too: `servfail vs refused`)"),
    ("/rcode ede 9", "one Extended DNS Error explained; `/rcode list` for every code"),
    ("/dnscheck example.com AAAA", "a live check: what is wrong, the evidence, and how to fix it"),
    ("/dnscheck example.com @1.1.1.1", "ask a resolver of your choice (from the bot's allow-list)"),
    ("/dnscheck example.com report", "every check listed, passed or not: delegation, TCP, DNSSEC, AXFR, recursion, …"),
    ("@rcodebot servfail vs refused?", "ask in any channel it is in; the answer goes in the thread"),
    ("⋯ → Explain DNS output", "the message shortcut: explain any one message, even in a muted channel"),
    ("/rcode mute  ·  /rcode unmute", "turn automatic replies to pastes off or on in this channel (anyone can)"),
)
READ_ONLY = "Workspace admins and owners can change these settings here."


def _code(text: str) -> str:
    return f"`{code_span(text)}`"


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text, verbatim=True)


def resolvers_text(shown: Shown) -> str:
    """The resolvers a check asks, in mrkdwn, saying whose choice they are."""
    whose = "this workspace's choice" if shown.resolvers_chosen else "the bot's default"
    return ", ".join(_code(r) for r in shown.resolvers) + f" ({whose})"


def rate_shown(limit: Limit) -> str:
    """`3 per 60 s (this workspace's choice)` or `5 per 60 s (the bot's limit)`."""
    whose = "this workspace's choice" if limit.chosen else "the bot's limit"
    return f"{limit.count} per {limit.seconds:g} s ({whose})"


def home_blocks(shown: Shown, *, can_edit: bool, notice: str | None = None) -> list[Block]:
    """The Home tab's blocks for one viewer (`can_edit`: an admin or owner of the workspace; `notice`: a line about
    the last change, e.g. that it could not be saved)."""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text="rcodebot"))]
    if notice:
        blocks.append(SectionBlock(text=_md(f":warning: {mrkdwn(notice)}")))
    blocks += [
        SectionBlock(text=_md(ABOUT)),
        HeaderBlock(text=PlainTextObject(text="Commands")),
    ]
    lines = [f"{_code(example)}  {what}" for example, what in COMMANDS]
    blocks.append(SectionBlock(text=_md("\n".join(lines))))
    blocks += [DividerBlock(), HeaderBlock(text=PlainTextObject(text="This workspace's settings"))]
    allowed = ", ".join(_code(r) for r in shown.allow_list) or "none"
    blocks.append(
        SectionBlock(
            fields=[
                _md(f"*Resolvers a check asks*\n{resolvers_text(shown)}"),
                _md(f"*Live checks per person*\n{rate_shown(shown.user_rate)}"),
                _md(f"*Live checks per channel*\n{rate_shown(shown.channel_rate)}"),
                _md(f"*Resolvers you may name with @*\n{allowed}"),
            ]
        )
    )
    if can_edit:
        blocks.append(
            ActionsBlock(
                block_id="home_settings",
                elements=[ButtonElement(text="Change settings", action_id=ACTION_EDIT, value="edit", style="primary")],
            )
        )
    else:
        blocks.append(ContextBlock(elements=[_md(READ_ONLY)]))
    return blocks


def home_view(shown: Shown, *, can_edit: bool, notice: str | None = None) -> View:
    """The whole Home tab view (for `views.publish`)."""
    return View(type="home", blocks=home_blocks(shown, can_edit=can_edit, notice=notice))


def settings_modal(shown: Shown) -> View:
    """The modal in which an admin changes the workspace's settings; empty fields mean "the bot's default"."""

    def field(block_id: str, label: str, initial: str, placeholder: str, hint: str) -> InputBlock:
        return InputBlock(
            block_id=block_id,
            label=PlainTextObject(text=label),
            optional=True,
            hint=PlainTextObject(text=hint[:150]),
            element=PlainTextInputElement(
                action_id=block_id,
                initial_value=initial or None,
                placeholder=PlainTextObject(text=placeholder[:150] or "none"),
                max_length=400,
            ),
        )

    allowed = ", ".join(shown.allow_list) or "none"
    return View(
        type="modal",
        callback_id=CALLBACK_SETTINGS,
        title=PlainTextObject(text="Workspace settings"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(text=_md("Leave a field empty to use the bot's default. The bot's limits are the ceiling.")),
            field(
                FIELD_RESOLVERS,
                "Resolvers a check asks",
                ",".join(shown.resolvers) if shown.resolvers_chosen else "",
                ", ".join(shown.resolvers),
                f"Up to {shown.max_resolvers} addresses, from the bot's allow-list: {allowed}",
            ),
            field(
                FIELD_USER_RATE,
                "Live checks per person",
                shown.user_rate.typed if shown.user_rate.chosen else "",
                shown.user_ceiling.typed,
                f"COUNT/SECONDS, at most {shown.user_ceiling.typed}",
            ),
            field(
                FIELD_CHANNEL_RATE,
                "Live checks per channel",
                shown.channel_rate.typed if shown.channel_rate.chosen else "",
                shown.channel_ceiling.typed,
                f"COUNT/SECONDS, at most {shown.channel_ceiling.typed}",
            ),
        ],
    )
