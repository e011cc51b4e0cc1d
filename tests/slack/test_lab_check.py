"""A real diagnosis through Slack: /dnscheck and the "Run live check" button against the loopback DNS lab.

The server under test is the Procfile web: command again, this time with the lab's resolvers (Unbound and BIND on
127.53.x.y) and private addresses allowed, so the probe follows the lab's delegations.
"""

from __future__ import annotations

import json

import pytest

from tests.lab.lab import Lab
from tests.slack.conftest import SlackSender, unique
from tests.slack.fakeslack import FakeSlack
from tests.slack.test_http import ACTION_RUN_CHECK, assert_pings_nobody, slack_escape

pytestmark = pytest.mark.lab


def test_dnscheck_of_expired_signatures_names_the_cause(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    scenario = lab.scenarios["expired_rrsig"]
    lab.flush()
    answer, name, _ = lab_bot.command("/dnscheck", f"{scenario.qname.rstrip('.')} {scenario.qtype}", user_id=unique("U"))
    assert "Checking" in answer.json()["text"]
    (result,) = fake.wait_for(fake.to_response(name), timeout=30)
    text = result.all_text()
    assert result.body["replace_original"] is True and result.answer["status"] == 200, result.answer
    assert "FAILURE" in text and "expired" in text.lower()


def test_run_live_check_from_a_paste_diagnoses_the_lab_name(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    scenario = lab.scenarios["expired_rrsig"]
    qname = scenario.qname
    paste = (
        f"\n; <<>> DiG 9.18.28 <<>> {qname} A\n;; global options: +cmd\n;; Got answer:\n"
        ";; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: 1234\n"
        ";; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1\n\n"
        ";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n"
        f"; EDE: 7 (Signature Expired): (<!channel> {qname} A)\n"
        f";; QUESTION SECTION:\n;{qname}\t\t\tIN\tA\n\n;; Query time: 5 msec\n"
        f";; SERVER: {lab.resolvers[0]}#53({lab.resolvers[0]}) (UDP)\n;; MSG SIZE  rcvd: 80\n"
    )
    channel = unique("C")
    lab_bot.event({"channel": channel, "ts": "1732430400.000100", "text": slack_escape(paste)})
    (reply,) = fake.wait_for(fake.posted_in(channel))
    assert_pings_nobody(reply.all_text())
    (button,) = reply.buttons(ACTION_RUN_CHECK)
    value = button["value"]
    lab.flush()
    _, name, _ = lab_bot.action(
        ACTION_RUN_CHECK,
        value,
        user=unique("U"),
        channel=channel,
        message={"blocks": reply.blocks, "text": reply.body["text"], "ts": reply.answer["ts"]},
    )
    progress, result = fake.wait_for(fake.to_response(name), count=2, timeout=30)
    assert "Checking" in progress.all_text()
    assert result.body["replace_original"] is True
    assert ACTION_RUN_CHECK not in str(result.blocks)
    explanation = [b for b in reply.blocks if b["type"] != "actions"]
    assert result.blocks[: len(explanation)] == explanation  # the paste's explanation stays on top, unchanged
    diagnosis = json.dumps(result.blocks[len(explanation) :])
    assert "FAILURE" in diagnosis and "expired" in diagnosis.lower()


def _dnscheck(lab_bot: SlackSender, fake: FakeSlack, lab: Lab, text: str) -> str:
    """`/dnscheck TEXT` on a cold lab: acked with progress, then the whole result's text."""
    lab.flush()
    answer, name, _ = lab_bot.command("/dnscheck", text, user_id=unique("U"))
    assert answer.status == 200 and "Checking" in answer.json()["text"]
    (result,) = fake.wait_for(fake.to_response(name), timeout=30)
    return result.all_text()


def test_dnscheck_trace_walks_from_the_lab_root_and_names_the_lame_tld_server(
    lab_bot: SlackSender, fake: FakeSlack, lab: Lab
) -> None:
    text = _dnscheck(lab_bot, fake, lab, "www.child.flaky trace")
    assert "*Trace*" in text and "referral to flaky. NS ns1.flaky., ns2.flaky." in text
    assert "ns2.flaky. 127.53.2.1: REFUSED, no aa: lame" in text
    assert "lame_delegation" in text and "listed for flaky. by the . servers" in text


def test_a_workspaces_own_resolvers_are_the_ones_its_checks_ask(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    from tests.slack.test_home import submit

    team, admin = unique("T"), unique("U")
    fake.users[admin] = {"team_id": team, "is_admin": True}
    chosen, other = lab.resolvers[1], lab.resolvers[0]
    assert submit(lab_bot, team, admin, resolvers=chosen, user_rate="", channel_rate="").body == b""
    fake.wait_for(lambda c: c.method == "views.publish" and c.body.get("user_id") == admin)
    scenario = lab.scenarios["expired_rrsig"]
    qname = scenario.qname.rstrip(".")
    _, name, _ = lab_bot.command("/dnscheck", qname, team_id=team, user_id=unique("U"))
    (result,) = fake.wait_for(fake.to_response(name), timeout=30)
    text = result.all_text()
    assert chosen in text and other not in text  # only the workspace's resolver was asked
    _, name, _ = lab_bot.command("/dnscheck", qname, team_id=unique("T"), user_id=unique("U"))
    (result,) = fake.wait_for(fake.to_response(name), timeout=30)
    assert chosen in result.all_text() and other in result.all_text()  # another workspace: the operator's resolvers


def test_dnscheck_report_lists_every_check_in_slack(lab_bot: SlackSender, fake: FakeSlack, lab: Lab) -> None:
    text = _dnscheck(lab_bot, fake, lab, "www.axfr-open.lab report")
    assert "*Report*" in text and "🟡 *No nameserver hands out the zone (AXFR)*" in text
    assert "✅ *Every nameserver answers over TCP*" in text
    assert "zone_transfer_open" in text and "not the cause" in text
