"""/dnscheck NAME trace against the real lab: the delegation walked from the lab root, level by level.

The lab root (NSD) delegates lab. to Knot and flaky. to Knot (serves it) and the children's NSD (does not: a lame
TLD server); lab. delegates deleg-mismatch.lab. to NSD+Knot while the zone lists NSD+BIND.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from bot.cli import Environment, ExitStatus, main
from bot.core.check.observations import Purpose
from bot.core.codes import knowledge
from bot.render import limits
from bot.services import dnscheck
from bot.settings import ProbeSettings, Settings
from tests.lab import addresses as A
from tests.lab.lab import Lab

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def kb() -> knowledge.Knowledge:
    return knowledge.load_default()


def _settings(lab: Lab, **changes: Any) -> Settings:
    probe = ProbeSettings(
        resolvers=lab.resolvers,
        query_timeout=2.0,
        deadline=12.0,
        query_budget=60,
        port=lab.port,
        root_hints=(("a.root-servers.", A.ROOT),),
    )
    return Settings(probe=probe).with_probe(**changes) if changes else Settings(probe=probe)


def _trace(lab: Lab, kb: knowledge.Knowledge, text: str, **changes: Any) -> dict[str, Any]:
    settings = _settings(lab, **changes)
    request = dnscheck.parse(text, settings.probe, trusted=True)
    assert request.trace
    reply = dnscheck.run(request, settings, kb)
    limits.check(reply.blocks)
    data: dict[str, Any] = reply.to_json()
    return data


def _level(data: dict[str, Any], zone: str) -> dict[str, Any]:
    return next(level for level in data["trace"] if level["zone"] == zone)


def test_healthy_walk_has_every_level_and_no_cause(lab: Lab, kb: knowledge.Knowledge) -> None:
    lab.flush()
    data = _trace(lab, kb, "www.healthy-signed.lab trace")
    assert data["verdict"] == "ok" and data["causes"] == []
    assert [level["zone"] for level in data["trace"]] == [".", "lab.", "healthy-signed.lab."]
    root, tld, zone = data["trace"]
    assert root["listed_by"] is None and root["next"] == "lab."
    (a_root,) = root["servers"]
    assert (a_root["said"], a_root["address"], a_root["referral"]["zone"]) == ("referral", A.ROOT, "lab.")
    assert a_root["referral"]["ns"] == ["ns1.lab."] and f"ns1.lab. {A.TLD}" in a_root["glue"]
    assert tld["listed_by"] == "." and tld["next"] == "healthy-signed.lab."
    assert tld["servers"][0]["zone_ns"] == ["ns1.lab."]
    assert zone["ns"] == ["ns-bind.lab.", "ns-knot.lab."] and zone["next"] is None
    assert {s["address"] for s in zone["servers"]} == {A.BIND_AUTH, A.KNOT}
    assert all(s["said"] == "answer" and s["aa"] and s["zone_ns"] == zone["ns"] for s in zone["servers"])
    assert "Trace (the delegation" in data["text"] and "referral to lab. NS ns1.lab." in data["text"]
    assert not any(n.startswith("trace:") for n in data["notes"])


def test_lame_tld_server_is_found_only_by_the_trace(lab: Lab, kb: knowledge.Knowledge) -> None:
    lab.flush()
    settings = _settings(lab)
    plain = dnscheck.run(dnscheck.parse("www.child.flaky", settings.probe, trusted=True), settings, kb).to_json()
    assert plain["verdict"] == "ok" and plain["causes"] == [] and "trace" not in plain
    data = _trace(lab, kb, "www.child.flaky +trace")
    assert data["verdict"] == "degraded"  # one of the TLD's two servers is lame: resolvers that ask it fail
    assert [level["zone"] for level in data["trace"]] == [".", "flaky.", "child.flaky."]
    tld = _level(data, "flaky.")
    said = {s["name"]: (s["said"], s["rcode"]) for s in tld["servers"]}
    assert said == {"ns1.flaky.": ("referral", "NOERROR"), "ns2.flaky.": ("lame", "REFUSED")}
    (cause,) = data["causes"]
    assert cause["id"] == "lame_delegation" and cause["explains_failure"] is False
    (line,) = cause["evidence"]
    assert f"{A.NSD} (ns2.flaky.), listed for flaky. by the . servers" in line and "REFUSED" in line
    assert "lame delegation" in data["headline"]


def test_parent_and_child_ns_sets_differ_at_the_level_where_it_happens(lab: Lab, kb: knowledge.Knowledge) -> None:
    lab.flush()
    data = _trace(lab, kb, "www.deleg-mismatch.lab trace")
    zone = _level(data, "deleg-mismatch.lab.")
    assert zone["ns"] == ["ns-knot.lab.", "ns-nsd.lab."]
    assert {s["name"]: s["zone_ns"] for s in zone["servers"]} == {
        "ns-knot.lab.": ["ns-bind.lab.", "ns-nsd.lab."],
        "ns-nsd.lab.": ["ns-bind.lab.", "ns-nsd.lab."],
    }
    (cause,) = data["causes"]
    assert cause["id"] == "delegation_mismatch"
    evidence = "\n".join(cause["evidence"])
    assert "the lab. servers delegate deleg-mismatch.lab. to ns-knot.lab., ns-nsd.lab." in evidence
    assert "serves deleg-mismatch.lab. NS ns-bind.lab., ns-nsd.lab." in evidence
    assert "the zone deleg-mismatch.lab. lists" in evidence  # the check's own evidence is kept


def test_silent_zone_servers_explain_the_failure_at_their_level(lab: Lab, kb: knowledge.Knowledge) -> None:
    lab.flush()
    data = _trace(lab, kb, "www.all-closed.lab trace", query_timeout=1.0)
    assert data["verdict"] == "failure"
    zone = _level(data, "all-closed.lab.")
    assert {s["said"] for s in zone["servers"]} == {"port closed"}
    first = data["causes"][0]
    assert first["id"] == "ns_unreachable" and first["explains_failure"] is True
    assert any(
        "(ns-closed.lab.), listed for all-closed.lab. by the lab. servers, never answered" in e for e in first["evidence"]
    )


def test_trace_adds_at_most_one_round_trip_per_level(lab: Lab, kb: knowledge.Knowledge) -> None:
    """The walk runs beside the check: its chain of dependent queries is one query per level (the lab's NS names
    all come with addresses in the referrals), and the check's own queries are the same as without it."""
    lab.flush()
    settings = _settings(lab)
    request = dnscheck.parse("www.healthy-signed.lab trace", settings.probe, trusted=True)
    result, trace = dnscheck.probe_and_trace(request, settings)
    assert result is not None and trace is not None
    assert {e.ask.purpose for e in trace.exchanges} <= {Purpose.TRACE, Purpose.TRACE_NS, Purpose.TRACE_ADDRESS}
    by_key = {e.ask.key: e for e in trace.exchanges}

    def depth(key: str | None) -> int:
        return 0 if key is None else 1 + depth(by_key[key].ask.after)

    assert max(depth(e.ask.key) for e in trace.exchanges) == len(trace.levels)
    assert trace.complete and trace.queries_sent <= 1 + 2 + 4
    assert not [e for e in result.exchanges if e.ask.purpose in (Purpose.TRACE, Purpose.TRACE_NS)]


def test_untrusted_trace_never_queries_private_addresses(lab: Lab, kb: knowledge.Knowledge) -> None:
    settings = _settings(lab)
    request = dnscheck.parse("www.healthy-signed.lab trace", settings.probe, trusted=False)
    assert request.trace and not request.allow_private
    _, trace = dnscheck.probe_and_trace(request, settings)
    assert trace is not None and trace.exchanges == ()
    assert any(f"did not query {A.ROOT}" in note for note in trace.notes)


def test_cli_trace_flag_and_json(lab: Lab) -> None:
    lab.flush()
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stderr=err, environ={"RCODEBOT_ROOT_HINTS": str(lab.root_hints_file)})
    status = main(["dnscheck", "www.child.flaky", "--trace", "--resolver", A.UNBOUND, "--json"], env)
    assert status == ExitStatus.DEGRADED, err.getvalue()  # the lame TLD server: it resolves, but not reliably
    data = json.loads(out.getvalue())
    assert [level["zone"] for level in data["trace"]] == [".", "flaky.", "child.flaky."]
    assert data["trace"][0]["servers"][0]["name"] == "a.root-servers."
    assert [c["id"] for c in data["causes"]] == ["lame_delegation"]
