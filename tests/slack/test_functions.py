"""/dnscheck as a Workflow Builder step, end to end: a signed function_executed event to the real server, the
check against the loopback DNS lab, and the step ended on the fake Web API (functions.completeSuccess with the
outputs, or functions.completeError with a readable error), with the function's own token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import BotError
from bot.services import dnscheck
from bot.settings import ProbeSettings
from bot.slack.listeners.functions import STEP_NOTE, StepError, channel_of, outputs_of, request_text
from tests.lab.lab import Lab
from tests.slack.conftest import SlackSender, payload, unique
from tests.slack.fakeslack import Call, FakeSlack
from tests.slack.test_http import assert_pings_nobody

WORKFLOW_TOKEN = "xwfp-1234-5678-workflowfake"


def step_event(inputs: dict[str, Any], execution: str, team: str | None = None) -> dict[str, Any]:
    """A function_executed event_callback (recorded shape) for one execution, from its own workspace by default (a
    workflow's live checks count against its workspace's allowance, so tests must not share one)."""
    body = payload("event_function_executed")
    body["event"].update(inputs=inputs, function_execution_id=execution, workflow_execution_id=unique("Wx"))
    body["event_id"] = unique("Ev")
    body["team_id"] = team or unique("T")
    return body


def run_step(bot: SlackSender, fake: FakeSlack, inputs: dict[str, Any], team: str | None = None) -> tuple[Call, str]:
    """Send function_executed; the call that ended the step, and its execution id."""
    execution = unique("Fx")
    answer = bot.raw(json.dumps(step_event(inputs, execution, team)).encode(), "application/json")
    assert answer.status == 200
    (done,) = fake.wait_for(
        lambda c: (
            c.method in ("functions.completeSuccess", "functions.completeError")
            and c.body.get("function_execution_id") == execution
        ),
        timeout=30,
    )
    return done, execution


def outputs_sent(call: Call) -> dict[str, str]:
    """The outputs as Slack receives them (slack_sdk sends the object JSON-encoded in a form field)."""
    raw = call.body["outputs"]
    data: dict[str, str] = json.loads(raw) if isinstance(raw, str) else raw
    return data


@pytest.mark.lab
def test_a_failing_name_completes_with_its_verdict_cause_and_a_link(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    lab.flush()
    channel = unique("C")
    scenario = lab.scenarios["expired_rrsig"]
    done, _ = run_step(lab_bot, fake, {"name": scenario.qname, "type": "A", "channel_id": channel})
    assert done.method == "functions.completeSuccess", done.body
    assert done.authorization == f"Bearer {WORKFLOW_TOKEN}"  # the step ends with the function's own token
    outputs = outputs_sent(done)
    assert (outputs["verdict"], outputs["cause"]) == ("failure", "dnssec_bogus")
    assert "expired" in outputs["summary"].lower() and "\n" not in outputs["summary"]
    (posted,) = fake.find(fake.posted_in(channel))
    assert "FAILURE" in posted.all_text() and STEP_NOTE in posted.all_text()
    (link,) = fake.find(lambda c: c.method == "chat.getPermalink" and c.body.get("channel") == channel)
    assert link.body["message_ts"] == posted.answer["ts"]
    assert outputs["result_url"] == link.answer["permalink"]


@pytest.mark.lab
def test_a_healthy_name_with_chosen_resolvers_and_no_channel(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    resolvers = f"{lab.resolvers[0]}, {lab.resolvers[1]}"
    done, _ = run_step(lab_bot, fake, {"name": "www.healthy-signed.lab", "resolvers": resolvers})
    assert done.method == "functions.completeSuccess", done.body
    outputs = outputs_sent(done)
    assert outputs == {"verdict": "ok", "cause": "", "summary": outputs["summary"], "result_url": ""}
    assert outputs["summary"].startswith("www.healthy-signed.lab. A resolves")


@pytest.mark.parametrize(
    ("inputs", "words"),
    [
        ({"name": ""}, "needs a name"),
        ({"name": "exa$mple..com"}, "empty label"),
        ({"name": "example.com", "type": "NOTATYPE"}, "not a DNS record type"),
        ({"name": "example.com", "type": "AXFR"}, "zone transfer"),
        ({"name": "example.com", "resolvers": "9.9.9.9"}, "allow-list"),
        ({"name": "example.com AAAA"}, "one DNS name"),
        ({"name": "example.com", "type": "A MX"}, "one record type"),
    ],
    ids=["no-name", "bad-name", "bad-type", "axfr", "resolver-off-the-list", "two-names", "two-types"],
)
def test_bad_input_ends_the_step_with_a_readable_error(
    http_bot: SlackSender, fake: FakeSlack, inputs: dict[str, Any], words: str
) -> None:
    done, _ = run_step(http_bot, fake, inputs)
    assert done.method == "functions.completeError"
    assert words in done.body["error"] and "Traceback" not in done.body["error"]


def test_a_channel_the_bot_cannot_post_in_is_a_readable_error(http_bot: SlackSender, fake: FakeSlack) -> None:
    channel = unique("C")
    fake.not_member.add(channel)
    # The suite's server asks a resolver that never answers: the check still ends (a timeout is a result).
    done, _ = run_step(http_bot, fake, {"name": "example.com", "channel_id": channel})
    assert done.method == "functions.completeError"
    assert "not_in_channel" in done.body["error"] and "invite @rcodebot" in done.body["error"]


def test_the_inputs_become_dnscheck_text_and_the_outputs_the_json_words() -> None:
    assert request_text({"name": " example.com ", "type": "mx", "resolvers": "1.1.1.1, @9.9.9.9;8.8.8.8"}) == (
        "example.com mx @1.1.1.1 @9.9.9.9 @8.8.8.8"
    )
    data = {"verdict": "failure", "headline": "FAILURE:\n  x  y", "causes": [{"id": "lame_delegation"}, {"id": "x"}]}
    assert outputs_of(data, "https://l") == {
        "verdict": "failure",
        "cause": "lame_delegation",
        "summary": "FAILURE: x y",
        "result_url": "https://l",
    }
    assert outputs_of({"verdict": "ok", "causes": []}, "")["cause"] == ""


def test_workflow_checks_count_against_the_workspaces_allowance(http_bot: SlackSender, fake: FakeSlack) -> None:
    # The suite's server allows 3 live checks an hour (USER_RATE); a workflow's team stands in for the person.
    team = unique("T")
    done = [run_step(http_bot, fake, {"name": "example.com"}, team=team)[0] for _ in range(4)]
    assert [d.method for d in done[:3]] == ["functions.completeSuccess"] * 3
    assert done[3].method == "functions.completeError"
    assert "Too many live checks right now: try again in" in done[3].body["error"]
    other, _ = run_step(http_bot, fake, {"name": "example.com"}, team=unique("T"))  # another workspace: its own
    assert other.method == "functions.completeSuccess"


def test_what_the_workflow_author_typed_is_escaped_in_errors_and_outputs(http_bot: SlackSender, fake: FakeSlack) -> None:
    done, _ = run_step(http_bot, fake, {"name": "exa<!channel>mple.com"})
    assert done.method == "functions.completeError"
    assert "&lt;!channel&gt;" in done.body["error"]
    assert_pings_nobody(done.body["error"])
    done, _ = run_step(http_bot, fake, {"name": "example.com", "channel_id": "<!here>"})
    assert done.method == "functions.completeError" and "channel picked in Workflow Builder" in done.body["error"]
    assert_pings_nobody(done.body["error"])
    assert fake.find(fake.posted_in("<!here>")) == []
    assert outputs_of({"verdict": "ok", "headline": "a <@U123> b"}, "")["summary"] == "a &lt;@U123&gt; b"


def test_outputs_slack_refuses_still_end_the_step(http_bot: SlackSender, fake: FakeSlack) -> None:
    # completeSuccess fails (5xx, after the client's retries): the step must not be left running.
    fake.fail_next("functions.completeSuccess", times=3, status=500)
    execution = unique("Fx")
    body = step_event({"name": "example.com"}, execution)
    assert http_bot.raw(json.dumps(body).encode(), "application/json").status == 200
    (ended,) = fake.wait_for(
        lambda c: c.method == "functions.completeError" and c.body.get("function_execution_id") == execution, timeout=30
    )
    assert "Slack refused its outputs" in ended.body["error"] and ended.answer == {"ok": True}
    tries = fake.find(lambda c: c.method == "functions.completeSuccess" and c.body.get("function_execution_id") == execution)
    assert [t.answer["status"] for t in tries] == [500, 500, 500]


_INPUT_TEXT = st.one_of(
    st.none(), st.text(max_size=60), st.sampled_from(["example.com", "AAAA", "1.1.1.1, @9.9.9.9", "C0X"])
)


@given(st.fixed_dictionaries({}, optional={k: _INPUT_TEXT for k in ("name", "type", "resolvers", "channel_id")}))
def test_any_inputs_become_dnscheck_text_or_a_readable_error(inputs: dict[str, Any]) -> None:
    probe = ProbeSettings(resolvers=("192.0.2.53",))
    try:
        text = request_text(inputs)
        channel = channel_of(inputs)
    except StepError as err:
        assert str(err) and "Traceback" not in str(err)
        return
    assert text.split()[0] == str(inputs["name"]).strip()
    assert channel == "" or channel.startswith(("C", "G", "D"))
    try:
        request = dnscheck.parse(text, probe, trusted=False)
    except BotError:
        return  # the same readable refusals a person's /dnscheck gets
    assert request.trusted is False and set(request.resolvers) <= {"192.0.2.53"}


def test_a_redelivered_function_executed_ends_the_step_once(http_bot: SlackSender, fake: FakeSlack) -> None:
    execution = unique("Fx")
    body = step_event({"name": "bad..name"}, execution)
    raw = json.dumps(body).encode()
    assert http_bot.raw(raw, "application/json").status == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert http_bot.raw(raw, "application/json", headers=retry).status == 200
    later, _ = run_step(http_bot, fake, {"name": "bad..name"})  # a later execution ends: the retry had its chance
    assert later.method == "functions.completeError"
    assert len(fake.find(lambda c: c.body.get("function_execution_id") == execution)) == 1
