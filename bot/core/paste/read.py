"""Read pasted dig, kdig, drill, delv, host and nslookup output: a line-by-line state machine.

Each line is recognised by its label (the first word after the `;`s, or a host/nslookup phrase), never by its
position, so cut, reordered, re-indented or garbled pastes still yield what can be read. The machine keeps one
output open at a time and starts the next when a line can only belong to a new one (a second banner, a second
header, a `Server:` block after answers, a yaml `- type: MESSAGE`). Nothing here raises on any input.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.paste import fields
from bot.core.paste.model import Counts, Ede, Edns, Form, Hop, Paste, Record, Tool, ToolOutput

MAX_CHARS = 40_000
"""Slack's limit for one message: the reader reads at most this much of a paste."""

_MAX_MULTILINE = 60
_SMART = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u200b": "", "\ufeff": ""}
)
_HEADER = re.compile(
    r"->>HEADER<<-\s*opcode:\s*(?P<op>[\w-]+)\s*[,;]\s*(?P<label>status|rcode):\s*(?P<st>[\w-]+)(?:\s*[,;]\s*id:\s*(?P<id>\d+))?"
)
_COUNT = re.compile(r"\b(QUERY|ZONE|ANSWER|PREREQ|AUTHORITY|UPDATE|ADDITIONAL):\s*(\d+)")
_EDNS_DIG = re.compile(r"version:?\s*(?P<v>\d+)\s*[,;]\s*flags:(?P<f>[^;]*);(?P<rest>.*)")
_UDP = re.compile(r"udp:\s*(\d+)", re.IGNORECASE)
_KDIG_EDNS = re.compile(r"Version:\s*(?P<v>\d+);\s*flags:(?P<f>[^;]*);\s*UDP size:\s*(?P<udp>\d+)")
_QUESTION = re.compile(
    r"^;{1,2}\s*(?P<name>\S+)[ \t]+(?:(?P<cls>IN|CH|CHAOS|HS|CS|ANY|NONE|CLASS\d+)[ \t]+)?(?P<type>[A-Z][A-Z0-9-]*|TYPE\d+)[ \t]*$"
)
_QUESTION_DIG8 = re.compile(r"^;;\s+(?P<name>\S+?),\s*type = (?P<type>\S+),\s*class = (?P<cls>\S+)")
_SERVER = re.compile(r"SERVER:\s*(?P<srv>[^\s(]+)(?:\([^)]*\))?(?:\s*\((?P<tr>[A-Z]+)\))?")
_QUERY_TIME = re.compile(r"[Qq]uery time:\s*(?P<ms>[\d.]+)\s*(?:msec|ms)")
_MSG_SIZE = re.compile(r"MSG SIZE\s+(?:sent:\s*\d+\s+)?rcvd:\s*(?P<n>\d+)")
_KDIG_RECEIVED = re.compile(r"^Received (?P<n>\d+) B$")
_TRACE_RECEIVED = re.compile(
    r"^Received (?P<n>\d+) bytes from (?P<srv>[^\s(]+)(?:\((?P<name>[^)]*)\))? in (?P<ms>[\d.]+) ms"
)
_KDIG_FROM = re.compile(r"^From (?P<srv>\S+?)\((?P<tr>[A-Z]+)\) in (?P<ms>[\d.]+) ms")
_COMM_ERROR = re.compile(r"^communications error(?: to (?P<srv>\S+?))?:\s*(?P<err>.*)$")
_SETUP_FAILED = re.compile(r"^(?:UDP setup|Connection) (?:with|to) (?P<srv>\S+) for \S+ failed: (?P<err>.*?)\.?$")
_KDIG_TIMEOUT = re.compile(r"^WARNING: response timeout for (?P<srv>\S+)")
_KDIG_CONNECT = re.compile(
    r"^WARNING: (?P<err>can't connect|connection reset|failed to connect|network is unreachable)[^\n]*?(?: to (?P<srv>\S+))?$"
)
_KDIG_FAILED = re.compile(r"^ERROR: failed to query server (?P<srv>\S+)")
_DELV_VERDICT = re.compile(
    r"^;\s*(?P<v>(?:negative response, )?(?:fully validated|unsigned answer|answer not validated|signed answer, pending validation|"
    r"pending validation|insecure(?: answer)?))\s*$"
)
_DELV_RESOLVING = re.compile(
    r"^(?P<why>.*?)\s*resolving '(?P<name>[^'/]+)/(?P<type>[^'/]+)/(?P<cls>[^'/]+)'(?::\s*(?P<srv>\S+))?"
)
_DELV_NEGATIVE = re.compile(
    r"^;\s*(?P<name>\S+)\s+(?:\d+\s+)?(?:(?:IN|CH|HS)\s+)?\\-(?P<type>\S+)\s+;-\$(?P<kind>NXDOMAIN|NXRRSET)"
)
_HOST_LINE = re.compile(
    r"^(?P<name>\S+) (?:(?P<a>has address) |(?P<aaaa>has IPv6 address) |(?P<mx>mail is handled by) |(?P<cname>is an alias for) |"
    r"(?P<ptr>domain name pointer) |(?P<txt>descriptive text) |(?P<ns>name server) |has no (?P<none>\S+) record$|"
    r"has (?P<other>[A-Z][A-Z0-9]*) record )(?P<data>.*)$"
)
_HOST_NOT_FOUND = re.compile(r"^Host (?P<name>\S+?) not found: (?:(?P<num>\d+)\((?P<st>\w+)\)|(?P<other>.*))$")
_NSL_PAIR = re.compile(
    r"^(?P<name>\S+)\s+(?P<key>canonical name|mail exchanger|text|nameserver|name|has AAAA address|AAAA address|internet address|"
    r"service)\s*=\s*(?P<data>.*)$"
)
_NSL_CANT = re.compile(r"^\*\* server can't find (?P<name>\S+?):\s*(?P<st>.*)$")
_NSL_NO_ANSWER = re.compile(r"^\*\*\* Can't find (?P<name>\S+?):\s*No answer")
_NSL_WINDOWS = re.compile(r"^\*\*\* (?P<srv>\S+) can't find (?P<name>\S+?):\s*(?P<why>.*)$")
_WINDOWS_STATUS = {
    "non-existent domain": "NXDOMAIN",
    "server failed": "SERVFAIL",
    "query refused": "REFUSED",
    "format error": "FORMERR",
    "not implemented": "NOTIMP",
    "no response from server": "",
}
_COULDNT = re.compile(
    r"^(?:(?:dig|host|nslookup|delv|kdig|drill):\s*)?couldn't get address for '(?P<name>[^']+)':\s*(?P<err>.*)$"
)
_DRILL_ERROR = re.compile(r"^Error: (?P<err>error sending query.*|.*(?:network|timed out|nameserver).*)$")
_SHORT = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\d{1,3}(?:\.\d{1,3}){3})?|"
    r"\"[^\"]*\"(?: \"[^\"]*\")*|(?:\d+ )+\S*\.|(?:[A-Za-z0-9_*-]+\.)+|\.)$"
)
_YAML_KEY = re.compile(r"^(?P<key>[A-Za-z_-]+):\s*(?P<value>.*)$")
_YAML_ITEM = re.compile(r"^-\s+(?P<q>['\"]?)(?P<value>.*?)(?P=q)\s*$")
_YAML_EDE = re.compile(r'INFO-CODE:\s*"?(?P<code>[^",}]*)"?(?:\s*,\s*EXTRA-TEXT:\s*"(?P<text>(?:[^"\\]|\\.)*)")?')
_SECTIONS = {
    "QUESTION": "question",
    "QUERY": "question",
    "ZONE": "question",
    "ANSWER": "answer",
    "PREREQUISITE": "answer",
    "AUTHORITY": "authority",
    "UPDATE": "authority",
    "ADDITIONAL": "additional",
    "OPT": "opt",
    "EDNS": "opt",
}
_TIMEOUT_WORDS = ("timed out", "timeout")


