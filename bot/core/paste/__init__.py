"""Reading pasted DNS tool output (dig, kdig, drill, delv, host, nslookup). `bot.core.paste.digtext` is the public face.

- `detect`: `looks_like_dig(text)`, the cheap gate every chat message goes through.
- `read`: `from_text(text) -> Paste`, the line-by-line state machine (`Reader`), built from:
  `machine` (which output a line belongs to, records), `dig_lines` (`;` lines of dig, kdig, drill, delv),
  `plain_lines` (host, nslookup, +yaml), `builder` (`Draft` -> frozen `ToolOutput`), `patterns` (line patterns).
- `fields`: readers for the pieces of a line (records, EDE in every tool's spelling, command lines).
- `model`: the frozen values returned.
"""
