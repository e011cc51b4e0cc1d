"""The picture of a check (`bot.core.check.graph`) as DOT, laid out and drawn by Graphviz's `dot`.

Graphviz lays it out (the engine DNSViz uses too); nothing here positions a node. Each zone is a cluster, the
root at the top; the state of a node or edge is its colour (green ok, amber warn, red broken, grey info), and the
top cause is a red box with edges to what it is about. The size is bounded: `size` caps the drawing at
`MAX_INCHES` at `DPI`, about 2,000 px on the long side, and Graphviz scales a larger layout down to fit. Every
label comes from DNS data and is escaped by the graphviz package (a name holding `"` or `<` cannot break out).

If the `dot` binary is missing, `render` raises `GraphvizMissing` with one line saying what to install.
"""

from __future__ import annotations

from typing import Literal

from bot.core.check.graph import Graph, Node, State
from bot.core.errors import BotError

Format = Literal["svg", "png"]
DPI = 96
MAX_INCHES = 2000 / DPI
MAX_LABEL = 60

COLOURS: dict[State, tuple[str, str]] = {  # (line, fill)
    "ok": ("#1a7f37", "#e6f4ea"),
    "warn": ("#9a6700", "#fff8c5"),
    "broken": ("#cf222e", "#ffebe9"),
    "info": ("#6e7781", "#f6f8fa"),
}
SHAPES = {
    "zone": "folder",
    "server": "box",
    "ds": "ellipse",
    "dnskey": "ellipse",
    "rrsig": "note",
    "answer": "box3d",
    "cause": "octagon",
}


class GraphvizMissing(BotError):
    fmt = "Drawing needs Graphviz: install it (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)."


def _label(node: Node) -> str:
    lines = [line[:MAX_LABEL] for line in node.label.splitlines()[:6]]
    if node.reason:
        lines.append(node.reason[:MAX_LABEL])
    return "\n".join(lines)


def dot(graph: Graph) -> str:
    """The DOT source of the picture."""
    source: str = _digraph(graph).source
    return source


def _digraph(graph: Graph):  # type: ignore[no-untyped-def]
    import graphviz

    title = f"{graph.name} {graph.rdtype}: {graph.verdict}" + (f" — {graph.cause}" if graph.cause else "")
    g = graphviz.Digraph("check", format="svg")
    g.attr(rankdir="LR", label=title[:200], labelloc="t", fontname="Helvetica", fontsize="16", dpi=str(DPI))
    g.attr(size=f"{MAX_INCHES:.2f},{MAX_INCHES:.2f}", ratio="compress", nodesep="0.25", ranksep="0.45")
    g.attr("node", fontname="Helvetica", fontsize="11", style="filled")
    g.attr("edge", fontname="Helvetica", fontsize="9")
    # DOT ids of their own: the graphviz package reads `a:b` in an edge as node `a`, port `b`.
    ids = {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}
    for n, zone in enumerate(graph.zones):
        with g.subgraph(name=f"cluster_{n}") as sub:
            sub.attr(label=zone, style="rounded", color="#8c959f", fontsize="13")
            for node in graph.nodes:
                if node.zone == zone:
                    _add(sub, ids[node.id], node)
    for node in graph.nodes:
        if node.zone is None or node.zone not in graph.zones:
            _add(g, ids[node.id], node)
    for edge in graph.edges:
        line, _ = COLOURS[edge.state]
        g.edge(
            ids[edge.source],
            ids[edge.target],
            label=edge.label[:40],
            color=line,
            fontcolor=line,
            penwidth="2.5" if edge.state == "broken" else "1.2",
        )
    with g.subgraph(name="cluster_legend") as legend:
        legend.attr(label="Legend", style="dashed", color="#8c959f", fontsize="11")
        for state, meaning in graph.legend:
            line, fill = COLOURS[state]
            legend.node(
                f"legend_{state}", f"{state}: {meaning}"[:MAX_LABEL], shape="box", color=line, fillcolor=fill, fontsize="9"
            )
    return g


def _add(g, dot_id: str, node: Node) -> None:  # type: ignore[no-untyped-def]
    line, fill = COLOURS[node.state]
    g.node(
        dot_id,
        _label(node),
        shape=SHAPES[node.kind],
        color=line,
        fillcolor=fill,
        penwidth="2.5" if node.state == "broken" else "1.2",
    )


def render(graph: Graph, form: Format) -> bytes:
    """The picture as SVG or PNG bytes (runs `dot`)."""
    import graphviz

    try:
        data: bytes = _digraph(graph).pipe(format=form)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing() from None
    return data