class _Out:
    """One output being read (mutable while lines arrive; `build` freezes it)."""

    __slots__ = (
        "additional",
        "answer",
        "attempt_errors",
        "authority",
        "cmd",
        "command",
        "cookie",
        "counts",
        "delv_failure",
        "delv_verdict",
        "ede",
        "edns",
        "finished",
        "flags",
        "form",
        "has_banner",
        "has_header",
        "hop_records",
        "hops",
        "id",
        "msg_size",
        "nsid",
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
    )

    def __init__(self, tool: Tool = "unknown", form: Form = "full") -> None:
        self.tool: Tool = tool
        self.form: Form = form
        self.version: str | None = None
        self.command: str | None = None
        self.cmd: fields.Command | None = None
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
        self.warnings: list[str] = []
        self.retried_tcp = False
        self.has_banner = False
        self.has_header = False
        self.finished = False
        self.section: str | None = None
        self.nsl_state: str | None = None
        self.yaml_edns = False
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

    def add_record(self, record: Record) -> None:
        if self.form == "trace":
            self.hop_records.append(record)
        elif self.section == "authority":
            self.authority.append(record)
        elif self.section == "additional":
            self.additional.append(record)
        else:
            self.answer.append(record)

    def apply_command(self, tool: str, args: str) -> None:
        cmd = fields.parse_command(tool, args)
        self.cmd = cmd
        self.command = f"{tool} {args}".strip()
        if "+trace" in cmd.options:
            self.form = "trace"
        elif "+short" in cmd.options and self.form == "full":
            self.form = "short"
        elif "+yaml" in cmd.options:
            self.form = "yaml"

    def build(self) -> ToolOutput:
        cmd = self.cmd
        tool = self.tool
        if tool == "unknown" and (self.has_banner or (cmd is None and self.hops)):
            tool = "dig"
        if tool == "unknown" and cmd is not None and cmd.tool in ("dig", "kdig", "drill", "delv", "host", "nslookup"):
            tool = cmd.tool  # type: ignore[assignment]
        hops = list(self.hops)
        if self.hop_records:
            hops.append(Hop(records=tuple(self.hop_records)))
        qname = self.qname or (cmd.qname if cmd else None)
        qtype = self.qtype or (cmd.qtype if cmd else None)
        answer, authority = self.answer, self.authority
        if qname is None and answer:
            # delv and `+noall +answer` print no question: the first answer's owner is the name asked.
            qname = answer[0].name or None
            if qtype is None and len({r.rtype for r in answer if r.rtype not in ("RRSIG", "CNAME", "DNAME")}) == 1:
                qtype = next(r.rtype for r in answer if r.rtype not in ("RRSIG", "CNAME", "DNAME"))
        form = self.form
        if hops:
            form = "trace"
            if not answer and hops:
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
        # host, nslookup, delv and +short print records only for a NOERROR response.
        if (status is None and not self.has_header and answer and tool in ("host", "nslookup", "delv")) or (
            status is None and form == "short" and answer
        ):
            status, rcode = "NOERROR", 0
        timeout = False
        transport_error = self.transport_error
        warnings = list(self.warnings)
        if status is None and not hops and not answer:
            errors = self.attempt_errors
            timeout = self.timeout_line or any(any(w in e for w in _TIMEOUT_WORDS) for e in errors)
            if transport_error is None:
                other = [e for e in errors if not any(w in e for w in _TIMEOUT_WORDS)]
                transport_error = other[-1] if other else ("timed out" if timeout else None)
        elif self.attempt_errors:
            warnings = [f"earlier attempt failed: {e}" for e in dict.fromkeys(self.attempt_errors)] + warnings
        if form == "full" and not self.has_header and status is None and (timeout or transport_error):
            form = "error"
        server = self.server or (cmd.server if cmd else None)
        return ToolOutput(
            tool=tool,
            form=form,
            version=self.version,
            command=self.command,
            server=server,
            transport=self.transport,
            qname=qname,
            qtype=qtype,
            qclass=self.qclass or (cmd.qclass if cmd else None),
            opcode=self.opcode,
            status=status,
            rcode=rcode,
            id=self.id,
            flags=self.flags,
            counts=self.counts,
            edns=self.edns,
            ede=tuple(self.ede),
            cookie=self.cookie,
            nsid=self.nsid,
            options=tuple(self.options),
            answer=tuple(answer),
            authority=tuple(authority),
            additional=tuple(self.additional),
            hops=tuple(hops),
            query_time_ms=self.query_time_ms,
            msg_size=self.msg_size,
            timeout=timeout,
            transport_error=transport_error,
            delv_verdict=self.delv_verdict,
            delv_failure=self.delv_failure,
            warnings=tuple(warnings),
            retried_tcp=self.retried_tcp,
        )


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class _Reader:
    """The state machine: feed it lines, then `finish()`."""

    def __init__(self) -> None:
        self.outputs: list[ToolOutput] = []
        self.cur: _Out | None = None
        self.multi: list[str] | None = None
        self.multi_head: str = ""
        self.multi_depth = 0
        self.loose: list[str] = []
        self.loose_ok = True

    # ---------------------------------------------------------------------------------------- output control

    def flush(self) -> None:
        self.end_multiline()
        if self.cur is not None and (self.cur.has_body() or self.cur.has_banner):
            self.outputs.append(self.cur.build())
        self.cur = None

    def new(self, tool: Tool = "unknown", form: Form = "full", *, inherit: bool = False) -> _Out:
        previous = self.cur
        self.flush()
        out = _Out(tool, form)
        if inherit and previous is not None:
            out.tool, out.version, out.cmd, out.command = previous.tool, previous.version, previous.cmd, previous.command
        self.cur = out
        return out

    def current(self, tool: Tool = "unknown", form: Form = "full") -> _Out:
        """The open output, opening one when none is (an error line or a record with no banner before it)."""
        if self.cur is None:
            return self.new(tool, form)
        if self.cur.tool == "unknown" and tool != "unknown":
            self.cur.tool = tool
        return self.cur

    def fresh(self, tool: Tool = "unknown", form: Form = "full") -> _Out:
        """An output for a line that starts a response: the open one if it holds nothing yet, else a new one."""
        cur = self.cur
        if cur is not None and not cur.has_body():
            if tool != "unknown":
                cur.tool = tool
            if form != "full":
                cur.form = form
            return cur
        return self.new(tool, form)

    def errored(self, tool: Tool = "unknown") -> _Out:
        """The output a transport error belongs to: a complete response is over, so the error starts the next."""
        cur = self.cur
        if cur is None or cur.has_header or cur.finished or cur.status is not None:
            cur = self.new(tool)
        elif cur.tool == "unknown" and tool != "unknown":
            cur.tool = tool
        return cur

    # --------------------------------------------------------------------------------------------- lines

    def feed(self, line: str) -> None:
        if self.multi is not None:
            self.multi.append(line)
            self.multi_depth += fields.open_parens(line)
            if self.multi_depth <= 0 or len(self.multi) > _MAX_MULTILINE:
                self.end_multiline()
            return
        stripped = line.strip()
        if not stripped:
            return
        if stripped[0] == ";":
            self.loose_ok = False
            self.semicolon(stripped)
        else:
            self.plain(stripped, line)

    def end_multiline(self) -> None:
        if self.multi is None:
            return
        parts, self.multi = self.multi, None
        record = fields.record(self.multi_head)
        if record is None:
            return
        data = fields.join_multiline([record.data, *parts])
        self.place(Record(record.name, record.rtype, data, record.ttl, record.rclass))

    def place(self, record: Record) -> None:
        cur = self.cur
        if cur is None or (cur.finished and cur.form != "trace"):
            cur = self.new(cur.tool if cur is not None and cur.tool in ("delv", "host") else "unknown", "full")
        cur.add_record(record)

    def record_line(self, text: str, *, loose: bool) -> bool:
        """Take a resource record line; with `loose`, only one that cannot be prose (a TTL, a class or an FQDN)."""
        record = fields.record(text)
        if record is None:
            return False
        if loose and record.ttl is None and record.rclass is None and not record.name.endswith("."):
            return False
        depth = fields.open_parens(record.data)
        if depth > 0:
            self.multi_head = text
            self.multi = []
            self.multi_depth = depth
            if self.cur is None:
                self.new()
            return True
        self.place(record)
        return True

    # ------------------------------------------------------------------------------------- `;` lines

    def semicolon(self, line: str) -> None:
        body = line.lstrip(";").lstrip()
        single = not line.startswith(";;")
        cur = self.cur
        if cur is not None and cur.section == "question" and not body.endswith("SECTION:"):
            if self.question(line, cur):
                return
        word, _, rest = body.partition(" ")
        handler = _SEMI_HANDLERS.get(word)
        if handler is not None and handler(self, body, rest.strip(), single):
            return
        if word.startswith("OPT=") and self.option(body):
            return
        self.semicolon_other(line, body, single)

    def question(self, line: str, cur: _Out) -> bool:
        match = _QUESTION.match(line) or _QUESTION_DIG8.match(line)
        if match is None:
            return False
        if cur.qname is None:
            cur.qname, cur.qtype = match.group("name"), match.group("type")
            cur.qclass = match.group("cls") or cur.qclass
        return True

    def semicolon_other(self, line: str, body: str, single: bool) -> None:
        cur = self.cur
        negative = _DELV_NEGATIVE.match(line)
        if negative is not None:
            out = cur if cur is not None and cur.tool in ("delv", "unknown") else self.new("delv")
            out.tool = "delv"
            out.qname = out.qname or negative.group("name")
            if negative.group("kind") == "NXRRSET" or negative.group("type") != "ANY":
                out.qtype = out.qtype or negative.group("type")
            out.status = "NXDOMAIN" if negative.group("kind") == "NXDOMAIN" else "NOERROR"
            return
        if cur is not None and cur.tool == "delv" and (cur.delv_verdict or "").startswith("negative"):
            # The proof of a negative answer, printed as comments: `; zone. SOA …`, `; zone. NSEC …`.
            record = fields.record(body)
            if record is not None:
                cur.authority.append(record)
                return
        resolving = _DELV_RESOLVING.match(body)
        if resolving is not None:
            out = self.delv_output(verdict=False)
            out.qname = out.qname or resolving.group("name")
            out.qtype = out.qtype or resolving.group("type")
            out.server = out.server or resolving.group("srv")
            out.warnings.append(body)
            return
        if single and (cur is None or cur.section is None or cur.form == "trace"):
            # `+nocomments` still prints the question as `;name. IN A`.
            match = _QUESTION.match(line)
            if match is not None and match.group("cls") is not None:
                out = self.fresh() if cur is None or (cur.qname is not None and cur.has_body()) else cur
                if out.qname is None:
                    out.qname, out.qtype, out.qclass = match.group("name"), match.group("type"), match.group("cls")

    def h_banner(self, body: str, rest: str, single: bool) -> bool:
        # `<<>> DiG 9.18.28-1~deb12u2-Debian <<>> @1.1.1.1 example.com` (also the mangled `<<> DiG`).
        match = re.match(r"<<>?>?\s*DiG\s+(?P<ver>\S+)(?:\s+<<>?>?\s*(?P<args>.*))?", body)
        if match is None:
            return False
        cur = self.cur
        # dig 9.18 prints failed attempts (`;; communications error to …`) before its banner: they belong to it.
        pre_banner = cur is not None and cur.tool in ("dig", "unknown") and cur.only_errors()
        if cur is None or cur.has_banner or (cur.has_body() and not pre_banner):
            cur = self.new("dig")
        cur.tool = "dig"
        cur.has_banner = True
        cur.version = match.group("ver")
        if match.group("args") is not None:
            cur.apply_command("dig", match.group("args").strip())
        return True

    def h_got(self, body: str, rest: str, single: bool) -> bool:
        if rest.startswith("bad packet"):
            return self.h_bad(body, rest, single)
        if not rest.startswith("answer"):
            return False
        cur = self.cur
        if cur is None:
            self.new("dig")
        elif cur.sending:
            # `+qr` printed the query first: it is not a response, so it is dropped and its banner kept.
            out = _Out("dig")
            out.tool, out.version, out.cmd, out.command, out.has_banner = (
                cur.tool,
                cur.version,
                cur.cmd,
                cur.command,
                cur.has_banner,
            )
            out.form = cur.form
            self.cur = out
        elif cur.has_header or cur.finished:
            self.new("dig", inherit=True)
        else:
            cur.tool = "dig" if cur.tool == "unknown" else cur.tool
        return True

    def h_header(self, body: str, rest: str, single: bool) -> bool:
        match = _HEADER.match(body)
        if match is None:
            return False
        cur = self.cur
        tool: Tool
        if match.group("label") == "rcode":
            tool = "drill"
        elif ";" in body.split("id:")[0]:
            tool = "kdig"
        else:
            tool = "dig"
        if cur is None or cur.has_header or cur.finished or cur.status is not None:
            cur = self.new(tool, inherit=cur is not None and cur.tool == tool)
        if cur.tool in ("unknown", "dig") or tool != "dig":
            cur.tool = tool if cur.tool != "host" else "host"
        cur.has_header = True
        cur.opcode, cur.status = match.group("op"), match.group("st")
        cur.id = int(match.group("id")) if match.group("id") else None
        cur.section = None
        return True

    def h_flags(self, body: str, rest: str, single: bool) -> bool:
        # `flags: qr rd ra; QUERY: 1, ANSWER: 0, …` (dig, drill with ` ;`), `Flags: qr rd; QUERY: 1; …` (kdig).
        cur = self.current()
        flag_text, _, counts = rest.partition(";")
        cur.flags = tuple(f for f in flag_text.split() if f.isalpha() and len(f) <= 2)
        values = dict(_COUNT.findall(counts))
        if values:
            cur.counts = Counts(
                query=_int(values.get("QUERY", values.get("ZONE"))),
                answer=_int(values.get("ANSWER", values.get("PREREQ"))),
                authority=_int(values.get("AUTHORITY", values.get("UPDATE"))),
                additional=_int(values.get("ADDITIONAL")),
            )
        mbz = re.search(r"MBZ:\s*(0x[0-9a-fA-F]+)", counts)
        if mbz:
            cur.warnings.append(f"header MBZ bits set: {mbz.group(1)}")
        return True

    def h_section(self, body: str, rest: str, single: bool) -> bool:
        word = body.split(" ", 1)[0]
        if not (body.endswith("SECTION:") or body.endswith("PSEUDOSECTION:")):
            return False
        self.end_multiline()
        cur = self.current()
        cur.section = _SECTIONS.get(word)
        return True

    def h_edns(self, body: str, rest: str, single: bool) -> bool:
        if body.endswith("PSEUDOSECTION:"):
            return self.h_section(body, rest, single)
        # `EDNS: version: 0, flags: do; udp: 1232` (dig) or `EDNS: version 0; flags: do ; udp: 1232` (drill).
        match = _EDNS_DIG.search(rest)
        if match is None:
            return False
        cur = self.current()
        udp = _UDP.search(match.group("rest"))
        cur.edns = Edns(
            version=int(match.group("v")), flags=tuple(match.group("f").split()), udp=_int(udp.group(1) if udp else None)
        )
        mbz = re.search(r"MBZ:\s*(0x[0-9a-fA-F]+)", match.group("rest"))
        if mbz:
            cur.warnings.append(f"EDNS MBZ bits set: {mbz.group(1)}")
        return True

    def h_kdig_edns(self, body: str, rest: str, single: bool) -> bool:
        match = _KDIG_EDNS.match(body)
        if match is None:
            return False
        cur = self.current("kdig")
        cur.edns = Edns(version=int(match.group("v")), flags=tuple(match.group("f").split()), udp=int(match.group("udp")))
        return True

    def h_ede(self, body: str, rest: str, single: bool) -> bool:
        value = fields.ede(rest)
        if value is None:
            return False
        self.current().ede.append(value)
        return True

    def option(self, body: str) -> bool:
        # `OPT=15: 00 09 …` (a dig that predates EDE), `OPT=65002: de ad be ef ("....")`, bare `OPT=65003`.
        match = re.match(r"OPT=(?P<code>\d+)(?::\s*(?P<data>.*))?$", body)
        if match is None:
            return False
        cur = self.current()
        if match.group("code") == "15" and match.group("data"):
            value = fields.ede_from_option(match.group("data"))
            if value is not None:
                cur.ede.append(value)
                return True
        cur.options.append(body)
        return True

    def h_cookie(self, body: str, rest: str, single: bool) -> bool:
        match = re.match(r"(?P<hex>[0-9a-fA-F]+)(?:\s*\((?P<state>[^)]*)\))?", rest)
        if match is None:
            return False
        cur = self.current()
        cur.cookie = match.group("hex")
        if match.group("state"):
            cur.options.append(f"COOKIE ({match.group('state')})")
        return True

    def h_nsid(self, body: str, rest: str, single: bool) -> bool:
        self.current().nsid = fields.option_text(rest) if rest else ""
        return True

    def h_other_option(self, body: str, rest: str, single: bool) -> bool:
        # EDNS options dig/kdig name: CLIENT-SUBNET, EXPIRE, KEEPALIVE, PADDING, ZONEVERSION, REPORT-CHANNEL …
        cur = self.cur
        if cur is None or cur.section != "opt":
            return False
        cur.options.append(body)
        return True

    def h_query_time(self, body: str, rest: str, single: bool) -> bool:
        match = _QUERY_TIME.search(body)
        if match is None:
            return False
        self.current().query_time_ms = _number(match.group("ms"))
        return True

    def h_server(self, body: str, rest: str, single: bool) -> bool:
        match = _SERVER.match(body)
        if match is None:
            return False
        cur = self.current()
        cur.server = match.group("srv")
        cur.transport = match.group("tr") or cur.transport
        return True

    def h_msg_size(self, body: str, rest: str, single: bool) -> bool:
        match = _MSG_SIZE.match(body)
        if match is None:
            return False
        cur = self.current()
        cur.msg_size = int(match.group("n"))
        cur.finished = True
        cur.section = None
        return True

    def h_received(self, body: str, rest: str, single: bool) -> bool:
        trace = _TRACE_RECEIVED.match(body)
        if trace is not None:
            cur = self.current("dig", "trace")
            cur.form = "trace"
            self.end_multiline()
            cur.hops.append(
                Hop(
                    records=tuple(cur.hop_records),
                    server=trace.group("srv"),
                    server_name=trace.group("name"),
                    msg_size=int(trace.group("n")),
                    query_time_ms=_number(trace.group("ms")),
                )
            )
            cur.hop_records = []
            return True
        kdig = _KDIG_RECEIVED.match(body)
        if kdig is None:
            return False
        cur = self.current("kdig")
        cur.msg_size = int(kdig.group("n"))
        cur.section = None
        return True

    def h_from(self, body: str, rest: str, single: bool) -> bool:
        match = _KDIG_FROM.match(body)
        if match is None:
            return False
        cur = self.current("kdig")
        cur.server, cur.transport = match.group("srv"), match.group("tr")
        cur.query_time_ms = _number(match.group("ms"))
        cur.finished = True
        return True

    def h_connection(self, body: str, rest: str, single: bool) -> bool:
        if body.startswith("connection timed out"):
            cur = self.errored()
            cur.timeout_line = True
            cur.attempt_errors.append("timed out")
            return True
        match = _SETUP_FAILED.match(body)
        if match is None:
            return False
        cur = self.errored()
        cur.server = cur.server or match.group("srv")
        cur.attempt_errors.append(match.group("err"))
        return True

    def h_no(self, body: str, rest: str, single: bool) -> bool:
        if not body.startswith("no servers could be reached"):
            return False
        cur = self.current()
        if not cur.attempt_errors:
            cur.attempt_errors.append("no servers could be reached")
        cur.finished = True
        return True

    def h_comm(self, body: str, rest: str, single: bool) -> bool:
        match = _COMM_ERROR.match(body)
        if match is None:
            return False
        cur = self.errored()
        if match.group("srv"):
            cur.server = cur.server or match.group("srv")
        cur.attempt_errors.append(match.group("err").strip().rstrip(".") or "communications error")
        return True

    def h_warning(self, body: str, rest: str, single: bool) -> bool:
        timeout = _KDIG_TIMEOUT.match(body)
        if timeout is not None:
            cur = self.errored("kdig")
            cur.server, cur.transport = _split_transport(cur.server or timeout.group("srv"), cur.transport)
            cur.attempt_errors.append("timed out")
            return True
        connect = _KDIG_CONNECT.match(body)
        if connect is not None:
            cur = self.errored("kdig")
            cur.server = cur.server or connect.group("srv")
            err = connect.group("err")
            cur.attempt_errors.append("connection refused" if err in ("can't connect", "failed to connect") else err)
            return True
        failed = _KDIG_FAILED.match(body)
        if failed is not None:
            cur = self.current("kdig")
            cur.server = cur.server or failed.group("srv")
            cur.server, cur.transport = _split_transport(cur.server, cur.transport)
            if not cur.attempt_errors:
                cur.attempt_errors.append("failed to query server")
            cur.finished = True
            return True
        self.current().warnings.append(body)
        return True

    def h_truncated(self, body: str, rest: str, single: bool) -> bool:
        self.current().retried_tcp = True
        return True

    def h_bad(self, body: str, rest: str, single: bool) -> bool:
        if body.startswith("Got bad packet"):
            cur = self.errored("dig")
            cur.transport_error = "malformed response (" + body.split(":", 1)[-1].strip() + ")"
            return True
        if body.startswith("BAD"):
            self.current().warnings.append(body)
            return True
        return False

    def h_resolution(self, body: str, rest: str, single: bool) -> bool:
        if not body.startswith("resolution failed:"):
            return False
        cur = self.delv_output(verdict=False)
        failure = body.split(":", 1)[1].strip()
        cur.delv_failure = failure
        upper = failure.upper()
        if fields.rcode_number(upper) is not None and upper.isalpha():
            cur.status = upper
        elif failure == "ncache nxdomain":
            cur.status = "NXDOMAIN"
        elif failure == "ncache nxrrset":
            cur.status = "NOERROR"
        return True

    def h_verdict(self, body: str, rest: str, single: bool) -> bool:
        if not single:
            return False
        match = _DELV_VERDICT.match(";" + " " + body)
        if match is None:
            return False
        cur = self.delv_output(verdict=True)
        cur.delv_verdict = match.group("v")
        return True

    def delv_output(self, *, verdict: bool) -> _Out:
        """delv prints no banner: a verdict or failure line belongs to the open delv output until it has one."""
        cur = self.cur
        if cur is not None and cur.tool == "delv" and not cur.delv_verdict and not cur.answer:
            # delv prints `;; resolution failed: ncache nxdomain` (stderr) before `; negative response, …`.
            if not cur.delv_failure or (verdict and cur.delv_failure.startswith("ncache")):
                return cur
        if cur is not None and cur.tool == "unknown" and not cur.has_body():
            cur.tool, cur.form = "delv", "delv"
            return cur
        return self.new("delv", "delv")

    def h_session(self, body: str, rest: str, single: bool) -> bool:
        # kdig 3.4: `QUIC session (QUICv1)-(TLS1.3)-…`, `TLS session (TLS1.3)-…`.
        if not rest.startswith("session"):
            return False
        cur = self.fresh("kdig")
        cur.transport = body.split(" ", 1)[0]
        return True

    def h_sending(self, body: str, rest: str, single: bool) -> bool:
        if body != "Sending:":
            return False
        cur = self.cur
        if cur is None or cur.has_header or cur.finished:
            cur = self.new("dig", inherit=cur is not None)
        cur.sending = True
        return True

    def h_ignore(self, body: str, rest: str, single: bool) -> bool:
        return True

    # ------------------------------------------------------------------------------------- other lines

    def plain(self, stripped: str, line: str) -> None:
        cur = self.cur
        if cur is not None and cur.form == "yaml" and self.yaml(stripped, cur):
            return
        if stripped.startswith(("- type:", "response_message_data:")) or stripped == "-":
            if stripped.startswith("- type:"):
                self.new("dig", "yaml")
            else:
                self.fresh("dig", "yaml")
            self.loose_ok = False
            return
        # A record first: in a section, or with a TTL/class/FQDN that prose does not have.
        in_section = (
            cur is not None
            and not cur.finished
            and (cur.section in ("answer", "authority", "additional") or cur.form == "trace")
        )
        if self.record_line(stripped, loose=not in_section):
            if not self.loose_ok or len(self.loose) > 0:
                self.loose_ok = False
            else:
                self.loose_ok = False
            return
        command = (
            fields.command_line(stripped)
            if (
                "dig" in stripped
                or "host" in stripped
                or "nslookup" in stripped
                or "drill" in stripped
                or "delv" in stripped
            )
            else None
        )
        if command is not None:
            tool, args = command
            out = self.fresh(tool, "full")  # type: ignore[arg-type]
            out.apply_command(tool, args)
            if tool in ("host", "nslookup", "delv"):
                out.form = tool  # type: ignore[assignment]
            return
        if self.host_or_nslookup(stripped):
            self.loose_ok = False
            return
        if _SHORT.match(stripped):
            if cur is not None and cur.form == "short" and not cur.finished:
                cur.answer.append(_short_record(stripped, cur.cmd.qname if cur.cmd else None))
                return
            self.loose.append(stripped)
        elif not stripped.startswith("```"):
            self.loose_ok = False

    def host_or_nslookup(self, line: str) -> bool:
        word = line.split(None, 1)[0]
        cur = self.cur
        if word == "Using" and line.startswith("Using domain server"):
            out = self.fresh("host", "host")
            out.nsl_state = "host-server"
            return True
        if word in ("Server:", "Default") and (word == "Server:" or line.startswith("Default Server:")):
            out = self.fresh("nslookup", "nslookup")
            if out.tool not in ("nslookup", "unknown"):
                out = self.new("nslookup", "nslookup")
            out.tool, out.form = "nslookup", "nslookup"
            out.nsl_state = "server"
            out.server = out.server or line.split(":", 1)[1].strip() or None
            return True
        if word in ("Address:", "Addresses:"):
            value = line.split(":", 1)[1].strip()
            if cur is None:
                return False
            if cur.nsl_state in ("server", "host-server"):
                if "#" in value or cur.nsl_state == "server":
                    cur.server = value
                if cur.nsl_state == "server":
                    cur.nsl_state = None
                return True
            if cur.nsl_state == "name" and cur.qname is not None:
                for address in value.split():
                    cur.answer.append(Record(cur.qname, "AAAA" if ":" in address else "A", address))
                return True
            return False
        if word == "Name:" and cur is not None:
            if cur.nsl_state == "host-server":
                return True
            cur.nsl_state = "name"
            name = line.split(":", 1)[1].strip()
            cur.qname = cur.qname or name
            cur.nsl_state = "name"
            if cur.answer and name != cur.answer[-1].name:
                cur.qname = cur.qname
            return True
        if word == "Aliases:" and cur is not None and cur.nsl_state == "host-server":
            cur.nsl_state = None
            return True
        if line.startswith("Non-authoritative answer"):
            out = self.current("nslookup", "nslookup")
            out.nsl_state = None
            out.warnings.append("non-authoritative answer")
            return True
        if line.startswith("Authoritative answers can be found from"):
            return True
        if word.startswith("**"):
            return self.nslookup_error(line)
        if word == "Host":
            match = _HOST_NOT_FOUND.match(line)
            if match is None:
                return False
            out = self.host_output()
            out.qname = out.qname or match.group("name")
            if match.group("st"):
                out.status, out.rcode = match.group("st"), int(match.group("num"))
            else:
                out.transport_error = match.group("other")
            return True
        match = _HOST_LINE.match(line)
        if match is not None:
            out = self.host_output()
            name, data = match.group("name"), match.group("data").strip()
            out.qname = out.qname or name
            kinds = (
                ("a", "A"),
                ("aaaa", "AAAA"),
                ("mx", "MX"),
                ("cname", "CNAME"),
                ("ptr", "PTR"),
                ("txt", "TXT"),
                ("ns", "NS"),
            )
            for group, rtype in kinds:
                if match.group(group):
                    out.answer.append(Record(name, rtype, data))
                    return True
            if match.group("none"):
                out.qtype = out.qtype or match.group("none")
                out.status, out.rcode = "NOERROR", 0
                return True
            out.answer.append(Record(name, match.group("other"), data))
            return True
        pair = _NSL_PAIR.match(line)
        if pair is not None:
            out = self.current("nslookup", "nslookup")
            key = pair.group("key")
            rtype = {
                "canonical name": "CNAME",
                "mail exchanger": "MX",
                "text": "TXT",
                "nameserver": "NS",
                "name": "PTR",
                "service": "SRV",
            }.get(key, "AAAA" if "AAAA" in key else "A")
            out.qname = out.qname or pair.group("name")
            out.answer.append(Record(pair.group("name"), rtype, pair.group("data").strip()))
            return True
        if word in ("Trying",) and line.startswith('Trying "'):
            out = self.fresh("host")
            out.tool = "host"
            out.qname = out.qname or line[8:].rstrip('"')
            return True
        if word == "Received":
            match = re.match(r"Received (\d+) bytes from (\S+) in ([\d.]+) ms", line)
            if match is None:
                return False
            cur2 = self.current("host")
            cur2.msg_size, cur2.server, cur2.query_time_ms = int(match.group(1)), match.group(2), _number(match.group(3))
            cur2.finished = True
            return True
        if word == "DNS" and line.startswith("DNS request timed out"):
            out = self.errored("nslookup")
            out.tool = "nslookup"
            out.attempt_errors.append("timed out")
            return True
        if line.startswith("timeout was "):
            return True
        couldnt = _COULDNT.match(line)
        if couldnt is not None:
            out = self.errored()
            out.transport_error = f"couldn't get address for '{couldnt.group('name')}': {couldnt.group('err')}"
            return True
        drill = _DRILL_ERROR.match(line)
        if drill is not None:
            out = self.errored("drill")
            out.tool = "drill" if out.tool == "unknown" else out.tool
            err = drill.group("err")
            out.attempt_errors.append("timed out" if "timed out" in err else err)
            return True
        return False

    def host_output(self) -> _Out:
        cur = self.cur
        if cur is None or cur.tool not in ("host", "unknown") or cur.has_header:
            cur = self.new("host", "host")
        cur.tool = "host"
        if cur.form == "full":
            cur.form = "host"
        return cur

    def nslookup_error(self, line: str) -> bool:
        cant = _NSL_CANT.match(line)
        if cant is not None:
            out = self.current("nslookup", "nslookup")
            out.qname = out.qname or cant.group("name")
            status = cant.group("st").strip()
            if fields.rcode_number(status) is not None or status.isupper():
                out.status = status
            else:
                out.transport_error = status
            return True
        no_answer = _NSL_NO_ANSWER.match(line)
        if no_answer is not None:
            out = self.current("nslookup", "nslookup")
            out.qname = out.qname or no_answer.group("name")
            out.status, out.rcode = "NOERROR", 0
            return True
        windows = _NSL_WINDOWS.match(line)
        if windows is not None:
            out = self.current("nslookup", "nslookup")
            out.qname = out.qname or windows.group("name")
            why = windows.group("why").strip().rstrip(".")
            status = _WINDOWS_STATUS.get(why.lower())
            if status:
                out.status = status
            elif status == "":
                out.attempt_errors.append("timed out")
                out.timeout_line = True
            else:
                out.transport_error = why
            return True
        if line.startswith("*** Request to") and "timed-out" in line:
            out = self.current("nslookup", "nslookup")
            out.attempt_errors.append("timed out")
            out.timeout_line = True
            return True
        return line.startswith("***")

    def yaml(self, line: str, cur: _Out) -> bool:
        item = _YAML_ITEM.match(line)
        if item is not None and not line.startswith("- type:"):
            value = item.group("value")
            if cur.section == "question":
                match = _QUESTION.match(";" + value)
                if match is not None and cur.qname is None:
                    cur.qname, cur.qtype, cur.qclass = match.group("name"), match.group("type"), match.group("cls")
                return True
            record = fields.record(value)
            if record is not None:
                cur.add_record(record)
                return True
            return False
        match = _YAML_KEY.match(line)
        if match is None:
            return False
        key, value = match.group("key"), match.group("value").strip().strip("'\"")
        if key.endswith("_SECTION"):
            cur.section = _SECTIONS.get(key.split("_", 1)[0])
            cur.yaml_edns = False
            return True
        if key == "OPT_PSEUDOSECTION" or key == "EDNS":
            cur.yaml_edns = True
            cur.edns = cur.edns or Edns()
            return True
        if cur.yaml_edns and key in ("version", "flags", "udp"):
            edns = cur.edns or Edns()
            if key == "version":
                cur.edns = Edns(_int(value), edns.flags, edns.udp)
            elif key == "flags":
                cur.edns = Edns(edns.version, tuple(value.split()), edns.udp)
            else:
                cur.edns = Edns(edns.version, edns.flags, _int(value))
            return True
        handler = _YAML_KEYS.get(key)
        if handler is None:
            return key in ("type", "query_time", "response_time", "query_address", "query_port", "socket_family", "message")
        handler(cur, value)
        return True

    # ------------------------------------------------------------------------------------------- finish

    def finish(self) -> tuple[ToolOutput, ...]:
        self.flush()
        if not self.outputs and self.loose and self.loose_ok:
            self.outputs.append(_short_output(self.loose))
        return tuple(self.outputs)


