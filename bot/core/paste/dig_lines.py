"""The `;` lines of dig, kdig, drill and delv: one handler per label, found by the line's first word.

A handler gets the line's text after the `;`s (`body`), what follows the label in it (`rest`, as printed: the few
handlers that read it strip it, so the many that do not pay nothing) and the whole (stripped) line.

Each handler starts with the real line it reads in a comment where the form is not obvious, and returns False when
the line only looked like its label, so the next reading can be tried.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.paste import fields
from bot.core.paste import patterns as P
from bot.core.paste.builder import Draft, as_int, as_number, split_transport
from bot.core.paste.machine import Machine
from bot.core.paste.model import TRANSFER_FAILED, UPDATE_SOA_FAILED, Counts, Edns, Hop, Tool


class DigLines(Machine):
    """Reads `;` lines into the open output."""

    # ------------------------------------------------------------------------------------- `;` lines

    def semicolon(self, line: str) -> None:
        # `read.Reader.feed_lines` does the same itself for the lines outside a delv relay (this reads those inside).
        body = line.lstrip(";").lstrip()
        single = not line.startswith(";;")
        if self.relay:
            # delv +mtrace prints each message it received, records commented out: skip it up to delv's next line.
            if not (
                body.startswith(("fetch:", "received packet", "resolution failed"))
                or (single and P.DELV_VERDICT.match(line))
            ):
                return
            self.relay = False
        cur = self.cur
        if cur is not None and cur.section == "question" and not body.endswith("SECTION:"):
            if self.question(line, cur):
                return
        word, _, rest = body.partition(" ")
        handler = SEMI_HANDLERS.get(word)
        if handler is not None and handler(self, body, rest, line):
            return
        if word.startswith("OPT=") and self.option(body):
            return
        self.semicolon_other(line, body, single)

    def question(self, line: str, cur: Draft) -> bool:
        match = P.QUESTION_COMMON.fullmatch(line) or P.QUESTION.match(line) or P.QUESTION_DIG8.match(line)
        if match is None:
            return False
        if cur.qname is None:
            name, rtype, rclass = match.group("name", "type", "cls")
            cur.qname, cur.qtype, cur.qclass = name, rtype, rclass or cur.qclass
        cur.section = "question-read"  # one question per message: later lines need not try the pattern
        return True

    def semicolon_other(self, line: str, body: str, single: bool) -> None:
        cur = self.cur
        negative = P.DELV_NEGATIVE.match(line)
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
        resolving = P.DELV_RESOLVING.match(body)
        if resolving is not None:
            self.delv_resolving(resolving.group("why"), resolving.group("name"), resolving.group("type"), body)
            out = self.delv_output(verdict=False)
            out.server = out.server or resolving.group("srv")
            return
        # `+nocomments` still prints the question: dig as `;name. IN A`, kdig as `;;name. IN A` (no space after `;;`,
        # which every other `;;` line of both tools has).
        bare_question = single or line[2:3] not in ("", " ", "\t")
        if bare_question and (cur is None or cur.section is None or cur.form == "trace"):
            match = P.QUESTION.match(line)
            if match is not None and match.group("cls") is not None:
                out = self.fresh() if cur is None or (cur.qname is not None and cur.has_body()) else cur
                if out.qname is None:
                    out.qname, out.qtype, out.qclass = match.group("name"), match.group("type"), match.group("cls")

    def delv_resolving(self, why: str, name: str, rtype: str, body: str) -> None:
        """`;; broken trust chain resolving 'lab/DS/IN': 127.0.0.1#53`: delv logs the innermost failure first, so the
        last line names the query (unless a +mtrace/+rtrace `fetch:` line already did); what that line says (an
        RCODE, a timeout, a refused connection) is why the query failed."""
        out = self.delv_output(verdict=False)
        out.warnings.append(body)
        name = _absolute(name)
        if out.fetched and (name, rtype) != (out.qname, out.qtype):
            return
        out.qname, out.qtype = name, rtype
        rcode = P.DELV_RCODE.match(why)
        out.status = rcode.group("rcode") if rcode is not None else None
        out.attempt_errors = [why] if why in P.DELV_TRANSPORT else []

    def h_fetch(self, body: str, rest: str, line: str) -> bool:
        # delv +rtrace/+mtrace: `;; fetch: www.example.com/A`; the first one is the query.
        match = P.DELV_FETCH.match(body)
        if match is None:
            return True
        out = self.delv_output(verdict=False)
        if out.qname is None:
            out.qname, out.qtype, out.fetched = _absolute(match.group("name")), match.group("type"), True
        return True

    def h_relayed(self, body: str, rest: str, line: str) -> bool:
        # delv +mtrace: `;; received packet from 127.0.0.1#53`, then the message, records commented out.
        if not body.startswith("received packet from"):
            return False
        self.relay = True
        return True

    def h_banner(self, body: str, rest: str, line: str) -> bool:
        # `<<>> DiG 9.18.28-1~deb12u2-Debian <<>> @1.1.1.1 example.com` (also the mangled `<<> DiG`).
        common = dig_banner(body)
        if common is not None:
            version, args = common
        else:
            match = P.BANNER.match(body)
            if match is None:
                return False
            version, args = match.group("ver", "args")
        cur = self.cur
        # dig 9.18 prints failed attempts (`;; communications error to …`) before its banner: they belong to it.
        pre_banner = cur is not None and cur.tool in ("dig", "unknown") and cur.only_errors()
        if cur is None or cur.has_banner or (cur.has_body() and not pre_banner):
            cur = self.new("dig")
        cur.tool = "dig"
        cur.has_banner = True
        cur.version = version
        if args is not None:
            cur.apply_command("dig", args.strip())
        return True

    def h_got(self, body: str, rest: str, line: str) -> bool:
        rest = rest.strip() if body != "Got answer:" else "answer:"  # dig's own line, every output has it
        if rest.startswith("bad packet"):
            return self.h_bad(body, rest, line)
        if not rest.startswith("answer"):
            if " reply from " not in rest:
                return False
            # `;; Got SERVFAIL reply from 192.0.2.1#53, trying next server`: a try the server answered with an error.
            # Without `trying next server`, nslookup repeats the status it prints next: not a try of its own.
            nxt = P.NEXT_SERVER.match(body)
            if nxt is not None:
                self.errored().attempt_errors.append(f"{nxt.group('st')} from {nxt.group('srv')}")
            return True
        cur = self.cur
        if cur is None:
            self.new("dig")
        elif cur.sending:
            # `+qr` printed the query first: it is not a response, so it is dropped and its banner kept.
            out = Draft("dig")
            out.inherit_command(cur)
            out.has_banner, out.form = cur.has_banner, cur.form
            self.cur = out
        elif cur.has_header or cur.finished:
            self.new("dig", inherit=True)
        else:
            cur.tool = "dig" if cur.tool == "unknown" else cur.tool
        return True

    def h_header(self, body: str, rest: str, line: str) -> bool:
        tool: Tool
        common = dig_header(body)
        if common is not None:
            # dig's layout (no `;` in it, as kdig's has): what the reading below concludes, with the id's digits ASCII.
            op, st, ident = common
            tool = "dig"
            number = int(ident) if len(ident) <= fields.MAX_DIGITS else None
            id_value = number if number is not None and number <= 65535 else None
        else:
            match = P.HEADER.match(body)
            if match is None:
                return False
            label, op, st, ident = match.group("label", "op", "st", "id")
            if label == "rcode":
                tool = "drill"
            elif ";" in body.partition("id:")[0]:
                tool = "kdig"
            else:
                tool = "dig"
            id_value = fields.decimal(ident, limit=65535)
        cur = self.cur
        if op == "UPDATE":
            # No query tool sends an UPDATE: dig's header form is nsupdate -d's, kdig's is knsupdate's.
            tool = "knsupdate" if tool == "kdig" else "nsupdate" if tool == "dig" else tool
        # knsupdate's `;; ERROR: update failed …` line comes first and sets the status: its header is the same output.
        pending_update = cur is not None and cur.knsupdate and not cur.has_header
        if cur is None or (not pending_update and (cur.has_header or cur.finished or cur.status is not None)):
            cur = self.new(tool, inherit=cur is not None and cur.tool == tool)
        if cur.tool in ("unknown", "dig") or tool != "dig":
            cur.tool = tool if cur.tool != "host" else "host"
        cur.has_header = True
        cur.opcode, cur.status = op, st
        cur.id = id_value
        cur.section = None
        return True

    def h_flags(self, body: str, rest: str, line: str) -> bool:
        # `flags: qr rd ra; QUERY: 1, ANSWER: 0, …` (dig, drill with ` ;`), `Flags: qr rd; QUERY: 1; …` (kdig).
        # (`rest` needs no strip: the line's end is stripped, and the flags are split on whitespace.)
        cur = self.cur or self.new()  # `current()`, inlined: the handlers of every output's lines use it
        flag_text, _, counts = rest.partition(";")
        words = flag_text.split()
        if P.HEADER_FLAGS.issuperset(words):
            cur.flags = tuple(words)  # the flags every tool prints: what the filter below keeps, without running it
        else:
            cur.flags = tuple(f for f in words if f.isalpha() and len(f) <= 2)
        fast = P.COUNTS_FAST.fullmatch(counts)
        if fast is not None:
            # The four counts as every tool prints them: what COUNT and `as_int` below read, in one match.
            query, answer, authority, additional = fast.groups()
            cur.counts = _new(Counts, (int(query), int(answer), int(authority), int(additional)))
            return True
        values = dict(P.COUNT.findall(counts))
        if values:
            cur.counts = Counts(
                query=as_int(values.get("QUERY", values.get("ZONE"))),
                answer=as_int(values.get("ANSWER", values.get("PREREQ"))),
                authority=as_int(values.get("AUTHORITY", values.get("UPDATE"))),
                additional=as_int(values.get("ADDITIONAL")),
            )
        mbz = P.MBZ.search(counts) if "MBZ" in counts else None
        if mbz:
            cur.warnings.append(f"header MBZ bits set: {mbz.group(1)}")
        return True

    def h_section(self, body: str, rest: str, line: str) -> bool:
        if not body.endswith("SECTION:"):  # `PSEUDOSECTION:` too
            return False
        if self.multi is not None:
            self.end_multiline()
        cur = self.cur or self.new()
        cur.section = P.SECTIONS.get(body.partition(" ")[0])
        cur.sectioned = True
        return True

    def h_edns(self, body: str, rest: str, line: str) -> bool:
        # (`rest` needs no strip: the line's end is stripped, and EDNS_DIG is searched for, not matched at its start.)
        if body.endswith("PSEUDOSECTION:"):
            return self.h_section(body, rest, line)
        # `EDNS: version: 0, flags: do; udp: 1232` (dig) or `EDNS: version 0; flags: do ; udp: 1232` (drill).
        fast = P.EDNS_FAST.fullmatch(rest)
        if fast is not None:
            # dig's own layout, with no MBZ: what EDNS_DIG, UDP and `decimal` below read, in one match.
            version, flag_text, udp_text = fast.groups()
            value, udp_value = int(version), int(udp_text)
            (self.cur or self.new()).edns = _new(
                Edns, (value if value <= 255 else None, tuple(flag_text.split()), udp_value if udp_value <= 65535 else None)
            )
            return True
        match = P.EDNS_DIG.search(rest)
        if match is None:
            return False
        cur = self.current()
        udp = P.UDP.search(match.group("rest"))
        cur.edns = Edns(
            version=fields.decimal(match.group("v"), limit=255),
            flags=tuple(match.group("f").split()),
            udp=fields.decimal(udp.group(1), limit=65535) if udp else None,
        )
        mbz = P.MBZ.search(match.group("rest")) if "MBZ" in match.group("rest") else None
        if mbz:
            cur.warnings.append(f"EDNS MBZ bits set: {mbz.group(1)}")
        return True

    def h_kdig_edns(self, body: str, rest: str, line: str) -> bool:
        match = P.KDIG_EDNS.match(body)
        if match is None:
            return False
        cur = self.current("kdig")
        cur.edns = Edns(
            version=fields.decimal(match.group("v"), limit=255),
            flags=tuple(match.group("f").split()),
            udp=fields.decimal(match.group("udp"), limit=65535),
        )
        return True

    def h_ede(self, body: str, rest: str, line: str) -> bool:
        rest = rest.strip()
        value = fields.ede(rest)
        if value is None:
            return False
        self.current().ede.append(value)
        return True

    def option(self, body: str) -> bool:
        # `OPT=15: 00 09 …` (a dig that predates EDE), `OPT=65002: de ad be ef ("....")`, bare `OPT=65003`.
        match = P.OPTION.match(body)
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

    def h_cookie(self, body: str, rest: str, line: str) -> bool:
        rest = rest.strip()
        match = P.COOKIE.match(rest)
        if match is None:
            return False
        cur = self.current()
        cur.cookie = match.group("hex")
        if match.group("state"):
            cur.options.append(f"COOKIE ({match.group('state')})")
        return True

    def h_nsid(self, body: str, rest: str, line: str) -> bool:
        rest = rest.strip()
        self.current().nsid = fields.option_text(rest) if rest else ""
        return True

    def h_other_option(self, body: str, rest: str, line: str) -> bool:
        # EDNS options dig/kdig name: CLIENT-SUBNET, EXPIRE, KEEPALIVE, PADDING, ZONEVERSION, REPORT-CHANNEL …
        cur = self.cur
        if cur is None or cur.section != "opt":
            return False
        cur.options.append(body)
        return True

    def h_query_time(self, body: str, rest: str, line: str) -> bool:
        ms = dig_query_time(body)
        if ms is None:
            match = P.QUERY_TIME.search(body)
            if match is None:
                return False
            ms = match.group("ms")
        (self.cur or self.new()).query_time_ms = as_number(ms)
        return True

    def h_server(self, body: str, rest: str, line: str) -> bool:
        common = dig_server(body)
        if common is not None:
            server, transport = common
        else:
            match = P.SERVER.match(body)
            if match is None:
                return False
            server, transport = match.group("srv", "tr")
        cur = self.cur or self.new()
        cur.server = server
        cur.transport = transport or cur.transport
        return True

    def h_msg_size(self, body: str, rest: str, line: str) -> bool:
        size = body[16:] if body.startswith("MSG SIZE  rcvd: ") else ""
        if size.isdigit() and size.isascii():
            # dig's layout: what MSG_SIZE reads of it (the rest of the line is its digits), without the pattern.
            value = int(size) if len(size) <= fields.MAX_DIGITS else None
        else:
            match = P.MSG_SIZE.match(body)
            if match is None:
                return False
            value = fields.decimal(match.group("n"))
        cur = self.cur or self.new()
        cur.msg_size = value
        cur.finished = True
        cur.section = None
        return True

    def h_received(self, body: str, rest: str, line: str) -> bool:
        trace = P.TRACE_RECEIVED.match(body)
        if trace is not None:
            cur = self.current("dig", "trace")
            cur.form = "trace"
            self.end_multiline()
            cur.hops.append(
                Hop(
                    records=tuple(cur.hop_records),
                    server=trace.group("srv"),
                    server_name=trace.group("name"),
                    msg_size=fields.decimal(trace.group("n")),
                    query_time_ms=as_number(trace.group("ms")),
                )
            )
            cur.hop_records = []
            return True
        kdig = P.KDIG_RECEIVED.match(body)
        if kdig is None:
            return False
        cur = self.current("kdig")
        cur.msg_size = fields.decimal(kdig.group("n"))
        cur.section = None
        return True

    def h_from(self, body: str, rest: str, line: str) -> bool:
        match = P.KDIG_FROM.match(body)
        if match is None:
            return False
        cur = self.current("kdig")
        cur.server, cur.transport = match.group("srv"), match.group("tr")
        cur.query_time_ms = as_number(match.group("ms"))
        cur.finished = True
        return True

    def h_connection(self, body: str, rest: str, line: str) -> bool:
        if body.startswith("connection timed out"):
            cur = self.errored()
            cur.timeout_line = True
            cur.attempt_errors.append("timed out")
            return True
        match = P.SETUP_FAILED.match(body)
        if match is None:
            return False
        # `;; Connection to 192.0.2.1#53(192.0.2.1) for example.com failed: connection refused.` (+tcp)
        cur = self.errored()
        cur.server = cur.server or match.group("srv")
        cur.qname = cur.qname or match.group("name")
        cur.attempt_errors.append(match.group("err"))
        return True

    def h_no(self, body: str, rest: str, line: str) -> bool:
        if not body.startswith("no servers could be reached"):
            return False
        cur = self.current()
        if not cur.attempt_errors:
            cur.attempt_errors.append("no servers could be reached")
        cur.finished = True
        return True

    def h_comm(self, body: str, rest: str, line: str) -> bool:
        match = P.COMM_ERROR.match(body)
        if match is None:
            return False
        cur = self.errored()
        if match.group("srv"):
            cur.server = cur.server or match.group("srv")
        cur.attempt_errors.append(match.group("err").strip().rstrip(".") or "communications error")
        return True

    def h_warning(self, body: str, rest: str, line: str) -> bool:
        timeout = P.KDIG_TIMEOUT.match(body)
        if timeout is not None:
            cur = self.errored("kdig")
            cur.server, cur.transport = split_transport(cur.server or timeout.group("srv"), cur.transport)
            cur.attempt_errors.append("timed out")
            return True
        connect = P.KDIG_CONNECT.match(body)
        if connect is not None:
            cur = self.errored("kdig")
            cur.server = cur.server or connect.group("srv")
            err = connect.group("err")
            cur.attempt_errors.append("connection refused" if err in ("can't connect", "failed to connect") else err)
            return True
        failed = P.KDIG_FAILED.match(body)
        if failed is not None:
            cur = self.current("kdig")
            cur.server = cur.server or failed.group("srv")
            cur.server, cur.transport = split_transport(cur.server, cur.transport)
            if not cur.attempt_errors and cur.status is None:
                # After `server replied with error` the server did answer: the query failed, not its sending.
                cur.attempt_errors.append("failed to query server")
            cur.finished = True
            return True
        update = P.KNSUPDATE_FAILED.match(body)
        if update is not None:
            # knsupdate prints the error, then the server's response header (opcode UPDATE) when there was one.
            cur = self.errored("knsupdate")
            cur.tool, cur.opcode = "knsupdate", "UPDATE"
            cur.status = cur.status or update.group("st").upper()
            cur.knsupdate = True
            return True
        xfr_error = P.KDIG_XFR_ERROR.match(body)
        if xfr_error is not None:
            # A zone transfer the server answered with an error: kdig prints only its RCODE, no header.
            cur = self.errored("kdig")
            cur.tool = "kdig" if cur.tool == "unknown" else cur.tool
            cur.status = xfr_error.group("rcode").upper()
            cur.rcode = fields.rcode_number(cur.status)
            return True
        self.current().warnings.append(body)
        return True

    def h_truncated(self, body: str, rest: str, line: str) -> bool:
        # `;; Truncated, retrying in TCP mode.`: printed before the banner of the output the retry produced.
        self.upcoming().retried_tcp = True
        return True

    def h_self_retry(self, body: str, rest: str, line: str) -> bool:
        # `;; BADVERS, retrying with EDNS version 0.`, `;; BADCOOKIE, retrying.`: the server's first status, before
        # the banner of the retry's output.
        match = P.SELF_RETRY.match(body)
        if match is None:
            return False
        out = self.upcoming()
        out.first_status = out.first_status or match.group("st")
        if "TCP mode" in body:
            out.retried_tcp = True
        return True

    def h_update_comm(self, body: str, rest: str, line: str) -> bool:
        # nsupdate: `; Communication with 192.0.2.1#53 failed: REFUSED` (the SOA query that finds the zone was
        # answered with an error), or `… failed: timed out` / `connection refused` (no answer).
        match = P.UPDATE_COMM.match(body)
        if match is None:
            return False
        out = self.errored("nsupdate")
        out.tool, out.form = "nsupdate", "update"
        out.server = out.server or match.group("srv")
        err = match.group("err").strip()
        if err.isupper() and fields.rcode_number(err) is not None:
            out.status = err
            out.warnings.append(UPDATE_SOA_FAILED)
        else:
            out.attempt_errors.append("timed out" if "timed out" in err else err)
        return True

    def h_bad(self, body: str, rest: str, line: str) -> bool:
        if body.startswith("Got bad packet"):
            cur = self.errored("dig")
            cur.transport_error = "malformed response (" + body.split(":", 1)[-1].strip() + ")"
            return True
        if body.startswith("BAD"):
            self.current().warnings.append(body)
            return True
        return False

    def h_resolution(self, body: str, rest: str, line: str) -> bool:
        if not body.startswith("resolution failed:"):
            return False
        cur = self.delv_output(verdict=False)
        failure = body.split(":", 1)[1].strip()
        cur.delv_failure = failure
        if failure in P.DELV_TRANSPORT:
            cur.attempt_errors.append(failure)
        upper = failure.upper()
        if fields.rcode_number(upper) is not None and upper.isalpha():
            cur.status = upper
        elif failure == "ncache nxdomain":
            cur.status = "NXDOMAIN"
        elif failure == "ncache nxrrset":
            cur.status = "NOERROR"
        return True

    def h_verdict(self, body: str, rest: str, line: str) -> bool:
        if line.startswith(";;"):  # delv prints its verdict after one `;`
            return False
        match = P.DELV_VERDICT.match(";" + " " + body)
        if match is None:
            return False
        cur = self.delv_output(verdict=True)
        cur.delv_verdict = match.group("v")
        return True

    def h_session(self, body: str, rest: str, line: str) -> bool:
        # kdig 3.4: `QUIC session (QUICv1)-(TLS1.3)-…`, `TLS session (TLS1.3)-…`.
        rest = rest.strip()
        if not rest.startswith("session"):
            return False
        cur = self.fresh("kdig")
        cur.transport = body.split(" ", 1)[0]
        return True

    def h_sending(self, body: str, rest: str, line: str) -> bool:
        if body != "Sending:":
            return False
        cur = self.cur
        if cur is None or cur.has_header or cur.finished:
            cur = self.new("dig", inherit=cur is not None)
        cur.sending = True
        return True

    def h_transfer(self, body: str, rest: str, line: str) -> bool:
        # `; Transfer failed.`: dig's only line when the server answers an AXFR/IXFR with an error (REFUSED, NOTAUTH).
        if not body.startswith("Transfer failed"):
            return False
        cur = self.current("dig")
        cur.warnings.append(TRANSFER_FAILED)
        cur.finished = True
        return True

    def h_kdig_xfr(self, body: str, rest: str, line: str) -> bool:
        # kdig: `;; AXFR for example.com.` (also `IXFR`), after a failed transfer's error or before its records.
        match = P.KDIG_XFR.match(body)
        if match is None:
            return False
        cur = self.current("kdig")
        cur.qname, cur.qtype = cur.qname or match.group("name"), cur.qtype or match.group("type")
        return True

    def h_chasing(self, body: str, rest: str, line: str) -> bool:
        # drill -S: `;; Chasing: www.example.com. A`, after `;; Number of trusted keys: 1`.
        match = P.DRILL_CHASING.match(body)
        if match is None:
            return False
        cur = self.fresh("drill", "chase")
        if cur.qname is not None:
            cur = self.new("drill", "chase")
        cur.qname, cur.qtype = match.group("name"), match.group("type")
        return True

    def h_chase(self, body: str, rest: str, line: str) -> bool:
        # drill -S ends with `;; Chase successful` or `;; Chase failed.`.
        if not body.startswith(("Chase successful", "Chase failed")):
            return False
        cur = self.current("drill", "chase")
        if cur.chase != "denied" or "failed" in body:
            cur.chase = "successful" if "successful" in body else "failed"
        cur.finished = True
        return True

    def h_ignore(self, body: str, rest: str, line: str) -> bool:
        return True

    def h_servers_found(self, body: str, rest: str, line: str) -> bool:
        # dig's `; (1 server found)` (`(2 servers found)`): nothing in it, and no other reading takes it.
        return rest == "server found)" or rest == "servers found)"


def dig_header(body: str) -> tuple[str, str, str] | None:
    """dig's own header layout (`->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1`, ASCII words): the opcode,
    status and id HEADER reads from it, read with `partition` (about a third of the cost); None for any other
    layout (tests/core/paste/test_fast_paths.py)."""
    if not body.startswith("->>HEADER<<- opcode: "):
        return None
    op, comma, tail = body[21:].partition(", status: ")
    st, comma2, ident = tail.partition(", id: ")
    if comma and comma2 and (op + st + ident).isascii() and op.isalpha() and st.isalnum() and ident.isdigit():
        return op, st, ident
    return None


def dig_banner(body: str) -> tuple[str, str] | None:
    """dig's banner as it prints it (`<<>> DiG 9.18.28 <<>> @1.1.1.1 example.com`): the version and the arguments
    BANNER reads from it (up to whitespace around them, which `h_banner` strips), with `partition`; None for any
    other layout (tests/core/paste/test_fast_paths.py)."""
    if not body.startswith("<<>> DiG "):
        return None
    version, sep, args = body[9:].partition(" <<>> ")
    if not sep or not version or " " in version or not version.isprintable():
        return None
    return version, args


def dig_query_time(body: str) -> str | None:
    """dig's `Query time: 12 msec` (ASCII digits): the number QUERY_TIME reads from it, without the pattern; None
    for any other layout (tests/core/paste/test_fast_paths.py)."""
    if body.startswith("Query time: ") and body.endswith(" msec"):
        ms = body[12:-5]
        if ms.isdigit() and ms.isascii():
            return ms
    return None


def dig_server(body: str) -> tuple[str, str | None] | None:
    """dig's `SERVER: 192.0.2.1#53(192.0.2.1)` with ` (UDP)` or nothing after it: the server and transport SERVER
    reads from it, with `partition`; None for any other layout (tests/core/paste/test_fast_paths.py)."""
    if not body.startswith("SERVER: "):
        return None
    server, paren, tail = body[8:].partition("(")
    if not server or " " in server or not server.isprintable():  # printable and no space: no whitespace at all
        return None
    if not paren:
        return server, None
    _, close, after = tail.partition(")")
    if not close:
        return None
    if not after:
        return server, None
    transport = after[2:-1]
    if (
        after.startswith(" (")
        and after.endswith(")")
        and transport.isascii()
        and transport.isalpha()
        and transport.isupper()
    ):
        return server, transport
    return None


_new = tuple.__new__  # a NamedTuple from a tuple of its fields, for the values every output has: half of `Counts(…)`


def _absolute(name: str) -> str:
    """delv names a fetch `www.example.com/A`: the name as its answers print it, `www.example.com.`."""
    return name if name.endswith(".") else name + "."


_Handler = Callable[[DigLines, str, str, str], bool]
SEMI_HANDLERS: dict[str, _Handler] = {}


def _register() -> None:
    r = DigLines
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
        "BADVERS,": r.h_self_retry,
        "BADCOOKIE,": r.h_self_retry,
        "Communication": r.h_update_comm,
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
        "Transfer": r.h_transfer,
        "AXFR": r.h_kdig_xfr,
        "IXFR": r.h_kdig_xfr,
        "Chasing:": r.h_chasing,
        "Chase": r.h_chase,
        "global": r.h_ignore,
        **{f"({n}": r.h_servers_found for n in range(1, 10)},
        "res": r.h_ignore,
        "WHEN:": r.h_ignore,
        "Time": r.h_ignore,
        "PADDING:": r.h_ignore,
        "fetch:": r.h_fetch,
        "received": r.h_relayed,
        "validating": r.h_ignore,
    }
    for section in P.SECTIONS:
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
    SEMI_HANDLERS.update(table)


_register()
