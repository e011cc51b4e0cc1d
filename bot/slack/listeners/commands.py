"""`/rcode` and `/dnscheck`.

`/rcode` is pure and fast, so the whole answer goes in the ack. `/dnscheck` validates and rate-limits inside the
ack (bad input is answered at once and nothing is probed), acks with a progress message, and runs the probe in a
lazy listener that replaces the progress message with the result through the `response_url`.

The app runs with `process_before_response=True`, so an ack function has finished (and written its verdict into
the context) before Bolt starts the lazy function with a copy of that context.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk.web import WebClient

from bot.core.codes.query import mute_request
from bot.core.errors import BotError
from bot.render.escape import from_slack
from bot.render.reply import Reply
from bot.services import dnscheck, rcode
from bot.slack import diagrams, messages
from bot.slack.deps import Deps
from bot.slack.reporting import describe, guarded, new_ref
from bot.slack.responder import Responder

log = logging.getLogger("rcodebot.slack")

JSON = "application/json;charset=utf-8"

#: context key the /dnscheck ack sets when it admitted a check (the lazy half runs only then).
ADMITTED = "rcodebot_admitted_check"


MUTED = (
    "Automatic replies to pasted DNS output are now off in this channel{already}. Anyone in the channel can turn "
    "them back on with `/rcode unmute`. Mentions (@rcodebot …), /rcode, /dnscheck and the message shortcut "
    "*Explain DNS output* still work here."
)
UNMUTED = (
    "Automatic replies to pasted DNS output are on{already} in this channel. Anyone in the channel can turn them off "
    "with `/rcode mute`."
)
DIRECT = (
    "This is a direct conversation with me: everything here is a question to me, so there is nothing to mute. "
    "Use `/rcode mute` in a channel."
)


def is_mute_command(command: Mapping[str, Any]) -> bool:
    """Matcher: `/rcode mute` or `/rcode unmute` (a channel setting, not a code question)."""
    text, _ = messages.split_public(from_slack(str(command.get("text") or "")))
    return mute_request(text) is not None


def _is_direct(command: Mapping[str, Any]) -> bool:
    """A DM with the bot (Slack sends channel_name "directmessage"; DM ids start with D)."""
    return command.get("channel_name") == "directmessage" or str(command.get("channel_id") or "").startswith("D")


def _response_type(public: bool) -> str:
    return "in_channel" if public else "ephemeral"


@dataclass(frozen=True, slots=True)
class RcodeAnswer:
    """A rendered /rcode answer, serialised once and reused for the same question.

    Attributes:
        text: the notification/fallback text.
        private_body: the whole ephemeral ack (with the Share button) as the JSON Slack receives.
        public: blocks for the in-channel answer, before the "Shared by" note.
        error: the user error's message when the question could not be answered (for the log).
    """

    text: str
    private_body: str
    public: tuple[dict[str, Any], ...]
    error: str | None = None

    @classmethod
    def of(
        cls, text: str, private: list[dict[str, Any]], public: list[dict[str, Any]], error: str | None = None
    ) -> RcodeAnswer:
        body = json.dumps({"text": text, "response_type": "ephemeral", "blocks": private}, ensure_ascii=False)
        return cls(text, body, tuple(public), error)


#: Distinct questions kept rendered; answers are pure functions of the text and the (immutable) knowledge.
RCODE_CACHE_SIZE = 256


class CommandListeners:
    """The slash-command handlers, bound to the process's `Deps` (Bolt injects the other arguments by name)."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        # Rendering a comparison builds and validates Block Kit models (milliseconds); on-call people ask the
        # same few questions, so the answer is rendered once per distinct text and the ack only serialises JSON.
        self.rcode_answer = lru_cache(maxsize=RCODE_CACHE_SIZE)(self._render_rcode)

    # ------------------------------------------------------------------------------------------------ /rcode

    def _render_rcode(self, text: str) -> RcodeAnswer:
        try:
            reply = rcode.answer(text, self.deps.knowledge)
        except BotError as err:
            notice = messages.error_notice(err)
            return RcodeAnswer.of(notice.fallback, notice.block_dicts(), notice.block_dicts(), error=str(err))
        return RcodeAnswer.of(reply.fallback, messages.with_share_button(reply, text), reply.block_dicts())

    def ack_rcode(self, ack: Ack, command: Mapping[str, Any], logger: logging.Logger) -> BoltResponse | None:
        """Answer `/rcode TEXT [public]` in the ack itself: ephemeral with a Share button, or in channel.

        The ephemeral answer is returned as a ready BoltResponse (Bolt sends a listener's returned BoltResponse
        as the ack when process_before_response is on), so a repeated question costs no JSON encoding at all.
        """
        text, public = messages.split_public(from_slack(str(command.get("text") or "")))
        try:
            answer = self.rcode_answer(text)
        except Exception:
            ref = new_ref()
            logger.exception("/rcode failed (ref %s) [%s]", ref, describe(command))
            ack(response_type="ephemeral", **messages.message_args(messages.oops(ref)))
            return None
        if answer.error is not None:
            logger.info("/rcode: user error: %s [%s]", answer.error, describe(command))
        elif public:
            blocks = messages.shared_blocks(answer.public, str(command.get("user_id") or ""))
            ack(response_type="in_channel", text=answer.text, blocks=blocks)
            return None
        return BoltResponse(status=200, body=answer.private_body, headers={"content-type": JSON})

    # ------------------------------------------------------------------------------------- /rcode mute, unmute

    def ack_mute(self, ack: Ack) -> None:
        """Ack at once (nothing shown yet): the setting is saved after the ack, then the asker is told."""
        ack()

    def run_mute(self, command: Mapping[str, Any], logger: logging.Logger) -> None:
        """Save the channel's setting and tell the asker (ephemerally) what changed and how to undo it."""
        respond = Responder(command, "/rcode mute", logger)

        def tell(reply: Reply) -> None:
            respond(response_type="ephemeral", **messages.message_args(reply))

        with guarded("/rcode mute", command, tell, logger):
            text, _ = messages.split_public(from_slack(str(command.get("text") or "")))
            muted = bool(mute_request(text))
            channel = str(command.get("channel_id") or "")
            if _is_direct(command) or not channel:
                tell(messages.notice(DIRECT))
                return
            store = self.deps.store
            was = store.is_muted(channel)
            team, user = command.get("team_id"), command.get("user_id")
            store.set_muted(str(team) if team else None, channel, muted, str(user) if user else None)
            logger.info("channel %s %s [%s]", channel, "muted" if muted else "unmuted", describe(command))
            already = " (they already were)" if was == muted else ""
            tell(messages.notice((MUTED if muted else UNMUTED).format(already=already)))

    # ---------------------------------------------------------------------------------------------- /dnscheck

    def ack_dnscheck(self, ack: Ack, command: Mapping[str, Any], context: BoltContext, logger: logging.Logger) -> None:
        """Validate `/dnscheck NAME [TYPE] [@RESOLVER] [trace] [report] [diagram] [public]` and count it against the rate limits.

        Bad input and refusals are answered here; an admitted check is acked with "Checking …" and marked in the
        context for `run_dnscheck`.
        """
        text, diagram = messages.split_diagram(from_slack(str(command.get("text") or "")))
        text, public = messages.split_public(text)
        try:
            request = dnscheck.parse(text, self.deps.settings.probe, trusted=False)
            verdict = self.deps.admit_probe(command.get("team_id"), command.get("user_id"), command.get("channel_id"))
            if not verdict.allowed:
                logger.info("/dnscheck: rate limited for %s s [%s]", verdict.wait_seconds, describe(command))
                ack(response_type="ephemeral", **messages.message_args(messages.rate_limited(verdict)))
                return
            progress = dnscheck.progress(request)
        except BotError as err:
            logger.info("/dnscheck: user error: %s [%s]", err, describe(command))
            ack(response_type="ephemeral", **messages.message_args(messages.error_notice(err)))
            return
        except Exception:
            ref = new_ref()
            logger.exception("/dnscheck failed (ref %s) [%s]", ref, describe(command))
            ack(response_type="ephemeral", **messages.message_args(messages.oops(ref)))
            return
        context[ADMITTED] = {"text": text, "public": public, "diagram": diagram}
        ack(response_type=_response_type(public), **messages.message_args(progress))

    def run_dnscheck(
        self, command: Mapping[str, Any], context: BoltContext, client: WebClient, logger: logging.Logger
    ) -> None:
        """The slow half: run the probe and replace the progress message with the result (with a "Show diagram"
        button); with `diagram`, also upload the picture into the channel (slash commands never run in a thread, so
        it starts its own)."""
        admitted = context.get(ADMITTED)
        if not isinstance(admitted, Mapping):
            return  # the ack answered already (bad input, or over the rate limit)
        public = bool(admitted.get("public"))

        respond = Responder(command, "/dnscheck", logger)

        def deliver(reply: Reply, check: str = "") -> None:
            blocks = messages.with_diagram_button(reply, check)
            respond(replace_original=True, response_type=_response_type(public), **messages.message_args(reply, blocks))

        with guarded("/dnscheck", command, deliver, logger):
            request = dnscheck.parse(str(admitted.get("text") or ""), self.deps.settings.probe, trusted=False)
            team = str(command.get("team_id") or "") or None
            result = self.deps.probes.run(
                request, self.deps.settings_for(team), waiting=lambda note: deliver(messages.notice(note))
            )
            deliver(result, dnscheck.as_text(request))
            if admitted.get("diagram"):
                self._post_diagram(command, client, request, result, logger)
            else:
                diagrams.prepare(result.graph)  # drawn ahead, while the result is read: a click only uploads

    def _post_diagram(
        self,
        command: Mapping[str, Any],
        client: WebClient,
        request: dnscheck.CheckRequest,
        result: Reply,
        logger: logging.Logger,
    ) -> None:
        """`/dnscheck NAME diagram`: the picture of the check just delivered, into the channel it was asked in."""
        respond = Responder(command, "/dnscheck diagram", logger)
        channel = str(command.get("channel_id") or "")
        user = str(command.get("user_id") or "") or None
        if result.graph is None:
            problem: str | None = str(result.data.get("error") or "This check has no diagram.")
        elif not channel:
            problem = "I can't tell which conversation to post the diagram in."
        else:
            problem = diagrams.post(
                client, result.graph, channel, None, messages.mention_of(user), dnscheck.as_text(request)
            )
        if problem is not None:
            respond(replace_original=False, response_type="ephemeral", **messages.message_args(messages.notice(problem)))


def register(app: App, deps: Deps) -> None:
    """Wire the slash commands."""
    listeners = CommandListeners(deps)
    app.command("/rcode", matchers=[is_mute_command])(ack=listeners.ack_mute, lazy=[listeners.run_mute])
    app.command("/rcode")(listeners.ack_rcode)
    app.command("/dnscheck")(ack=listeners.ack_dnscheck, lazy=[listeners.run_dnscheck])
