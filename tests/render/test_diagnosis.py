"""/dnscheck renderings: golden text and Block Kit, escaping of DNS data, Slack's limits."""

from __future__ import annotations

import json

import pytest

from bot.core.check.diagnosis import Diagnosis, diagnose
from bot.core.codes import knowledge
from bot.render import diagnosis as render
from bot.render import limits
from tests.conftest import Golden
from tests.core.codes.knowledge_factory import dump, minimal_doc
from tests.probe.fakedns import World, example_world

NS1, NS2 = "20.0.1.1", "20.0.1.2"
R1 = "20.0.53.1"


@pytest.fixture(scope="module")
def kb() -> knowledge.Knowledge:
    """A fixed, minimal knowledge file: the goldens test the layout, not the wording of rcodes.yaml."""
    return knowledge.from_text(dump(minimal_doc()))


def _healthy() -> World:
    return example_world()


def _all_lame() -> World:
    world = example_world()
    world.servers[NS1].mode = world.servers[NS2].mode = "refuse"
    return world


def _dnssec() -> World:
    world = example_world()
    world.resolver(R1, mode="servfail_unless_cd", ede=((7, "signature expired"),))
    return world


def _partial() -> World:
    world = example_world()
    world.servers[NS2].serial_bump = 1
    world.servers[NS2].override[("www.example.test.", "A")] = ["192.0.2.99"]
    return world


def _resolver_closed() -> World:
    world = example_world()
    world.resolver(R1, mode="closed")
    return world


CASES = {
    "healthy": (_healthy, "www.example.test", "A"),
    "nxdomain": (_healthy, "nope.example.test", "A"),
    "all_lame": (_all_lame, "www.example.test", "A"),
    "dnssec_expired": (_dnssec, "www.example.test", "A"),
    "serial_and_answers": (_partial, "www.example.test", "A"),
    "resolver_closed": (_resolver_closed, "www.example.test", "A"),
}


def _diagnosis(case: str, kb: knowledge.Knowledge) -> Diagnosis:
    build, name, rdtype = CASES[case]
    world = build()
    resolvers = (R1,) if case in ("dnssec_expired", "resolver_closed") else None
    return diagnose(world.run(name, rdtype, resolvers), kb)


@pytest.mark.parametrize("case", list(CASES))
def test_golden(case: str, kb: knowledge.Knowledge, golden: Golden) -> None:
    reply = render.reply(_diagnosis(case, kb))
    golden.check(f"diagnosis/{case}.txt", reply.text)
    golden.check(f"diagnosis/{case}.json", reply.block_dicts())
    limits.check(reply.blocks)


def test_reply_json_is_the_public_interface(kb: knowledge.Knowledge) -> None:
    reply = render.reply(_diagnosis("all_lame", kb))
    data = json.loads(json.dumps(reply.to_json()))
    assert data["verdict"] == "failure" and data["causes"][0]["id"] == "lame_delegation"
    assert data["text"] == reply.text and data["blocks"] == reply.block_dicts()
    assert reply.ok is False
    assert render.reply(_diagnosis("healthy", kb)).ok is True


def test_dns_data_cannot_ping_or_link(kb: knowledge.Knowledge) -> None:
    """A TXT record, an EDE text or a nameserver name holding Slack control sequences pings nobody."""
    world = example_world()
    world.resolver("20.0.53.2", mode="servfail_unless_cd", ede=((6, "<!channel> bogus <https://evil.example|click>"),))
    world.zones["example.test."][("example.test.", "NS")] = ["ns1.example.test.", "<!here>.example.test."]
    reply = render.reply(diagnose(world.run("www.example.test", "TXT"), kb))
    slack = json.dumps(reply.block_dicts()) + reply.fallback
    for raw in ("<!channel>", "<!here>", "<@U123>", "<https://evil"):
        assert raw not in slack
    assert "&lt;!channel&gt;" in slack and "&lt;!here&gt;" in slack and "&lt;@U123&gt;" in slack
    assert "<!channel>" in reply.text  # the terminal shows the data as it is


