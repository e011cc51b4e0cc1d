"""`rcodebot explain [FILE] [--json]`: explain pasted dig, kdig, drill, delv, host or nslookup output.

Reads FILE, or standard input by default (`dig example.com | rcodebot explain`). Reads at most Slack's 40,000
characters, as the bot does, and says so when the input was longer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.commands.context import Context, ExitStatus
from bot.core.errors import UsageError
from bot.core.paste.digtext import MAX_CHARS
from bot.render import terminal

EPILOG = """examples:
  dig example.com | rcodebot explain
  rcodebot explain saved-dig-output.txt
  kdig +edns example.com | rcodebot explain --json
"""


def add_parser(sub: Any) -> None:
    """Declare the subcommand."""
    import argparse

    parser = sub.add_parser(
        "explain",
        help="explain pasted dig/kdig/drill/delv/host/nslookup output (stdin by default)",
        description="Read DNS tool output and explain the status, every EDE, the flags, and what to do next.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help="file to read ('-' or nothing: standard input)")
    parser.add_argument("--json", action="store_true", help="print the explanation as JSON")
    parser.set_defaults(run=run)


def _read(ctx: Context, name: str) -> str:
    # One character past the limit is enough to know the input was longer; the rest is never read into memory.
    if name == "-":
        return str(ctx.env.stdin.read(MAX_CHARS * 2))
    path = Path(name) if Path(name).is_absolute() else ctx.env.cwd / name
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            text = handle.read(MAX_CHARS * 2)
    except OSError as err:
        raise UsageError(f"cannot read {name}: {err.strerror or err}") from None
    return text


def run(ctx: Context) -> int:
    """Explain the input; exit 0 when tool output was found, 2 when there was none."""
    from bot.render.paste import NOTHING
    from bot.services import paste

    text = _read(ctx, ctx.args.file)
    reply = paste.answer(text, ctx.knowledge)
    if reply is None:
        if ctx.args.json:
            payload = {"detected": False, "truncated": len(text) > MAX_CHARS, "outputs": [], "text": NOTHING, "blocks": []}
            ctx.env.stdout.write(terminal.json_text(payload) + "\n")
        else:
            ctx.env.stderr.write(f"rcodebot: {NOTHING}\n")
        return ExitStatus.USAGE
    ctx.emit(reply, as_json=ctx.args.json)
    return ExitStatus.OK
