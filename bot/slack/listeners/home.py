"""The App Home tab: what the bot does, its commands, and the workspace's settings, which admins can change.

- `app_home_opened` (tab `home`) is acked at once; the view is published after the ack, for that person: admins
  and owners of the workspace (`users.info`: `is_admin`, `is_owner`) get a "Change settings" button, everyone else
  sees the settings read-only.
- The button opens a modal (`views.open`, with the click's trigger_id) holding the current values.
- Its submission is validated inside the ack, against the operator's bounds (`bot.workspace`): a bad field is
  answered with `response_action: errors` next to that field, and nothing is saved. A valid one closes the modal;
  after the ack, the submitter is checked again with `users.info` (a forged submission from a non-admin saves
  nothing), the settings are saved, and the Home tab is published again with the new values (or with a line saying
  the database could not be reached).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot.render import home
from bot.settings import RateLimit
from bot.slack.deps import Deps
from bot.slack.reporting import describe
from bot.stores.settings import SettingsUnavailable
from bot.workspace import MAX_RESOLVERS, BadWorkspaceSetting, WorkspaceSettings, parse_rate, parse_resolvers

log = logging.getLogger("rcodebot.slack")

#: context key the modal's ack sets with the validated settings (the lazy half saves them).
VALIDATED = "rcodebot_workspace_settings"


def team_of(body: Mapping[str, Any]) -> str | None:
    """The workspace an event or interaction came from."""
    team = body.get("team")
    if isinstance(team, Mapping) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    if isinstance(user, Mapping) and user.get("team_id"):
        return str(user["team_id"])
    return str(body["team_id"]) if body.get("team_id") else None


def _user_of(body: Mapping[str, Any]) -> str | None:
    user = body.get("user")
    if isinstance(user, Mapping) and user.get("id"):
        return str(user["id"])
    event = body.get("event")
    if isinstance(event, Mapping) and event.get("user"):
        return str(event["user"])
    return None


def shown(deps: Deps, team: str | None) -> home.Shown:
    """The workspace's settings as the Home tab shows them: its own where it chose some, else the operator's."""
    settings, chosen = deps.settings, deps.workspace(team)

    def limit(rate: RateLimit | None, operator: RateLimit) -> home.Limit:
        return home.Limit((rate or operator).count, (rate or operator).seconds, chosen=rate is not None)

    probe = settings.probe
    return home.Shown(
        resolvers=chosen.resolvers if chosen.resolvers is not None else probe.resolvers,
        resolvers_chosen=chosen.resolvers is not None,
        user_rate=limit(chosen.user_rate, settings.user_rate),
        channel_rate=limit(chosen.channel_rate, settings.channel_rate),
        allow_list=probe.resolver_allow_list,
        user_ceiling=limit(None, settings.user_rate),
        channel_ceiling=limit(None, settings.channel_rate),
        max_resolvers=MAX_RESOLVERS,
    )


def is_workspace_admin(client: WebClient, user: str | None, team: str | None) -> bool:
    """Whether `user` is an admin or owner of `team` (users.info); False when Slack cannot tell us."""
    if not user:
        return False
    try:
        info = client.users_info(user=user).get("user")
    except SlackApiError as err:
        log.warning("users.info %s failed: %s", user, err.response.get("error"))
        return False
    if not isinstance(info, Mapping) or info.get("deleted") or info.get("is_bot"):
        return False
    if team and info.get("team_id") and info.get("team_id") != team:
        return False  # an admin of another workspace (a Slack Connect guest) is not an admin here
    return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))


def validate(values: Mapping[str, Any], deps: Deps) -> tuple[WorkspaceSettings, dict[str, str]]:
    """The modal's state values -> (settings, errors by block_id); errors is empty when everything is valid."""

    def typed(block_id: str) -> str:
        block = values.get(block_id)
        field = block.get(block_id) if isinstance(block, Mapping) else None
        value = field.get("value") if isinstance(field, Mapping) else None
        return str(value or "")[:400]

    settings = deps.settings
    errors: dict[str, str] = {}
    resolvers = user_rate = channel_rate = None
    try:
        resolvers = parse_resolvers(typed(home.FIELD_RESOLVERS), settings.probe)
    except BadWorkspaceSetting as err:
        errors[home.FIELD_RESOLVERS] = str(err)[:150]
    try:
        user_rate = parse_rate(typed(home.FIELD_USER_RATE), settings.user_rate, "Checks per person")
    except BadWorkspaceSetting as err:
        errors[home.FIELD_USER_RATE] = str(err)[:150]
    try:
        channel_rate = parse_rate(typed(home.FIELD_CHANNEL_RATE), settings.channel_rate, "Checks per channel")
    except BadWorkspaceSetting as err:
        errors[home.FIELD_CHANNEL_RATE] = str(err)[:150]
    return WorkspaceSettings(resolvers=resolvers, user_rate=user_rate, channel_rate=channel_rate), errors