def _split_transport(server: str | None, transport: str | None) -> tuple[str | None, str | None]:
    """kdig names a server `127.0.0.1@53(UDP)`: the address and the transport apart."""
    if server and server.endswith(")") and "(" in server:
        address, _, proto = server[:-1].partition("(")
        return address, transport or proto
    return server, transport


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip().rstrip("bB")
    return int(text) if text.isdigit() else None


_Setter = Callable[["_Out", str], None]


def _yaml_status(cur: _Out, value: str) -> None:
    cur.status = value
    cur.has_header = True


def _yaml_counts(key: str) -> _Setter:
    def setter(cur: _Out, value: str) -> None:
        c = cur.counts or Counts()
        n = _int(value)
        cur.counts = Counts(
            query=n if key == "QUESTION" else c.query,
            answer=n if key == "ANSWER" else c.answer,
            authority=n if key == "AUTHORITY" else c.authority,
            additional=n if key == "ADDITIONAL" else c.additional,
        )

    return setter


def _yaml_ede(cur: _Out, value: str) -> None:
    if not value:
        return  # dig 9.18+: `EDE:` then `INFO-CODE:` and `EXTRA-TEXT:` on their own lines
    structured = _YAML_EDE.search(value)
    if structured is not None:
        parsed = fields.ede(structured.group("code"))
        if parsed is not None:
            cur.ede.append(Ede(parsed.code, parsed.purpose, structured.group("text") or parsed.text))
        return
    parsed = fields.ede(value)
    if parsed is not None:
        cur.ede.append(parsed)


