"""Lines without a `;`: host and nslookup (Linux and Windows), dig +yaml, bare records and +short values."""

from __future__ import annotations

from collections.abc import Callable

import dns.rdatatype

from bot.core.paste import fields
from bot.core.paste import patterns as P
from bot.core.paste.builder import Draft, as_int, as_number, short_record
from bot.core.paste.machine import Machine
from bot.core.paste.model import Counts, Ede, Edns, Record


class PlainLines(Machine):
    """Reads host, nslookup and +yaml lines; records go to `Machine.record_line`."""

    # ------------------------------------------------------------------------------------- other lines

    def plain(self, stripped: str, line: str) -> None:
        cur = self.cur
        form = cur.form if cur is not None else None
        if form == "yaml" and cur is not None and self.yaml(stripped, cur):
            return
        first = stripped[0]
        if (first == "-" or first == "r") and (
            stripped.startswith(("- type:", "response_message_data:")) or stripped == "-"
        ):
            if stripped.startswith("- type:"):
                # `- type: DIG_ERROR`, then `message: |` and the error (`no servers could be reached`) on its own line.
                self.new("dig", "yaml").yaml_error = stripped.endswith("DIG_ERROR")
            else:
                self.fresh("dig", "yaml")
            self.loose_ok = False
            return
        if form == "chase" and cur is not None and not cur.finished:
            self.chase_line(stripped, cur)
            return
        # A record first: in a section, or with a TTL/class/FQDN that prose does not have.
        in_section = (
            cur is not None
            and not cur.finished
            and (cur.section in ("answer", "authority", "additional") or form == "trace")
        )
        if self.record_line(stripped, loose=not in_section):
            self.loose_ok = False  # a paste with records is not a bare +short answer
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
            out = self.fresh(tool, "full")
            out.apply_command(tool, args)
            if tool == "host" or tool == "nslookup" or tool == "delv":
                out.form = tool
            return
        if self.host_or_nslookup(stripped):
            self.loose_ok = False
            return
        identify = P.SHORT_IDENTIFY.match(stripped) if " from server " in stripped else None
        if identify is not None and P.SHORT.match(identify.group("value")):
            # `+short +identify`: `192.0.2.1 from server 127.0.0.1 in 4 ms.`
            out = cur if cur is not None and cur.form == "short" and not cur.finished else self.new("dig", "short")
            out.answer.append(short_record(identify.group("value"), out.cmd.qname if out.cmd else None))
            out.server, out.query_time_ms = identify.group("srv"), as_number(identify.group("ms"))
            self.loose_ok = False
            return
        if P.SHORT.match(stripped):
            if cur is not None and cur.form == "short" and not cur.finished:
                cur.answer.append(short_record(stripped, cur.cmd.qname if cur.cmd else None))
                return
            self.loose.append(stripped)
        elif not stripped.startswith("```"):
            self.loose_ok = False

    def chase_line(self, line: str, cur: Draft) -> None:
        """A line of drill -S's trust tree: its records (evidence), its first error, or a proven denial."""
        self.loose_ok = False
        if self.record_line(line, loose=False):
            return
        key = P.DRILL_TREE_KEY.match(line)
        if key is not None:
            cur.chase_key = f"{key.group('name')} DNSKEY keytag {key.group('tag')}"
            return
        error = P.DRILL_CHASE_ERROR.match(line)
        if error is not None:
            cur.chase_error = cur.chase_error or error.group("err")
        elif line.startswith("Existence denied or verifiably insecure"):
            cur.chase = "denied"

    def host_or_nslookup(self, line: str) -> bool:
        word = line.split(None, 1)[0]
        cur = self.cur
        if word == "Using" and line.startswith("Using domain server"):
            # A second server block starts the next run, even when the first printed nothing after its own. Failed
            # tries printed before it (`;; communications error to …: timed out`) are this run's.
            if cur is not None and cur.tool in ("unknown", "host") and cur.only_errors() and not cur.host_server:
                out = cur
                out.tool, out.form = "host", "host"
            else:
                out = self.new("host", "host") if cur is not None and cur.host_server else self.fresh("host", "host")
            out.nsl_state = "host-server"
            return True
        if word in ("Server:", "Default") and (word == "Server:" or line.startswith("Default Server:")):
            if cur is not None and cur.tool in ("unknown", "nslookup") and cur.only_errors() and cur.nsl_state is None:
                cur.tool, cur.form = "nslookup", "nslookup"
            out = (
                self.fresh("nslookup", "nslookup")
                if not (cur is not None and cur.tool == "nslookup" and cur.only_errors())
                else cur
            )
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
            if cur.nsl_state == "name" and cur.nsl_name is not None:
                for address in value.split():
                    cur.answer.append(Record(cur.nsl_name, "AAAA" if ":" in address else "A", address))
                return True
            return False
        if word == "Name:" and cur is not None:
            if cur.nsl_state == "host-server":
                return True
            # `Name:` names the owner of the `Address:` lines that follow (the CNAME target, after an alias).
            name = line.split(":", 1)[1].strip()
            cur.nsl_state, cur.nsl_name = "name", name
            cur.qname = cur.qname or name
            return True
        if word == "Aliases:" and cur is not None and cur.nsl_state == "host-server":
            cur.nsl_state = None
            cur.host_server = True
            return True
        if line.startswith("Non-authoritative answer"):
            out = self.current("nslookup", "nslookup")
            out.nsl_state = None
            out.warnings.append("non-authoritative answer")
            return True
        if line.startswith("Authoritative answers can be found from"):
            # What follows (the zone's SOA after `Can't find …: No answer`, or its NS and their addresses) is the
            # authority section, not the answer.
            if cur is not None and cur.tool == "nslookup":
                cur.section = "authority"
            return True
        if cur is not None and cur.tool == "nslookup" and self.nslookup_soa(line, cur):
            return True
        if word.startswith("**"):
            return self.nslookup_error(line)
        if word == "Host":
            match = P.HOST_NOT_FOUND.match(line)
            if match is None:
                return False
            out = self.host_output()
            out.qname = out.qname or match.group("name")
            if match.group("st"):
                out.status, out.rcode = match.group("st"), fields.rcode_number(match.group("num"))
            else:
                out.transport_error = match.group("other")
            return True
        match = P.HOST_LINE.match(line)
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
        pair = P.NSL_PAIR.match(line)
        if pair is not None and (pair.group("num") is None or fields.decimal(pair.group("num"), limit=65535) is not None):
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
            if pair.group("num"):
                rtype = dns.rdatatype.to_text(dns.rdatatype.RdataType.make(int(pair.group("num"))))  # bounded above
            record = Record(pair.group("name"), rtype, pair.group("data").strip())
            if out.section == "authority":
                (out.additional if rtype in ("A", "AAAA") else out.authority).append(record)
                return True
            out.qname = out.qname or pair.group("name")
            out.answer.append(record)
            return True
        if word == "Trying" and line.startswith('Trying "'):
            # host -v: `Trying "name"`, then a dig-like message whose QUESTION SECTION names the query.
            out = self.fresh("host")
            out.tool = "host"
            return True
        if word == "Received":
            match = P.HOST_RECEIVED.match(line)
            if match is None:
                return False
            cur2 = self.current("host")
            cur2.msg_size, cur2.server = fields.decimal(match.group(1)), match.group(2)
            cur2.query_time_ms = as_number(match.group(3))
            cur2.finished = True
            return True
        if word == "update" and line.startswith("update failed:"):
            # nsupdate: `update failed: NOTIMP` (the server's answer to the UPDATE), or its own wording of an error.
            failed = P.UPDATE_FAILED.match(line)
            if failed is None:
                return False
            out = self.errored("nsupdate")
            out.tool, out.opcode = "nsupdate", "UPDATE"
            out.form = "update" if out.form == "full" else out.form
            status = failed.group("st").strip()
            if status.isupper() and fields.rcode_number(status) is not None:
                out.status = status
            else:
                out.transport_error = status
            return True
        if line.startswith("could not reach any name server"):
            # nsupdate's last line when its SOA query failed (`; Communication with … failed: …` before it).
            out = self.current("nsupdate")
            out.tool = "nsupdate" if out.tool == "unknown" else out.tool
            out.form = "update" if out.form in ("full", "error") else out.form
            if out.status is None and not out.attempt_errors:
                out.attempt_errors.append("could not reach any name server")
            out.finished = True
            return True
        if word == "DNS" and line.startswith("DNS request timed out"):
            out = self.errored("nslookup")
            out.tool = "nslookup"
            out.attempt_errors.append("timed out")
            return True
        if line.startswith("timeout was "):
            return True
        couldnt = P.COULDNT.match(line)
        if couldnt is not None:
            out = self.errored()
            out.transport_error = f"couldn't get address for '{couldnt.group('name')}': {couldnt.group('err')}"
            return True
        drill = P.DRILL_ERROR.match(line)
        if drill is not None:
            out = self.errored("drill")
            out.tool = "drill" if out.tool == "unknown" else out.tool
            err = drill.group("err")
            out.attempt_errors.append("timed out" if "timed out" in err else err)
            return True
        return False

    def nslookup_soa(self, line: str, cur: Draft) -> bool:
        """`example.com` alone, then `origin = ns1.example.com`, `mail addr = …`, … `minimum = 300`: one SOA."""
        field = P.NSL_SOA_FIELD.match(line)
        if field is None:
            if P.NSL_OWNER.match(line) is None:
                return False
            cur.nsl_name, cur.nsl_soa = line, []
            return True
        if cur.nsl_soa is None or cur.nsl_name is None or (field.group("key") == "origin") == bool(cur.nsl_soa):
            return True  # a field of a debug block (`->  name` before it) or out of order: not a record
        cur.nsl_soa.append(field.group("value").rstrip(".") + ("." if field.group("key") in ("origin", "mail addr") else ""))
        if field.group("key") == "minimum":
            soa = Record(cur.nsl_name, "SOA", " ".join(cur.nsl_soa))
            cur.nsl_soa = None
            if cur.section == "authority":
                cur.authority.append(soa)
            else:
                cur.qname = cur.qname or soa.name
                cur.answer.append(soa)
        return True

    def nslookup_error(self, line: str) -> bool:
        cant = P.NSL_CANT.match(line)
        if cant is not None:
            out = self.current("nslookup", "nslookup")
            out.qname = out.qname or cant.group("name")
            status = cant.group("st").strip()
            if fields.rcode_number(status) is not None or status.isupper():
                out.status = status
            else:
                out.transport_error = status
            return True
        no_answer = P.NSL_NO_ANSWER.match(line)
        if no_answer is not None:
            out = self.current("nslookup", "nslookup")
            out.qname = out.qname or no_answer.group("name")
            out.status, out.rcode = "NOERROR", 0
            return True
        windows = P.NSL_WINDOWS.match(line)
        if windows is not None:
            out = self.current("nslookup", "nslookup")
            out.qname = out.qname or windows.group("name")
            why = windows.group("why").strip().rstrip(".")
            status = P.WINDOWS_STATUS.get(why.lower())
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

    def yaml(self, line: str, cur: Draft) -> bool:
        item = P.YAML_ITEM.match(line)
        if item is not None and not line.startswith("- type:"):
            value = item.group("value")
            if cur.section == "question":
                match = P.QUESTION.match(";" + value)
                if match is not None and cur.qname is None:
                    cur.qname, cur.qtype, cur.qclass = match.group("name"), match.group("type"), match.group("cls")
                return True
            record = fields.record(value)
            if record is not None:
                cur.add_record(record)
                return True
            return False
        match = P.YAML_KEY.match(line)
        if match is None:
            if cur.yaml_error:
                cur.attempt_errors.append(line)
                return True
            return False
        key, value = match.group("key"), match.group("value").strip().strip("'\"")
        if key.endswith("_SECTION"):
            cur.section = P.SECTIONS.get(key.split("_", 1)[0])
            cur.sectioned = True
            cur.yaml_edns = False
            return True
        if key == "OPT_PSEUDOSECTION" or key == "EDNS":
            cur.yaml_edns = True
            cur.edns = cur.edns or Edns()
            return True
        if cur.yaml_edns and key in ("version", "flags", "udp"):
            edns = cur.edns or Edns()
            if key == "version":
                cur.edns = Edns(as_int(value), edns.flags, edns.udp)
            elif key == "flags":
                cur.edns = Edns(edns.version, tuple(value.split()), edns.udp)
            else:
                cur.edns = Edns(edns.version, edns.flags, as_int(value))
            return True
        handler = _YAML_KEYS.get(key)
        if handler is None:
            return key in ("type", "query_time", "response_time", "query_address", "query_port", "socket_family", "message")
        handler(cur, value)
        return True