class HomeListeners:
    """The Home tab's handlers, bound to the process's `Deps`."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def publish(self, client: WebClient, user: str, team: str | None, notice: str | None = None) -> None:
        """Publish the Home tab for `user`: editable for an admin, read-only for everyone else."""
        view = home.home_view(shown(self.deps, team), can_edit=is_workspace_admin(client, user, team), notice=notice)
        client.views_publish(user_id=user, view=view)

    def ack_opened(self) -> None:
        """Bolt acks events itself; the view is built and published in `opened`."""

    def opened(self, event: Mapping[str, Any], body: Mapping[str, Any], client: WebClient, logger: logging.Logger) -> None:
        if event.get("tab") not in (None, "home") or not event.get("user"):
            return  # the Messages tab: nothing to publish
        try:
            self.publish(client, str(event["user"]), team_of(body))
        except Exception:
            logger.exception("App Home: could not publish the Home tab [%s]", describe(body))

    def ack_edit(self, ack: Ack) -> None:
        ack()

    def edit(self, body: Mapping[str, Any], client: WebClient, logger: logging.Logger) -> None:
        """Open the settings modal for an admin (the button is only shown to admins; a forged click gets nothing)."""
        team, user = team_of(body), _user_of(body)
        if not is_workspace_admin(client, user, team):
            logger.info("App Home: settings edit refused (not an admin) [%s]", describe(body))
            return
        modal = home.settings_modal(shown(self.deps, team))
        try:
            client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=modal)
        except SlackApiError as err:
            logger.warning("App Home: views.open failed: %s [%s]", err.response.get("error"), describe(body))

    def ack_submit(self, ack: Ack, body: Mapping[str, Any], view: Mapping[str, Any], context: BoltContext) -> None:
        """Validate inside the ack: errors go next to their field; a valid form closes and is saved after the ack."""
        state = view.get("state")
        values = state.get("values") if isinstance(state, Mapping) else None
        chosen, errors = validate(values if isinstance(values, Mapping) else {}, self.deps)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        context[VALIDATED] = chosen
        ack()

    def submit(self, body: Mapping[str, Any], client: WebClient, context: BoltContext, logger: logging.Logger) -> None:
        """Save the validated settings (admins only) and publish the Home tab again."""
        chosen = context.get(VALIDATED)
        team, user = team_of(body), _user_of(body)
        if not isinstance(chosen, WorkspaceSettings) or not team or not user:
            return
        notice = None
        if not is_workspace_admin(client, user, team):
            logger.warning("App Home: settings submission from a non-admin ignored [%s]", describe(body))
            notice = "Only workspace admins and owners can change these settings: nothing was saved."
        else:
            try:
                self.deps.store.set_workspace(team, chosen, user)
                logger.info("App Home: workspace settings changed [%s]", describe(body))
            except SettingsUnavailable as err:
                notice = str(err)
        try:
            self.publish(client, user, team, notice)
        except Exception:
            logger.exception("App Home: could not publish the Home tab [%s]", describe(body))


def register(app: App, deps: Deps) -> None:
    """Wire the Home tab (before the catch-all button listener)."""
    listeners = HomeListeners(deps)
    app.event("app_home_opened")(ack=listeners.ack_opened, lazy=[listeners.opened])
    app.action(home.ACTION_EDIT)(ack=listeners.ack_edit, lazy=[listeners.edit])
    app.view(home.CALLBACK_SETTINGS)(ack=listeners.ack_submit, lazy=[listeners.submit])
