"""Config files for NSD, Knot, BIND and Unbound, and a small process supervisor for them.

Each daemon runs in the foreground as a child of the test process with its own config and working directory in
the lab's temp dir, its stdout/stderr in a log file. Readiness is a real DNS answer over loopback, polled with
dnspython; a daemon that exits or never answers raises LabError carrying its log tail, so a broken lab is a
failed test with the server's own words, never a skip.
"""

from __future__ import annotations

import base64
import ctypes
import secrets
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode

from tests.lab import addresses as A

ENV = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/tmp",
}


def _child_setup() -> None:
    """In the child before exec: SIGTERM when the test process dies, so a killed pytest leaves no servers behind,
    and no inherited blocked signals (a parent waiting in sigwait blocks SIGTERM; the servers must still get it)."""
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


PR_SET_PDEATHSIG = 1


class LabError(RuntimeError):
    """The lab could not be built or started; the message says which daemon and quotes its log."""


def tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def ask(
    server: str, qname: str, qtype: str, *, rd: bool, timeout: float = 0.3, port: int = A.PORT
) -> dns.message.Message | None:
    """One UDP query; None on timeout or socket error (used only for readiness)."""
    query = dns.message.make_query(qname, qtype, want_dnssec=True)
    if not rd:
        query.flags &= ~dns.flags.RD
    try:
        return dns.query.udp(query, server, timeout=timeout, port=port)
    except (dns.exception.Timeout, OSError):
        return None


Ready = Callable[[], str | None]  # None when ready, else what is still missing


def authoritative_for(server: str, zone: str) -> Ready:
    def check() -> str | None:
        answer = ask(server, zone, "SOA", rd=False)
        if answer is None:
            return f"no answer from {server} for {zone} SOA"
        if answer.rcode() != dns.rcode.NOERROR or not answer.flags & dns.flags.AA:
            return f"{server} answered {dns.rcode.to_text(answer.rcode())} (flags {dns.flags.to_text(answer.flags)}) for {zone} SOA"
        return None

    return check


def validates(server: str, qname: str = "lab.") -> Ready:
    """A resolver is ready when it resolves and validates lab. through the lab root: the whole chain works."""

    def check() -> str | None:
        answer = ask(server, qname, "SOA", rd=True, timeout=1.0)
        if answer is None:
            return f"no answer from resolver {server} for {qname} SOA"
        if answer.rcode() != dns.rcode.NOERROR or not answer.flags & dns.flags.AD:
            return (
                f"resolver {server} answered {dns.rcode.to_text(answer.rcode())} "
                f"(flags {dns.flags.to_text(answer.flags)}) for {qname} SOA; expected NOERROR with AD"
            )
        return None

    return check


def refuses(server: str) -> Ready:
    def check() -> str | None:
        answer = ask(server, "lab.", "SOA", rd=True)
        if answer is None:
            return f"no answer from {server}"
        if answer.rcode() != dns.rcode.REFUSED:
            return f"{server} answered {dns.rcode.to_text(answer.rcode())}, expected REFUSED"
        return None

    return check


@dataclass
class Daemon:
    """One supervised process: started, polled until ready, stopped by its own PID."""

    name: str
    argv: list[str]
    workdir: Path
    ready: Sequence[Ready] = ()
    log: Path = field(init=False)
    proc: subprocess.Popen[bytes] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.log = self.workdir / f"{self.name}.log"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            try:
                self.proc = subprocess.Popen(
                    self.argv,
                    cwd=self.workdir,
                    env=ENV,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=_child_setup,
                )
            except OSError as exc:
                raise LabError(f"{self.name}: cannot start {self.argv[0]}: {exc}") from exc

    def pending(self) -> str | None:
        """None when ready; raise when the process died."""
        assert self.proc is not None
        code = self.proc.poll()
        if code is not None:
            raise LabError(
                f"{self.name} exited with status {code} during startup ({' '.join(self.argv)}); log tail:\n{tail(self.log)}"
            )
        for check in self.ready:
            missing = check()
            if missing:
                return missing
        return None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def wait_all(daemons: Sequence[Daemon], timeout: float = 15.0) -> None:
    """Poll every daemon until all answer; raise with the log tail of the first one that does not."""
    deadline = time.monotonic() + timeout
    waiting = list(daemons)
    last: dict[str, str] = {}
    while waiting:
        still = []
        for daemon in waiting:
            missing = daemon.pending()
            if missing:
                last[daemon.name] = missing
                still.append(daemon)
        waiting = still
        if not waiting:
            return
        if time.monotonic() > deadline:
            daemon = waiting[0]
            raise LabError(
                f"{daemon.name} did not become ready within {timeout:.0f}s: {last.get(daemon.name)}; log tail:\n{tail(daemon.log)}"
            )
        time.sleep(0.05)


