"""Realistic ordinary DNS chat, as Slack sends it: what the paste detector must never fire on.

Used by the detector's property test and by the benchmark (the cost of the gate per ordinary message).
"""

from __future__ import annotations

import random

WORDS = (
    "servfail",
    "SERVFAIL",
    "nxdomain",
    "NXDOMAIN",
    "refused",
    "REFUSED",
    "noerror",
    "NODATA",
    "dig",
    "kdig",
    "drill",
    "delv",
    "host",
    "nslookup",
    "example.com",
    "api.example.com",
    "8.8.8.8",
    "1.1.1.1",
    "10.0.0.53",
    "resolver",
    "unbound",
    "bind",
    "coredns",
    "route53",
    "TTL",
    "A record",
    "AAAA",
    "MX",
    "CNAME",
    "DS",
    "DNSKEY",
    "RRSIG",
    "EDE 9",
    "EDE: 9",
    "status: SERVFAIL",
    "status: NOERROR",
    "ANSWER: 0",
    "flags: qr rd ra",
    "->>HEADER<<-",
    "opcode: QUERY",
    "+trace",
    "+short",
    "@8.8.8.8",
    "port 53",
    "timed out",
    "connection timed out",
    "no servers could be reached",
    "again",
    "staging",
    "prod",
    "on-call",
    "pager",
    "why",
    "anyone",
    "since",
    "deploy",
    "rollback",
    "the",
    "is",
    "has",
    "address",
    "IP address",
    "not found",
    "can't find",
    "Server:",
    "Address:",
    "IN",
    "record",
    "handled by",
    "mail",
    "&lt;",
    "&gt;",
    "&amp;",
    "’",
    "“quoted”",
    ":fire:",
    ":thinking_face:",
    "<@U024BE7LH>",
    "<#C024BE7LR|ops>",
    "<!here>",
    "<http://example.com|example.com>",
    "<https://status.example.com/incident/42>",
    "<mailto:ops@example.com|ops@example.com>",
    "`dig example.com`",
    "```",
    "(see above)",
    "#53",
    "*bold*",
    "_italics_",
    "1.2.3.4#53",
    "3(NXDOMAIN)",
    ";",
    "--",
)

LINES = (
    "servfail on staging again?",
    "is anyone else seeing NXDOMAIN for api.example.com since the deploy?",
    "dig says status: SERVFAIL and EDE 9 (DNSKEY Missing), I think the DS at the registrar is stale",
    "curl: (6) Could not resolve host: api.example.com",
    "curl: (28) Connection timed out after 5001 milliseconds",
    "ping: api.example.com: Name or service not known",
    "PING example.com (93.184.215.14) 56(84) bytes of data.",
    "64 bytes from 93.184.215.14: icmp_seq=1 ttl=56 time=11.2 ms",
    "--- example.com ping statistics ---",
    "3 packets transmitted, 3 received, 0% packet loss, time 2003ms",
    "Traceback (most recent call last):",
    '  File "/app/resolve.py", line 12, in <module>',
    "    answer = dns.resolver.resolve(name, 'A')",
    "dns.resolver.NXDOMAIN: The DNS query name does not exist: api.example.com.",
    "socket.gaierror: [Errno -2] Name or service not known",
    "Error: getaddrinfo ENOTFOUND api.example.com",
    "java.net.UnknownHostException: api.example.com: Temporary failure in name resolution",
    'nginx: [emerg] host not found in upstream "backend:8080" in /etc/nginx/conf.d/app.conf:12',
    "the A record has address 10.0.0.1 according to route53, but the resolver says otherwise",
    "I ran `dig +trace example.com` and the ->>HEADER<<- line says SERVFAIL",
    "flags: qr rd ra; so recursion is available, right?",
    "Server: the new one in eu-west, Address: still pending",
    "kubectl get pods -n kube-system | grep coredns",
    "coredns-5d78c9869d-abcde   0/1   CrashLoopBackOff   12   40m",
    "[ERROR] plugin/errors: 2 api.example.com. A: read udp 10.0.0.5:41234->10.0.0.53:53: i/o timeout",
    'time="2026-11-24T06:00:00Z" level=error msg="lookup api.example.com on 10.0.0.53:53: no such host"',
    "<!here> DNS is flaky, investigating :fire:",
    "<@U024BE7LH> can you check <http://example.com|example.com>? I get &lt;nothing&gt; back &amp; it times out",
    "it's weird; maybe the TTL is too long",
    "host example.com works from my laptop but not from the pod",
    "nslookup api.example.com 10.0.0.53 times out, dig too",
    "mail for example.com is handled by the new MX since monday",
    "example.com has no AAAA, is that expected?",
    "> quoting: servfail on staging again?",
    "```kubectl logs deploy/api | grep -i dns```",
    "see incident #53 for details (root cause: expired RRSIG)",
    "Host header was wrong, not found: 3 pods affected",
)


def message(rnd: random.Random) -> str:
    """One ordinary message: a known chat line, a shuffle of DNS words, or a few lines of logs and traces."""
    kind = rnd.random()
    if kind < 0.4:
        return rnd.choice(LINES)
    if kind < 0.8:
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(1, 25))]
        return " ".join(words).replace(" ;", ";") + rnd.choice(("", "?", "!", " :(", "..."))
    lines = [rnd.choice(LINES) for _ in range(rnd.randint(2, 15))]
    text = "\n".join(lines)
    if rnd.random() < 0.3:
        text = "```" + text + "```"
    return text


def corpus(count: int, seed: int = 53) -> list[str]:
    """A fixed sample of ordinary messages (for the benchmark)."""
    rnd = random.Random(seed)
    return [message(rnd) for _ in range(count)]
