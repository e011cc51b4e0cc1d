"""The lab's address map, in one place: every server, middlebox and dead address has its own 127.53.x.y.

All of 127.0.0.0/8 is local on Linux, so NSD, Knot, Unbound and Python sockets bind any of these directly; BIND
only listens on addresses that exist on an interface, so the lab adds its addresses to `lo` first (we run in a
private network namespace, where that touches nothing else).
"""

from __future__ import annotations

PORT = 53

# Authoritative side --------------------------------------------------------------------------------------------
ROOT = "127.53.0.1"  # NSD instance serving only the lab root "." (a.root-servers.)
TLD = "127.53.1.1"  # Knot instance serving only "lab." (ns1.lab.)
NSD = "127.53.2.1"  # NSD serving child zones (ns-nsd.lab.)
KNOT = "127.53.3.1"  # Knot serving child zones (ns-knot.lab.)
BIND_AUTH = "127.53.4.1"  # BIND serving child zones (ns-bind.lab.)
SILENT_NS = "127.53.9.1"  # reads and discards, UDP and TCP (ns-silent.lab.)
SILENT_NS2 = "127.53.9.2"  # second silent one (ns-silent2.lab.)
CLOSED_NS = "127.53.9.3"  # nothing listens: ICMP port unreachable / TCP RST (ns-closed.lab.)
CLOSED_NS2 = "127.53.9.4"  # nothing listens (ns-closed2.lab.)
NOEDNS_NS = "127.53.9.5"  # EDNS-intolerant middlebox: FORMERR to any query with OPT, the rest forwarded to NSD
DROPEDNS_NS = "127.53.9.6"  # EDNS-dropping middlebox: queries with OPT vanish, the rest forwarded to NSD
UDPONLY_NS = "127.53.9.7"  # a relay to NSD over UDP only: nothing listens on TCP (connection refused)

# Resolver side -------------------------------------------------------------------------------------------------
UNBOUND = "127.53.53.1"  # validating Unbound (remote control on UNBOUND@8953, no certificates)
BIND_RESOLVER = "127.53.53.2"  # validating BIND (rndc on BIND_RESOLVER@953)
UNBOUND_REFUSE = "127.53.54.1"  # an Unbound with access-control: 0.0.0.0/0 refuse
BIND_REFUSE = "127.53.54.2"  # same BIND process, a view on this address with allow-query { none; } (EDE 18)
UNBOUND_BROKEN = "127.53.55.1"  # an Unbound whose forward-zone for healthy-unsigned.lab. points at Knot (REFUSED)
RESOLVER_SILENT = "127.53.56.1"  # a "resolver" that reads and never answers
RESOLVER_CLOSED = "127.53.56.2"  # a "resolver" address where nothing listens
RECURSOR_NS = "127.53.57.1"  # a BIND recursive view used as a nameserver: upward referral, no AA (ns-recursor.lab.)
OPENREC_NS = "127.53.57.2"  # a BIND view that serves a zone and resolves for anyone: an open resolver (ns-openrec.lab.)

UNBOUND_CONTROL_PORT = 8953
RNDC_PORT = 953

# Nameserver host names in the lab. zone (out-of-bailiwick for the children, like a hosting provider's NS).
NS_HOSTS: dict[str, str] = {
    "ns-nsd.lab.": NSD,
    "ns-knot.lab.": KNOT,
    "ns-bind.lab.": BIND_AUTH,
    "ns-silent.lab.": SILENT_NS,
    "ns-silent2.lab.": SILENT_NS2,
    "ns-closed.lab.": CLOSED_NS,
    "ns-closed2.lab.": CLOSED_NS2,
    "ns-noedns.lab.": NOEDNS_NS,
    "ns-dropedns.lab.": DROPEDNS_NS,
    "ns-recursor.lab.": RECURSOR_NS,
    "ns-udponly.lab.": UDPONLY_NS,
    "ns-openrec.lab.": OPENREC_NS,
}

# Addresses BIND listens on: they must exist on `lo` before named starts.
BIND_ADDRESSES = (BIND_AUTH, BIND_RESOLVER, BIND_REFUSE, RECURSOR_NS, OPENREC_NS)
