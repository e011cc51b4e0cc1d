"""Explain a read paste: what each output says, why, and what to do next.

The status and every EDE are explained from the knowledge file (one source of truth for what rcodebot says about
a code); this module adds what only the output itself shows: the flags (no `ra`, a missing `aa`, `ad`, `tc`,
`cd`), NODATA told apart from NXDOMAIN and from a referral, transport failures (no RCODE at all), delv's
validation verdict, and the next step for this case. The knowledge file's fixes name `NAME`, `TYPE`, `SERVER` and
`ZONE`; they are filled in from the output where it shows them, so the commands can be copied as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Literal

from bot.core.codes.knowledge import Entry, Knowledge
from bot.core.nxname import has_nxname
from bot.core.paste.model import (
    CHASE_KEY_UNLINKED,
    HOST_NOTHING,
    TRANSFER_FAILED,
    UPDATE_SOA_FAILED,
    Ede,
    Paste,
    ToolOutput,
)

Verdict = Literal["ok", "nodata", "referral", "nxdomain", "failure", "no_answer", "unknown"]
Severity = Literal["info", "warning", "problem"]

MAX_FIXES = 2
_PLACEHOLDER = re.compile(r"\b(NAME|TYPE|SERVER|ZONE)\b|(?<=@)(NS)\b")
_NOT_DATA = frozenset({"CNAME", "DNAME", "RRSIG", "NSEC", "NSEC3"})


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the output shows, with what to do about it."""

    severity: Severity
    title: str
    detail: str
    fix: tuple[str, ...] = ()
    ident: str | None = None


@dataclass(frozen=True, slots=True)
class EdeNote:
    """One EDE option, with the knowledge file's entry for its code (None when the option held no code)."""

    ede: Ede
    entry: Entry | None

    @property
    def purpose(self) -> str:
        """The registry's purpose text, else what the tool printed."""
        if self.entry is not None and self.entry.status == "assigned":
            return self.entry.name
        return self.ede.purpose or (self.entry.name if self.entry is not None else "unreadable option")

    @property
    def label(self) -> str:
        """`EDE 9 (DNSKEY Missing)`."""
        code = "?" if self.ede.code is None else str(self.ede.code)
        return f"EDE {code} ({self.purpose})"


