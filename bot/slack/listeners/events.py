"""`message` and `app_mention` events: pasted tool output and questions, answered in the message's thread.

Every event is acked at once (Bolt acks events automatically; the work runs in lazy functions after the ack),
including the ones the bot ignores, so Slack never retries them:
- the bot's own messages (Bolt's IgnoringSelfEvents), other bots (`bot_id`, in messages and in mentions alike),
  and message subtypes (edits, joins, deletes...) are acked and dropped by the catch-all listeners;
- a message that mentions the bot also arrives as `app_mention`: the message listener leaves it to the mention
  listener, so it gets one reply;
- a shared snippet or text file (subtype `file_share`) is read like a paste: its text is downloaded after the ack
  (`bot.slack.files`: only Slack's private file paths, bounded), joined to the message's own text, and answered in the
  thread only when the gate finds tool output in it;
- a redelivered event is dropped by the event_id middleware (bot/slack/app.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot.core.errors import UnknownCode
from bot.core.paste import digtext
from bot.render.escape import from_slack
from bot.render.reply import Reply
from bot.services import dnscheck, paste, rcode
from bot.slack import files, messages
from bot.slack.deps import Deps
from bot.slack.reporting import describe, guarded

log = logging.getLogger("rcodebot.slack")

MENTION_HINT = "You can also paste dig output here, or say dnscheck example.com."

#: Message subtypes that are still a person writing something new.
ANSWERED_SUBTYPES = frozenset({None, "thread_broadcast"})
FILE_SUBTYPES: frozenset[str | None] = frozenset({"file_share"})
_CHECK_WORDS = re.compile(r"^\s*/?(?:dnscheck|check)\b\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)


def _is_person_writing(
    event: Mapping[str, Any], context: BoltContext, subtypes: frozenset[str | None] = ANSWERED_SUBTYPES
) -> bool:
    if event.get("subtype") not in subtypes or event.get("bot_id") or event.get("bot_profile"):
        return False
    user = event.get("user")
    return bool(user) and user != context.bot_user_id


def _mentions_bot(text: str, context: BoltContext) -> bool:
    bot_user = context.bot_user_id
    return bool(bot_user) and f"<@{bot_user}" in text


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """Remove `<@BOT>` / `<@BOT|name>` from Slack message text, leaving the question."""
    if not bot_user_id:
        return text.strip()
    return re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>\s*:?", " ", text).strip()


def is_pasted_output(event: Mapping[str, Any], context: BoltContext) -> bool:
    """Matcher: a person's new message that looks like dig (or kdig/drill/delv/host/nslookup) output.

    A message that also mentions the bot is left to the app_mention listener (one reply, not two).
    """
    if not _is_person_writing(event, context):
        return False
    text = str(event.get("text") or "")
    if event.get("channel_type") != "im" and _mentions_bot(text, context):
        return False
    # The gate reads text as Slack sends it (escaped, auto-linked): no unescaping pass on every channel message.
    return bool(digtext.looks_like_dig(text))


def is_shared_file(event: Mapping[str, Any], context: BoltContext) -> bool:
    """Matcher: a person shared a snippet or text file (which may hold a long paste), or a file with pasted text.

    Only what the event says is checked here (the download runs after the ack). A message that mentions the bot is
    left to the app_mention listener, which reads the files too.
    """
    if event.get("subtype") != "file_share" or not _is_person_writing(event, context, FILE_SUBTYPES):
        return False
    text = str(event.get("text") or "")
    if event.get("channel_type") != "im" and _mentions_bot(text, context):
        return False
    return bool(files.shared_files(event)) or bool(digtext.looks_like_dig(text))


def is_person_mention(event: Mapping[str, Any], context: BoltContext) -> bool:
    """Matcher: an app_mention written by a person (another bot mentioning rcodebot gets no answer: no bot loops),
    also one sharing a file ("@rcodebot why?" with a snippet)."""
    return _is_person_writing(event, context, ANSWERED_SUBTYPES | FILE_SUBTYPES)


def is_direct_question(event: Mapping[str, Any], context: BoltContext) -> bool:
    """Matcher: a person's message in a DM with the bot (treated like a mention: no @ needed there)."""
    return (
        event.get("channel_type") == "im"
        and _is_person_writing(event, context)
        and bool(str(event.get("text") or "").strip())
    )


def ack_event() -> None:
    """Events are acked by Bolt before this runs; the work is in the lazy functions."""


def ignore_event() -> None:
    """The catch-all: ack (so Slack does not retry) and do nothing."""


def _thread_of(event: Mapping[str, Any]) -> str | None:
    """Where to answer: the message's thread in a channel; in a DM, the conversation itself (unless in a thread)."""
    if event.get("channel_type") == "im" and not event.get("thread_ts"):
        return None
    ts = event.get("thread_ts") or event.get("ts")
    return str(ts) if ts else None


def with_files(plain: str, message: Mapping[str, Any], client: WebClient, deps: Deps) -> str:
    """The message's own text (unescaped) followed by the text of its shared snippets and text files.

    Shared by the event listeners and the "Explain DNS output" shortcut (whose payload carries the message too).
    """
    shared = files.shared_files(message)
    # The request's own workspace token (set by Bolt's authorize; with OAuth, each workspace has its own).
    token = client.token or deps.settings.bot_token
    if not shared or not token:
        return plain

    def file_info(file_id: str) -> Mapping[str, Any] | None:
        try:
            info = client.files_info(file=file_id).get("file")
        except SlackApiError as err:
            log.warning("files.info %s failed: %s", file_id, err.response.get("error"))
            return None
        return info if isinstance(info, Mapping) else None

    texts = files.read_texts(shared, token, api_url=deps.settings.api_url, file_info=file_info)
    return "\n\n".join(t for t in (plain, *texts) if t.strip())