def test_big_diagnosis_fits_slack(kb: knowledge.Knowledge) -> None:
    world = example_world()
    names = [f"ns{i}.example.test." for i in range(1, 13)]
    world.zones["test."][("example.test.", "NS")] = names
    for i, name in enumerate(names, 1):
        world.zones["test."][(name, "A")] = [f"20.0.2.{i}"]
        world.zones["example.test."][(name, "A")] = [f"20.0.2.{i}"]
        world.server(f"20.0.2.{i}", mode="refuse")
    reply = render.reply(diagnose(world.run("www.example.test", "A"), kb))
    limits.check(reply.blocks)
    assert "… " in reply.text  # long evidence lists are shortened, with a count of what was left out


def test_progress_message_escapes_the_name() -> None:
    reply = render.progress("<!channel>.example", "x.example.", "A", ("1.1.1.1",))
    assert reply.text == "Checking <!channel>.example A via 1.1.1.1…"
    assert "<!channel>" not in json.dumps(reply.block_dicts()) + reply.fallback


def test_a_truncated_reply_whose_tcp_retry_failed_says_so(kb: knowledge.Knowledge) -> None:
    """The resolver line of a TC=1 reply must carry the failed TCP retry, or it reads like a clean NOERROR."""
    world = example_world()
    world.resolver(R1, mode="truncated_no_tcp")
    reply = render.reply(diagnose(world.run("www.example.test", "TXT", (R1,)), kb))
    line = next(line for line in reply.text.splitlines() if line.strip().startswith(R1))
    assert "flags qr tc" in line and "TCP retry failed" in line
    assert "TCP retry failed" in json.dumps(reply.block_dicts())


def _traced(world: World, name: str, kb: knowledge.Knowledge) -> Diagnosis:
    from bot.core.check.trace_diagnosis import with_trace
    from tests.core.check.test_trace import _walk

    trace = _walk(world, name)
    return with_trace(diagnose(world.run(name, "A"), kb), trace, kb)


def test_golden_trace(kb: knowledge.Knowledge, golden: Golden) -> None:
    world = example_world()
    world.zones["."][("test.", "NS")] = ["ns.nic.test.", "ns2.nic.test."]
    world.zones["."][("ns2.nic.test.", "A")] = ["20.0.0.3"]
    world.zones["test."][("test.", "NS")] = ["ns.nic.test.", "ns2.nic.test."]
    world.server("20.0.0.3", mode="refuse")
    reply = render.reply(_traced(world, "www.example.test.", kb))
    golden.check("diagnosis/trace_lame_tld.txt", reply.text)
    golden.check("diagnosis/trace_lame_tld.json", reply.block_dicts())
    limits.check(reply.blocks)
    assert [c["id"] for c in reply.to_json()["causes"]] == ["lame_delegation"]


def test_trace_data_cannot_ping_or_link(kb: knowledge.Knowledge) -> None:
    world = example_world()
    world.zones["test."][("example.test.", "NS")] = ["ns1.example.test.", "<!channel>.example.test."]
    reply = render.reply(_traced(world, "www.example.test.", kb))
    slack = json.dumps(reply.block_dicts()) + reply.fallback
    assert "Trace" in slack and "<!channel>" not in slack and "&lt;!channel&gt;" in slack
    assert "<!channel>.example.test." in reply.text


def test_a_big_tld_referral_counts_its_glue(kb: knowledge.Knowledge) -> None:
    world = example_world()
    names = [f"{letter}.nic.test." for letter in "abcdefghijklm"]
    world.zones["."][("test.", "NS")] = names
    world.zones["test."][("test.", "NS")] = names
    for i, name in enumerate(names, 1):
        world.zones["."][(name, "A")] = [f"20.0.3.{i}"]
        world.server(f"20.0.3.{i}", "test.")
    reply = render.reply(_traced(world, "www.example.test.", kb))
    assert "referral to test. NS a.nic.test., b.nic.test.," in reply.text
    assert "glue for 13 of 13 names (13 addresses)" in reply.text
    assert reply.text.count("referral to example.test.") == 13  # every TLD server was asked
    limits.check(reply.blocks)