@dataclass(frozen=True, slots=True)
class OutputExplanation:
    """Everything said about one tool output."""

    output: ToolOutput
    verdict: Verdict
    headline: str
    status_entry: Entry | None
    rcode: int | None
    ede: tuple[EdeNote, ...]
    findings: tuple[Finding, ...]
    next_steps: tuple[str, ...]

    @property
    def nodata(self) -> bool:
        """NOERROR with an empty answer and no referral: the name exists without that type."""
        return self.verdict == "nodata"

    @property
    def status_label(self) -> str:
        """`SERVFAIL (RCODE 2)`, `NODATA`, `no answer (timed out)`."""
        if self.verdict == "nodata":
            return "NODATA (NOERROR, empty answer)"
        if self.status_entry is not None:
            label = self.status_entry.label
            printed = self.output.status
            if printed and printed.upper() != self.status_entry.name.upper():
                label += f", printed as {printed}"
            return label
        if self.output.status:
            return self.output.status
        if self.output.timeout:
            return "no answer (timed out)"
        if self.output.transport_error:
            return f"no answer ({self.output.transport_error})"
        if self.output.delv_failure:
            return f"validation failed ({self.output.delv_failure})"
        if self.output.delv_verdict:
            return self.output.delv_verdict
        if self.output.chase:
            error = f" ({self.output.chase_error})" if self.output.chase_error and self.output.chase == "failed" else ""
            return f"drill -S chase {self.output.chase}{error}"
        if self.output.hops:
            return "answered (+trace)" if self.output.answer else "no answer (+trace)"
        return "status not shown"

    def to_json(self) -> dict[str, Any]:
        """The `--json` object for this output (see README, "Explaining pasted output")."""
        o = self.output
        return {
            "tool": o.tool,
            "version": o.version,
            "form": o.form,
            "server": o.server,
            "qname": o.qname,
            "qtype": o.qtype,
            "opcode": o.opcode,
            "status": o.status,
            "rcode": self.rcode,
            "verdict": self.verdict,
            "nodata": self.nodata,
            "flags": list(o.flags),
            "counts": None if o.counts is None else o.counts.to_json(),
            "edns": None if o.edns is None else o.edns.to_json(),
            "ede": [{"code": n.ede.code, "purpose": n.purpose, "text": n.ede.text} for n in self.ede],
            "cookie": o.cookie,
            "nsid": o.nsid,
            "timeout": o.timeout,
            "transport_error": o.transport_error,
            "delv_verdict": o.delv_verdict,
            "delv_failure": o.delv_failure,
            "chase": o.chase,
            "chase_error": o.chase_error,
            "answer_count": len(o.answer),
            "authority_count": len(o.authority),
            "answer": [r.to_json() for r in o.answer],
            "authority": [r.to_json() for r in o.authority],
            "hops": [{"server": h.server, "server_name": h.server_name, "records": len(h.records)} for h in o.hops],
            "query_time_ms": o.query_time_ms,
            "msg_size": o.msg_size,
            "warnings": list(o.warnings),
            "retried": o.retried,
            "failed_tries": list(o.failed_tries),
            "first_status": o.first_status,
            "retried_tcp": o.retried_tcp,
            "compact_denial": compact_denial(o) and self.verdict == "nxdomain",
            "headline": self.headline,
            "findings": [
                {"severity": f.severity, "title": f.title, "detail": f.detail, "fix": list(f.fix)} for f in self.findings
            ],
            "next_steps": list(self.next_steps),
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """The explanation of a whole paste."""

    paste: Paste
    outputs: tuple[OutputExplanation, ...]

    @property
    def detected(self) -> bool:
        """Whether any tool output was found."""
        return bool(self.outputs)

    @property
    def truncated(self) -> bool:
        """Whether the paste was longer than the reader reads."""
        return self.paste.truncated

    def target(self) -> tuple[str, str] | None:
        """(name, type) of the first output that names its query, for a live check."""
        for item in self.outputs:
            o = item.output
            if o.qname and o.qname not in (".",) and not o.qname.startswith("<"):
                return o.qname, (o.qtype or "A")
        return None

    def to_json(self) -> dict[str, Any]:
        """`{"detected", "truncated", "outputs": [...]}` (text and blocks are added by the Reply)."""
        return {
            "detected": self.detected,
            "truncated": self.truncated,
            "size": self.paste.size,
            "outputs": [item.to_json() for item in self.outputs],
        }


# ------------------------------------------------------------------------------------------------ explaining


def explain(paste: Paste, knowledge: Knowledge) -> Explanation:
    """Explain every output of a paste."""
    return Explanation(paste=paste, outputs=tuple(explain_output(o, knowledge) for o in paste.outputs))


def explain_output(output: ToolOutput, knowledge: Knowledge) -> OutputExplanation:
    """Explain one output: verdict, headline, EDE notes, findings from the flags and the transport, next steps."""
    entry = _status_entry(output, knowledge)
    rcode = entry.value if entry is not None and entry.value is not None else output.rcode
    verdict = _verdict(output, entry)
    fill = _Filler(output)
    notes = tuple(EdeNote(e, knowledge.ede(e.code) if e.code is not None else None) for e in output.ede)
    findings: list[Finding] = []
    findings += _transport_findings(output, fill)
    findings += _retry_findings(output, entry)
    findings += _update_findings(output, entry)
    findings += _delv_findings(output)
    findings += _chase_findings(output)
    findings += _trace_findings(output)
    findings += _answer_findings(output, verdict, knowledge, fill)
    findings += _flag_findings(output, entry, verdict)
    findings += _warning_findings(output)
    # Fixes may name NAME, SERVER, … : fill them in from the output, like the knowledge file's fixes.
    findings = [replace(f, fix=tuple(fill(x) for x in f.fix)) if f.fix else f for f in findings]
    headline = _headline(output, entry, verdict, notes, knowledge)
    steps = _next_steps(output, entry, verdict, notes, knowledge, fill)
    return OutputExplanation(
        output=output,
        verdict=verdict,
        headline=headline,
        status_entry=entry,
        rcode=rcode,
        ede=notes,
        findings=tuple(findings),
        next_steps=steps,
    )


def _status_entry(output: ToolOutput, knowledge: Knowledge) -> Entry | None:
    if output.status:
        entry = knowledge.rcode_named(output.status)
        if entry is not None:
            return entry
    if output.rcode is not None and 0 <= output.rcode < 65536:
        return knowledge.rcode(output.rcode)
    return None


def _is_referral(output: ToolOutput) -> bool:
    has_ns = any(r.rtype == "NS" for r in output.authority)
    has_soa = any(r.rtype == "SOA" for r in output.authority)
    return has_ns and not has_soa and "aa" not in output.flags


def _verdict(output: ToolOutput, entry: Entry | None) -> Verdict:
    name = entry.name.upper() if entry is not None else (output.status or "").upper()
    if not name:
        if _delv_validation_failure(output) or _chase_failure(output) or TRANSFER_FAILED in output.warnings:
            return "failure"
        if output.chase == "successful":
            return "ok"
        if output.chase is not None:
            return "unknown"  # a proven denial, or no keys to chase: said in the findings
        if output.answer or output.hops:
            return "ok"
        if output.timeout or output.transport_error:
            return "no_answer"
        return "unknown"
    if name == "NOERROR":
        if output.answer:
            return "ok"  # data, or an alias whose target is elsewhere (see _answer_findings)
        counts = output.counts
        if counts is not None and counts.answer:
            return "ok"  # the header counts answers the paste does not show (cut, or +noall +comments)
        if _is_referral(output):
            return "referral"
        if compact_denial(output):
            return "nxdomain"  # RFC 9824: NOERROR with an NSEC that has the NXNAME bit means the name does not exist
        if (counts is not None and counts.answer == 0) or output.form in (
            "host",
            "nslookup",
            "delv",
            "full",
            "yaml",
            "json",
        ):
            return "nodata"
        return "unknown"
    if name == "NXDOMAIN":
        return "nxdomain"
    return "failure"


class _Filler:
    """Fills the knowledge file's placeholders (NAME, TYPE, SERVER, ZONE) from what the output shows."""

    def __init__(self, output: ToolOutput) -> None:
        soa = next((r for r in (*output.authority, *output.answer) if r.rtype == "SOA"), None)
        server = (output.server or "").split("#")[0].split("@")[0] or None
        self.values = {
            "NAME": output.qname.rstrip(".") if output.qname and output.qname != "." else None,
            "TYPE": output.qtype,
            "SERVER": server,
            "ZONE": soa.name.rstrip(".") if soa is not None and soa.name not in (".", "") else None,
            # Asked without recursion, the server is one of the zone's nameservers: `@NS` means it (NS elsewhere is
            # the record type, and stays).
            "NS": server if output.flags and "rd" not in output.flags and "qr" in output.flags else None,
        }

    def __call__(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self.values.get(m.group(m.lastindex or 0)) or m.group(0), text)


_PORT = re.compile(r"[#@](\d{1,5})\b")


def _port(output: ToolOutput) -> str:
    """The port the tool asked: dig writes the server as `192.0.2.1#5353`, kdig as `192.0.2.1@853(TCP)` (+tls asks
    853, +https 443); 53 when the output does not say."""
    match = _PORT.search(output.server or "")
    return match.group(1) if match is not None else "53"


def _transport_findings(output: ToolOutput, fill: _Filler) -> list[Finding]:
    if output.answered:
        return []
    server = fill.values["SERVER"] or "the server"
    port = _port(output)
    error = (output.transport_error or "").lower()
    if output.timeout:
        return [
            Finding(
                "problem",
                "No server answered: the query timed out",
                f"Nothing came back from {server}. Either it is unreachable (down, firewalled, wrong address), or it is a "
                "resolver that got no answer from the zone's nameservers and stayed silent (Unbound does that).",
                (
                    f"Check reachability: `ping {server}`, then `dig +tcp @{server} . SOA` (TCP and UDP port 53 must both be open)."
                    if port == "53"
                    else f"Check reachability: `ping {server}`, and that port {port} is open on it.",
                    f"Ask another resolver for the same name: `{_cmd('dig @' + other_resolver(output.server), fill.values['NAME'] or 'NAME', output.qtype or '')}`. "
                    "If it answers, "
                    f"{server} (or the path to it) is the problem; if it also fails, the zone's nameservers are.",
                ),
            )
        ]
    if "refused" in error:
        return [
            Finding(
                "problem",
                f"Connection refused: nothing listens on port {port} there",
                f"{server} answered with an ICMP port-unreachable or a TCP reset: no DNS service is running on that address "
                "and port, or a firewall rejects it.",
                (
                    "On that host: is the service running (`systemctl status named unbound nsd knot`) and listening "
                    f"(`ss -lunpt 'sport = :{port}'`)?",
                    "Check the address and the port (`-p`) you asked.",
                ),
            )
        ]
    if "could not send or receive" in error:
        return [
            Finding(
                "problem",
                "No answer from the server (drill does not say why)",
                f"drill prints the same error when {server} does not answer in time, when nothing listens on port 53 there "
                "(connection refused) and when there is no route to it.",
                (
                    f"Repeat with dig to see which: `{_cmd('dig', '@' + (fill.values['SERVER'] or 'SERVER'), fill.values['NAME'] or 'NAME')}` says "
                    "`timed out` or `connection refused`.",
                ),
            )
        ]
    if "unreachable" in error or "network" in error:
        return [
            Finding(
                "problem",
                f"No route to the server ({output.transport_error})",
                f"The query never reached {server}: a routing, VPN or interface problem on your side, or IPv6 with no IPv6 "
                "connectivity.",
                ("Try `ping` / `traceroute` to it; for an IPv6 address without IPv6 connectivity, use `-4`.",),
            )
        ]
    if "couldn't get address" in error:
        return [
            Finding(
                "problem",
                "The server's name could not be resolved",
                f"The tool could not look up the address of the server you named ({output.transport_error}).",
                ("Give the server as an IP address after `@`, or check the resolver that tool uses.",),
            )
        ]
    if "malformed" in error:
        return [
            Finding(
                "problem",
                "The reply could not be parsed",
                "The server sent a message the tool could not decode: a broken server, or a middlebox rewriting DNS.",
                ("Retry with `+noedns` and with `+tcp`; if one works, the server mishandles EDNS or UDP.",),
            )
        ]
    if output.transport_error:
        return [Finding("problem", f"No answer: {output.transport_error}", "The tool got no usable response.")]
    return []


_PUBLIC_RESOLVERS = (
    ("1.1.1.1", ("1.1.1.1", "1.0.0.1", "2606:4700:4700::1111", "2606:4700:4700::1001")),
    ("9.9.9.9", ("9.9.9.9", "149.112.112.112", "2620:fe::fe", "2620:fe::9")),
    ("8.8.8.8", ("8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844")),
)


def other_resolver(server: str | None) -> str:
    """A public resolver to compare with, never the one the paste already asked (nor its sibling addresses: they are
    the same service)."""
    asked = (server or "").split("#")[0].split("@")[0].strip("[]").lower()
    for name, addresses in _PUBLIC_RESOLVERS:
        if asked not in addresses:
            return name
    return _PUBLIC_RESOLVERS[-1][0]  # unreachable: the three services share no address


def compact_denial(output: ToolOutput) -> bool:
    """RFC 9824: an empty NOERROR answer whose authority holds an NSEC owned by the name asked (when the output names
    it) whose type bitmap has NXNAME (type 128; printed `TYPE128` by tools that predate it)."""
    if output.answer:
        return False
    wanted = (output.qname or "").rstrip(".").lower()
    for record in output.authority:
        if record.rtype != "NSEC":
            continue
        if wanted and record.name.rstrip(".").lower() != wanted:
            continue
        if has_nxname(record.data.split()[1:]):
            return True
    return False


def _tries(n: int) -> str:
    return f"{n} failed tr{'y' if n == 1 else 'ies'}"


def _retry_findings(output: ToolOutput, entry: Entry | None) -> list[Finding]:
    """What the tries before the answer say: tries that got nothing (timeouts, refusals), and retries the tool made
    by itself on the server's first status (BADVERS, BADCOOKIE) or on truncation."""
    found: list[Finding] = []
    status = entry.name.upper() if entry is not None else (output.status or "").upper()
    n = len(output.failed_tries)
    tries = ", ".join(dict.fromkeys(output.failed_tries))
    if output.retried == "timeout" and status == "SERVFAIL":
        found.append(
            Finding(
                "problem",
                f"SERVFAIL after {_tries(n)} that timed out: the resolver was waiting on unreachable nameservers",
                f"The first tries got no answer at all ({tries}); the next one got SERVFAIL. A resolver that needs more "
                "than one try before it answers SERVFAIL was usually still waiting on the zone's nameservers, which do "
                "not answer (down, firewalled, or the wrong addresses in the delegation), and then gave up on them.",
                (
                    "List the zone's nameservers (`dig NS ZONE`, or `dig +trace NAME`) and ask each one directly: "
                    "`dig +norec @NS ZONE SOA`; the ones that time out are the cause.",
                ),
                "retried_timeout",
            )
        )
    elif output.retried == "timeout":
        found.append(
            Finding(
                "warning",
                f"Answered after {_tries(n)} that timed out",
                f"The tool tried again after no answer ({tries}); the answer shown is the try that came back. Queries "
                "were lost on the way, or the server (a resolver) was still waiting on slow or unreachable nameservers "
                "behind it. Users of this server see the same delay.",
                ("Repeat the query a few times (`+tries=1`) to see how often it is lost, and from a second resolver.",),
                "retried_timeout",
            )
        )
    elif output.retried == "refused":
        found.append(
            Finding(
                "warning",
                f"Answered after {_tries(n)} refused",
                f"The first tries were refused ({tries}: an ICMP port-unreachable or a TCP reset), then a server "
                "answered: the service was restarting, or a server earlier in the list is down.",
                ("Check that every server in the list (resolv.conf, `@`) runs and listens on port 53.",),
                "retried_refused",
            )
        )
    elif output.retried == "error":
        found.append(
            Finding(
                "info",
                f"Answered after {_tries(n)}",
                f"Earlier tries failed ({tries}) before the answer shown.",
                (),
                "retried_error",
            )
        )
    if output.first_status == "BADVERS":
        found.append(
            Finding(
                "info",
                "The server first answered BADVERS; dig retried with EDNS version 0",
                "The query asked for an EDNS version the server does not support (`+edns=1` or higher), and the server "
                "answered BADVERS (RCODE 16) with the version it does support, as RFC 6891 requires. dig retried with "
                "that version; the status shown is the retry's. A server that answered an unknown version with data "
                "instead would be wrong.",
                ("Nothing to fix; to see the BADVERS itself, add `+noednsnegotiation`.",),
                "first_status",
            )
        )
    elif output.first_status == "BADCOOKIE":
        found.append(
            Finding(
                "info",
                "The server first answered BADCOOKIE; dig retried with the new cookie",
                "The server rejected the client cookie the query carried (RFC 7873: a stale server cookie, or anycast "
                "nodes or a cluster that do not share the cookie secret) and sent a fresh one; dig retried with it, and "
                "the status shown is the retry's.",
                (
                    "If it happens on every query, the servers behind one address use different cookie secrets: give them one.",
                ),
                "first_status",
            )
        )
    if output.retried_tcp:
        found.append(
            Finding(
                "info",
                "The UDP answer was truncated; dig retried over TCP",
                "The server's first answer had TC set (it did not fit the UDP size the query offered), so dig asked again "
                "over TCP; the answer shown came over TCP. Resolvers do the same, so TCP port 53 must be open to this "
                "server.",
                (),
                "retried_tcp",
            )
        )
    return found


_UPDATE_WHY = {
    "NOTIMP": (
        "The server does not implement dynamic update",
        "It answered the UPDATE (RFC 2136) with NOTIMP: NSD never accepts updates, a resolver (Unbound) serves no "
        "zone to update, and other servers answer so when updates are not configured at all. Updates go to the zone's "
        "primary, the server named first in its SOA.",
        (
            "Find the primary: `dig +short ZONE SOA` (its first field), and send the update there (`server` in nsupdate).",
            "On the primary, enable updates: BIND `update-policy`/`allow-update`, Knot `acl` with `action: update`.",
        ),
    ),
    "REFUSED": (
        "The server refused the update",
        "It serves the zone (or serves nothing for it) and its policy does not allow this update from this client: "
        "BIND refuses without `allow-update`/`update-policy` for the key or address, Knot without an `acl` that allows "
        "`update`, and both refuse updates sent to a secondary that does not forward them.",
        (
            "Sign the update with a key the server allows (`nsupdate -k KEYFILE`), or add this client to its update ACL.",
            "Check that you sent it to the primary: `dig +short ZONE SOA`.",
        ),
    ),
    "NOTAUTH": (
        "The server is not authoritative for the zone of the update",
        "NOTAUTH answers an UPDATE for a zone the server does not serve (a wrong `zone` line, a name that belongs to "
        "another zone) or, with TSIG, a key the server does not know or a signature it cannot verify (RFC 8945). Knot "
        "also answers NOTAUTH when no ACL allows the update.",
        (
            "Check the zone: `dig +short SOA NAME` shows which zone holds the name; set `zone` to it.",
            "Check the key name and secret against the server's configuration, and the clocks (TSIG allows 300 s).",
        ),
    ),
}


def _update_findings(output: ToolOutput, entry: Entry | None) -> list[Finding]:
    """An UPDATE answered with an error (nsupdate, knsupdate): why servers refuse or do not implement updates."""
    if output.opcode != "UPDATE" and output.tool not in ("nsupdate", "knsupdate"):
        return []
    status = entry.name.upper() if entry is not None else (output.status or "").upper()
    status = "NOTIMP" if status == "NOTIMPL" else status
    if UPDATE_SOA_FAILED in output.warnings:
        return [
            Finding(
                "problem",
                f"nsupdate's SOA query was answered {status}: the update was not sent",
                "Before it sends an update, nsupdate asks for the SOA of the name to find its zone and primary. That "
                f"query got {status}, typically because the server serves no zone that holds the name and does not "
                "recurse, so nsupdate could not reach any server to update.",
                ("Name the zone (`zone ZONE`) and the primary (`server PRIMARY`) in the nsupdate input.",),
                "update_soa",
            )
        ]
    why = _UPDATE_WHY.get(status)
    if why is not None:
        title, detail, fix = why
        return [Finding("problem", title, detail, fix, "update_" + status.lower())]
    if status in ("YXDOMAIN", "YXRRSET", "NXRRSET", "NXDOMAIN"):
        return [
            Finding(
                "problem",
                f"A prerequisite of the update failed ({status})",
                "The update carried prerequisites (`prereq` lines: the name or record must, or must not, exist) and the "
                "zone did not meet them, so nothing was changed.",
                ("Look at the zone's current data (`dig @SERVER NAME ANY`) and adjust the `prereq` lines.",),
                "update_prereq",
            )
        ]
    return []


def _delv_validation_failure(output: ToolOutput) -> bool:
    """Whether delv's `resolution failed: …` is about validation: not a negative answer (`ncache nxdomain`), not a
    server that did not answer (timed out, connection refused) or answered with an RCODE such as REFUSED."""
    failure = output.delv_failure
    if not failure or failure.startswith("ncache") or output.timeout or output.transport_error:
        return False
    return output.status in (None, "SERVFAIL")


def _delv_findings(output: ToolOutput) -> list[Finding]:
    if output.tool != "delv":
        return []
    verdict = output.delv_verdict or ""
    failure = output.delv_failure if _delv_validation_failure(output) else None
    if failure:
        detail = (
            f"delv could not validate the answer: {failure}. delv validates on its own, from its trust anchor, so this "
            "points at the DNSSEC chain (DS at the parent, DNSKEY and RRSIG in the zone), or at a trust anchor that does "
            "not match the root you asked (give a private root's key with `-a`)."
        )
        if failure.upper() in ("SERVFAIL", "FAILURE"):
            detail = f"delv got no validated answer ({failure}); `delv +vtrace` shows the validator's reason."
        return [
            Finding(
                "problem",
                "DNSSEC validation failed (delv)",
                detail,
                (
                    "Run `delv +vtrace NAME TYPE` for the reason, and `dig +cd NAME TYPE` to see the data without validation.",
                ),
            )
        ]
    if "fully validated" in verdict:
        return [Finding("info", "Validated (delv)", "delv checked the DNSSEC chain from its trust anchor to this answer.")]
    if "unsigned" in verdict:
        return [
            Finding(
                "info",
                "Unsigned answer (delv)",
                "The zone is not signed, or sits below an insecure delegation: the answer is not protected by DNSSEC.",
            )
        ]
    if "not validated" in verdict or "pending" in verdict:
        return [Finding("warning", "Not validated (delv)", f"delv says: {verdict}.")]
    return []


def _chase_failure(output: ToolOutput) -> bool:
    """Whether drill -S failed to validate. A chase that found no DNSSEC keys at all is not a failure: drill prints
    the same `No DNSSEC public key(s)` for an unsigned zone, which has nothing to validate. When its trust tree shows
    a key it could not link to the anchor (the reader's warning), the zone is signed and the chain is broken."""
    if output.chase != "failed":
        return False
    unlinked = any(w.startswith(CHASE_KEY_UNLINKED) for w in output.warnings)
    return unlinked or "no dnssec public key" not in (output.chase_error or "").lower()


def _chase_findings(output: ToolOutput) -> list[Finding]:
    if output.chase is None:
        return []
    if _chase_failure(output):
        unlinked = next((w.split(": ", 1)[1] for w in output.warnings if w.startswith(CHASE_KEY_UNLINKED)), None)
        stopped = output.chase_error or "the chase failed"
        if unlinked is not None:
            stopped = f"it found the key {unlinked}, but no DS above it leads to the trust anchor ({stopped})"
        return [
            Finding(
                "problem",
                "DNSSEC chain of trust broken (drill -S)",
                f"drill followed the signatures from the name up to its trust anchor and stopped: {stopped}. "
                "A validating resolver fails the same way, with SERVFAIL.",
                (
                    "Run `delv +vtrace NAME TYPE` for the validator's reason, and `dig +cd NAME TYPE` to see the data without "
                    "validation; then fix the signatures, keys or DS the error names.",
                ),
            )
        ]
    if output.chase == "failed":
        return [
            Finding(
                "info",
                "No chain of trust to check (drill -S)",
                f"drill found no DNSSEC keys for the name ({output.chase_error or 'no keys'}): the zone is unsigned (nothing "
                "to validate), or its DNSKEY records could not be fetched.",
                ("`dig +dnssec ZONE DNSKEY` shows whether the zone publishes keys.",),
            )
        ]
    if output.chase == "denied":
        return [
            Finding(
                "info",
                "Validated denial (drill -S)",
                "The NSEC/NSEC3 records that deny the name or type are signed and validate up to the trust anchor (or the "
                "zone is provably unsigned).",
            )
        ]
    return [Finding("info", "Validated (drill -S)", "drill checked the DNSSEC chain from its trust anchor to this answer.")]


def _trace_findings(output: ToolOutput) -> list[Finding]:
    if not output.hops:
        return []
    steps = []
    for hop in output.hops:
        owners = sorted({r.name for r in hop.records if r.rtype in ("NS", "SOA", "DS")} or {r.name for r in hop.records})
        who = hop.server_name or hop.server or "?"
        steps.append(f"{who}: {', '.join(owners[:3]) or 'nothing'}")
    path = " → ".join(steps)
    found = [
        Finding(
            "info",
            "Delegation path",
            f"Each server and the zone it handed over: {path}" + ("" if path.endswith(".") else "."),
        )
    ]
    last = output.hops[-1].records
    if not output.answer:
        if any(r.rtype == "SOA" for r in last):
            detail = (
                f"The last server ({output.hops[-1].server_name or output.hops[-1].server}) answered with the zone's SOA "
                "only: the name or the type does not exist there (NXDOMAIN or NODATA; +trace does not print which)."
            )
            found.append(
                Finding(
                    "warning",
                    "The trace ended without an answer",
                    detail,
                    ("Ask that server: `dig +norec @SERVER NAME TYPE`.",),
                )
            )
        else:
            found.append(
                Finding(
                    "warning",
                    "The trace stopped at a referral",
                    "The last step is a delegation that was not followed to an answer: the next servers did not answer, "
                    "or dig could not find their addresses.",
                )
            )
    if any("timed out" in w or "couldn't get address" in w for w in output.warnings) or output.transport_error:
        found.append(
            Finding(
                "warning",
                "A server in the chain did not answer",
                "dig had to skip a server on the way (see the errors in the paste).",
            )
        )
    return found


def _answer_findings(output: ToolOutput, verdict: Verdict, knowledge: Knowledge, fill: _Filler) -> list[Finding]:
    found: list[Finding] = []
    if verdict == "nxdomain" and (output.status or "").upper() == "NOERROR":
        found.append(
            Finding(
                "info",
                "Compact denial of existence (RFC 9824): the name does not exist",
                "The status is NOERROR, but the authority section holds an NSEC record for the name with the NXNAME "
                "type bit: that is how a server signing on the fly (Cloudflare, NS1, Route 53, PowerDNS live-signing) "
                "says NXDOMAIN without revealing the zone's names. Resolvers that know RFC 9824 turn it back into "
                "NXDOMAIN; older ones pass NOERROR/NODATA on, which is the same answer for most software.",
                ("If the name should exist, add it to the zone; the server is not at fault.",),
                "compact_denial",
            )
        )
    qtype = output.qtype or "that type"
    if verdict == "nodata":
        nodata = knowledge.get("NODATA")
        zone = fill.values["ZONE"]
        detail = f"The name exists, but has no {qtype} record" + (
            f" (the zone {zone} answered with its SOA)." if zone else "."
        )
        detail += " This is not NXDOMAIN: other types at this name, and names below it, may exist."
        found.append(
            Finding(
                "info",
                "NODATA: the name exists, the type does not",
                detail,
                tuple(fill(f) for f in nodata.fix[:1]),
                "NODATA",
            )
        )
    elif verdict == "referral":
        servers = sorted({r.data for r in output.authority if r.rtype == "NS"})
        found.append(
            Finding(
                "info",
                "Referral: this server delegates the name elsewhere",
                "NOERROR with an empty answer and NS records in AUTHORITY (no `aa`): the server is not authoritative for this "
                f"name and points at {', '.join(s.rstrip('.') for s in servers[:4]) or 'other servers'}.",
                ("Ask one of those servers with `+norec`, or ask a recursive resolver instead.",),
            )
        )
    elif verdict == "nxdomain" and any(r.rtype == "CNAME" for r in output.answer):
        target = next(r.data for r in output.answer if r.rtype == "CNAME")
        found.append(
            Finding(
                "warning",
                "The CNAME target does not exist",
                f"The name is an alias for {target}, and it is that target which does not exist (NXDOMAIN applies to the end "
                "of the chain).",
            )
        )
    if verdict == "ok" and output.answer and output.qtype and output.qtype not in ("CNAME", "DNAME", "ANY"):
        if all(r.rtype in _NOT_DATA for r in output.answer) and output.form in ("full", "yaml", "json"):
            target = next((r.data for r in reversed(output.answer) if r.rtype == "CNAME"), "its target")
            if "aa" in output.flags and "ra" not in output.flags:
                found.append(
                    Finding(
                        "info",
                        f"An alias: {output.qname} is a CNAME for {target}",
                        "An authoritative server returns only the alias when the target is outside its zone; a resolver "
                        "follows it.",
                        (f"Follow it: `dig {target} {output.qtype}`.",),
                    )
                )
            else:
                found.append(
                    Finding(
                        "warning",
                        f"Only an alias came back, no {output.qtype}",
                        f"The answer holds the CNAME chain but no {output.qtype} record at its end: {target} has no "
                        f"{output.qtype} record (NODATA at the target).",
                        (f"Ask for it directly: `dig {target} {output.qtype}`.",),
                    )
                )
    return found


_MESSAGE_REJECTED = frozenset({1, 4, 16, 23})
"""FORMERR, NOTIMP, BADVERS, BADCOOKIE: the server rejected the message itself (its form, opcode or type, EDNS
version, cookie) before deciding whether to recurse; BIND and Unbound send these without `ra` even to clients they
recurse for, so the missing `ra` says nothing about recursion."""


def _flag_findings(output: ToolOutput, entry: Entry | None, verdict: Verdict) -> list[Finding]:
    flags = set(output.flags)
    if not flags or ("qr" not in flags and output.tool in ("dig", "kdig", "drill")) or output.opcode == "UPDATE":
        return []  # an UPDATE's flags say nothing about recursion or authority (see _update_findings)
    found: list[Finding] = []
    status = entry.name.upper() if entry is not None else ""
    edes = {e.code for e in output.ede}
    if "tc" in flags and not output.retried_tcp:
        found.append(
            Finding(
                "warning",
                "Truncated (tc): the answer did not fit",
                "The server set TC: the UDP answer was cut. The full answer needs TCP.",
                ("Retry over TCP: add `+tcp` to the command. If TCP fails, port 53/TCP is blocked somewhere.",),
            )
        )
    rejected = entry is not None and entry.kind == "rcode" and entry.value in _MESSAGE_REJECTED
    if "rd" in flags and "ra" not in flags and not rejected:
        found.append(
            Finding(
                "warning" if verdict in ("failure", "referral", "nodata", "nxdomain") else "info",
                "No `ra`: this server does not recurse for you",
                "You asked for recursion (rd) and the server did not offer it: it is an authoritative server (it answers only "
                "for its own zones), or a resolver that refuses recursion to your address.",
                ("For names outside its zones, ask a recursive resolver; to test the authority, ask it with `+norec`.",),
            )
        )
    authoritative_question = "rd" not in flags
    unanswered_directly = "aa" not in flags and (status == "REFUSED" or 20 in edes or verdict in ("nodata", "nxdomain"))
    if authoritative_question and unanswered_directly and "ra" in flags:
        # A server that offers recursion is a resolver: asked without it, it answers from its cache or refuses
        # (Unbound: REFUSED with EDE 20). That says nothing about the zone's delegation.
        found.append(
            Finding(
                "info",
                "A resolver asked without recursion",
                "This server offers recursion (ra), so it is a resolver, and you asked without it (no rd): it answers only "
                "from its cache, or refuses. That is not a lame delegation; it says nothing about the zone.",
                (
                    "Ask it with recursion (drop `+norec`), or ask the zone's own nameservers: "
                    "`dig +norec @NS ZONE SOA` must come back with `aa`.",
                ),
            )
        )
    elif authoritative_question and unanswered_directly:
        found.append(
            Finding(
                "problem",
                "No `aa` from a server asked directly: lame",
                "You asked without recursion, as one asks a zone's nameserver, and the answer is not authoritative. If this "
                "server is listed in the zone's NS records, the delegation is lame: it does not serve the zone.",
                (
                    "Compare the NS set at the parent (`dig +norec @PARENT_NS ZONE NS`) with the servers that load the zone; "
                    "each must answer `dig +norec @NS ZONE SOA` with `aa`.",
                ),
                "REFUSED" if status == "REFUSED" else None,
            )
        )
    # The DO bit the server echoes says whether DNSSEC records were asked for; without an OPT section, RRSIGs in the
    # answer do, except for ANY and RRSIG queries (host -a), which return them without DO.
    if "+dnssec" in (output.command or ""):
        dnssec_asked = True
    elif output.edns is not None:
        dnssec_asked = "do" in output.edns.flags
    else:
        dnssec_asked = output.qtype not in ("ANY", "RRSIG") and any(r.rtype == "RRSIG" for r in output.answer)
    if "ad" in flags and status == "NOERROR":
        found.append(
            Finding("info", "Validated (ad)", "The resolver checked the DNSSEC signatures of this answer and they are good.")
        )
    elif dnssec_asked and status == "NOERROR" and "ad" not in flags and "aa" not in flags and output.answer:
        found.append(
            Finding(
                "info",
                "No `ad` with +dnssec: not validated",
                "You asked for DNSSEC records and the answer is not marked authenticated: the zone is unsigned, or the "
                "resolver does not validate.",
                ("`delv NAME TYPE` validates on your machine and says which.",),
            )
        )
    if "cd" in flags:
        found.append(
            Finding(
                "info",
                "Checking disabled (cd)",
                "This answer was fetched with DNSSEC validation turned off. If the same query without `+cd` gives SERVFAIL, "
                "DNSSEC validation is what fails.",
            )
        )
    return found


def _warning_findings(output: ToolOutput) -> list[Finding]:
    found = []
    for warning in output.warnings:
        if warning == HOST_NOTHING and output.status is not None:
            found.append(
                Finding(
                    "info",
                    "host found none of A, AAAA and MX",
                    "Without `-t`, host asks for A, AAAA and MX and prints a line for each record; it printed none, and no "
                    "error, so the name exists but has none of the three (NODATA for each).",
                    ("Ask for the type you need: `host -t TXT NAME SERVER` (or `dig NAME TYPE`).",),
                )
            )
        elif warning == HOST_NOTHING:
            found.append(
                Finding(
                    "info",
                    "host printed only its server block",
                    "If that is all it printed, the name has none of the A, AAAA and MX records host asks for (NODATA for "
                    "each): a missing name or a failure prints `Host … not found`, a timeout its own line. The paste does "
                    "not show which name was asked, or it may have been cut there.",
                    ("Paste the command line too, or ask for the type you need: `host -t TXT NAME SERVER`.",),
                )
            )
        elif warning == TRANSFER_FAILED:
            found.append(
                Finding(
                    "problem",
                    "Zone transfer refused or failed",
                    "Servers allow transfers (AXFR/IXFR) only to the addresses their configuration lists (their "
                    "secondaries), and only for zones they serve; anyone else gets REFUSED or NOTAUTH.",
                    (
                        "To copy the zone, ask its operator, or allow this address: BIND `allow-transfer`, Knot `acl`, NSD "
                        "`provide-xfr`.",
                        "`dig +norec @SERVER ZONE SOA` shows whether that server serves the zone at all (an `aa` answer).",
                    ),
                )
            )
        elif "MBZ" in warning:
            found.append(
                Finding(
                    "warning",
                    "Reserved bits set",
                    f"{warning}: the server sets bits that must be zero (a protocol violation).",
                )
            )
        elif "extra bytes" in warning or "malformed" in warning.lower():
            found.append(Finding("warning", "Malformed response", f"dig says: {warning}"))
        elif "EDNS query returned status" in warning:
            found.append(
                Finding(
                    "warning",
                    "The server rejects EDNS",
                    f"dig says: {warning}. The server, or a firewall or load balancer in front of it, does not handle EDNS "
                    "(RFC 6891); resolvers then fall back or fail.",
                    (
                        "Compare `dig +noedns @SERVER NAME` with `dig @SERVER NAME`; fix or bypass what strips or rejects OPT.",
                    ),
                )
            )
        elif warning.startswith("earlier attempt failed") and output.retried is None:
            found.append(Finding("info", "An earlier attempt failed", f"dig retried: {warning.split(': ', 1)[-1]}."))
    return found


def _headline(
    output: ToolOutput, entry: Entry | None, verdict: Verdict, notes: tuple[EdeNote, ...], knowledge: Knowledge
) -> str:
    if verdict == "nxdomain" and entry is not None and entry.name.upper() == "NOERROR":
        return (
            "The name does not exist. The server says so with compact denial of existence (RFC 9824): status NOERROR, "
            "and an NSEC record for the name whose type list holds only NXNAME, instead of NXDOMAIN."
        )
    if verdict == "nodata":
        return knowledge.get("NODATA").summary
    if entry is not None:
        return entry.summary
    if verdict == "no_answer":
        return "No DNS answer at all: the query timed out or could not be sent, so there is no RCODE to explain."
    if _delv_validation_failure(output):
        return f"delv could not get a validated answer: {output.delv_failure}."
    if _chase_failure(output):
        return f"drill could not validate the chain of trust: {output.chase_error or 'the chase failed'}."
    if output.chase == "failed":
        return "drill found no DNSSEC keys to chase: the zone is unsigned, or its keys cannot be fetched."
    if output.chase == "successful":
        return "drill validated the answer along the chain of trust, from its trust anchor down."
    if output.chase == "denied":
        return "drill validated a denial: the name or type provably does not exist, or the zone is provably unsigned."
    if output.hops:
        end = (
            f"answered by {output.hops[-1].server_name or output.hops[-1].server}"
            if output.answer
            else "no answer at the end"
        )
        return f"A +trace from the root in {len(output.hops)} steps, {end}."
    if output.answer:
        return "Records came back; the output shows no status line."
    if notes:
        return "Extended DNS Error options, without the rest of the response."
    if TRANSFER_FAILED in output.warnings:
        return "The zone transfer failed: the server answered the AXFR/IXFR with an error (dig does not print which)."
    if any(r.rtype == "SOA" for r in output.authority):
        return (
            "A negative answer: no record of that name and type, only the zone's SOA (NXDOMAIN or NODATA: the status "
            "line that says which was not printed)."
        )
    if any(r.rtype == "NS" for r in output.authority):
        return "A referral: no answer, only the NS records of a zone closer to the name (the status line was not printed)."
    return "The output shows no status."


def _next_steps(
    output: ToolOutput,
    entry: Entry | None,
    verdict: Verdict,
    notes: tuple[EdeNote, ...],
    knowledge: Knowledge,
    fill: _Filler,
) -> tuple[str, ...]:
    steps: list[str] = []
    name = fill.values["NAME"] or "NAME"
    qtype = output.qtype or ""
    server = fill.values["SERVER"]
    at = f"@{server}" if server else ""
    status = entry.name.upper() if entry is not None else ""
    for note in notes:
        if note.entry is not None and note.entry.fix:
            steps.append(fill(note.entry.fix[0]))
    if status == "SERVFAIL":
        steps.append(
            f"Repeat with checking disabled: `{_cmd('dig +cd', at, name, qtype)}`. If it answers now, DNSSEC validation is "
            "failing; if not, the zone's nameservers are unreachable, lame or broken."
        )
        steps.append(
            f"Ask another resolver (`{_cmd('dig @' + other_resolver(output.server), name, qtype)}`) and the zone's own nameservers, or run a live check."
        )
    elif verdict == "no_answer":
        steps.append("Check reachability of the server (firewall, ACL, routing, the port), then try another resolver.")
    elif verdict == "nodata":
        steps += [fill(f) for f in knowledge.get("NODATA").fix[:MAX_FIXES]]
    elif _delv_validation_failure(output) or _chase_failure(output):
        steps.append(
            f"Run `{_cmd('delv +vtrace', name, qtype)}` and `{_cmd('dig +cd', name, qtype)}` to see why validation fails."
        )
    if entry is not None and entry.status == "assigned" and status not in ("SERVFAIL",) and verdict != "nodata":
        fixes = entry.fix
        if steps:
            fixes = fixes[:1]  # the EDE's own fix came first: one general step is enough after it
        if verdict in ("ok", "referral"):
            # The generic NOERROR advice about an empty answer does not apply when records came back.
            fixes = tuple(f for f in fixes if "ANSWER: 0" not in f and "NODATA" not in f)
        steps += [fill(f) for f in fixes[:MAX_FIXES]]
    return tuple(dict.fromkeys(steps))


def _cmd(*parts: str) -> str:
    """A command line from its non-empty parts."""
    return " ".join(p for p in parts if p)