# --------------------------------------------------------------------------------------------- config writers


def nsd(name: str, workdir: Path, address: str, zones: dict[str, Path]) -> Daemon:
    workdir.mkdir(parents=True, exist_ok=True)
    lines = [
        "server:",
        f"    ip-address: {address}",
        f"    port: {A.PORT}",
        '    username: ""',
        '    chroot: ""',
        f'    zonesdir: "{workdir}"',
        '    database: ""',
        f'    pidfile: "{workdir}/nsd.pid"',
        f'    xfrdfile: "{workdir}/xfrd.state"',
        f'    xfrdir: "{workdir}"',
        f'    zonelistfile: "{workdir}/zone.list"',
        "    server-count: 1",
        "    verbosity: 1",
        "    hide-version: yes",
        "    reuseport: no",
        "remote-control:",
        "    control-enable: no",
    ]
    for zone, path in zones.items():
        lines += ["zone:", f'    name: "{zone}"', f'    zonefile: "{path}"']
    conf = workdir / "nsd.conf"
    conf.write_text("\n".join(lines) + "\n")
    return Daemon(name, ["nsd", "-d", "-c", str(conf)], workdir, [authoritative_for(address, zone) for zone in zones])


def knot(name: str, workdir: Path, address: str, zones: dict[str, Path]) -> Daemon:
    workdir.mkdir(parents=True, exist_ok=True)
    lines = [
        "server:",
        f'    rundir: "{workdir}"',
        f"    listen: {address}@{A.PORT}",
        "    udp-workers: 1",
        "    tcp-workers: 1",
        "    background-workers: 1",
        "database:",
        f'    storage: "{workdir}"',
        "log:",
        "  - target: stderr",
        "    any: info",
        "template:",
        "  - id: default",
        f'    storage: "{workdir}"',
        "    zonefile-sync: -1",
        "    zonefile-load: whole",
        "    journal-content: none",
        "    semantic-checks: off",
        "zone:",
    ]
    for zone, path in zones.items():
        lines += [f'  - domain: "{zone}"', f'    file: "{path}"']
    conf = workdir / "knot.conf"
    conf.write_text("\n".join(lines) + "\n")
    return Daemon(name, ["knotd", "-c", str(conf)], workdir, [authoritative_for(address, zone) for zone in zones])


def bind_auth(name: str, workdir: Path, address: str, zones: dict[str, Path], open_transfer: Sequence[str] = ()) -> Daemon:
    """BIND as an authoritative server; transfers are refused except for the zones in `open_transfer` (AXFR to
    anyone, the `zone_transfer_open` case). BIND's own default is to allow them, which is the leak itself."""
    workdir.mkdir(parents=True, exist_ok=True)
    lines = [
        "options {",
        f'    directory "{workdir}";',
        f'    pid-file "{workdir}/named.pid";',
        f'    session-keyfile "{workdir}/session.key";',
        f'    managed-keys-directory "{workdir}";',
        f"    listen-on port {A.PORT} {{ {address}; }};",
        "    listen-on-v6 { none; };",
        "    recursion no;",
        "    dnssec-validation no;",
        "    notify no;",
        "    allow-transfer { none; };",
        "};",
        "controls { };",
    ]
    for zone, path in zones.items():
        transfer = " allow-transfer { any; };" if zone in open_transfer else ""
        lines.append(f'zone "{zone}" {{ type primary; file "{path}";{transfer} }};')
    conf = workdir / "named.conf"
    conf.write_text("\n".join(lines) + "\n")
    return Daemon(
        name,
        ["named", "-4", "-g", "-n", "1", "-c", str(conf)],
        workdir,
        [authoritative_for(address, zone) for zone in zones],
    )


