"""Reading pasted DNS tool output (dig, kdig, drill, delv, host, nslookup).

- `detect.looks_like_dig(text)`: the cheap gate for every chat message.
- `read.from_text(text) -> Paste`: the line-by-line reader.
- `model`: the frozen values it returns.
- `fields`: readers for the pieces of a line (records, EDE options, command lines).
"""
