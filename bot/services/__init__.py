"""Services: the one place each capability is composed from core + render (+ the probe's I/O).

The CLI, the chat shell and the Slack listeners all call these and show the `Reply` they return, so the three
front ends give the same answers. Each service raises `BotError` for what the user got wrong.

- `services.rcode.answer(text, knowledge) -> Reply`                        /rcode and plain questions
- `services.paste.answer(text, knowledge, offer_probe=...) -> Reply|None`  pasted dig/kdig/drill/delv/host/nslookup
- `services.dnscheck.parse(text, probe_settings, trusted=...) -> CheckRequest`  validate /dnscheck input (fast)
- `services.dnscheck.progress(request) -> Reply`                           "Checking example.com A…"
- `services.dnscheck.run(request, settings, knowledge) -> Reply`           the live probe (slow, network)
"""
