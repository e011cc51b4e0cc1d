"""The picture of a check, as data: zones from the root down, their servers, the DNSSEC chain, the answer.

DNSViz's picture is what on-call people look at first: every zone on the path, its servers, DS -> DNSKEY ->
RRSIG, and the broken link in red. Everything in it is already in a check's `ProbeResult` and `Diagnosis`, so this
module only arranges it: nodes and edges with a state each (`ok`, `warn`, `broken`, `info`) and the reason for a
state that is not ok. No I/O and no Graphviz here: `bot.render.diagram` lays it out with Graphviz.

What is drawn:
- one cluster per zone on the path (the root, each ancestor, the zone), parents above children;
- the servers the check asked for the zone (and, in the parent, the ones that gave the delegation), each with its
  outcome: ok, lame (no AA, or REFUSED), silent (no answer), TCP broken, EDNS broken; with a trace
  (`/dnscheck NAME trace`), every level's servers as the walk from the root found them too;
- the parent's DS records, the zone's DNSKEYs (KSK/ZSK, key tag, algorithm) and the RRSIGs over the DNSKEY RRset
  and the answer, with an edge per link that holds (DS matches the key; the key made the signature) and a broken
  edge or node, with the reason, where the chain breaks (no matching key, expired or bogus signature);
- the answer, or the denial;
- the top cause, named on the graph and marked on the nodes it is about, and a legend.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import dns.dnssec
import dns.exception
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from bot.core.check.diagnosis import Diagnosis
from bot.core.check.observations import Exchange, ProbeResult, Purpose

State = Literal["ok", "warn", "broken", "info"]
Kind = Literal["zone", "server", "ds", "dnskey", "rrsig", "answer", "cause"]

LEGEND: tuple[tuple[State, str], ...] = (
    ("ok", "answers with authority; the link verifies"),
    ("warn", "works for now: partly broken, expiring soon"),
    ("broken", "lame, silent, no matching key, bad signature"),
    ("info", "not checked"),
)
_DNSSEC_CAUSES = ("dnssec_bogus", "signature_expiring", "cds_mismatch", "nsec3_iterations")
_SERVER_CAUSES = ("lame_delegation", "ns_unreachable", "edns_broken", "tcp_broken", "missing_glue", "delegation_mismatch")
_SOON = 3 * 86400


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: Kind
    label: str
    state: State = "ok"
    zone: str | None = None  # the zone's cluster the node sits in
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    state: State = "ok"
    label: str = ""


@dataclass(frozen=True, slots=True)
class Graph:
    """Nodes, edges and the zones on the path (root first); `cause` is the top cause's title, if any."""

    name: str
    rdtype: str
    verdict: str
    zones: tuple[str, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    cause: str | None = None
    legend: tuple[tuple[State, str], ...] = field(default=LEGEND)

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def of_kind(self, kind: Kind) -> list[Node]:
        return [n for n in self.nodes if n.kind == kind]

    def broken(self) -> list[Node | Edge]:
        """Where the picture is red: the nodes and edges whose state is `broken`."""
        return [*(n for n in self.nodes if n.state == "broken"), *(e for e in self.edges if e.state == "broken")]

    def to_json(self) -> dict[str, Any]:
        """The graph as plain JSON data: a cached check (in memory or Redis) keeps its picture with it."""
        return {
            "name": self.name,
            "rdtype": self.rdtype,
            "verdict": self.verdict,
            "zones": list(self.zones),
            "nodes": [[n.id, n.kind, n.label, n.state, n.zone, n.reason] for n in self.nodes],
            "edges": [[e.source, e.target, e.state, e.label] for e in self.edges],
            "cause": self.cause,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Graph:
        """The graph `to_json` wrote (the legend is this version's)."""
        return cls(
            name=str(data["name"]),
            rdtype=str(data["rdtype"]),
            verdict=str(data["verdict"]),
            zones=tuple(str(z) for z in data["zones"]),
            nodes=tuple(Node(i, k, lab, st, z, r) for i, k, lab, st, z, r in data["nodes"]),
            edges=tuple(Edge(src, dst, st, lab) for src, dst, st, lab in data["edges"]),
            cause=data.get("cause"),
        )


def path(zone: str | None) -> tuple[str, ...]:
    """`.`, `lab.`, `example.lab.` for `example.lab.`: the zones from the root down."""
    if not zone:
        return (".",)
    name = dns.name.from_text(zone)
    out = []
    while True:
        out.append(name.to_text())
        if name == dns.name.root:
            break
        name = name.parent()
    return tuple(reversed(out))


class _Builder:
    def __init__(self, result: ProbeResult, diagnosis: Diagnosis) -> None:
        self.r = result
        self.d = diagnosis
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.top = diagnosis.causes[0] if diagnosis.causes else None

    def add(self, node: Node) -> str:
        self.nodes.setdefault(node.id, node)
        return node.id

    def link(self, source: str, target: str, state: State = "ok", label: str = "") -> None:
        if source in self.nodes and target in self.nodes:
            self.edges.append(Edge(source, target, state, label))

    # ----------------------------------------------------------------------------------------------- build

    def build(self) -> Graph:
        zones = path(self.d.zone)
        walked = [level.zone for level in self.d.trace or () if level.zone not in zones]
        zones = tuple(sorted((*zones, *dict.fromkeys(walked)), key=lambda z: len(dns.name.from_text(z))))
        for zone in zones:
            self.add(Node(f"zone:{zone}", "zone", zone, "ok", zone))
        for parent, child in itertools.pairwise(zones):
            self.link(f"zone:{parent}", f"zone:{child}", "ok", "delegates")
        zone = path(self.d.zone)[-1]  # the zone itself (a walk never ends above it)
        self._servers(zone)
        self._parent_servers(zone)
        self._trace()
        self._dnssec(zone)
        self._answer(zone)
        self._cause(zone)
        return Graph(
            name=self.d.name,
            rdtype=self.d.rdtype,
            verdict=self.d.verdict,
            zones=zones,
            nodes=tuple(self.nodes.values()),
            edges=tuple(self.edges),
            cause=self.top.title if self.top is not None else None,
        )

    def _servers(self, zone: str) -> None:
        tcp = {e.ask.server: e for e in self.r.by_purpose(Purpose.AUTH_SOA_TCP)}
        for view in self.d.nameservers:
            state: State
            reason = ""
            if view.rcode is None:
                state, reason = "broken", f"silent: {view.error or 'no answer'}"
            elif view.rcode == "REFUSED" or not view.aa:
                state, reason = "broken", f"lame: {view.rcode}{'' if view.aa else ', no AA'}"
            elif view.edns == "broken":
                state, reason = "broken", "EDNS broken: answers only without EDNS"
            else:
                state = "ok"
            over_tcp = tcp.get(view.address)
            if state == "ok" and over_tcp is not None and not over_tcp.answered:
                state, reason = "warn", f"TCP broken: {over_tcp.outcome}"
            label = f"{view.name}\n{view.address}"
            if view.ms is not None and state == "ok":
                label += f"\n{view.rcode}, {view.ms:.0f} ms"
            node = self.add(Node(f"server:{zone}:{view.address}", "server", label, state, zone, reason))
            self.link(f"zone:{zone}", node, state, "" if state == "ok" else reason.split(":")[0])

    def _parent_servers(self, zone: str) -> None:
        parent = self.d.parent
        if not parent or f"zone:{parent}" not in self.nodes:
            return
        for e in self.r.by_purpose(Purpose.REFERRAL):
            state: State = "ok" if e.answered and e.rcode == dns.rcode.NOERROR else "broken"
            reason = "" if state == "ok" else f"delegation not given: {e.rcode_text}"
            label = f"{e.ask.server_name or e.ask.server}\n{e.ask.server}"
            self.add(Node(f"server:{parent}:{e.ask.server}", "server", label, state, parent, reason))
            self.link(f"zone:{parent}", f"server:{parent}:{e.ask.server}", state)

    def _trace(self) -> None:
        """Each level of the walk from the root: its servers, and what each said (a server the check itself
        asked keeps the check's node: it saw more of it)."""
        for level in self.d.trace or ():
            for s in level.servers:
                state: State
                if s.kind in ("referral", "answer", "nodata", "nxdomain"):
                    state, reason = "ok", ""
                elif s.kind == "lame":
                    state, reason = "broken", f"lame: {s.rcode}{'' if s.aa else ', no AA'}"
                elif s.kind in ("skipped", "not asked"):
                    state, reason = "info", s.kind + (f": {s.error}" if s.error else "")
                else:
                    state, reason = "broken", f"silent: {s.kind}"
                label = f"{s.name}\n{s.address}".rstrip()
                if state == "ok" and s.rcode:
                    label += f"\n{s.kind}" + (f", {s.ms:.0f} ms" if s.ms is not None else "")
                node_id = f"server:{level.zone}:{s.address or s.name}"
                if node_id in self.nodes:
                    continue
                self.add(Node(node_id, "server", label, state, level.zone, reason))
                self.link(f"zone:{level.zone}", node_id, state, "" if state == "ok" else reason.split(":")[0])

    # --------------------------------------------------------------------------------------------- DNSSEC

    def _first(
        self, purpose: Purpose, section: str, owner: str, rdtype: str
    ) -> tuple[Exchange | None, dns.rrset.RRset | None]:
        for e in self.r.by_purpose(purpose):
            if e.answered and e.rcode == dns.rcode.NOERROR:
                found = e.rrset(section, owner, rdtype)
                if found is not None:
                    return e, found
        return None, None

    def _dnssec(self, zone: str) -> None:
        parent = self.d.parent or (path(zone)[-2] if len(path(zone)) > 1 else None)
        _, ds = self._first(Purpose.PARENT_DS, "answer", zone, "DS")
        if ds is None:
            for e in self.r.by_purpose(Purpose.REFERRAL):
                ds = e.rrset("authority", zone, "DS") if e.answered else None
                if ds is not None:
                    break
        key_e, dnskey = self._first(Purpose.AUTH_DNSKEY, "answer", zone, "DNSKEY")
        if ds is None and dnskey is None:
            return
        origin = dns.name.from_text(zone)
        keys = list(dnskey or ())
        key_ids: dict[int, str] = {}
        for key in keys:
            tag = dns.dnssec.key_id(key)
            role = "KSK" if key.flags & 0x0001 else "ZSK"
            alg = dns.dnssec.algorithm_to_text(key.algorithm)
            key_ids[tag] = self.add(Node(f"dnskey:{tag}", "dnskey", f"DNSKEY {role}\ntag {tag}, {alg}", "ok", zone))
        for d in ds or ():
            ds_id = f"ds:{d.key_tag}:{d.digest_type}"
            matched = None
            for key in keys:
                if dns.dnssec.key_id(key) != d.key_tag or key.algorithm != d.algorithm:
                    continue
                try:
                    if dns.dnssec.make_ds(origin, key, d.digest_type) == d:
                        matched = key_ids[d.key_tag]
                except (dns.exception.DNSException, ValueError):
                    continue
            state: State = "ok" if matched else "broken"
            reason = (
                ""
                if matched
                else f"matches no DNSKEY of {zone} (the zone serves tags {', '.join(map(str, key_ids)) or 'none'})"
            )
            alg = dns.dnssec.algorithm_to_text(d.algorithm)
            self.add(Node(ds_id, "ds", f"DS tag {d.key_tag}\n{alg}, digest {d.digest_type}", state, parent, reason))
            if matched:
                self.link(ds_id, matched, "ok", "matches")
        keyring = {origin: dnskey} if dnskey is not None else {}
        signed: list[tuple[str, Exchange, dns.rrset.RRset]] = []
        if key_e is not None and dnskey is not None:
            signed.append(("DNSKEY", key_e, dnskey))
        answer_e, answer = self._first(Purpose.AUTH_ANSWER, "answer", self.d.name, self.d.rdtype)
        if answer_e is not None and answer is not None:
            signed.append((f"{self.d.rdtype} answer", answer_e, answer))
        for what, e, rrset in signed:
            sigs = e.signatures("answer", rrset.name.to_text(), dns.rdatatype.to_text(rrset.rdtype))
            if sigs is None:
                if keys:
                    node = self.add(
                        Node(
                            f"rrsig:{what}:none",
                            "rrsig",
                            f"no RRSIG\nover {what}",
                            "broken",
                            zone,
                            "unsigned in a signed zone",
                        )
                    )
                    self.link(f"zone:{zone}", node, "broken")
                continue
            for sig in sigs:
                state, reason = self._verify(rrset, sig, keyring)
                node = self.add(
                    Node(f"rrsig:{what}:{sig.key_tag}", "rrsig", f"RRSIG {what}\nby tag {sig.key_tag}", state, zone, reason)
                )
                signer = key_ids.get(sig.key_tag)
                if signer is not None:
                    self.link(
                        signer,
                        node,
                        "ok" if state != "broken" else "broken",
                        "signs" if state != "broken" else reason.split(":")[0],
                    )
                else:
                    self.nodes[node] = Node(
                        node,
                        "rrsig",
                        f"RRSIG {what}\nby tag {sig.key_tag}",
                        "broken",
                        zone,
                        f"no DNSKEY with tag {sig.key_tag}",
                    )

    def _verify(
        self, rrset: dns.rrset.RRset, sig: object, keyring: dict[dns.name.Name, dns.rrset.RRset]
    ) -> tuple[State, str]:
        now = self.r.now
        expiration, inception = getattr(sig, "expiration", 0), getattr(sig, "inception", 0)
        if now and expiration < now:
            return "broken", "expired: validators reject it"
        if now and inception > now:
            return "broken", "not yet valid: its inception is in the future"
        try:
            dns.dnssec.validate_rrsig(rrset, sig, keyring, now=now or None)  # type: ignore[arg-type]
        except dns.exception.ValidationFailure:
            return "broken", "bogus: does not verify with the key"
        except (dns.exception.DNSException, ValueError, TypeError):
            return "info", "not checked: unsupported algorithm"
        if now and expiration - now < _SOON:
            return "warn", f"expires in {(expiration - now) / 3600:.0f} h"
        return "ok", ""

    # ---------------------------------------------------------------------------------------- answer, cause

    def _answer(self, zone: str) -> None:
        verdict = self.d.verdict
        if self.d.answer:
            label = "\n".join(self.d.answer[:4]) + ("\n…" if len(self.d.answer) > 4 else "")
        else:
            label = {"nxdomain": "NXDOMAIN: the name does not exist", "nodata": f"NODATA: no {self.d.rdtype}"}.get(
                verdict, f"{verdict.upper()}: no answer"
            )
        state: State = "ok" if verdict in ("ok", "nxdomain", "nodata") else "warn" if verdict == "degraded" else "broken"
        node = self.add(Node("answer", "answer", f"{self.d.name} {self.d.rdtype}\n{label}", state, zone))
        self.link(f"zone:{zone}", node, state, "answers")
        for rrsig in [n for n in self.nodes.values() if n.kind == "rrsig" and "answer" in n.label]:
            self.link(rrsig.id, node, rrsig.state, "covers")

    def _cause(self, zone: str) -> None:
        if self.top is None:
            return
        cause = self.add(
            Node("cause", "cause", f"Top cause\n{self.top.title}", "broken" if self.top.explains else "warn", None)
        )
        related: Iterable[Node] = ()
        if self.top.id in _DNSSEC_CAUSES:
            related = [n for n in self.nodes.values() if n.kind in ("ds", "dnskey", "rrsig") and n.state != "ok"]
        elif self.top.id in _SERVER_CAUSES:
            related = [n for n in self.nodes.values() if n.kind == "server" and n.state != "ok"]
        for node in related:
            self.link(cause, node.id, "broken" if node.state == "broken" else "warn")
        if not related:
            self.link(cause, "answer", "broken" if self.top.explains else "warn")


def build(result: ProbeResult, diagnosis: Diagnosis) -> Graph:
    """The graph of one check."""
    return _Builder(result, diagnosis).build()