_Setter = Callable[["Draft", str], None]


def _yaml_status(cur: Draft, value: str) -> None:
    cur.status = value
    cur.has_header = True


def _yaml_counts(key: str) -> _Setter:
    def setter(cur: Draft, value: str) -> None:
        c = cur.counts or Counts()
        n = as_int(value)
        cur.counts = Counts(
            query=n if key == "QUESTION" else c.query,
            answer=n if key == "ANSWER" else c.answer,
            authority=n if key == "AUTHORITY" else c.authority,
            additional=n if key == "ADDITIONAL" else c.additional,
        )

    return setter


def _yaml_ede(cur: Draft, value: str) -> None:
    if not value:
        return  # dig 9.18+: `EDE:` then `INFO-CODE:` and `EXTRA-TEXT:` on their own lines
    structured = P.YAML_EDE.search(value)
    if structured is not None:
        parsed = fields.ede(structured.group("code"))
        if parsed is not None:
            cur.ede.append(Ede(parsed.code, parsed.purpose, structured.group("text") or parsed.text))
        return
    parsed = fields.ede(value)
    if parsed is not None:
        cur.ede.append(parsed)


def _yaml_info_code(cur: Draft, value: str) -> None:
    parsed = fields.ede(value)
    if parsed is not None:
        cur.ede.append(parsed)


def _yaml_extra_text(cur: Draft, value: str) -> None:
    if cur.ede and cur.ede[-1].text is None:
        last = cur.ede[-1]
        cur.ede[-1] = Ede(last.code, last.purpose, value or None)


def _yaml_server(cur: Draft, value: str) -> None:
    cur.server = value if cur.server is None else f"{value}#{cur.server}" if cur.server.isdigit() else cur.server


def _yaml_port(cur: Draft, value: str) -> None:
    cur.server = f"{cur.server}#{value}" if cur.server and "#" not in cur.server else cur.server or value


def _yaml_set(attr: str, convert: Callable[[str], object] | None = None) -> _Setter:
    def setter(cur: Draft, value: str) -> None:
        setattr(cur, attr, convert(value) if convert is not None else value)

    return setter


_YAML_KEYS: dict[str, _Setter] = {
    "opcode": _yaml_set("opcode"),
    "status": _yaml_status,
    "id": _yaml_set("id", as_int),
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
    "message_size": _yaml_set("msg_size", as_int),
    "response_address": _yaml_server,
    "response_port": _yaml_port,
    "socket_protocol": _yaml_set("transport"),
}
