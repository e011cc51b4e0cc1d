"""/dnscheck as a Workflow Builder custom step (Bolt's `app.function`), so an incident workflow can branch on it.

Inputs (declared in both manifests under `functions.dnscheck`): `name` (required), `type`, `resolvers` (space or
comma separated addresses) and `channel_id` (where the full result is posted). Outputs: `verdict` (the same words
as `rcodebot dnscheck --json`), `cause` (the top cause id, or empty), `summary` (the one-line headline) and
`result_url` (the permalink of the posted result; empty when no channel was chosen).

The step runs the same check as /dnscheck under the same rules as a Slack user (resolver allow-list, no private
targets unless the operator allows them, the live-check allowances: the workspace's stands in for a person's):
a workflow is built by people in the workspace, not by the operator.
The `function_executed` event is acked at once; the check runs after the ack and always ends the step, with
`functions.completeSuccess` or with `functions.completeError` and a readable error — never with an exception.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from slack_bolt import App
from slack_bolt.context.complete import Complete
from slack_bolt.context.fail import Fail
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot.core.errors import BotError
from bot.render.escape import mrkdwn
from bot.services import dnscheck
from bot.slack import messages
from bot.slack.deps import Deps
from bot.slack.reporting import describe, new_ref

log = logging.getLogger("rcodebot.slack")

#: The step's callback_id, as declared in both manifests.
CALLBACK_DNSCHECK = "dnscheck"
MAX_SUMMARY = 300
#: The line above a result the step posts, so the channel knows why it appeared.
STEP_NOTE = "From the workflow step “Check a DNS name”"
_SEPARATORS = re.compile(r"[\s,;]+")
#: A conversation id as Workflow Builder passes a slack#/types/channel_id (public or private channel, DM, group DM).
_CONVERSATION = re.compile(r"^[CGD][A-Z0-9]{2,}$")


def request_text(inputs: Mapping[str, Any]) -> str:
    """The step's inputs as /dnscheck text: `NAME [TYPE] [@RESOLVER…]` (parsed and policed like a Slack user's)."""
    name = str(inputs.get("name") or "").strip()
    if not name:
        raise StepError("The step needs a name to check (the `name` input is empty).")
    # One word each: "example.com AAAA" in `name` would otherwise be read as a name and a type, silently.
    if len(name.split()) > 1:
        raise StepError(f"The `name` input should be one DNS name, not {name[:100]!r}.")
    words = [name]
    rdtype = str(inputs.get("type") or "").strip()
    if len(rdtype.split()) > 1:
        raise StepError(f"The `type` input should be one record type (like AAAA), not {rdtype[:40]!r}.")
    if rdtype:
        words.append(rdtype)
    for resolver in _SEPARATORS.split(str(inputs.get("resolvers") or "")):
        if resolver:
            words.append(resolver if resolver.startswith("@") else f"@{resolver}")
    return " ".join(words)


def channel_of(inputs: Mapping[str, Any]) -> str:
    """The `channel_id` input ("" when none was chosen); anything but a conversation id is the author's mistake."""
    channel = str(inputs.get("channel_id") or "").strip()
    if channel and not _CONVERSATION.match(channel):
        raise StepError(f"The `channel_id` input should be a channel picked in Workflow Builder, not {channel[:40]!r}.")
    return channel


def outputs_of(data: Mapping[str, Any], result_url: str) -> dict[str, str]:
    """The step's outputs from a check's JSON data (the same words as `rcodebot dnscheck --json`)."""
    causes = data.get("causes")
    top = causes[0] if isinstance(causes, list) and causes and isinstance(causes[0], Mapping) else {}
    summary = " ".join(str(data.get("headline") or "").split())[:MAX_SUMMARY]
    return {
        "verdict": str(data.get("verdict") or ""),
        "cause": str(top.get("id") or ""),
        # A later step may post the summary in a message: escaped, so DNS data in it can ping nobody.
        "summary": mrkdwn(summary),
        "result_url": result_url,
    }


