"""What a workspace may change about the bot, and the operator's bounds on it (pure: no database, no Slack).

A workspace (a Slack team) can set its own default resolvers and its own live-check allowances. The operator's
settings (the RCODEBOT_* environment) stay the ceiling: a workspace may only pick resolvers a Slack user could
name with @resolver (the allow-list, and no private or local address unless RCODEBOT_ALLOW_PRIVATE=true), and may
only make its allowances stricter, never looser. So nobody in a workspace can point the probe at an address the
operator forbids, or turn the bot into a faster query cannon than the operator allows.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, replace

from bot.core.check.target import SYSTEM, is_public
from bot.core.errors import BotError
from bot.settings import ProbeSettings, RateLimit

#: The most resolvers one workspace may list (each is asked in parallel for every check).
MAX_RESOLVERS = 8


class BadWorkspaceSetting(BotError):
    """A workspace setting that is malformed or outside the operator's bounds."""

    fmt = "{reason}"


@dataclass(frozen=True, slots=True)
class WorkspaceSettings:
    """A workspace's own choices; None means "the operator's setting".

    Attributes:
        resolvers: the resolvers its checks ask (instead of RCODEBOT_RESOLVERS).
        user_rate: live checks per person (instead of RCODEBOT_RATE_USER), never more than the operator's.
        channel_rate: live checks per channel (instead of RCODEBOT_RATE_CHANNEL), never more than the operator's.
    """

    resolvers: tuple[str, ...] | None = None
    user_rate: RateLimit | None = None
    channel_rate: RateLimit | None = None

    @property
    def is_default(self) -> bool:
        return self.resolvers is None and self.user_rate is None and self.channel_rate is None


DEFAULT = WorkspaceSettings()


def parse_resolvers(text: str, probe: ProbeSettings) -> tuple[str, ...] | None:
    """`"1.1.1.1, 9.9.9.9"` -> the workspace's resolvers, checked against the operator's rules; "" -> None.

    Raises:
        BadWorkspaceSetting: not an address, too many, off the allow-list, or private where private is not allowed.
    """
    items = [item.strip().strip("@[]") for item in text.replace(" ", ",").replace(";", ",").split(",") if item.strip()]
    if not items:
        return None
    if len(items) > MAX_RESOLVERS:
        raise BadWorkspaceSetting(reason=f"At most {MAX_RESOLVERS} resolvers, not {len(items)}.")
    allowed = {_normal(item) for item in probe.resolver_allow_list}
    chosen: list[str] = []
    for item in items:
        shown = item[:60]
        if item.lower() == SYSTEM:
            normal = SYSTEM
        else:
            try:
                normal = str(ipaddress.ip_address(item))
            except ValueError:
                raise BadWorkspaceSetting(reason=f"{shown!r} is not an IP address.") from None
        if normal not in allowed:
            listed = ", ".join(sorted(allowed)) or "none"
            raise BadWorkspaceSetting(reason=f"{shown} is not on this bot's resolver allow-list ({listed}).")
        if normal != SYSTEM and not probe.allow_private and not is_public(normal):
            raise BadWorkspaceSetting(reason=f"{shown} is a private or local address; this bot does not query those.")
        chosen.append(normal)
    return tuple(dict.fromkeys(chosen))


def parse_rate(text: str, ceiling: RateLimit, what: str) -> RateLimit | None:
    """`"3/60"` -> a RateLimit no looser than `ceiling` (not more checks, not a higher rate); "" -> None.

    Raises:
        BadWorkspaceSetting: malformed, or looser than the operator's allowance.
    """
    text = text.strip()
    if not text:
        return None
    try:
        limit = RateLimit.from_text(what, text)
    except BotError:
        raise BadWorkspaceSetting(reason=f"{what}: {text[:40]!r} is not COUNT/SECONDS, e.g. 3/60.") from None
    if not math.isfinite(limit.seconds) or limit.seconds > 86_400:
        raise BadWorkspaceSetting(reason=f"{what}: the window can be at most a day (86400 s).")
    if limit.count > ceiling.count or limit.count / limit.seconds > ceiling.count / ceiling.seconds:
        raise BadWorkspaceSetting(
            reason=f"{what}: {text} allows more than this bot's limit of {rate_text(ceiling)}; choose fewer checks "
            "or a longer window."
        )
    return limit


def rate_text(limit: RateLimit) -> str:
    """`RateLimit(5, 60.0)` -> `"5/60"` (the form the settings are typed in)."""
    return f"{limit.count}/{limit.seconds:g}"


def effective_probe(probe: ProbeSettings, workspace: WorkspaceSettings) -> ProbeSettings:
    """The operator's probe settings with the workspace's resolvers as the default ones (the allow-list stays the
    operator's: a workspace's resolvers are on it by construction)."""
    if workspace.resolvers is None:
        return probe
    return replace(probe, resolvers=workspace.resolvers, allowed_resolvers=probe.resolver_allow_list)


def bounded(workspace: WorkspaceSettings, probe: ProbeSettings, user: RateLimit, channel: RateLimit) -> WorkspaceSettings:
    """The stored settings that still fit the operator's current bounds (an operator may tighten them after a
    workspace chose): anything outside them falls back to the operator's setting."""
    resolvers = workspace.resolvers
    if resolvers is not None:
        try:
            resolvers = parse_resolvers(",".join(resolvers), probe)
        except BadWorkspaceSetting:
            resolvers = None
    return WorkspaceSettings(
        resolvers=resolvers,
        user_rate=_within(workspace.user_rate, user),
        channel_rate=_within(workspace.channel_rate, channel),
    )


def _within(limit: RateLimit | None, ceiling: RateLimit) -> RateLimit | None:
    if limit is None:
        return None
    if limit.count > ceiling.count or limit.count / limit.seconds > ceiling.count / ceiling.seconds:
        return None
    return limit


def _normal(item: str) -> str:
    try:
        return str(ipaddress.ip_address(item.strip("[]")))
    except ValueError:
        return item.strip().lower()
