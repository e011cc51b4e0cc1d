"""Buttons: "Run live check" under a paste explanation, "Share in channel" under an ephemeral /rcode answer, and
"Show diagram" on a /dnscheck result.

Both ack at once. The live check validates its value (`NAME TYPE`, untrusted: a payload can be forged by anyone
who can click, so it goes through the same parser and policy as /dnscheck) and the rate limits in the ack, then a
lazy function updates the reply in place: the explanation stays, the button becomes "Checking …", then the result.

"Show diagram" acks at once; a lazy function draws the check's picture and uploads it into the result's thread.
The picture comes with the check's cached result when there is one (no second check); otherwise the check runs
again, counted against the same allowances. A repeated click on the same message (a retry, a double click)
uploads nothing more, unless the first upload failed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.models.blocks import Block
from slack_sdk.web import WebClient

from bot import metrics
from bot.core.errors import BotError
from bot.render import limits
from bot.render.paste import ACTION_RUN_CHECK
from bot.render.reply import Reply
from bot.services import dnscheck, rcode
from bot.slack import diagrams, messages
from bot.slack.deps import Deps
from bot.slack.reporting import describe, guarded
from bot.slack.responder import Responder

log = logging.getLogger("rcodebot.slack")

ALREADY_POSTED = "The diagram of this check is already posted (or on its way) in this conversation."

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
            tail = messages.with_diagram_button(reply, dnscheck.as_text(request))
            respond(replace_original=True, **messages.message_args(reply, limits.fit([*head, *tail])))

        with guarded("run live check", body, tell_clicker, logger):
            request = dnscheck.parse(_action_value(body), self.deps.settings.probe, trusted=False)
            update(dnscheck.progress(request))
            result = self.deps.probes.run(
                request, self.deps.settings_for(interaction_ids(body)[0]), waiting=lambda note: update(messages.notice(note))
            )
            update(result)
            diagrams.prepare(result.graph)  # drawn ahead, while the result is read: a click only uploads

    # ------------------------------------------------------------------------------------------ show diagram

    def ack_show_diagram(self, ack: Ack) -> None:
        """Ack the click; drawing and uploading happen in `show_diagram`."""
        ack()

    def show_diagram(self, body: Mapping[str, Any], client: WebClient, logger: logging.Logger) -> None:
        """Upload the check's diagram into the thread of the result it was clicked on (once per message)."""
        respond = Responder(body, "show diagram", logger)

        def tell_clicker(reply: Reply) -> None:
            respond(replace_original=False, response_type="ephemeral", **messages.message_args(reply))

        with guarded("show diagram", body, tell_clicker, logger):
            team, user, channel = interaction_ids(body)
            value = _action_value(body)
            request = dnscheck.parse(value, self.deps.settings.probe, trusted=False)
            where = _where(body)
            if channel is None or where is None:
                tell_clicker(messages.notice("I can't tell which conversation this result is in."))
                return
            message_ts, thread_ts = where
            key = f"diagram:{channel}:{message_ts}:{value}"
            if not self.deps.seen.first_time(key):
                metrics.dedupe_hit()
                logger.info("show diagram: repeated on the same message [%s]", describe(body))
                tell_clicker(messages.notice(ALREADY_POSTED))
                return
            try:
                problem = post_diagram(self.deps, client, request, team, user, channel, thread_ts, tell_clicker)
            except BaseException:
                self.deps.seen.forget(key)
                raise
            if problem is not None:
                self.deps.seen.forget(key)  # nothing was posted: a later click may try again
                tell_clicker(messages.notice(problem))

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


def _where(body: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """(the clicked message's ts, the thread to post in): the message's own thread, or a new one under it. A result
    only the clicker sees (ephemeral) has no thread anyone else could open, so the diagram goes to the channel."""
    container = body.get("container")
    container = container if isinstance(container, Mapping) else {}
    message = body.get("message")
    message = message if isinstance(message, Mapping) else {}
    ts = str(container.get("message_ts") or message.get("ts") or "")
    if not ts:
        return None
    if container.get("is_ephemeral"):
        return ts, None
    return ts, str(message.get("thread_ts") or container.get("thread_ts") or ts)


def post_diagram(
    deps: Deps,
    client: WebClient,
    request: dnscheck.CheckRequest,
    team: str | None,
    user: str | None,
    channel: str,
    thread_ts: str | None,
    tell: Callable[[Reply], None],
) -> str | None:
    """Upload `request`'s diagram into `channel`: from the cached result when it is fresh, else after running the
    check again (counted against the allowances). None when it is posted, else the sentence to tell the asker."""
    settings = deps.settings_for(team)
    graph = deps.probes.cached_graph(request, settings)
    if graph is None:
        verdict = deps.admit_probe(team, user, channel)
        if not verdict.allowed:
            return f"Too many live checks right now: try again in {verdict.wait_seconds} s."
        reply = deps.probes.run(request, settings, waiting=lambda note: tell(messages.notice(note)))
        if reply.graph is None:
            return str(reply.data.get("error") or "This check has no diagram.")
        graph = reply.graph
    return diagrams.post(client, graph, channel, thread_ts, messages.mention_of(user), dnscheck.as_text(request))


def ack_other_action(ack: Ack, body: Mapping[str, Any], logger: logging.Logger) -> None:
    """Any other interaction (a link button, an old message's button): ack it, so Slack shows no error."""
    ack()
    logger.debug("acked an interaction nothing handles [%s]", describe(body))


def register(app: App, deps: Deps) -> None:
    """Wire the buttons (the catch-all last: Bolt runs the first listener that matches)."""
    listeners = ActionListeners(deps)
    app.action(ACTION_RUN_CHECK)(ack=listeners.ack_run_check, lazy=[listeners.run_check])
    app.action(messages.ACTION_SHARE)(ack=listeners.ack_share, lazy=[listeners.share])
    app.action(messages.ACTION_SHOW_DIAGRAM)(ack=listeners.ack_show_diagram, lazy=[listeners.show_diagram])
    app.action(re.compile(".*"))(ack_other_action)