def _yaml_info_code(cur: _Out, value: str) -> None:
    parsed = fields.ede(value)
    if parsed is not None:
        cur.ede.append(parsed)


def _yaml_extra_text(cur: _Out, value: str) -> None:
    if cur.ede and cur.ede[-1].text is None:
        last = cur.ede[-1]
        cur.ede[-1] = Ede(last.code, last.purpose, value or None)


def _yaml_server(cur: _Out, value: str) -> None:
    cur.server = value if cur.server is None else f"{value}#{cur.server}" if cur.server.isdigit() else cur.server


def _yaml_port(cur: _Out, value: str) -> None:
    cur.server = f"{cur.server}#{value}" if cur.server and "#" not in cur.server else cur.server or value


def _yaml_set(attr: str, convert: Callable[[str], object] | None = None) -> _Setter:
    def setter(cur: _Out, value: str) -> None:
        setattr(cur, attr, convert(value) if convert is not None else value)

    return setter


_YAML_KEYS: dict[str, _Setter] = {
    "opcode": _yaml_set("opcode"),
    "status": _yaml_status,
    "id": _yaml_set("id", _int),
    "flags": lambda cur, value: setattr(cur, "flags", tuple(value.split())),
    "QUESTION": _yaml_counts("QUESTION"),
    "ANSWER": _yaml_counts("ANSWER"),
    "AUTHORITY": _yaml_counts("AUTHORITY"),
    "ADDITIONAL": _yaml_counts("ADDITIONAL"),
    "EDE": _yaml_ede,
    "INFO-CODE": _yaml_info_code,
    "EXTRA-TEXT": _yaml_extra_text,
    "COOKIE": lambda cur, value: setattr(cur, "cookie", value.split()[0] if value.split() else None),
    "NSID": lambda cur, value: setattr(cur, "nsid", fields.option_text(value)),
    "message_size": _yaml_set("msg_size", _int),
    "response_address": _yaml_server,
    "response_port": _yaml_port,
    "socket_protocol": _yaml_set("transport"),
}


