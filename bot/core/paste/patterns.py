"""The label patterns of every line kind the paste reader knows (dig, kdig, drill, delv, host, nslookup, +yaml).

Kept apart from the state machine so each pattern sits next to its siblings: the `;`-line patterns of dig, kdig
and drill, the phrases of host and nslookup, the keys of dig +yaml.
"""

from __future__ import annotations

import re

MAX_MULTILINE = 60
SMART = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u200b": "", "\ufeff": ""}
)
HEADER = re.compile(
    r"->>HEADER<<-\s*opcode:\s*(?P<op>[\w-]+)\s*[,;]\s*(?P<label>status|rcode):\s*(?P<st>[\w-]+)(?:\s*[,;]\s*id:\s*(?P<id>\d+))?"
)
# The header flags every tool prints (RFC 1035, RFC 4035's `ad` and `cd`); others go through the general filter.
HEADER_FLAGS = frozenset({"qr", "aa", "tc", "rd", "ra", "z", "ad", "cd"})
# The counts as dig, drill (`,`) and kdig (`;`) print them, ASCII digits of a sane length: the common case of COUNT.
COUNTS_FAST = re.compile(
    r" ?QUERY: ([0-9]{1,20})[,;] ANSWER: ([0-9]{1,20})[,;] AUTHORITY: ([0-9]{1,20})[,;] ADDITIONAL: ([0-9]{1,20})[ \t]*"
)
# dig's EDNS line without MBZ bits: the common case of EDNS_DIG and UDP.
EDNS_FAST = re.compile(r"version: ([0-9]{1,3}), flags:([a-z ]*); udp: ([0-9]{1,5})")
COUNT = re.compile(r"\b(QUERY|ZONE|ANSWER|PREREQ|AUTHORITY|UPDATE|ADDITIONAL):\s*(\d+)")
EDNS_DIG = re.compile(r"version:?\s*(?P<v>\d+)\s*[,;]\s*flags:(?P<f>[^;]*);(?P<rest>.*)")
UDP = re.compile(r"udp:\s*(\d+)", re.IGNORECASE)
KDIG_EDNS = re.compile(r"Version:\s*(?P<v>\d+);\s*flags:(?P<f>[^;]*);\s*UDP size:\s*(?P<udp>\d+)")
QUESTION = re.compile(
    r"^;{1,2}\s*(?P<name>\S+)[ \t]+(?:(?P<cls>IN|CH|CHAOS|HS|CS|ANY|NONE|CLASS\d+)[ \t]+)?(?P<type>[A-Z][A-Z0-9-]*|TYPE\d+)[ \t]*$"
)
# The question as dig prints it (`;example.com.  IN  A`): where it matches the whole line, QUESTION reads the same
# groups from it, at about half the cost, so it is tried first.
QUESTION_COMMON = re.compile(r";(?P<name>[^\s;]\S*)[ \t]+(?P<cls>IN)[ \t]+(?P<type>[A-Z][A-Z0-9-]*)")
QUESTION_DIG8 = re.compile(r"^;;\s+(?P<name>\S+?),\s*type = (?P<type>\S+),\s*class = (?P<cls>\S+)")
SERVER = re.compile(r"SERVER:\s*(?P<srv>[^\s(]+)(?:\([^)]*\))?(?:\s*\((?P<tr>[A-Z]+)\))?")
QUERY_TIME = re.compile(r"[Qq]uery time:\s*(?P<ms>[\d.]+)\s*(?:msec|ms)")
MSG_SIZE = re.compile(r"MSG SIZE\s+(?:sent:\s*\d+\s+)?rcvd:\s*(?P<n>\d+)")
KDIG_RECEIVED = re.compile(r"^Received (?P<n>\d+) B$")
TRACE_RECEIVED = re.compile(r"^Received (?P<n>\d+) bytes from (?P<srv>[^\s(]+)(?:\((?P<name>[^)]*)\))? in (?P<ms>[\d.]+) ms")
KDIG_FROM = re.compile(r"^From (?P<srv>\S+?)\((?P<tr>[A-Z]+)\) in (?P<ms>[\d.]+) ms")
COMM_ERROR = re.compile(r"^communications error(?: to (?P<srv>\S+?))?:\s*(?P<err>.*)$")
SETUP_FAILED = re.compile(
    r"^(?:UDP setup|Connection) (?:with|to) (?P<srv>[^\s(]+)(?:\([^)]*\))? for (?P<name>\S+) failed: (?P<err>.*?)\.?$"
)
KDIG_TIMEOUT = re.compile(r"^WARNING: response timeout for (?P<srv>\S+)")
KDIG_CONNECT = re.compile(
    r"^WARNING: (?P<err>can't connect|connection reset|failed to connect|network is unreachable)[^\n]*?(?: to (?P<srv>\S+))?$"
)
# dig's own retries: `;; BADVERS, retrying with EDNS version 0.`, `;; BADCOOKIE, retrying.` (also `… in TCP mode.`),
# and `;; Got SERVFAIL reply from 192.0.2.1#53, trying next server` (without `, trying next server` it is nslookup
# repeating the status it then prints).
SELF_RETRY = re.compile(r"^(?P<st>BADVERS|BADCOOKIE), retrying")
NEXT_SERVER = re.compile(r"^Got (?P<st>[A-Z]+) reply from (?P<srv>\S+?),? trying next server")
# The dynamic-update tools: nsupdate's `update failed: NOTIMP` and `; Communication with 192.0.2.1#53 failed: REFUSED`
# (its SOA query, which finds the zone, was answered or failed), knsupdate's `;; ERROR: update failed with error
# 'NOTIMPL'`.
UPDATE_FAILED = re.compile(r"^update failed: (?P<st>.+?)\.?$")
UPDATE_COMM = re.compile(r"^Communication with (?P<srv>\S+) failed: (?P<err>.+?)\.?$")
KNSUPDATE_FAILED = re.compile(r"^ERROR: update failed with error '(?P<st>[A-Za-z0-9]+)'")
KDIG_FAILED = re.compile(r"^ERROR: failed to query server (?P<srv>\S+)")
# kdig's zone transfer: `;; ERROR: server replied with error 'NOTAUTH'`, then `;; AXFR for example.com.`.
KDIG_XFR_ERROR = re.compile(r"^ERROR: server replied with error '(?P<rcode>[A-Za-z0-9]+)'$")
KDIG_XFR = re.compile(r"^(?P<type>AXFR|IXFR) for (?P<name>\S+)$")
DELV_VERDICT = re.compile(
    r"^;\s*(?P<v>(?:negative response, )?(?:fully validated|unsigned answer|answer not validated|signed answer, pending validation|"
    r"pending validation|insecure(?: answer)?))\s*$"
)
DELV_RESOLVING = re.compile(
    r"^(?P<why>.*?)\s*resolving '(?P<name>[^'/]+)/(?P<type>[^'/]+)/(?P<cls>[^'/]+)'(?::\s*(?P<srv>\S+))?"
)
DELV_RCODE = re.compile(r"^(?P<rcode>[A-Z][A-Z0-9]*) unexpected RCODE$")
DRILL_CHASING = re.compile(r"^Chasing:\s+(?P<name>\S+)\s+(?P<type>[A-Z][A-Z0-9-]*|TYPE\d+)\s*$")
DRILL_CHASE_ERROR = re.compile(r"^No trusted keys found in tree: first error was: (?P<err>.+?)\.?$")
# A node of drill -S's trust tree: `|---example.com. (DNSKEY keytag: 58667 alg: 13 flags: 257)`.
DRILL_TREE_KEY = re.compile(r"^\|---(?P<name>\S+) \(DNSKEY keytag: (?P<tag>\d+)")
NO_PUBLIC_KEY = "No DNSSEC public key(s)"
DELV_FETCH = re.compile(r"^fetch:\s*(?P<name>[^/\s]+)/(?P<type>\S+)$")
DELV_TRANSPORT = ("timed out", "connection refused", "network unreachable", "host unreachable", "connection reset")
DELV_NEGATIVE = re.compile(
    r"^;\s*(?P<name>\S+)\s+(?:\d+\s+)?(?:(?:IN|CH|HS)\s+)?\\-(?P<type>\S+)\s+;-\$(?P<kind>NXDOMAIN|NXRRSET)"
)
HOST_LINE = re.compile(
    r"^(?P<name>\S+) (?:(?P<a>has address) |(?P<aaaa>has IPv6 address) |(?P<mx>mail is handled by) |(?P<cname>is an alias for) |"
    r"(?P<ptr>domain name pointer) |(?P<txt>descriptive text) |(?P<ns>name server) |has no (?P<none>\S+) record$|"
    r"has (?P<other>[A-Z][A-Z0-9]*) record )(?P<data>.*)$"
)
HOST_NOT_FOUND = re.compile(r"^Host (?P<name>\S+?) not found: (?:(?P<num>\d+)\((?P<st>\w+)\)|(?P<other>.*))$")
NSL_PAIR = re.compile(
    r"^(?P<name>\S+)\s+(?P<key>canonical name|mail exchanger|text|nameserver|name|has AAAA address|AAAA address|internet address|"
    r"service|rdata_(?P<num>\d{1,5}))\s*=\s*(?P<data>.*)$"
)
# nslookup prints an SOA as its owner alone on a line, then one `key = value` line per field.
NSL_SOA_FIELD = re.compile(r"^(?P<key>origin|mail addr|serial|refresh|retry|expire|minimum)\s*=\s*(?P<value>\S+)$")
NSL_OWNER = re.compile(r"^[A-Za-z0-9_*][A-Za-z0-9_*-]*(?:\.[A-Za-z0-9_*-]+)*\.?$|^\.$")
NSL_CANT = re.compile(r"^\*\* server can't find (?P<name>\S+?):\s*(?P<st>.*)$")
NSL_NO_ANSWER = re.compile(r"^\*\*\* Can't find (?P<name>\S+?):\s*No answer")
NSL_WINDOWS = re.compile(r"^\*\*\* (?P<srv>\S+) can't find (?P<name>\S+?):\s*(?P<why>.*)$")
WINDOWS_STATUS = {
    "non-existent domain": "NXDOMAIN",
    "server failed": "SERVFAIL",
    "query refused": "REFUSED",
    "format error": "FORMERR",
    "not implemented": "NOTIMP",
    "no response from server": "",
}
COULDNT = re.compile(
    r"^(?:(?:dig|host|nslookup|delv|kdig|drill):\s*)?couldn't get address for '(?P<name>[^']+)':\s*(?P<err>.*)$"
)
DRILL_ERROR = re.compile(r"^Error: (?P<err>error sending query.*|.*(?:network|timed out|nameserver).*)$")
SHORT = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\d{1,3}(?:\.\d{1,3}){3})?|"
    r"\"[^\"]*\"(?: \"[^\"]*\")*|(?:\d+ )+\S*\.|(?:[A-Za-z0-9_*-]+\.)+|\.)$"
)
SHORT_IDENTIFY = re.compile(r"^(?P<value>\S.*?) from server (?P<srv>\S+) in (?P<ms>\d+(?:\.\d+)?) ms\.$")
YAML_KEY = re.compile(r"^(?P<key>[A-Za-z_-]+):\s*(?P<value>.*)$")
YAML_ITEM = re.compile(r"^-\s+(?P<q>['\"]?)(?P<value>.*?)(?P=q)\s*$")
YAML_EDE = re.compile(r'INFO-CODE:\s*"?(?P<code>[^",}]*)"?(?:\s*,\s*EXTRA-TEXT:\s*"(?P<text>(?:[^"\\]|\\.)*)")?')
SECTIONS = {
    "QUESTION": "question",
    "QUERY": "question",
    "ZONE": "question",
    "ANSWER": "answer",
    "PREREQUISITE": "answer",
    "AUTHORITY": "authority",
    "UPDATE": "authority",
    "ADDITIONAL": "additional",
    "OPT": "opt",
    "EDNS": "opt",
}
TIMEOUT_WORDS = ("timed out", "timeout")
# A line only a zone file has: a `$` directive, or `@` as a record's owner (tools print every owner in full).
ZONE_LINE = re.compile(r"^(?:\$(?:TTL|ORIGIN|INCLUDE|GENERATE)[ \t]|@[ \t]+(?:\d\w*[ \t]+)?(?:(?:IN|CH|HS)[ \t]+)?[A-Z])")

BANNER = re.compile(r"<<>?>?\s*DiG\s+(?P<ver>\S+)(?:\s+<<>?>?\s*(?P<args>.*))?")
MBZ = re.compile(r"MBZ:\s*(0x[0-9a-fA-F]+)")
OPTION = re.compile(r"OPT=(?P<code>\d+)(?::\s*(?P<data>.*))?$")
COOKIE = re.compile(r"(?P<hex>[0-9a-fA-F]+)(?:\s*\((?P<state>[^)]*)\))?")
HOST_RECEIVED = re.compile(r"Received (\d+) bytes from (\S+) in ([\d.]+) ms")
