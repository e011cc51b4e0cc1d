"""What a pasted DNS tool output says, as immutable values.

One `Paste` holds every tool output found in a message (`dig` run with two names prints two; a `+trace` prints one
section per hop). Every field is optional because real pastes are cut, elided and garbled: a reader that demanded a
complete output would answer nothing for the pastes that need an answer most.

The values are `NamedTuple`s, not frozen dataclasses: they are as immutable and read the same by attribute, and the
reader builds hundreds of them per paste, where a frozen dataclass pays one `object.__setattr__` call per field
(`ToolOutput`, with 37 fields, took about 4.4 µs to build; as a NamedTuple about 1.7 µs, and a `Record` 0.25 µs
instead of 0.6 µs). Being tuples, they also compare equal to a plain tuple of the same values: nothing compares
them with one. A changed copy is `value._replace(field=…)`.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

Tool = Literal["dig", "kdig", "drill", "delv", "host", "nslookup", "nsupdate", "knsupdate", "unknown"]

#: How the output was printed: a full dig-style message, `+short`, `+yaml`, `+trace`, host/nslookup/delv forms,
#: drill's `-S` chase of the chain of trust, kdig's `+json` (RFC 8427), only an error line (a timeout with no
#: banner), or nsupdate's one-line failure (`update`).
Form = Literal["full", "short", "yaml", "trace", "host", "nslookup", "delv", "chase", "json", "error", "update"]

CHASE_KEY_UNLINKED = "trust tree has a key but no chain above it"
"""How a `ToolOutput.warnings` entry starts when drill -S found a zone's DNSKEY but could not link it to
its trust anchor (it then says `No DNSSEC public key(s)`, as it does for an unsigned zone)."""

TRANSFER_FAILED = "transfer failed"
"""The `ToolOutput.warnings` entry for a zone transfer the server answered with an error (dig's `; Transfer
failed.`, or an AXFR/IXFR whose status is not NOERROR in any tool's form)."""

UPDATE_SOA_FAILED = "nsupdate's SOA query failed"
"""The `ToolOutput.warnings` entry for nsupdate's `; Communication with … failed: REFUSED`: before sending an update,
nsupdate asks for the zone's SOA (to find the zone and its primary), and that query was answered with the status
shown: the update itself was never sent."""

HOST_NOTHING = "host printed nothing after its server block"
"""The `ToolOutput.warnings` entry for host's server block with nothing after it. With the name known (its command
line pasted too) the status is NOERROR: host prints nothing when none of the A, AAAA and MX it asks for exists
(NODATA for each). Without it, the status stays unknown: the paste may also have been cut there."""


Retried = Literal["timeout", "refused", "error"]
"""Why the tool tried again before the answer the output shows: an earlier try timed out, was refused (ICMP port
unreachable, TCP reset), or failed otherwise (no route, a malformed reply). Set only on an output that did get an
answer; an output whose every try failed has no answer, and `failed_tries` lists them."""


class Ede(NamedTuple):
    """One Extended DNS Error option (RFC 8914) as the tool printed it.

    `code` is None only when the option was too short to hold one (dig prints `; EDE: 00 (".")`). `purpose` is the
    tool's own name for the code, kept as printed (None when it printed the code bare, as dig does above 24).
    """

    code: int | None
    purpose: str | None = None
    text: str | None = None


class Record(NamedTuple):
    """One resource record line: `name [ttl] [class] type rdata` (+multiline rdata joined on one line)."""

    name: str
    rtype: str
    data: str
    ttl: int | None = None
    rclass: str | None = None

    def to_json(self) -> dict[str, object]:
        """The `--json` shape."""
        return {"name": self.name, "ttl": self.ttl, "class": self.rclass, "type": self.rtype, "data": self.data}


class Edns(NamedTuple):
    """The OPT pseudo-record: EDNS version, flags (`do`) and the advertised UDP payload size."""

    version: int | None = None
    flags: tuple[str, ...] = ()
    udp: int | None = None

    def to_json(self) -> dict[str, object]:
        """The `--json` shape."""
        return {"version": self.version, "flags": list(self.flags), "udp": self.udp}


class Counts(NamedTuple):
    """The header's section counts (`QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1`)."""

    query: int | None = None
    answer: int | None = None
    authority: int | None = None
    additional: int | None = None

    def to_json(self) -> dict[str, object]:
        """The `--json` shape."""
        return {"query": self.query, "answer": self.answer, "authority": self.authority, "additional": self.additional}


class Hop(NamedTuple):
    """One `+trace` step: the records one server returned, and who returned them."""

    records: tuple[Record, ...]
    server: str | None = None
    server_name: str | None = None
    msg_size: int | None = None
    query_time_ms: float | None = None


class ToolOutput(NamedTuple):
    """One response (or one failed attempt) as one DNS tool printed it.

    `status` is the RCODE name exactly as printed (`NOTIMP`, `NOTIMPL`, `RESERVED11`); `rcode` is its number when
    the text or dnspython's table gives it (the explanation maps every spelling through the knowledge file).
    `status` is None when no server answered: then `timeout` or `transport_error` says why.
    `failed_tries` are the tries that got no answer before the one shown (or all of them, when none answered), as
    the tool described each (`timed out`, `connection refused`, `SERVFAIL from 192.0.2.1#53`); `retried` says why the
    tool tried again when an answer did come. `first_status` is the status the server sent first when the tool
    retried by itself on it (dig: `;; BADVERS, retrying with EDNS version 0.`, `;; BADCOOKIE, retrying.`); the
    header shows the retry's status. A retry over TCP after truncation is `retried_tcp`.
    `chase` is drill -S's verdict on the chain of trust: `successful`, `failed`, or `denied` (a chase that proved
    the name or type does not exist, or that the zone is provably unsigned); `chase_error` is drill's first error.
    """

    tool: Tool = "unknown"
    form: Form = "full"
    version: str | None = None
    command: str | None = None
    server: str | None = None
    transport: str | None = None
    qname: str | None = None
    qtype: str | None = None
    qclass: str | None = None
    opcode: str | None = None
    status: str | None = None
    rcode: int | None = None
    id: int | None = None
    flags: tuple[str, ...] = ()
    counts: Counts | None = None
    edns: Edns | None = None
    ede: tuple[Ede, ...] = ()
    cookie: str | None = None
    nsid: str | None = None
    options: tuple[str, ...] = ()
    answer: tuple[Record, ...] = ()
    authority: tuple[Record, ...] = ()
    additional: tuple[Record, ...] = ()
    hops: tuple[Hop, ...] = ()
    query_time_ms: float | None = None
    msg_size: int | None = None
    timeout: bool = False
    transport_error: str | None = None
    delv_verdict: str | None = None
    delv_failure: str | None = None
    chase: str | None = None
    chase_error: str | None = None
    warnings: tuple[str, ...] = ()
    retried_tcp: bool = False
    retried: Retried | None = None
    failed_tries: tuple[str, ...] = ()
    first_status: str | None = None

    @property
    def answered(self) -> bool:
        """Whether a server's response was seen (a status, or records from a form that prints no status)."""
        return self.status is not None or bool(self.answer or self.authority or self.hops)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (used by golden files and `--json`)."""
        return _output_dict(self)


class Paste(NamedTuple):
    """Every tool output read from one message.

    `truncated` is True when the message was longer than the reader reads (Slack's 40,000 characters) and only the
    first part was read; `size` is the length of the whole message.
    """

    outputs: tuple[ToolOutput, ...] = ()
    truncated: bool = False
    size: int = 0
    limit: int = 40_000

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "outputs": [o.to_dict() for o in self.outputs],
            "truncated": self.truncated,
            "size": self.size,
        }


def _output_dict(o: ToolOutput) -> dict[str, Any]:
    return {
        "tool": o.tool,
        "form": o.form,
        "version": o.version,
        "command": o.command,
        "server": o.server,
        "transport": o.transport,
        "qname": o.qname,
        "qtype": o.qtype,
        "qclass": o.qclass,
        "opcode": o.opcode,
        "status": o.status,
        "rcode": o.rcode,
        "id": o.id,
        "flags": list(o.flags),
        "counts": None if o.counts is None else o.counts.to_json(),
        "edns": None if o.edns is None else o.edns.to_json(),
        "ede": [{"code": e.code, "purpose": e.purpose, "text": e.text} for e in o.ede],
        "cookie": o.cookie,
        "nsid": o.nsid,
        "options": list(o.options),
        "answer": [r.to_json() for r in o.answer],
        "authority": [r.to_json() for r in o.authority],
        "additional": [r.to_json() for r in o.additional],
        "hops": [
            {
                "server": h.server,
                "server_name": h.server_name,
                "msg_size": h.msg_size,
                "query_time_ms": h.query_time_ms,
                "records": [r.to_json() for r in h.records],
            }
            for h in o.hops
        ],
        "query_time_ms": o.query_time_ms,
        "msg_size": o.msg_size,
        "timeout": o.timeout,
        "transport_error": o.transport_error,
        "delv_verdict": o.delv_verdict,
        "delv_failure": o.delv_failure,
        "chase": o.chase,
        "chase_error": o.chase_error,
        "warnings": list(o.warnings),
        "retried_tcp": o.retried_tcp,
        "retried": o.retried,
        "failed_tries": list(o.failed_tries),
        "first_status": o.first_status,
    }
