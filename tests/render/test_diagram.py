"""Drawing a check's graph with Graphviz (`bot.render.diagram`): SVG with the expected labels, a valid PNG within
the size bound even for a large zone, escaped labels, and one clear line without Graphviz."""

from __future__ import annotations

import struct

import pytest

from bot.core.check.graph import Edge, Graph, Node
from bot.render import diagram


def big_graph(servers: int = 10, keys: int = 6) -> Graph:
    zones = (".", "lab.", "big.lab.")
    nodes = [Node(f"zone:{z}", "zone", z, "ok", z) for z in zones]
    edges = [Edge("zone:.", "zone:lab."), Edge("zone:lab.", "zone:big.lab.")]
    for n in range(servers):
        state = "broken" if n == 3 else "ok"
        nodes.append(
            Node(
                f"server:{n}", "server", f"ns{n}.big.lab.\n192.0.2.{n}", state, "big.lab.", "lame: REFUSED" if n == 3 else ""
            )
        )
        edges.append(Edge("zone:big.lab.", f"server:{n}", state))
    for n in range(keys):
        nodes.append(
            Node(
                f"dnskey:{n}",
                "dnskey",
                f"DNSKEY {'KSK' if n < 2 else 'ZSK'}\ntag {1000 + n}, ECDSAP256SHA256",
                "ok",
                "big.lab.",
            )
        )
        nodes.append(Node(f"rrsig:{n}", "rrsig", f"RRSIG A answer\nby tag {1000 + n}", "ok", "big.lab."))
        edges.append(Edge(f"dnskey:{n}", f"rrsig:{n}", "ok", "signs"))
    nodes.append(Node("ds:1000:2", "ds", "DS tag 1000\nECDSAP256SHA256, digest 2", "ok", "lab."))
    edges.append(Edge("ds:1000:2", "dnskey:0", "ok", "matches"))
    nodes.append(Node("answer", "answer", 'www.big.lab. A\n192.0.2.10\n<script>"x"&', "ok", "big.lab."))
    nodes.append(Node("cause", "cause", "Top cause\nLame delegation", "warn"))
    edges.append(Edge("cause", "server:3", "broken"))
    return Graph("www.big.lab.", "A", "degraded", zones, tuple(nodes), tuple(edges), cause="Lame delegation")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_svg_holds_the_labels_and_escapes_dns_data() -> None:
    svg = diagram.render(big_graph(), "svg").decode()
    for label in (
        "big.lab.",
        "ns3.big.lab.",
        "lame: REFUSED",
        "DNSKEY KSK",
        "tag 1005",
        "DS tag 1000",
        "Legend",
        "Lame delegation",
    ):
        assert label in svg, label
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_png_is_valid_and_bounded_for_a_large_zone() -> None:
    data = diagram.render(big_graph(servers=10, keys=6), "png")
    width, height = png_size(data)
    assert max(width, height) <= 2000 and min(width, height) >= 200
    assert len(data) < 2_000_000


def test_dot_source_uses_clusters_and_colours() -> None:
    source = diagram.dot(big_graph())
    assert "subgraph cluster_2" in source and "big.lab." in source and diagram.COLOURS["broken"][0] in source


def test_without_graphviz_one_line_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(diagram.GraphvizMissing) as err:
        diagram.render(big_graph(), "png")
    assert "apt-get install graphviz" in str(err.value) and "\n" not in str(err.value)
