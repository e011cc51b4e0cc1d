"""`Draft`: one output while its lines arrive (mutable), and `build()`, which freezes it into a `ToolOutput`.

`build` is where what the lines left implicit is settled: the name and type from the command line when the output
printed no question, NOERROR for host/nslookup/delv/+short answers (they print records only then), a timeout told
apart from other transport failures, and the `+trace` hops.
"""

from __future__ import annotations

import math

from bot.core.paste import fields
from bot.core.paste import patterns as P
from bot.core.paste.model import (
    CHASE_KEY_UNLINKED,
    HOST_NOTHING,
    TRANSFER_FAILED,
    Counts,
    Ede,
    Edns,
    Form,
    Hop,
    Record,
    Retried,
    Tool,
    ToolOutput,
)


class Draft:
    """One output being read (mutable while lines arrive; `build` freezes it)."""

    __slots__ = (
        "_cmd",
        "_cmd_args",
        "additional",
        "answer",
        "attempt_errors",
        "authority",
        "chase",
        "chase_error",
        "chase_key",
        "command",
        "cookie",
        "counts",
        "delv_failure",
        "delv_verdict",
        "ede",
        "edns",
        "fetched",
        "finished",
        "first_status",
        "flags",
        "form",
        "has_banner",
        "has_header",
        "hop_records",
        "hops",
        "host_server",
        "id",
        "knsupdate",
        "msg_size",
        "nsid",
        "nsl_name",
        "nsl_soa",
        "nsl_state",
        "opcode",
        "options",
        "qclass",
        "qname",
        "qtype",
        "query_time_ms",
        "rcode",
        "retried_tcp",
        "section",
        "sectioned",
        "sending",
        "server",
        "status",
        "timeout_line",
        "tool",
        "transport",
        "transport_error",
        "version",
        "warnings",
        "yaml_edns",
        "yaml_error",
    )

    def __init__(self, tool: Tool = "unknown", form: Form = "full") -> None:
        self.tool: Tool = tool
        self.form: Form = form
        self.version: str | None = None
        self.command: str | None = None
        self._cmd: fields.Command | None = None
        self._cmd_args: tuple[Tool, str] | None = None  # a command line not read yet (see `cmd`)
        self.server: str | None = None
        self.transport: str | None = None
        self.qname: str | None = None
        self.qtype: str | None = None
        self.qclass: str | None = None
        self.opcode: str | None = None
        self.status: str | None = None
        self.rcode: int | None = None
        self.id: int | None = None
        self.flags: tuple[str, ...] = ()
        self.counts: Counts | None = None
        self.edns: Edns | None = None
        self.ede: list[Ede] = []
        self.cookie: str | None = None
        self.nsid: str | None = None
        self.options: list[str] = []
        self.answer: list[Record] = []
        self.authority: list[Record] = []
        self.additional: list[Record] = []
        self.hops: list[Hop] = []
        self.hop_records: list[Record] = []
        self.query_time_ms: float | None = None
        self.msg_size: int | None = None
        self.attempt_errors: list[str] = []
        self.timeout_line = False
        self.transport_error: str | None = None
        self.delv_verdict: str | None = None
        self.delv_failure: str | None = None
        self.chase: str | None = None
        self.chase_error: str | None = None
        self.chase_key: str | None = None
        self.fetched = False
        self.warnings: list[str] = []
        self.retried_tcp = False
        self.first_status: str | None = None
        self.knsupdate = False  # knsupdate's `;; ERROR: update failed with error …` read; its header may follow
        self.has_banner = False
        self.host_server = False  # host's `Using domain server:` block was read (it prints no status line)
        self.has_header = False
        self.finished = False
        self.section: str | None = None
        self.sectioned = False
        self.nsl_state: str | None = None
        self.nsl_name: str | None = None
        self.nsl_soa: list[str] | None = None
        self.yaml_edns = False
        self.yaml_error = False
        self.sending = False

    def has_body(self) -> bool:
        """Whether anything of a response (or of a failure) has been read into this output."""
        return bool(
            self.has_header
            or self.ede
            or self.flags
            or self.edns is not None
            or self.status is not None
            or self.answer
            or self.authority
            or self.additional
            or self.hops
            or self.hop_records
            or self.delv_verdict
            or self.delv_failure
            or self.chase
            or self.timeout_line
            or self.attempt_errors
            or self.transport_error
            or self.finished
        )

    def only_errors(self) -> bool:
        """Whether all that was read so far is failed attempts (what dig 9.18 prints before its banner)."""
        return (
            bool(self.attempt_errors)
            and not self.has_banner
            and not self.finished
            and not self.has_header
            and (self.status is None and not self.answer and not self.timeout_line)
        )

    def is_query(self) -> bool:
        """Whether this is a query the tool printed before sending it (dig/kdig `+qr`, drill `-V 5`), not a response.

        A query has no `qr` flag, status NOERROR and no records; dig also says `Sending:`.
        """
        if self.sending:
            return True
        return (
            self.has_header
            and bool(self.flags)
            and "qr" not in self.flags
            and self.status in (None, "NOERROR")
            and not (self.answer or self.authority or self.ede)
        )

    def add_record(self, record: Record) -> None:
        # `Machine.record_line` does the same inline.
        if self.form == "trace":
            self.hop_records.append(record)
        elif self.section == "authority" or self.form == "chase":
            # drill -S prints the records of its trust tree as evidence, not as the answer.
            self.authority.append(record)
        elif self.section == "additional":
            self.additional.append(record)
        else:
            self.answer.append(record)

    @property
    def cmd(self) -> fields.Command | None:
        """The command line read (`apply_command`), parsed on first use: most outputs print the question, server and
        class themselves, so the command line is needed only for the forms that do not (its parse costs about as
        much as three ordinary lines)."""
        if self._cmd_args is not None:
            self._cmd = fields.parse_command(*self._cmd_args)
            self._cmd_args = None
        return self._cmd

    def has_command(self) -> bool:
        """Whether a command line was read (without parsing it)."""
        return self._cmd is not None or self._cmd_args is not None

    def command_tool(self) -> Tool | None:
        """The tool the command line ran (without parsing it)."""
        if self._cmd_args is not None:
            return self._cmd_args[0]
        return self._cmd.tool if self._cmd is not None else None

    def inherit_command(self, other: Draft) -> None:
        """Take `other`'s banner values: its tool, version and command line (parsed or not)."""
        self.tool, self.version, self.command = other.tool, other.version, other.command
        self._cmd, self._cmd_args = other._cmd, other._cmd_args

    def apply_command(self, tool: Tool, args: str) -> None:
        self.command = f"{tool} {args}".strip()
        lowered = args.lower() if "+" in args else ""  # without a `+`, no `+` option (the one memchr most need)
        if not ("+trace" in lowered or "+short" in lowered or "+yaml" in lowered or (tool == "drill" and "-T" in args)):
            # No option that sets the form can be in it (each is one of its words, lower-cased; drill's `-T` is
            # `+trace`): the parse waits until a value is wanted from it.
            self._cmd, self._cmd_args = None, (tool, args)
            return
        cmd = fields.parse_command(tool, args)
        self._cmd, self._cmd_args = cmd, None
        if "+trace" in cmd.options:
            self.form = "trace"
        elif "+short" in cmd.options and self.form == "full":
            self.form = "short"
        elif "+yaml" in cmd.options:
            self.form = "yaml"

    def build(self) -> ToolOutput:
        # Runs once per output: the common case (a dig-style response that printed its question, server and status)
        # takes the shortest path, and the command line is parsed only when a value has to come from it.
        tool = self.tool
        if tool == "unknown":
            if self.has_banner or (not self.has_command() and self.hops):
                tool = "dig"
            else:
                tool = self.command_tool() or tool
        hop_records = self.hop_records
        if self.hops or hop_records:
            hops = list(self.hops)
            if hop_records:
                hops.append(Hop(tuple(hop_records)))
        else:
            hops = []
        qname = self.qname
        if not qname:
            cmd = self.cmd
            qname = cmd.qname if cmd else None
        qtype = self.qtype
        if not qtype:
            cmd = self.cmd
            qtype = cmd.qtype if cmd else None
        answer, authority, additional = self.answer, self.authority, self.additional
        if answer and not self.sectioned:
            if qname and not (authority or additional or hop_records or self.hops):
                if tool in ("dig", "kdig", "drill", "unknown") and self.form == "full":
                    # `+nocomments`, `+noall +answer +authority`: the sections follow one another without their names.
                    answer, authority, additional = split_sections(qname, answer)
            if qname is None and not (authority or additional) and is_denial(answer):
                # `+noall +answer +authority +dnssec` of a negative answer: an SOA with the NSEC/NSEC3 that deny the
                # name or type. No query returns those together as its answer, so they are the authority section.
                answer, authority = [], answer
        if qname is None and answer:
            # delv and `+noall +answer` print no question: the first answer's owner is the name asked.
            qname = answer[0].name or None
            if qtype is None and len({r.rtype for r in answer if r.rtype not in ("RRSIG", "CNAME", "DNAME")}) == 1:
                qtype = next(r.rtype for r in answer if r.rtype not in ("RRSIG", "CNAME", "DNAME"))
        form = self.form
        if hops:
            form = "trace"
            if not answer:
                last = hops[-1].records
                wanted = (qname or "").rstrip(".").lower()
                answer = [
                    r
                    for r in last
                    if r.name.rstrip(".").lower() == wanted and r.rtype not in ("NS", "DS", "RRSIG", "NSEC", "NSEC3")
                ]
                authority = [r for r in last if r not in answer]
                if answer and qtype is None:
                    qtype = answer[0].rtype
        status, rcode = self.status, self.rcode
        if status is not None and rcode is None:
            rcode = fields.rcode_number(status)
        errors = self.attempt_errors
        host_nothing = (
            tool == "host"
            and self.host_server
            and status is None
            and not (answer or authority or errors or self.timeout_line or self.transport_error)
        )
        if host_nothing and qname:
            # host prints nothing after its server block when none of A, AAAA and MX exists for the name: each of
            # its three queries was NODATA (a failure or NXDOMAIN prints `Host … not found`, a timeout its own line).
            status, rcode = "NOERROR", 0
        # host, nslookup, delv and +short print records only for a NOERROR response.
        if status is None and answer and ((not self.has_header and tool in ("host", "nslookup", "delv")) or form == "short"):
            status, rcode = "NOERROR", 0
        timeout = False
        retried: Retried | None = None
        transport_error = self.transport_error
        warnings = self.warnings
        if host_nothing:
            warnings = [*warnings, HOST_NOTHING]
        if (
            (qtype == "AXFR" or qtype == "IXFR")
            and fields.failed_transfer(qtype, status)
            and TRANSFER_FAILED not in warnings
        ):
            warnings = [*warnings, TRANSFER_FAILED]  # kdig's `;; ERROR: server replied with error 'NOTAUTH'` for an AXFR
        if status is None and not hops and not answer:
            timeout = self.timeout_line or any(any(w in e for w in P.TIMEOUT_WORDS) for e in errors)
            if transport_error is None:
                other = [e for e in errors if not any(w in e for w in P.TIMEOUT_WORDS)]
                transport_error = other[-1] if other else ("timed out" if timeout else None)
        elif errors:
            # An answer came after failed tries: the tool tried again (dig +tries, host -R, nslookup -retry, kdig
            # +retry), or the next server of its list answered.
            warnings = [f"earlier attempt failed: {e}" for e in dict.fromkeys(errors)] + warnings
            retried = retry_reason(errors)
        if form == "full" and not self.has_header and status is None and (timeout or transport_error):
            form = "error"
        if self.chase == "failed" and self.chase_key and P.NO_PUBLIC_KEY in (self.chase_error or ""):
            # drill says `No DNSSEC public key(s)` for an unsigned zone (an empty tree) and for a zone whose keys it
            # found but could not link to the trust anchor (a DS matching no key): only the tree tells them apart.
            warnings = [*warnings, f"{CHASE_KEY_UNLINKED}: {self.chase_key}"]
        server = self.server
        if not server:
            cmd = self.cmd
            server = cmd.server if cmd else None
        qclass = self.qclass
        if not qclass:
            cmd = self.cmd
            qclass = cmd.qclass if cmd else None
        # In ToolOutput's field order, built from a tuple (naming 37 arguments costs 6x as much, passing them
        # positionally 3.5x); most of the lists are empty, and `()` needs no call. The golden files check the order.
        return _new(
            ToolOutput,
            (
                tool,
                form,
                self.version,
                self.command,
                server,
                self.transport,
                qname,
                qtype,
                qclass,
                self.opcode,
                status,
                rcode,
                self.id,
                self.flags,
                self.counts,
                self.edns,
                tuple(self.ede) if self.ede else (),
                self.cookie,
                self.nsid,
                tuple(self.options) if self.options else (),
                tuple(answer) if answer else (),
                tuple(authority) if authority else (),
                tuple(additional) if additional else (),
                tuple(hops) if hops else (),
                self.query_time_ms,
                self.msg_size,
                timeout,
                transport_error,
                self.delv_verdict,
                self.delv_failure,
                self.chase,
                self.chase_error,
                tuple(warnings) if warnings else (),
                self.retried_tcp,
                retried,
                tuple(errors) if errors else (),
                self.first_status,
            ),
        )


