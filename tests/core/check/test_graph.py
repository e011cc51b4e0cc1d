"""The picture of a check as data (`bot.core.check.graph`) for every lab scenario, against real DNS servers: the
zones on the path, the servers and their outcomes, the DNSSEC chain, and where it breaks. Data, not pixels; the
rendered SVG and PNG are checked in tests/render/test_diagram.py."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import Environment, ExitStatus, main
from bot.core.check.graph import Graph, path
from bot.core.codes import knowledge
from bot.render import diagram as drawing
from bot.services import dnscheck
from bot.settings import ProbeSettings, Settings
from tests.lab import addresses as A
from tests.lab.lab import SCENARIOS, Lab

pytestmark = pytest.mark.lab
KB = knowledge.load_default()


@pytest.fixture
def fresh(lab: Lab) -> Iterator[Lab]:
    lab.flush()
    yield lab


def graph_of(lab: Lab, scenario_id: str) -> Graph:
    scenario = lab.scenarios[scenario_id]
    probe = ProbeSettings(
        resolvers=scenario.resolvers or lab.resolvers, query_timeout=2.0, deadline=12.0, query_budget=60, port=lab.port
    )
    settings = Settings(probe=probe)
    graph = dnscheck.run(dnscheck.parse(f"{scenario.qname} {scenario.qtype}", probe, trusted=True), settings, KB).graph
    assert graph is not None
    return graph


def test_path_runs_from_the_root_down() -> None:
    assert path("www.example.lab.") == (".", "lab.", "example.lab.", "www.example.lab.")
    assert path(None) == (".",)


@pytest.mark.parametrize("scenario_id", [s.id for s in SCENARIOS])
def test_every_scenario_draws_a_consistent_graph(fresh: Lab, scenario_id: str) -> None:
    graph = graph_of(fresh, scenario_id)
    scenario = fresh.scenarios[scenario_id]
    ids = {n.id for n in graph.nodes}
    assert len(ids) == len(graph.nodes)
    assert all(e.source in ids and e.target in ids for e in graph.edges)
    assert graph.zones[0] == "." and "answer" in ids
    assert Graph.from_json(json.loads(json.dumps(graph.to_json()))) == graph  # a cached check keeps its picture
    if scenario.causes:
        assert graph.cause and "cause" in ids  # the top cause is on the picture
    else:
        assert graph.broken() == [], [getattr(x, "id", x) for x in graph.broken()]
    if scenario.zone and not scenario_id.startswith(("resolver_", "not_implemented")):
        assert graph.zones[-1] == scenario.zone


def test_a_healthy_signed_zone_has_a_whole_chain(fresh: Lab) -> None:
    graph = graph_of(fresh, "healthy_signed")
    ds, keys, sigs = graph.of_kind("ds"), graph.of_kind("dnskey"), graph.of_kind("rrsig")
    assert ds and keys and sigs and all(n.state == "ok" for n in [*ds, *keys, *sigs])
    assert any("KSK" in k.label for k in keys) and all(d.zone == "lab." for d in ds)
    assert any(e.source == ds[0].id and e.target.startswith("dnskey:") and e.label == "matches" for e in graph.edges)
    assert any(e.source.startswith("rrsig:") and e.target == "answer" for e in graph.edges)
    assert all(s.state == "ok" for s in graph.of_kind("server"))


def test_an_unsigned_zone_has_no_chain(fresh: Lab) -> None:
    graph = graph_of(fresh, "healthy_unsigned")
    assert not graph.of_kind("ds") and not graph.of_kind("dnskey") and not graph.of_kind("rrsig")


@pytest.mark.parametrize(
    ("scenario_id", "kind", "reason"),
    [
        ("expired_rrsig", "rrsig", "expired"),
        ("future_rrsig", "rrsig", "not yet valid"),
        ("bad_signature", "rrsig", "bogus"),
        ("ds_mismatch", "ds", "matches no DNSKEY"),
        ("rrsig_missing", "rrsig", "unsigned"),
        ("all_lame", "server", "lame"),
        ("lame", "server", "lame"),
        ("all_ns_silent", "server", "silent"),
        ("one_ns_silent", "server", "silent"),
        ("edns_dropped", "server", ""),
    ],
)
def test_the_broken_link_is_where_the_cause_is(fresh: Lab, scenario_id: str, kind: str, reason: str) -> None:
    graph = graph_of(fresh, scenario_id)
    broken = [n for n in graph.of_kind(kind) if n.state == "broken"]  # type: ignore[arg-type]
    assert broken and any(reason in n.reason for n in broken), [(n.id, n.reason) for n in graph.nodes]
    cause_edges = [e for e in graph.edges if e.source == "cause"]
    assert any(e.target in {n.id for n in broken} for e in cause_edges)
    if kind == "server":
        own = [n for n in graph.of_kind("server") if n.zone == graph.zones[-1]]  # the parent's servers are fine
        assert any(n.state == "ok" for n in own) == (scenario_id in ("lame", "one_ns_silent"))


def test_a_trace_draws_every_level_of_the_walk_and_the_lame_tld_server(fresh: Lab) -> None:
    probe = ProbeSettings(
        resolvers=fresh.resolvers,
        query_timeout=2.0,
        deadline=12.0,
        port=fresh.port,
        root_hints=(("a.root-servers.", A.ROOT),),
    )
    graph = dnscheck.run(dnscheck.parse("www.child.flaky trace", probe, trusted=True), Settings(probe=probe), KB).graph
    assert graph is not None
    assert graph.zones == (".", "flaky.", "child.flaky.")
    by_zone = {z: [n for n in graph.of_kind("server") if n.zone == z] for z in graph.zones}
    assert by_zone["."] and all(n.state == "ok" for n in by_zone["."])  # the root's servers referred the walk down
    (lame,) = [n for n in by_zone["flaky."] if n.state == "broken"]
    assert "127.53.2.1" in lame.label and "REFUSED" in lame.reason
    assert any(n.state == "ok" for n in by_zone["flaky."])  # ns1.flaky. gave the referral
    assert any(e.source == "cause" and e.target == lame.id for e in graph.edges)  # the top cause points at it
    plain = graph_of_text(fresh, "www.child.flaky")
    assert not [n for n in plain.of_kind("server") if n.zone == "."]  # the root's servers: only the walk asks them
    assert {n.id for n in plain.nodes} < {n.id for n in graph.nodes}
    svg = drawing.render(graph, "svg").decode()
    assert "a.root&#45;servers." in svg or "a.root-servers." in svg
    assert "ns2.flaky." in svg and "REFUSED" in svg


def graph_of_text(lab: Lab, text: str) -> Graph:
    probe = ProbeSettings(resolvers=lab.resolvers, query_timeout=2.0, deadline=12.0, port=lab.port)
    graph = dnscheck.run(dnscheck.parse(text, probe, trusted=True), Settings(probe=probe), KB).graph
    assert graph is not None
    return graph


def _cli(cwd: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), Environment(stdin=io.StringIO(), stdout=out, stderr=err, environ={}, cwd=cwd))
    return status, out.getvalue(), err.getvalue()


def test_rcodebot_dnscheck_writes_the_diagram(fresh: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, err = _cli(tmp_path, "dnscheck", "www.expired.lab", "-r", A.UNBOUND, "--diagram", "check.svg")
    assert status == ExitStatus.DNS_FAILURE and "signature expired" in out.lower()
    svg = (tmp_path / "check.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "expired.lab." in svg and "expired: validators reject it" in svg
    assert "diagram written to check.svg" in err
    status, _, _ = _cli(
        tmp_path, "dnscheck", "www.healthy-signed.lab", "-r", A.UNBOUND, "--diagram", str(tmp_path / "ok.png")
    )
    assert status == ExitStatus.OK and (tmp_path / "ok.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    status, out, err = _cli(tmp_path, "dnscheck", "www.healthy-signed.lab", "--diagram", "check.gif")
    assert status == ExitStatus.USAGE and ".svg or .png" in err and out == ""
    monkeypatch.setenv("PATH", "/nonexistent")  # no Graphviz: the check still answers, one line says what to install
    status, out, err = _cli(tmp_path, "dnscheck", "www.healthy-signed.lab", "-r", A.UNBOUND, "--diagram", "x.svg")
    assert status == ExitStatus.CONFIG and out.startswith("OK") and err.count("\n") == 1 and "install graphviz" in err