def rndc_secret() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def bind_resolver(
    name: str, workdir: Path, hints: Path, root_dnskey: str, open_zones: dict[str, Path] | None = None
) -> tuple[Daemon, Path]:
    """A validating BIND resolver; returns the daemon and the rndc.conf that drives it.

    `open_zones` are served by a view on OPENREC_NS that also resolves for anyone: an authoritative server that is
    an open resolver (the `open_recursion` case)."""
    workdir.mkdir(parents=True, exist_ok=True)
    secret = rndc_secret()
    key = f'key "lab-rndc" {{ algorithm hmac-sha256; secret "{secret}"; }};'
    flags, proto, alg, public = root_dnskey.split(None, 3)
    lines = [
        key,
        "options {",
        f'    directory "{workdir}";',
        f'    pid-file "{workdir}/named.pid";',
        f'    session-keyfile "{workdir}/session.key";',
        f'    managed-keys-directory "{workdir}";',
        f"    listen-on port {A.PORT} {{ {A.BIND_RESOLVER}; {A.BIND_REFUSE}; {A.RECURSOR_NS}; {A.OPENREC_NS}; }};",
        "    listen-on-v6 { none; };",
        "    dnssec-validation yes;",
        "    notify no;",
        "    querylog yes;",
        "};",
        f'trust-anchors {{ . static-key {flags} {proto} {alg} "{public.replace(" ", "")}"; }};',
        f'controls {{ inet {A.BIND_RESOLVER} port {A.RNDC_PORT} allow {{ 127.0.0.0/8; }} keys {{ "lab-rndc"; }}; }};',
        "logging {",
        "    channel out { stderr; severity info; print-time yes; print-category yes; };",
        "    category default { out; };",
        "    category dnssec { out; };",
        "    category lame-servers { out; };",
        "    category queries { out; };",
        "};",
        # A resolver that refuses us: BIND answers REFUSED with EDE 18 (Prohibited).
        # (With `recursion no` in this view BIND refuses without EDE; a recursive view refusing by ACL adds EDE 18.)
        'view "refuse" {',
        f"    match-destinations {{ {A.BIND_REFUSE}; }};",
        "    allow-query { none; };",
        "    recursion yes;",
        f'    zone "." {{ type hint; file "{hints}"; }};',
        "};",
        # A recursive resolver that a zone lists as its nameserver: asked without RD for a name it has not cached,
        # BIND answers NOERROR without AA and refers upward to the root (a lame delegation that is not REFUSED).
        'view "recursor" {',
        f"    match-destinations {{ {A.RECURSOR_NS}; }};",
        "    recursion yes;",
        "    allow-query { any; };",
        "    allow-recursion { any; };",
        f'    zone "." {{ type hint; file "{hints}"; }};',
        "};",
        'view "openrec" {',
        f"    match-destinations {{ {A.OPENREC_NS}; }};",
        "    recursion yes;",
        "    allow-query { any; };",
        "    allow-recursion { any; };",
        "    allow-transfer { none; };",
        f'    zone "." {{ type hint; file "{hints}"; }};',
        *(f'    zone "{zone}" {{ type primary; file "{path}"; }};' for zone, path in (open_zones or {}).items()),
        "};",
        'view "main" {',
        "    match-clients { any; };",
        "    recursion yes;",
        "    allow-query { any; };",
        "    allow-recursion { any; };",
        f'    zone "." {{ type hint; file "{hints}"; }};',
        "};",
    ]
    conf = workdir / "named.conf"
    conf.write_text("\n".join(lines) + "\n")
    rndc_conf = workdir / "rndc.conf"
    rndc_conf.write_text(
        f'{key}\noptions {{ default-key "lab-rndc"; default-server {A.BIND_RESOLVER}; default-port {A.RNDC_PORT}; }};\n'
    )
    ready = [validates(A.BIND_RESOLVER), *(authoritative_for(A.OPENREC_NS, zone) for zone in open_zones or {})]
    daemon = Daemon(name, ["named", "-4", "-g", "-n", "1", "-c", str(conf)], workdir, ready)
    return daemon, rndc_conf


