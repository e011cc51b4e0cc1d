"""Buttons: "Run live check" under a paste explanation, and "Share in channel" under an ephemeral /rcode answer.

Both ack at once. The live check validates its value (`NAME TYPE`, untrusted: a payload can be forged by anyone
who can click, so it goes through the same parser and policy as /dnscheck) and the rate limits in the ack, then a
lazy function updates the reply in place: the explanation stays, the button becomes "Checking …", then the result.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.models.blocks import Block

from bot.core.errors import BotError
from bot.render.paste import ACTION_RUN_CHECK
from bot.render.reply import Reply
from bot.services import dnscheck, rcode
from bot.slack import messages
from bot.slack.deps import Deps
from bot.slack.reporting import describe, guarded
from bot.slack.responder import Responder

log = logging.getLogger("rcodebot.slack")

#: context key the run-check ack sets: "admitted" (run it), or the refusal to show the clicker.
VERDICT = "rcodebot_check_verdict"


def _action_value(body: Mapping[str, Any]) -> str:
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], Mapping):
        return str(actions[0].get("value") or "")
    return ""


def interaction_ids(body: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(team, user, channel) ids of an interaction payload (a button click, a message shortcut)."""

    def _id(key: str) -> str | None:
        value = body.get(key)
        return str(value.get("id")) if isinstance(value, Mapping) and value.get("id") else None

    return _id("team"), _id("user"), _id("channel")


class ActionListeners:
    """Button handlers bound to the process's `Deps`."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # ----------------------------------------------------------------------------------------- run live check

    def ack_run_check(self, ack: Ack, body: Mapping[str, Any], context: BoltContext, logger: logging.Logger) -> None:
        """Ack the click; decide here (fast) whether the check may run."""
        ack()
        team, user, channel = interaction_ids(body)
        try:
            dnscheck.parse(_action_value(body), self.deps.settings.probe, trusted=False)
            verdict = self.deps.admit_probe(team, user, channel)
        except BotError as err:
            context[VERDICT] = {"refusal": str(err)}
            return
        except Exception:
            logger.exception("run live check: validation failed [%s]", describe(body))
            context[VERDICT] = {"refusal": "That check could not be started."}
            return
        if not verdict.allowed:
            logger.info("run live check: rate limited for %s s [%s]", verdict.wait_seconds, describe(body))
            context[VERDICT] = {"wait": verdict.wait_seconds}
            return
        context[VERDICT] = {"admitted": True}

    def run_check(self, body: Mapping[str, Any], context: BoltContext, logger: logging.Logger) -> None:
        """Update the reply in place: keep the explanation, replace the button by progress and then the result."""
        verdict = context.get(VERDICT)
        if not isinstance(verdict, Mapping):
            return

        respond = Responder(body, "run live check", logger)

        def tell_clicker(reply: Reply) -> None:
            respond(replace_original=False, response_type="ephemeral", **messages.message_args(reply))

        if not verdict.get("admitted"):
            if verdict.get("wait"):
                text = f"Too many live checks right now: try again in {verdict['wait']} s."
            else:
                text = str(verdict.get("refusal") or "That check could not be started.")
            tell_clicker(messages.notice(text))
            return
        message = body.get("message")
        raw_blocks: Sequence[Mapping[str, Any]] = []
        if isinstance(message, Mapping) and isinstance(message.get("blocks"), list):
            raw_blocks = [b for b in message["blocks"] if isinstance(b, Mapping)]
        head: list[Block] = messages.without_action(raw_blocks, ACTION_RUN_CHECK)

        def update(reply: Reply) -> None:
            respond(replace_original=True, **messages.message_args(reply, messages.combine(head, reply)))

        with guarded("run live check", body, tell_clicker, logger):
            request = dnscheck.parse(_action_value(body), self.deps.settings.probe, trusted=False)
            update(dnscheck.progress(request))
            result = self.deps.probes.run(
                request, self.deps.settings_for(interaction_ids(body)[0]), waiting=lambda note: update(messages.notice(note))
            )
            update(result)

    # --------------------------------------------------------------------------------------- share in channel

    def ack_share(self, ack: Ack) -> None:
        """Ack the click; the posting happens in `share`."""
        ack()

    def share(self, body: Mapping[str, Any], logger: logging.Logger) -> None:
        """Post the /rcode answer for everyone, then remove the ephemeral copy."""
        respond = Responder(body, "share", logger)

        def tell_clicker(reply: Reply) -> None:
            respond(replace_original=False, response_type="ephemeral", **messages.message_args(reply))

        with guarded("share", body, tell_clicker, logger):
            _, user, _ = interaction_ids(body)
            reply = rcode.answer(_action_value(body), self.deps.knowledge)
            blocks = messages.shared_blocks(reply, user)
            if respond(response_type="in_channel", replace_original=False, **messages.message_args(reply, blocks)):
                respond(delete_original=True)


def ack_other_action(ack: Ack, body: Mapping[str, Any], logger: logging.Logger) -> None:
    """Any other interaction (a link button, an old message's button): ack it, so Slack shows no error."""
    ack()
    logger.debug("acked an interaction nothing handles [%s]", describe(body))


def register(app: App, deps: Deps) -> None:
    """Wire the buttons (the catch-all last: Bolt runs the first listener that matches)."""
    listeners = ActionListeners(deps)
    app.action(ACTION_RUN_CHECK)(ack=listeners.ack_run_check, lazy=[listeners.run_check])
    app.action(messages.ACTION_SHARE)(ack=listeners.ack_share, lazy=[listeners.share])
    app.action(re.compile(".*"))(ack_other_action)