_new = tuple.__new__


def retry_reason(errors: list[str]) -> Retried:
    """Why the tool tried again: a timeout outweighs a refusal (a resolver still working on the answer is the common
    reason for both in one paste), a refusal any other error."""
    if any(any(w in e for w in P.TIMEOUT_WORDS) for e in errors):
        return "timeout"
    if any("refused" in e.lower() for e in errors):
        return "refused"
    return "error"


_AUTHORITY_TYPES = frozenset({"SOA", "NS", "DS", "NSEC", "NSEC3", "RRSIG"})


def _bare(name: str) -> str:
    return name.rstrip(".").lower()


def _at_or_below(name: str, zone: str) -> bool:
    return not zone or name == zone or name.endswith("." + zone)


def split_sections(qname: str, records: list[Record]) -> tuple[list[Record], list[Record], list[Record]]:
    """Records printed without section names, told apart: the answer is the run owned by the name asked (or by the
    CNAME/DNAME targets it leads to); an SOA or NS of a zone above the name that follows starts the authority
    section (a negative answer or a referral); the addresses after it are additional. Anything else stays an answer
    (`+noall +answer` with two names prints two answers)."""
    owners = {_bare(qname)}
    wanted = _bare(qname)
    cut = len(records)
    for i, r in enumerate(records):
        owner = _bare(r.name)
        if owner in owners or (r.rtype == "DNAME" and _at_or_below(wanted, owner)):
            if r.rtype == "CNAME" and r.data:
                owners.add(_bare(r.data.split()[0]))
            continue
        cut = i
        break
    rest = records[cut:]
    if not rest or rest[0].rtype not in ("SOA", "NS") or not _at_or_below(wanted, _bare(rest[0].name)):
        return records, [], []
    end = next((i for i, r in enumerate(rest) if r.rtype not in _AUTHORITY_TYPES), len(rest))
    return records[:cut], rest[:end], rest[end:]