def unbound(
    name: str,
    workdir: Path,
    hints: Path,
    anchor: Path,
    interfaces: Sequence[str],
    *,
    refuse_all: bool = False,
    control: str | None = None,
    forward: dict[str, Sequence[str]] | None = None,
) -> Daemon:
    """A validating Unbound that sees only the lab (root hints and trust anchor are the lab's)."""
    workdir.mkdir(parents=True, exist_ok=True)
    lines = ["server:"]
    lines += [f"    interface: {address}" for address in interfaces]
    lines += [
        f"    port: {A.PORT}",
        "    interface-automatic: no",
        "    do-ip6: no",
        '    username: ""',
        '    chroot: ""',
        f'    directory: "{workdir}"',
        f'    pidfile: "{workdir}/unbound.pid"',
        "    use-syslog: no",
        '    logfile: ""',
        "    log-time-ascii: yes",
        "    verbosity: 1",
        "    log-servfail: yes",
        "    num-threads: 1",
        "    so-reuseport: no",
        "    outgoing-range: 256",
        "    num-queries-per-thread: 128",
        "    msg-cache-size: 4m",
        "    rrset-cache-size: 4m",
        "    do-not-query-localhost: no",
        # Unbound gives an unknown server 376 ms before trying the next one, and since the DNSBomb fix
        # (CVE-2024-33655, in Debian's 1.17.1) drops any reply that took longer than discard-timeout (1900 ms):
        # with one silent NS of two, half of the cold-cache queries got no reply at all. Loopback servers answer
        # in microseconds, so the lab's Unbound gives an unknown server 100 ms; with every NS silent it still
        # sends no reply (the real behaviour the probe must handle).
        "    unknown-server-time-limit: 100",
        # (`interface-action: ADDR refuse` would do this per address, but Unbound 1.17.1 ignores interface-*
        # options: NLnetLabs/unbound#897. So the refusing resolver is its own instance.)
        # (Unbound's built-in `127.0.0.0/8 allow` beats a `0.0.0.0/0 refuse`: the more specific prefix wins.)
        "    access-control: 127.0.0.0/8 refuse" if refuse_all else "    access-control: 127.0.0.0/8 allow",
        f'    root-hints: "{hints}"',
        f'    trust-anchor-file: "{anchor}"',
        "    ede: yes",
        "    val-log-level: 2",
        '    module-config: "validator iterator"',
    ]
    for zone, addrs in (forward or {}).items():
        lines += ["forward-zone:", f'    name: "{zone}"', *[f"    forward-addr: {a}" for a in addrs]]
    if control:
        lines += [
            "remote-control:",
            "    control-enable: yes",
            f"    control-interface: {control}",
            f"    control-port: {A.UNBOUND_CONTROL_PORT}",
            "    control-use-cert: no",
        ]
    conf = workdir / "unbound.conf"
    conf.write_text("\n".join(lines) + "\n")
    ready = refuses(interfaces[0]) if refuse_all else validates(interfaces[0])
    return Daemon(name, ["unbound", "-d", "-c", str(conf)], workdir, [ready])


def add_loopback_addresses(addresses: Sequence[str]) -> None:
    """BIND listens only on configured interface addresses; add ours to lo (we are root in a private netns)."""
    for address in addresses:
        done = subprocess.run(
            ["ip", "addr", "replace", f"{address}/32", "dev", "lo"], env=ENV, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise LabError(f"cannot add {address} to lo (BIND needs it on an interface): {done.stderr.strip()}")


def remove_loopback_addresses(addresses: Sequence[str]) -> None:
    for address in addresses:
        subprocess.run(["ip", "addr", "del", f"{address}/32", "dev", "lo"], env=ENV, capture_output=True, check=False)


def control(argv: Sequence[str], what: str) -> None:
    """Run unbound-control / rndc; raise with its output when it fails."""
    done = subprocess.run(list(argv), env=ENV, capture_output=True, text=True, check=False, timeout=10)
    if done.returncode != 0:
        raise LabError(f"{what} failed ({done.returncode}): {(done.stdout + done.stderr).strip()}")