class EventListeners:
    """Handlers for message and app_mention events, bound to the process's `Deps`."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _post(self, client: WebClient, event: Mapping[str, Any], reply: Reply) -> str | None:
        response = client.chat_postMessage(
            channel=str(event["channel"]),
            thread_ts=_thread_of(event),
            unfurl_links=False,
            unfurl_media=False,
            **messages.message_args(reply),
        )
        ts = response.get("ts")
        return str(ts) if ts else None

    def _poster(self, client: WebClient, event: Mapping[str, Any]) -> Callable[[Reply], None]:
        def post(reply: Reply) -> None:
            self._post(client, event, reply)

        return post

    def _muted(self, event: Mapping[str, Any], body: Mapping[str, Any], logger: logging.Logger) -> bool:
        """Whether automatic replies are off in the event's channel (`/rcode mute`); a DM with the bot never is.

        Checked after the ack, in the lazy half: it may read the settings database."""
        if event.get("channel_type") == "im" or not event.get("channel"):
            return False
        if self.deps.store.is_muted(str(event["channel"])):
            logger.debug("paste in a muted channel: not answered [%s]", describe(body))
            return True
        return False

    def reply_to_paste(
        self, event: Mapping[str, Any], body: Mapping[str, Any], client: WebClient, logger: logging.Logger
    ) -> None:
        """Explain pasted output in the message's thread (with the "Run live check" button when it names a target)."""
        if self._muted(event, body, logger):
            return
        with guarded("paste", body, self._poster(client, event), logger):
            reply = paste.answer(str(event.get("text") or ""), self.deps.knowledge, offer_probe=True, from_slack=True)
            if reply is not None:
                self._post(client, event, reply)

    def _with_files(self, plain: str, event: Mapping[str, Any], client: WebClient) -> str:
        return with_files(plain, event, client, self.deps)

    def reply_to_shared_file(
        self, event: Mapping[str, Any], body: Mapping[str, Any], client: WebClient, logger: logging.Logger
    ) -> None:
        """Explain tool output in a shared snippet (or text file, or the message's text) in the message's thread.

        Nothing is posted when the files hold no tool output: sharing a config file in a channel is not a question.
        """
        if self._muted(event, body, logger):
            return
        with guarded("shared file", body, self._poster(client, event), logger):
            text = self._with_files(from_slack(str(event.get("text") or "")), event, client)
            if not digtext.looks_like_dig(text):
                return
            reply = paste.answer(text, self.deps.knowledge, offer_probe=True)
            if reply is not None:
                self._post(client, event, reply)

    def answer_mention(
        self,
        event: Mapping[str, Any],
        body: Mapping[str, Any],
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        """Answer "@rcodebot …" in the thread: a paste gets the paste answer, "dnscheck NAME" runs a check,
        anything else is an rcode question."""
        with guarded("mention", body, self._poster(client, event), logger):
            raw = strip_mention(str(event.get("text") or ""), context.bot_user_id)
            plain = from_slack(raw).strip()
            with_files = self._with_files(plain, event, client)
            if not with_files:
                self._post(client, event, messages.notice(messages.HELP))
                return
            if digtext.looks_like_dig(with_files):
                reply = paste.answer(with_files, self.deps.knowledge, offer_probe=True)
                self._post(client, event, reply if reply is not None else messages.notice(messages.HELP))
                return
            check = _CHECK_WORDS.match(plain)
            if check is not None:
                self._check_in_thread(check.group("rest"), event, body, client, logger)
                return
            try:
                reply = rcode.answer(plain, self.deps.knowledge)
            except UnknownCode as err:
                if err.suggestions:
                    raise
                # Not a code question at all ("thanks!"): say what the bot can do here, besides codes.
                reply = messages.notice(f"{err} {MENTION_HINT}")
            self._post(client, event, reply)

    def _check_in_thread(
        self, text: str, event: Mapping[str, Any], body: Mapping[str, Any], client: WebClient, logger: logging.Logger
    ) -> None:
        request = dnscheck.parse(text, self.deps.settings.probe, trusted=False)
        verdict = self.deps.admit_probe(body.get("team_id"), event.get("user"), event.get("channel"))
        if not verdict.allowed:
            logger.info("mention dnscheck: rate limited for %s s [%s]", verdict.wait_seconds, describe(body))
            self._post(client, event, messages.rate_limited(verdict))
            return
        progress_ts = self._post(client, event, dnscheck.progress(request))

        def replace(reply: Reply) -> None:
            if progress_ts is None:
                self._post(client, event, reply)
            else:
                client.chat_update(channel=str(event["channel"]), ts=progress_ts, **messages.message_args(reply))

        with guarded("mention dnscheck", body, replace, logger):
            team = body.get("team_id")
            replace(
                self.deps.probes.run(
                    request,
                    self.deps.settings_for(str(team) if team else None),
                    waiting=lambda note: replace(messages.notice(note)),
                )
            )


def register(app: App, deps: Deps) -> None:
    """Wire the event listeners; order matters (Bolt runs the first listener whose matchers pass)."""
    listeners = EventListeners(deps)
    app.event("app_mention", matchers=[is_person_mention])(ack=ack_event, lazy=[listeners.answer_mention])
    app.event("app_mention")(ignore_event)  # a bot's mention: acked (no retry), not answered
    app.event("message", matchers=[is_pasted_output])(ack=ack_event, lazy=[listeners.reply_to_paste])
    app.event("message", matchers=[is_shared_file])(ack=ack_event, lazy=[listeners.reply_to_shared_file])
    app.event("message", matchers=[is_direct_question])(ack=ack_event, lazy=[listeners.answer_mention])
    app.event("message")(ignore_event)
