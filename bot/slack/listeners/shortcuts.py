"""The message shortcut "Explain DNS output": ask for an explanation of one message in particular.

Automatic replies reach only pastes the gate recognises, in channels the bot is in. The shortcut is the explicit
way in, so it reads the message the way `rcodebot explain` reads a file (the reader itself, not the channel gate:
whatever the CLI reads, the shortcut explains), on any message: in a thread, from before the bot joined, in a
channel where automatic replies are off, with its snippets and text files.

- It acks at once; the reading and posting run after the ack.
- The message is read as the person sees it: its text, and the text of its attachments and section blocks (where
  alerts from monitoring bots carry their output), then its snippets and text files.
- Tool output: the explanation goes into the message's thread, with the Run live check button. Where the bot
  cannot post (not in the channel, a DM it is not part of, an archived or read-only channel), the person who asked
  gets it ephemerally through the payload's `response_url`, with a line saying why.
- No tool output: a short ephemeral answer to the person who asked; nothing is posted for everyone.
- It counts against the same allowances as a live check (per person and per channel), and a second click on the
  same message (a double click, or a retry) is answered once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot import metrics
from bot.render.escape import from_slack
from bot.render.reply import Reply
from bot.services import paste
from bot.slack import messages
from bot.slack.deps import Deps
from bot.slack.listeners.actions import interaction_ids
from bot.slack.listeners.events import with_files
from bot.slack.reporting import describe, guarded
from bot.slack.responder import Responder

log = logging.getLogger("rcodebot.slack")

#: The shortcut's callback_id, as declared in both manifests.
CALLBACK_EXPLAIN = "explain_dns_output"
NOTHING_FOUND = (
    "I found no dig, kdig, drill, delv, host or nslookup output in that message. "
    "Paste the tool's whole output (or share it as a snippet) and try again."
)
NOT_IN_CHANNEL = "Only you can see this: I am not in this conversation. Invite me (/invite @rcodebot) to answer in threads."
REFUSED = "Only you can see this: Slack did not let me post in this conversation ({error})."
ALREADY = "I have already explained that message in its thread."
#: Slack's answers to chat.postMessage that mean "the bot is not in this conversation" (a private channel it was
#: never invited to answers channel_not_found). Any other refusal (archived, read-only, restricted) is named as is;
#: either way the asker still gets the explanation, privately.
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})


def message_text(message: Mapping[str, Any]) -> str:
    """What the message says, as the person sees it (Slack's escaping and links undone): its text, then the text of
    its attachments and section blocks, where alerts from monitoring bots carry the tool output.

    A part already contained in what was read is skipped (a message's `text` is often its blocks' fallback), so
    one output is not explained twice.
    """
    parts: list[str] = []

    def add(raw: Any) -> None:
        text = from_slack(str(raw or "")) if isinstance(raw, str) else ""
        if text.strip() and not any(text in part for part in parts):
            parts.append(text)

    add(message.get("text"))
    attachments = message.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        if isinstance(attachment, Mapping):
            add(attachment.get("pretext"))
            add(attachment.get("text"))
    blocks = message.get("blocks")
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, Mapping) and block.get("type") == "section":
            text = block.get("text")
            add(text.get("text") if isinstance(text, Mapping) else None)
    return "\n\n".join(parts)


def _thread_ts(message: Mapping[str, Any]) -> str | None:
    """The thread to answer in: the message's own thread, or a new one under it."""
    ts = message.get("thread_ts") or message.get("ts")
    return str(ts) if ts else None


class ShortcutListeners:
    """The "Explain DNS output" handlers, bound to the process's `Deps`."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def ack_explain(self, ack: Ack) -> None:
        """Ack at once: reading snippets and posting happen in `explain`."""
        ack()

    def explain(self, body: Mapping[str, Any], client: WebClient, logger: logging.Logger) -> None:
        """Explain the message in its thread (or privately, where the bot cannot post); never an exception."""
        respond = Responder(body, "explain shortcut", logger)

        def tell_asker(reply: Reply) -> None:
            respond(response_type="ephemeral", replace_original=False, **messages.message_args(reply))

        with guarded("explain shortcut", body, tell_asker, logger):
            message = body.get("message")
            message = message if isinstance(message, Mapping) else {}
            team, user, channel = interaction_ids(body)
            ts = str(message.get("ts") or body.get("message_ts") or "")
            if not self.deps.seen.first_time(f"explain:{channel}:{ts}:{user}"):
                metrics.dedupe_hit()
                logger.info("explain shortcut: repeated on the same message [%s]", describe(body))
                tell_asker(messages.notice(ALREADY))
                return
            verdict = self.deps.admit_probe(team, user, channel)
            if not verdict.allowed:
                logger.info("explain shortcut: rate limited for %s s [%s]", verdict.wait_seconds, describe(body))
                tell_asker(messages.rate_limited(verdict))
                return
            text = with_files(message_text(message), message, client, self.deps)
            reply = paste.answer(text, self.deps.knowledge, offer_probe=True) if text.strip() else None
            if reply is None:
                tell_asker(messages.notice(NOTHING_FOUND))
                return
            refusal = "channel_not_found" if channel is None else self._post_in_thread(client, channel, message, reply, body)
            if refusal is not None:
                note = NOT_IN_CHANNEL if refusal in NOT_A_MEMBER else REFUSED.format(error=refusal)
                tell_asker(messages.with_note(reply, note))

    def _post_in_thread(
        self, client: WebClient, channel: str, message: Mapping[str, Any], reply: Reply, body: Mapping[str, Any]
    ) -> str | None:
        """Post the explanation in the message's thread; Slack's error when it would not take it there."""
        try:
            client.chat_postMessage(
                channel=channel,
                thread_ts=_thread_ts(message),
                unfurl_links=False,
                unfurl_media=False,
                **messages.message_args(reply),
            )
        except SlackApiError as err:
            error = str(err.response.get("error") or "unknown_error")
            log.info("explain shortcut: cannot post in %s (%s); answering privately [%s]", channel, error, describe(body))
            return error
        return None


def register(app: App, deps: Deps) -> None:
    """Wire the message shortcut."""
    listeners = ShortcutListeners(deps)
    app.message_shortcut(CALLBACK_EXPLAIN)(ack=listeners.ack_explain, lazy=[listeners.explain])