_DENIAL_TYPES = frozenset({"SOA", "NSEC", "NSEC3", "RRSIG"})


def is_denial(records: list[Record]) -> bool:
    """Whether these records are a signed negative answer's authority: the zone's SOA and the NSEC/NSEC3 records that
    deny the name or type (with their RRSIGs), and nothing else. An SOA alone stays ambiguous (`zone. SOA` answers
    with one too)."""
    types = {r.rtype for r in records}
    return types <= _DENIAL_TYPES and "SOA" in types and bool(types & {"NSEC", "NSEC3"})


def as_number(text: str | None) -> float | None:
    """A measurement (`12`, `0.8`): finite and of a sane length, else None (`nan`, `inf`, `1e999` and a
    40,000-digit run are not times any tool printed, and NaN would make the JSON output invalid)."""
    if text is None or len(text) > fields.MAX_DIGITS:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def split_transport(server: str | None, transport: str | None) -> tuple[str | None, str | None]:
    """kdig names a server `127.0.0.1@53(UDP)`: the address and the transport apart."""
    if server and server.endswith(")") and "(" in server:
        address, _, proto = server[:-1].partition("(")
        return address, transport or proto
    return server, transport


def as_int(text: str | None) -> int | None:
    if text is None:
        return None
    return fields.decimal(text.strip().rstrip("bB"))


def short_record(value: str, name: str | None) -> Record:
    """One `+short` value; its type is guessed from its shape (dig prints none)."""
    if ":" in value and not value.startswith('"'):
        rtype = "AAAA"
    elif value[0].isdigit() and value.replace(".", "").isdigit():
        rtype = "A"
    elif value.startswith('"'):
        rtype = "TXT"
    elif " " in value:
        rtype = "MX"
    else:
        rtype = "CNAME"
    return Record(name=name or "", rtype=rtype, data=value)


def short_output(lines: list[str]) -> ToolOutput:
    """`dig +short` prints only rdata, one value a line: read it as answers of unknown name and type."""
    return ToolOutput(
        tool="dig", form="short", status="NOERROR", rcode=0, answer=tuple(short_record(v, None) for v in lines)
    )
