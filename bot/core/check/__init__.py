"""Checking a name live, as data: what to ask (`target` for the name, `plan` for the queries), what came back
(`observations`), and what it means (`dnssec_checks` recomputes DNSSEC, `diagnosis` names the cause). No I/O:
`bot.probe` sends the queries this package plans."""
