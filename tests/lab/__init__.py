"""The DNS lab: real DNS servers on loopback that the probe and paste tests run against.

The session fixture `lab` (tests/lab/fixtures.py) signs a lab root ".", a TLD "lab." and ~20 child zones with
dnssec-keygen/dnssec-signzone (ECDSAP256SHA256), starts NSD, Knot, BIND and Unbound as foreground child processes
with their own configs in a temp dir, waits until each answers (a resolver counts as ready when it validates lab.
SOA with AD), and stops them by PID at the end; a start failure raises LabError with the daemon's log tail. It
fails (never skips) outside a private network namespace: run `scripts/netns .venv/bin/python -m pytest tests/lab -q`.
Starting everything takes ~2 s. `scripts/netns .venv/bin/python -m tests.lab [COMMAND]` runs it by hand.

Address map (tests/lab/addresses.py), all port 53:
    127.53.0.1   NSD: the lab root "." (a.root-servers.)      127.53.1.1  Knot: "lab." (ns1.lab.)
    127.53.2.1   NSD: children (ns-nsd.lab.)                 127.53.3.1  Knot: children (ns-knot.lab.)
    127.53.4.1   BIND: children (ns-bind.lab.)
    127.53.9.1/2 silent NS (read, never answer; UDP+TCP)     127.53.9.3/4 closed NS (nothing listens)
    127.53.9.5   middlebox: FORMERR to queries with EDNS, plain ones relayed to NSD (ns-noedns.lab.)
    127.53.9.6   middlebox: drops queries with EDNS, plain ones relayed to NSD (ns-dropedns.lab.)
    127.53.53.1  Unbound, validating (unbound-control on :8953)   127.53.53.2  BIND, validating (rndc on :953)
    127.53.54.1  Unbound refusing us (REFUSED + EDE 18)           127.53.54.2  BIND view allow-query none (EDE 18)
    127.53.55.1  Unbound forwarding healthy-unsigned.lab. to a server that refuses (SERVFAIL)
    127.53.56.1  silent "resolver"                                127.53.56.2  closed "resolver"
    127.53.57.1  BIND recursive view used as a nameserver (ns-recursor.lab.): NOERROR, no AA, upward referral
A second TLD, flaky., is delegated by the root to ns1.flaky. (the lab. Knot, serves it) and ns2.flaky. (the
children's NSD, which does not: a lame TLD server); flaky. delegates child.flaky. to Knot (the trace tests).
Both validating resolvers see only the lab (root hints = lab root, trust anchor = lab root key, no forwarders).

Scenarios (lab.scenarios, id -> Scenario with qname, qtype, verdict, causes, description, resolvers):
healthy_signed, healthy_unsigned, nxdomain, nodata; expired_rrsig, future_rrsig, ds_mismatch, ds_for_unsigned,
rrsig_missing, bad_signature (dnssec_bogus:other), unsupported_algorithm (DS alg 100: resolvers treat the zone as
insecure, verdict ok); lame, all_lame, lame_referral; one_ns_silent, one_ns_closed,
all_ns_silent, all_ns_closed; serial_mismatch, inconsistent_answers, delegation_mismatch; edns_broken,
edns_dropped, edns_broken_signed; resolver_refused, resolver_refused_bind, resolver_unreachable (silent),
resolver_closed, not_implemented (MAILB to BIND: NOTIMP), resolver_failure. tests/lab/test_lab.py asserts what
each one really answers. Call `lab.flush()` before a test that needs a cold cache (Unbound's bogus cache otherwise
answers EDE 6 without text).

Things the real servers do that surprise: Unbound drops replies older than discard-timeout (1.9 s), so with every
NS dead it sends no reply at all; BIND SERVFAILs after ~10 s (at once when the ports are closed); BIND 9.18 adds no
EDE to validation failures; nobody adds EDE 22/23; an unconnected UDP socket (dnspython) never sees the ICMP port
unreachable of a closed address, a connected one (dig) gets ECONNREFUSED; Unbound 1.17.1 ignores
`interface-action` (NLnetLabs/unbound#897).
"""

from tests.lab.daemons import LabError
from tests.lab.lab import Lab, Scenario, start

__all__ = ["Lab", "LabError", "Scenario", "start"]
