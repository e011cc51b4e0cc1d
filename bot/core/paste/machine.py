"""The core of the paste reader's state machine: which output a line belongs to, and resource records.

One output (`Draft`) is open at a time. A line that can only start a response opens a new one (`new`), a line
that continues one uses the open one (`current`), an error line after a complete response starts the next
(`errored`). The line families are read by subclasses: `DigLines` (`;` lines) and `PlainLines` (host, nslookup,
+yaml, bare records); `read.Reader` combines them.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.paste import fields
from bot.core.paste import patterns as P
from bot.core.paste.builder import Draft, short_output
from bot.core.paste.model import Form, Record, Tool, ToolOutput


class Machine:
    """Output control and records; `semicolon` and `plain` come from the line-family subclasses."""

    def __init__(self) -> None:
        self.outputs: list[ToolOutput] = []
        self.cur: Draft | None = None
        self.printed_query: Draft | None = None
        self.relay = False  # inside a message delv +mtrace relays (`;; received packet from …`): not an output
        self.multi: list[str] | None = None
        self.multi_head: str = ""
        self.multi_depth = 0
        self.loose: list[str] = []
        self.loose_ok = True
        self.zone_file = False  # a `$TTL`/`$ORIGIN` line or an `@` owner was read: records are a zone file's

    # ---------------------------------------------------------------------------------------- output control

    def flush(self) -> None:
        if self.multi is not None:
            self.end_multiline()
        cur, self.cur = self.cur, None
        self.printed_query = None
        if cur is None:
            return
        if cur.is_query():
            # dig/kdig `+qr`, drill `-V 5` print the query they send: it is not an output, but what follows it (the
            # response or the failure) was run by the same command.
            self.printed_query = cur
        elif cur.has_body() or cur.has_banner or cur.host_server:
            self.outputs.append(cur.build())

    def new(self, tool: Tool = "unknown", form: Form = "full", *, inherit: bool = False) -> Draft:
        previous = self.cur
        self.flush()
        if self.printed_query is not None and self.printed_query.tool in (tool, "unknown", "dig"):
            previous, inherit = self.printed_query, True
            tool = previous.tool if tool == "unknown" else tool
        out = Draft(tool, form)
        if inherit and previous is not None:
            out.inherit_command(previous)
        self.cur = out
        return out

    def current(self, tool: Tool = "unknown", form: Form = "full") -> Draft:
        """The open output, opening one when none is (an error line or a record with no banner before it)."""
        if self.cur is None:
            return self.new(tool, form)
        if self.cur.tool == "unknown" and tool != "unknown":
            self.cur.tool = tool
        return self.cur

    def fresh(self, tool: Tool = "unknown", form: Form = "full") -> Draft:
        """An output for a line that starts a response: the open one if it holds nothing yet, else a new one."""
        cur = self.cur
        if cur is not None and not cur.has_body():
            if tool != "unknown":
                cur.tool = tool
            if form != "full":
                cur.form = form
            return cur
        return self.new(tool, form)

    def errored(self, tool: Tool = "unknown") -> Draft:
        """The output a transport error belongs to: a complete response is over, so the error starts the next."""
        cur = self.cur
        if cur is None or cur.has_header or cur.finished or cur.status is not None:
            cur = self.new(tool)
        elif cur.tool == "unknown" and tool != "unknown":
            cur.tool = tool
        return cur

    def upcoming(self) -> Draft:
        """The output a line printed before its banner belongs to (dig's `;; Truncated, retrying in TCP mode.`): the
        open one while it has no response, else a new one."""
        cur = self.cur
        if cur is None or cur.has_header or cur.finished or cur.status is not None or cur.answer:
            cur = self.new()
        return cur

    # --------------------------------------------------------------------------------------------- lines

    def feed(self, line: str) -> None:
        self.feed_lines((line,))

    def feed_lines(self, lines: Iterable[str]) -> None:
        """Read `lines` in order: provided by `read.Reader`, which holds the loop over every line family."""
        raise NotImplementedError

    def multiline(self, line: str) -> None:
        """A line inside +multiline rdata (`self.multi` is open): kept whole until its `(` closes."""
        multi = self.multi
        assert multi is not None
        multi.append(line)
        self.multi_depth += fields.open_parens(line)
        if self.multi_depth <= 0 or len(multi) > P.MAX_MULTILINE:
            self.end_multiline()

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
        data = record.data
        depth = fields.open_parens(data) if "(" in data else 0  # only an open `(` can start +multiline rdata
        if depth > 0:
            if self.cur is None:
                self.new()  # before the record opens: opening an output ends any open multi-line record
            self.multi_head = text
            self.multi = []
            self.multi_depth = depth
            return True
        cur = self.cur  # `place` and `Draft.add_record`, inlined: this runs for every record line
        if cur is None or (cur.finished and cur.form != "trace"):
            cur = self.new(cur.tool if cur is not None and cur.tool in ("delv", "host") else "unknown", "full")
        form, section = cur.form, cur.section
        if form == "trace":
            cur.hop_records.append(record)
        elif section == "authority" or form == "chase":
            cur.authority.append(record)
        elif section == "additional":
            cur.additional.append(record)
        else:
            cur.answer.append(record)
        return True

    def delv_output(self, *, verdict: bool) -> Draft:
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

    def host_output(self) -> Draft:
        cur = self.cur
        if cur is None or cur.tool not in ("host", "unknown") or cur.has_header:
            cur = self.new("host", "host")
        cur.tool = "host"
        if cur.form == "full":
            cur.form = "host"
        return cur

    # ------------------------------------------------------------------------------------ line families

    def semicolon(self, line: str) -> None:
        """A `;` line (dig, kdig, drill, delv): provided by `DigLines`."""
        raise NotImplementedError

    def plain(self, stripped: str, line: str) -> None:
        """Any other line (host, nslookup, +yaml, records): provided by `PlainLines`."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------------- finish

    def finish(self) -> tuple[ToolOutput, ...]:
        self.flush()
        if self.zone_file:
            # A zone file (or a snippet of one) pasted in chat: its records are not tool output. What a tool printed
            # beside it (a header, a status, a failure) still is.
            self.outputs = [o for o in self.outputs if o.tool != "unknown" or o.status is not None or o.transport_error]
        if not self.outputs and self.loose and self.loose_ok:
            self.outputs.append(short_output(self.loose))
        return tuple(self.outputs)
