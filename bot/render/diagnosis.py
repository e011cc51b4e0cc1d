"""Rendering a `/dnscheck` diagnosis: terminal text, Block Kit, and the public JSON, from one `Diagnosis`.

Everything that came from DNS (names, TXT data, EDE text, error strings) or from the user is escaped for mrkdwn
here, because a TXT record or an NS name holding `<!channel>` must ping nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, MarkdownTextObject, SectionBlock

from bot.core.check.diagnosis import Cause, Diagnosis, ResolverView, ServerView
from bot.core.check.diagnosis.model import STATUSES, Check
from bot.core.check.trace import Level, ServerReply
from bot.render.escape import code_span, mrkdwn
from bot.render.limits import MAX_SECTION_TEXT, clip
from bot.render.reply import Reply

ICON = {"ok": "✅", "degraded": "🟡", "nxdomain": "ℹ️", "nodata": "ℹ️", "failure": "🔴"}
ICON_TEXT = {"ok": "OK", "degraded": "DEGRADED", "nxdomain": "NXDOMAIN", "nodata": "NODATA", "failure": "FAILURE"}
MAX_EVIDENCE = 8
MAX_ANSWER = 10
MAX_GLUE = 4  # glue addresses listed per referral line; beyond that, a count


def reply(diagnosis: Diagnosis) -> Reply:
    """The whole reply: text for terminals, escaped fallback and blocks for Slack, JSON data for `--json`."""
    return Reply(
        text=text(diagnosis),
        fallback=fallback(diagnosis),
        blocks=blocks(diagnosis),
        data=diagnosis.to_json(),
        ok=not diagnosis.failed,
    )


def progress(display: str, name: str, rdtype: str, resolvers: Sequence[str]) -> Reply:
    """The "Checking example.com A…" message shown while the probe runs."""
    via = f" via {', '.join(resolvers)}" if resolvers else ""
    plain = f"Checking {display} {rdtype}{via}…"
    slack = f":hourglass_flowing_sand: Checking *{mrkdwn(display)}* {mrkdwn(rdtype)}{mrkdwn(via)}…"
    return Reply(
        text=plain,
        fallback=mrkdwn(plain),
        blocks=[SectionBlock(text=MarkdownTextObject(text=slack, verbatim=True))],
        data={"name": name, "type": rdtype, "status": "checking"},
    )


# ------------------------------------------------------------------------------------------------ text


def text(d: Diagnosis) -> str:
    """Plain terminal text: headline, causes with evidence and fixes, then the raw observations."""
    lines = [f"{ICON_TEXT[d.verdict]}: {d.headline}", _facts(d), ""]
    if d.causes:
        lines.append("Causes")
        for number, cause in enumerate(d.causes, 1):
            lines += _cause_text(number, cause)
        lines.append("")
    if d.answer:
        lines.append("Answer")
        lines += [f"  {record}" for record in d.answer[:MAX_ANSWER]]
        if len(d.answer) > MAX_ANSWER:
            lines.append(f"  … {len(d.answer) - MAX_ANSWER} more")
        lines.append("")
    lines.append("Resolvers")
    lines += [f"  {_resolver_line(r)}" for r in d.resolvers]
    if d.nameservers:
        lines += ["", f"Nameservers of {d.zone or 'the zone'} (asked directly, RD=0)"]
        lines += [f"  {_server_line(s)}" for s in d.nameservers]
    if d.trace is not None:
        lines += ["", "Trace (the delegation, walked from the root hints, RD=0)"]
        lines += [f"  {line}" for line in trace_lines(d.trace)]
    if d.report is not None:
        lines += ["", f"Report ({_tally(d.report)})"]
        for check in d.report:
            lines.append(f"  [{REPORT_TEXT[check.status]}] {check.title}")
            lines += [f"         - {item}" for item in check.evidence[:MAX_EVIDENCE]]
            if len(check.evidence) > MAX_EVIDENCE:
                lines.append(f"         - … {len(check.evidence) - MAX_EVIDENCE} more")
            lines += [f"         fix: {step}" for step in check.fix[:2]]
    if d.notes:
        lines += ["", "Notes"] + [f"  - {note}" for note in d.notes]
    return "\n".join(lines).rstrip() + "\n"


REPORT_TEXT = {"passed": "pass", "warned": "WARN", "failed": "FAIL", "not checked": " -- "}
REPORT_ICON = {"passed": "✅", "warned": "🟡", "failed": "🔴", "not checked": "⚪"}
REPORT_LINE = 160  # characters of a check's first evidence line in Slack (the terminal and JSON have them all)


def _tally(checks: Sequence[Check]) -> str:
    counts = {status: sum(1 for c in checks if c.status == status) for status in STATUSES}
    return ", ".join(f"{n} {status}" for status, n in counts.items() if n)


def report_sections(checks: Sequence[Check]) -> list[str]:
    """The report as mrkdwn, one line per check with its first piece of evidence, in sections Slack accepts."""
    sections: list[str] = []
    current = f"*Report* ({mrkdwn(_tally(checks))})"
    for check in checks:
        line = f"{REPORT_ICON[check.status]} *{mrkdwn(check.title)}*"
        if check.evidence:
            first = check.evidence[0]
            if len(first) > REPORT_LINE:
                first = first[: REPORT_LINE - 1] + "…"
            more = f" (+{len(check.evidence) - 1})" if len(check.evidence) > 1 else ""
            line += f" — {mrkdwn(first)}{more}"
        if len(current) + len(line) + 1 > MAX_SECTION_TEXT:
            sections.append(current)
            current = line
        else:
            current += "\n" + line
    sections.append(current)
    return sections


def trace_lines(levels: Sequence[Level]) -> list[str]:
    """Each level of the walk, then what each of its servers said (`dig +trace`, one line per server)."""
    lines: list[str] = []
    for level in levels:
        listed = f"listed by {level.listed_by}" if level.listed_by else "root hints"
        took = f", {level.ms:.0f} ms" if level.ms is not None else ""
        lines.append(f"{level.zone} ({len(level.ns)} servers, {listed}{took})")
        lines += [f"  {_reply_line(s)}" for s in level.servers]
    return lines


def _reply_line(s: ServerReply) -> str:
    head = f"{s.name} {s.address}".rstrip()
    if s.rcode is None:
        return f"{head}: {s.kind}" + (f" — {s.error}" if s.error else "")
    if s.kind == "referral":
        what = f"referral to {s.referral} NS {', '.join(s.referral_ns)}"
        if len(s.glue) > MAX_GLUE:  # a TLD referral carries 26 addresses: say how many names have glue, not each one
            glued = len({g.split()[0] for g in s.glue})
            what += f"; glue for {glued} of {len(s.referral_ns)} names ({len(s.glue)} addresses)"
        else:
            what += f"; glue {', '.join(s.glue)}" if s.glue else "; no glue"
    elif s.kind == "lame":
        what = f"{s.rcode}{', aa' if s.aa else ', no aa'}: lame"
    else:
        what = f"{s.rcode}, aa ({s.kind})"
    if s.zone_ns is not None:
        what += f"; its NS {', '.join(s.zone_ns)}"
    return f"{head}: {what}" + (f", {s.ms:.0f} ms" if s.ms is not None else "")


def _facts(d: Diagnosis) -> str:
    parts = []
    if d.display and d.display != d.name.rstrip(".") and d.display != d.name:
        parts.append(f"name {d.name}")
    if d.zone:
        parts.append(f"zone {d.zone}" + (f" (parent {d.parent})" if d.parent else ""))
    parts.append(f"{d.queries} queries")
    parts.append(f"{d.elapsed_ms / 1000:.2f} s")
    return " · ".join(parts)


def _cause_text(number: int, cause: Cause) -> list[str]:
    title = f"{cause.title} [{cause.id}" + (f":{cause.detail}]" if cause.detail else "]")
    if cause.explains:
        title += " — explains the failure"
    elif cause.advisory:
        title += " — not the cause: it does not affect resolution"
    lines = [f"{number}. {title}", f"   {cause.summary}"]
    if cause.evidence:
        lines.append("   Evidence:")
        lines += [f"     - {item}" for item in cause.evidence[:MAX_EVIDENCE]]
        if len(cause.evidence) > MAX_EVIDENCE:
            lines.append(f"     - … {len(cause.evidence) - MAX_EVIDENCE} more")
    if cause.fix:
        lines.append("   Fix:")
        lines += [f"     - {item}" for item in cause.fix]
    return lines


def _resolver_line(r: ResolverView) -> str:
    name = r.address if r.label == r.address else f"{r.address} ({r.label})"
    if r.rcode is None:
        return f"{name}: {r.outcome}" + (f" — {r.error}" if r.error else "")
    parts = [f"{name}: {r.rcode}", f"flags {' '.join(r.flags) or '-'}"]
    parts += [f"{label}" + (f' "{extra}"' if extra else "") for _, extra, label in r.ede]
    if r.cd_rcode is not None:
        parts.append(f"with CD: {r.cd_rcode}")
    if r.ms is not None:
        parts.append(f"{r.ms:.0f} ms")
    # A reply that came with an error (truncated and the TCP retry failed) must say so, or it reads like a clean answer.
    return ", ".join(parts) + (f" — {r.error}" if r.error else "")


def _server_line(s: ServerView) -> str:
    listed = [where for where, flag in (("parent", s.at_parent), ("zone", s.at_child)) if flag]
    head = f"{s.name} {s.address}" + (f" [listed by {' and '.join(listed)}]" if listed else "")
    if s.rcode is None:
        return f"{head}: no answer — {s.error}"
    parts = [f"{head}: {s.rcode}", "aa" if s.aa else "no aa"]
    if s.serial is not None:
        parts.append(f"serial {s.serial}")
    if s.edns != "ok":
        parts.append(f"EDNS {s.edns}")
    if s.ms is not None:
        parts.append(f"{s.ms:.0f} ms")
    return ", ".join(parts)


# ------------------------------------------------------------------------------------------------ Slack


def fallback(d: Diagnosis) -> str:
    """Slack's notification text: the headline, escaped."""
    return mrkdwn(f"{ICON_TEXT[d.verdict]}: {d.headline}")