def _short_record(value: str, name: str | None) -> Record:
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


def _short_output(lines: list[str]) -> ToolOutput:
    """`dig +short` prints only rdata, one value a line: read it as answers of unknown name and type."""
    return ToolOutput(
        tool="dig", form="short", status="NOERROR", rcode=0, answer=tuple(_short_record(v, None) for v in lines)
    )


_Handler = Callable[["_Reader", str, str, bool], bool]
_SEMI_HANDLERS: dict[str, _Handler] = {}


def _register() -> None:
    r = _Reader
    table: dict[str, _Handler] = {
        "<<>>": r.h_banner,
        "<<>": r.h_banner,
        "<<": r.h_banner,
        "Got": r.h_got,
        "got": r.h_got,
        "->>HEADER<<-": r.h_header,
        "flags:": r.h_flags,
        "Flags:": r.h_flags,
        "EDNS:": r.h_edns,
        "Version:": r.h_kdig_edns,
        "EDE:": r.h_ede,
        "COOKIE:": r.h_cookie,
        "NSID:": r.h_nsid,
        "NSID": r.h_nsid,
        "Query": r.h_query_time,
        "Total": r.h_query_time,
        "SERVER:": r.h_server,
        "MSG": r.h_msg_size,
        "Received": r.h_received,
        "From": r.h_from,
        "connection": r.h_connection,
        "Connection": r.h_connection,
        "UDP": r.h_connection,
        "no": r.h_no,
        "communications": r.h_comm,
        "WARNING:": r.h_warning,
        "Warning:": r.h_warning,
        "Warning,": r.h_warning,
        "ERROR:": r.h_warning,
        "Truncated,": r.h_truncated,
        "Got bad": r.h_bad,
        "resolution": r.h_resolution,
        "fully": r.h_verdict,
        "unsigned": r.h_verdict,
        "negative": r.h_verdict,
        "answer": r.h_verdict,
        "signed": r.h_verdict,
        "pending": r.h_verdict,
        "insecure": r.h_verdict,
        "QUIC": r.h_session,
        "TLS": r.h_session,
        "HTTPS": r.h_session,
        "Sending:": r.h_sending,
        "global": r.h_ignore,
        "res": r.h_ignore,
        "WHEN:": r.h_ignore,
        "Time": r.h_ignore,
        "PADDING:": r.h_ignore,
        "fetch:": r.h_ignore,
        "validating": r.h_ignore,
    }
    for section in _SECTIONS:
        table.setdefault(section, r.h_section)
    table["EDNS"] = r.h_edns
    for name in (
        "CLIENT-SUBNET:",
        "EXPIRE:",
        "KEEPALIVE:",
        "ZONEVERSION:",
        "REPORT-CHANNEL:",
        "TCP-KEEPALIVE:",
        "CHAIN:",
        "KEY-TAG:",
    ):
        table[name] = r.h_other_option
    _SEMI_HANDLERS.update(table)


_register()


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_SMART)
    if ("-&gt;&gt;HEADER" in text or "&lt;&lt;&gt;&gt; DiG" in text) and "->>HEADER" not in text:
        # Slack's escaping, when the caller did not undo it.
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text


def _clean(line: str) -> str:
    """One line without Slack's code fences and quote marks around it."""
    if "```" in line:
        line = line.replace("```", "")
    if line.startswith(">"):
        line = line[2:] if line.startswith("> ") else line[1:]
    return line


def from_text(text: str, *, limit: int = MAX_CHARS) -> Paste:
    """Read every tool output in `text`. Never raises; at most `limit` characters are read (`Paste.truncated`)."""
    size = len(text)
    truncated = size > limit
    if truncated:
        cut = text.rfind("\n", 0, limit)
        text = text[: cut if cut > limit // 2 else limit]
    reader = _Reader()
    for line in _normalise(text).split("\n"):
        reader.feed(_clean(line))
    return Paste(outputs=reader.finish(), truncated=truncated, size=size, limit=limit)