class StepError(BotError):
    """A problem the workflow's author can fix (an empty name, a channel the bot cannot post in)."""


class FunctionListeners:
    """The custom step's handler, bound to the process's `Deps`."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def ack_step(self) -> None:
        """Bolt acks `function_executed` itself; the check runs in `run_step`."""

    def run_step(
        self, body: Mapping[str, Any], inputs: Mapping[str, Any], client: WebClient, complete: Complete, fail: Fail
    ) -> None:
        """Run the check, post the result where the workflow asked, and end the step either way."""
        try:
            request = dnscheck.parse(request_text(inputs or {}), self.deps.settings.probe, trusted=False)
            channel = channel_of(inputs or {})
            self._admit(body, channel)
            team = str(body.get("team_id") or "") or None
            reply = self.deps.probes.run(request, self.deps.settings_for(team))
            if "error" in reply.data:
                raise StepError(str(reply.data["error"]))
            url = self._post_result(client, channel, reply) if channel else ""
            outputs = outputs_of(reply.data, url)
        except BotError as err:
            log.info("dnscheck step: %s [%s]", err, describe(body))
            self._fail(fail, str(err), body)
            return
        except Exception:
            ref = new_ref()
            log.exception("dnscheck step failed (ref %s) [%s]", ref, describe(body))
            self._fail(
                fail, f"The DNS check failed on the bot's side (ref {ref}); its operators can find it in the log.", body
            )
            return
        try:
            complete(outputs=outputs)
        except SlackApiError as err:
            # A step Slack never heard the end of stays "running" in the workflow: end it with an error instead.
            error = str(err.response.get("error") or "unknown_error")
            log.warning("dnscheck step: functions.completeSuccess refused (%s) [%s]", error, describe(body))
            self._fail(fail, f"The check finished ({outputs['verdict']}), but Slack refused its outputs ({error}).", body)
        except Exception:
            log.exception("dnscheck step: functions.completeSuccess failed [%s]", describe(body))

    def _admit(self, body: Mapping[str, Any], channel: str) -> None:
        """Count the check against the same allowances as a person's /dnscheck, or refuse it (StepError).

        A workflow has no person behind it: its workspace's allowance stands in for the user's (every workflow of
        a team shares it), and the result channel's allowance applies as it does to people checking there. So a
        workflow triggered in a loop (a webhook, a busy alert) cannot turn the bot into a probe cannon.
        """
        team = str(body.get("team_id") or "") or None
        verdict = self.deps.admit_probe(team, None, channel or None)
        if not verdict.allowed:
            log.info("dnscheck step: rate limited for %s s [%s]", verdict.wait_seconds, describe(body))
            raise StepError(f"Too many live checks right now: try again in {verdict.wait_seconds} s.")

    def _post_result(self, client: WebClient, channel: str, reply: Any) -> str:
        """Post the full result in `channel`; its permalink."""
        try:
            posted = client.chat_postMessage(
                channel=channel,
                unfurl_links=False,
                unfurl_media=False,
                **messages.message_args(messages.with_note(reply, STEP_NOTE)),
            )
            ts = str(posted.get("ts") or "")
            link = client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError as err:
            error = err.response.get("error")
            raise StepError(
                f"I could not post the result in channel {channel[:40]} ({error}): invite @rcodebot to that channel, "
                "or choose another one."
            ) from None
        return str(link.get("permalink") or "")

    def _fail(self, fail: Fail, error: str, body: Mapping[str, Any]) -> None:
        """End the step with `error`, escaped: it can hold what a workflow's author typed (a name, a channel)."""
        try:
            fail(error=mrkdwn(error))
        except Exception:
            log.exception("dnscheck step: functions.completeError failed [%s]", describe(body))


def register(app: App, deps: Deps) -> None:
    """Wire the custom step."""
    listeners = FunctionListeners(deps)
    app.function(CALLBACK_DNSCHECK)(ack=listeners.ack_step, lazy=[listeners.run_step])