def _md(value: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(value, MAX_SECTION_TEXT), verbatim=True)


def blocks(d: Diagnosis) -> list[Block]:
    """Block Kit: headline, one section per cause (evidence and fix), the resolvers and the nameservers."""
    out: list[Block] = [
        SectionBlock(text=_md(f"{ICON[d.verdict]} *{ICON_TEXT[d.verdict]}* {mrkdwn(d.headline)}")),
        ContextBlock(elements=[_md(mrkdwn(_facts(d)))]),
    ]
    for number, cause in enumerate(d.causes, 1):
        out.append(SectionBlock(text=_md(_cause_mrkdwn(number, cause))))
    if d.report is not None:
        out += [SectionBlock(text=_md(section)) for section in report_sections(d.report)]
    if d.answer:
        body = "\n".join(d.answer[:MAX_ANSWER]) + (
            f"\n… {len(d.answer) - MAX_ANSWER} more" if len(d.answer) > MAX_ANSWER else ""
        )
        out.append(SectionBlock(text=_md(f"*Answer*\n```{code_span(body)}```")))
    out.append(DividerBlock())
    resolvers = "\n".join(_resolver_line(r) for r in d.resolvers)
    out.append(SectionBlock(text=_md(f"*Resolvers*\n```{code_span(resolvers)}```")))
    if d.nameservers:
        servers = "\n".join(_server_line(s) for s in d.nameservers)
        title = f"*Nameservers of {mrkdwn(d.zone or 'the zone')}* (asked directly, RD=0)"
        out.append(SectionBlock(text=_md(f"{title}\n```{code_span(servers)}```")))
    if d.trace is not None:
        body = "\n".join(trace_lines(d.trace))
        out.append(SectionBlock(text=_md(f"*Trace* (from the root hints, RD=0)\n```{code_span(body)}```")))
    if d.notes:
        out.append(ContextBlock(elements=[_md("\n".join(f"• {mrkdwn(n)}" for n in d.notes[:5]))]))
    return out


def _cause_mrkdwn(number: int, cause: Cause) -> str:
    ident = cause.id + (f":{cause.detail}" if cause.detail else "")
    title = f"*{number}. {mrkdwn(cause.title)}* `{code_span(ident)}`"
    if cause.explains:
        title += " — _explains the failure_"
    elif cause.advisory:
        title += " — _not the cause: it does not affect resolution_"
    parts = [title, mrkdwn(cause.summary)]
    if cause.evidence:
        shown = [f"• {mrkdwn(item)}" for item in cause.evidence[:MAX_EVIDENCE]]
        if len(cause.evidence) > MAX_EVIDENCE:
            shown.append(f"• … {len(cause.evidence) - MAX_EVIDENCE} more")
        parts.append("*Evidence*\n" + "\n".join(shown))
    if cause.fix:
        parts.append("*Fix*\n" + "\n".join(f"• {mrkdwn(item)}" for item in cause.fix))
    return "\n".join(parts)


def json_data(d: Diagnosis) -> dict[str, Any]:
    """The public JSON object (the Reply adds `text` and `blocks`)."""
    return d.to_json()
