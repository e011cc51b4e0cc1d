"""bot/logs.py: the JSON and text formats, request ids from the context (also in the lazy pool), redaction."""

from __future__ import annotations

import io
import json
import logging

from hypothesis import given
from hypothesis import strategies as st

from bot import logs

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def _logger(kind: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(kind, secrets=[SECRET, None, "short"]))
    logger = logging.getLogger(f"test.logs.{kind}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_json_is_one_object_a_line_with_the_request_ids_and_the_traceback() -> None:
    logger, stream = _logger("json")
    ids = logs.REQUEST_IDS.set(logs.ids_of({"team_id": "T1", "event": {"channel": "C1", "user": "U1"}, "event_id": "Ev1"}))
    try:
        try:
            raise RuntimeError("line one\nline two")
        except RuntimeError:
            logger.exception("failed for %s", "x")
    finally:
        logs.REQUEST_IDS.reset(ids)
    logger.info("outside a request")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "failed for x" and first["level"] == "ERROR" and first["logger"] == "test.logs.json"
    assert (first["team"], first["channel"], first["user"], first["event_id"]) == ("T1", "C1", "U1", "Ev1")
    assert "RuntimeError: line one\nline two" in first["exc"]
    assert first["time"].endswith("+00:00")
    assert "team" not in second and second["message"] == "outside a request"


def test_ids_of_reads_commands_and_interactions() -> None:
    assert logs.ids_of({"team_id": "T", "channel_id": "C", "user_id": "U", "command": "/rcode"}) == {
        "team": "T",
        "channel": "C",
        "user": "U",
    }
    assert logs.ids_of({"team": {"id": "T"}, "channel": {"id": "C"}, "user": {"id": "U"}}) == {
        "team": "T",
        "channel": "C",
        "user": "U",
    }
    assert logs.ids_of({"team": None, "user": 5}) == {}


def test_tokens_and_secrets_are_redacted_in_messages_arguments_and_tracebacks() -> None:
    for kind in ("json", "text"):
        logger, stream = _logger(kind)
        try:
            raise ValueError(f"bad token xoxb-1234-5678-abc and {SECRET}")
        except ValueError:
            logger.exception("with %s and xapp-1-A0-1234-zz, xwfp-9-9 and xoxp-1-2", SECRET)
        out = stream.getvalue()
        for leaked in ("xoxb-", "xapp-", "xwfp-", "xoxp-", SECRET):
            assert leaked not in out, (kind, out)
        assert out.count(logs.REDACTED) >= 6  # message, arguments, exception text (and the source line shown)
        assert "short" not in logs.Redactor(["short"]).secrets  # too short to redact by value


@given(
    st.text(),
    st.sampled_from(["xoxb", "xoxp", "xoxe", "xapp", "xwfp", "xoxa"]),
    st.from_regex(r"[A-Za-z0-9-]{1,40}", fullmatch=True),
)
def test_no_token_survives_redaction_whatever_surrounds_it(around: str, prefix: str, rest: str) -> None:
    token = f"{prefix}-{rest}"
    redacted = logs.Redactor([SECRET])(f"{around} {token} {around}{SECRET}")
    assert token not in redacted and SECRET not in redacted


def test_the_context_executor_carries_the_ids_into_its_threads() -> None:
    with logs.ContextExecutor(max_workers=1) as pool:
        ids = logs.REQUEST_IDS.set({"team": "T9"})
        try:
            future = pool.submit(logs.REQUEST_IDS.get)
        finally:
            logs.REQUEST_IDS.reset(ids)
        assert future.result() == {"team": "T9"}
        assert pool.submit(logs.REQUEST_IDS.get).result() is None
