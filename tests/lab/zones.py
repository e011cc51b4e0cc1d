"""Zone files for the lab, generated and signed at run time with the BIND tools (dnssec-keygen, dnssec-signzone).

Every key is ECDSAP256SHA256 (algorithm 13): a key takes ~10 ms to make and a zone ~20 ms to sign, so the whole
tree (root, lab., ~25 children) is ready in well under a second. Broken DNSSEC is made the way it breaks in the
field: signatures with a validity window in the past or the future, a DS that names a key the child never
published, a DS for a child that is not signed, an RRset whose RRSIG was dropped, a signature whose bytes changed,
a DS/DNSKEY with an algorithm number no validator implements.
"""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from tests.lab import addresses as A

TTL = 300
NEGATIVE_TTL = 60
# A second, unsigned TLD whose second server is lame (see build): the delegation walk's (trace's) lame TLD case.
FLAKY = "flaky."
FLAKY_CHILD = "child.flaky."
FLAKY_NS = {"ns1.flaky.": A.TLD, "ns2.flaky.": A.NSD}
UNASSIGNED_ALGORITHM = 100  # unassigned in the IANA DNSSEC algorithm registry: no validator implements it

# Signing modes of a child zone.
UNSIGNED = "unsigned"
SIGNED = "signed"
EXPIRED = "expired"
FUTURE = "future"
DS_MISMATCH = "ds_mismatch"
DS_UNSIGNED = "ds_unsigned"
RRSIG_MISSING = "rrsig_missing"
BAD_SIGNATURE = "bad_signature"
UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
EXPIRING = "expiring"  # valid now, every RRSIG expires in a day: the re-signing job has stopped
NSEC3_ITERATIONS = "nsec3_iterations"  # NSEC3 with 200 iterations and a salt (ldns-signzone: BIND's stops at 150)
CDS_STALE = "cds_stale"  # signed, with CDS/CDNSKEY for a key the zone no longer has (a rollover left behind)
NSEC3_ITERATION_COUNT = 200
NSEC3_SALT = "ABCD"
SIGNING_MODES = (
    UNSIGNED,
    SIGNED,
    EXPIRED,
    FUTURE,
    DS_MISMATCH,
    DS_UNSIGNED,
    RRSIG_MISSING,
    BAD_SIGNATURE,
    UNSUPPORTED_ALGORITHM,
    EXPIRING,
    NSEC3_ITERATIONS,
    CDS_STALE,
)


class ZoneError(RuntimeError):
    """A key or zone could not be made; carries the tool's own message."""


@dataclass(frozen=True, slots=True)
class Variant:
    """What one server's copy of a zone holds (servers differ only in the serial_mismatch/inconsistent cases)."""

    serial: int = 1
    www: str = "192.0.2.1"


@dataclass(frozen=True, slots=True)
class ChildZone:
    """A zone delegated from lab.: who serves it, what the parent and the child say, how it is signed."""

    name: str  # absolute: "expired.lab."
    servers: tuple[str, ...]  # daemons that load it: "nsd", "knot", "bind"
    parent_ns: tuple[str, ...]  # NS host names in the lab. delegation
    child_ns: tuple[str, ...] | None = None  # NS host names in the zone itself (None: same as the parent)
    signing: str = UNSIGNED
    variants: dict[str, Variant] = field(default_factory=dict)  # per daemon; missing -> Variant()
    hosts: dict[str, str] = field(default_factory=dict)  # nameservers inside the zone: name -> address it serves
    glue: bool = True  # lab. publishes the in-zone hosts' addresses (glue); False: the delegation has none
    records: tuple[str, ...] = ()  # more record lines for the zone (`app CNAME ...`), relative to nothing: absolute
    axfr_open: bool = False  # BIND hands this zone to anyone by AXFR (every other zone refuses)

    def variant(self, server: str) -> Variant:
        return self.variants.get(server, Variant())

    @property
    def apex_ns(self) -> tuple[str, ...]:
        return self.child_ns if self.child_ns is not None else self.parent_ns


def run(argv: Sequence[str], cwd: Path) -> str:
    """Run a BIND tool; raise with its stderr when it fails."""
    done = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ZoneError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def timestamp(when: dt.datetime) -> str:
    """dnssec-signzone's absolute time format (UTC)."""
    return when.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")


@dataclass(slots=True)
class Key:
    """A key made by dnssec-keygen: its file base name and its DNSKEY record line."""

    base: str
    record: str  # "name. IN DNSKEY 257 3 13 ..."

    def rdata(self) -> dns.rdata.Rdata:
        fields = self.record.split("DNSKEY", 1)[1].strip()
        return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DNSKEY, fields)


def keygen(zone: str, directory: Path) -> Key:
    """A combined signing key (KSK flag, signs everything with -z): one key per zone keeps the lab fast."""
    base = run(["dnssec-keygen", "-q", "-a", "13", "-f", "KSK", "-n", "ZONE", "-K", str(directory), zone], directory).strip()
    text = (directory / f"{base}.key").read_text()
    record = next(line for line in text.splitlines() if line and not line.startswith(";"))
    return Key(base=base, record=record)


def ds_records(zone: str, dnskeys: Sequence[dns.rdata.Rdata]) -> list[str]:
    """DS lines (SHA-256) for the parent; works for any algorithm number since it only hashes the key's wire form."""
    name = dns.name.from_text(zone)
    return [f"{zone} {TTL} IN DS {dns.dnssec.make_ds(name, key, 'SHA256').to_text()}" for key in dnskeys]


def soa(zone: str, primary: str, serial: int) -> str:
    rname = f"hostmaster.{zone}" if zone != "." else "hostmaster.root-servers."
    return f"{zone} {TTL} IN SOA {primary} {rname} {serial} 3600 600 86400 {NEGATIVE_TTL}"


def sign(
    zone: str,
    source: Path,
    key: Key,
    directory: Path,
    inception: dt.datetime,
    expiration: dt.datetime,
) -> Path:
    """Sign with dnssec-signzone, one record per line (-O full) so the broken cases can edit single records."""
    out = source.with_suffix(".signed")
    run(
        [
            "dnssec-signzone",
            "-P",  # no post-sign verification: we sign expired/future windows on purpose
            "-z",
            "-O",
            "full",
            "-o",
            zone,
            "-K",
            str(directory),
            "-s",
            timestamp(inception),
            "-e",
            timestamp(expiration),
            "-f",
            str(out),
            str(source),
            key.base,
        ],
        directory,
    )
    return out


def sign_nsec3(zone: str, source: Path, key: Key, directory: Path, inception: dt.datetime, expiration: dt.datetime) -> Path:
    """Sign with NSEC3, many iterations and a salt, with ldns-signzone (it reads BIND's key files; dnssec-signzone
    refuses more than 150 iterations, which is where the lab's validators still accept them)."""
    out = source.with_suffix(".signed")
    run(
        [
            "ldns-signzone",
            "-n",
            "-t",
            str(NSEC3_ITERATION_COUNT),
            "-s",
            NSEC3_SALT,
            "-i",
            timestamp(inception),
            "-e",
            timestamp(expiration),
            "-o",
            zone,
            "-f",
            str(out),
            str(source),
            str(directory / key.base),
        ],
        directory,
    )
    return out


def drop_rrsig(text: str, owner: str, covered: str) -> str:
    """Remove the RRSIG over one RRset, leaving everything else signed."""
    kept = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[0] == owner and fields[3] == "RRSIG" and fields[4] == covered:
            continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def corrupt_rrsig(text: str, owner: str, covered: str) -> str:
    """Flip bits in the signature over one RRset: the RRSIG is present and well-formed but does not verify."""
    out = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[0] == owner and fields[3] == "RRSIG" and fields[4] == covered:
            signature = bytearray(base64.b64decode("".join(fields[12:])))
            signature[5] ^= 0xFF
            signature[40] ^= 0xFF
            line = " ".join([*fields[:12], base64.b64encode(bytes(signature)).decode()])
        out.append(line)
    return "\n".join(out) + "\n"


@dataclass(slots=True)
class BuiltZones:
    """Zone files per daemon, plus the root's key for the resolvers' trust anchors."""

    files: dict[str, dict[str, Path]]  # daemon -> zone name -> file
    root_key: Key
    ds: dict[str, list[str]]  # child zone -> DS lines published in lab.


def child_text(child: ChildZone, variant: Variant) -> str:
    primary = child.apex_ns[0]
    lines = [f"$TTL {TTL}", soa(child.name, primary, variant.serial)]
    lines += [f"{child.name} {TTL} IN NS {host}" for host in child.apex_ns]
    lines += [
        f"www.{child.name} {TTL} IN A {variant.www}",
        f'{child.name} {TTL} IN TXT "lab zone {child.name}"',
    ]
    lines += [f"{host} {TTL} IN A {address}" for host, address in child.hosts.items()]
    lines += list(child.records)
    return "\n".join(lines) + "\n"


def build(children: Sequence[ChildZone], directory: Path, now: dt.datetime | None = None) -> BuiltZones:
    """Write and sign every zone under `directory`; return where each daemon's copy is."""
    now = now or dt.datetime.now(dt.UTC)
    valid = (now - dt.timedelta(hours=1), now + dt.timedelta(days=30))
    windows = {
        # A week past/ahead: validators allow clock skew (Unbound: 10% of the validity period, at most a day).
        EXPIRED: (now - dt.timedelta(days=30), now - dt.timedelta(days=7)),
        FUTURE: (now + dt.timedelta(days=7), now + dt.timedelta(days=30)),
        # Inside the default 3-day warning window, far from the validators' clock-skew allowance.
        EXPIRING: (now - dt.timedelta(days=20), now + dt.timedelta(days=1)),
    }
    keys_dir = directory / "keys"
    keys_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Path]] = {}
    ds: dict[str, list[str]] = {}

    def make_child(child: ChildZone) -> tuple[ChildZone, dict[str, Path], list[str]]:
        zone_dir = directory / child.name.rstrip(".")
        zone_dir.mkdir(parents=True, exist_ok=True)
        parent_ds: list[str] = []
        key: Key | None = None
        extra = ""
        if child.signing not in SIGNING_MODES:
            raise ZoneError(f"unknown signing mode {child.signing!r} for {child.name}")
        if child.signing != UNSIGNED:
            key = keygen(child.name, keys_dir)
        if child.signing == DS_MISMATCH:
            stranger = keygen(child.name, keys_dir)  # never published in the child
            parent_ds = ds_records(child.name, [stranger.rdata()])
        elif child.signing == DS_UNSIGNED:
            assert key is not None
            parent_ds = ds_records(child.name, [key.rdata()])
            key = None  # the child stays unsigned
        elif child.signing == UNSUPPORTED_ALGORITHM:
            assert key is not None
            odd = dns.rdata.from_text(
                dns.rdataclass.IN,
                dns.rdatatype.DNSKEY,
                f"257 3 {UNASSIGNED_ALGORITHM} AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
            )
            extra = f"{child.name} {TTL} IN DNSKEY {odd.to_text()}\n"
            parent_ds = ds_records(child.name, [odd])  # the only DS names the algorithm nobody implements
        elif child.signing == CDS_STALE:
            assert key is not None
            parent_ds = ds_records(child.name, [key.rdata()])
            old = keygen(child.name, keys_dir).rdata()  # the key before a rollover: gone from the DNSKEY set
            cds = dns.dnssec.make_ds(dns.name.from_text(child.name), old, "SHA256")
            extra = f"{child.name} {TTL} IN CDS {cds.to_text()}\n{child.name} {TTL} IN CDNSKEY {old.to_text()}\n"
        elif key is not None:
            parent_ds = ds_records(child.name, [key.rdata()])
        out: dict[str, Path] = {}
        for server in child.servers:
            variant = child.variant(server)
            source = zone_dir / f"{server}.zone"
            text = child_text(child, variant) + extra
            if key is None:
                source.write_text(text)
                out[server] = source
                continue
            source.write_text(text + key.record + "\n")
            inception, expiration = windows.get(child.signing, valid)
            if child.signing == NSEC3_ITERATIONS:
                signed = sign_nsec3(child.name, source, key, keys_dir, inception, expiration)
            else:
                signed = sign(child.name, source, key, keys_dir, inception, expiration)
            body = signed.read_text()
            if child.signing == RRSIG_MISSING:
                body = drop_rrsig(body, f"www.{child.name}", "A")
            elif child.signing == BAD_SIGNATURE:
                body = corrupt_rrsig(body, f"www.{child.name}", "A")
            signed.write_text(body)
            out[server] = signed
        return child, out, parent_ds

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(make_child, children))
    for child, out, parent_ds in results:
        for server, path in out.items():
            files.setdefault(server, {})[child.name] = path
        ds[child.name] = parent_ds

    # lab. -------------------------------------------------------------------------------------------------------
    tld_dir = directory / "lab"
    tld_dir.mkdir(parents=True, exist_ok=True)
    tld_key = keygen("lab.", keys_dir)
    lines = [f"$TTL {TTL}", soa("lab.", "ns1.lab.", 1), f"lab. {TTL} IN NS ns1.lab.", f"ns1.lab. {TTL} IN A {A.TLD}"]
    lines += [f"{host} {TTL} IN A {ip}" for host, ip in A.NS_HOSTS.items()]
    for child in children:
        lines += [f"{child.name} {TTL} IN NS {host}" for host in child.parent_ns]
        if child.glue:
            lines += [f"{host} {TTL} IN A {address}" for host, address in child.hosts.items() if host in child.parent_ns]
        lines += ds[child.name]
    lines.append(tld_key.record)
    tld_source = tld_dir / "lab.zone"
    tld_source.write_text("\n".join(lines) + "\n")
    files.setdefault("tld", {})["lab."] = sign("lab.", tld_source, tld_key, keys_dir, *valid)

    # flaky.: a second TLD for the trace tests. The root delegates it to ns1.flaky. (Knot, serves it) and ns2.flaky.
    # (the children's NSD, which does not: REFUSED, a lame TLD server); flaky. delegates child.flaky. to Knot.
    flaky_dir = directory / "flaky"
    flaky_dir.mkdir(parents=True, exist_ok=True)
    flaky = [
        f"$TTL {TTL}",
        soa(FLAKY, f"ns1.{FLAKY}", 1),
        *(f"{FLAKY} {TTL} IN NS {host}" for host in FLAKY_NS),
        *(f"{host} {TTL} IN A {ip}" for host, ip in FLAKY_NS.items()),
        f"{FLAKY_CHILD} {TTL} IN NS ns-knot.lab.",
    ]
    (flaky_dir / "flaky.zone").write_text("\n".join(flaky) + "\n")
    files["tld"][FLAKY] = flaky_dir / "flaky.zone"
    child = [
        f"$TTL {TTL}",
        soa(FLAKY_CHILD, "ns-knot.lab.", 1),
        f"{FLAKY_CHILD} {TTL} IN NS ns-knot.lab.",
        f"www.{FLAKY_CHILD} {TTL} IN A 192.0.2.7",
    ]
    (flaky_dir / "child.zone").write_text("\n".join(child) + "\n")
    files.setdefault("knot", {})[FLAKY_CHILD] = flaky_dir / "child.zone"

    # the root ---------------------------------------------------------------------------------------------------
    root_dir = directory / "root"
    root_dir.mkdir(parents=True, exist_ok=True)
    root_key = keygen(".", keys_dir)
    lines = [
        f"$TTL {TTL}",
        soa(".", "a.root-servers.", 1),
        f". {TTL} IN NS a.root-servers.",
        f"a.root-servers. {TTL} IN A {A.ROOT}",
        f"lab. {TTL} IN NS ns1.lab.",
        f"ns1.lab. {TTL} IN A {A.TLD}",
        *ds_records("lab.", [tld_key.rdata()]),
        *(f"{FLAKY} {TTL} IN NS {host}" for host in FLAKY_NS),
        *(f"{host} {TTL} IN A {ip}" for host, ip in FLAKY_NS.items()),
        root_key.record,
    ]
    root_source = root_dir / "root.zone"
    root_source.write_text("\n".join(lines) + "\n")
    files.setdefault("root", {})["."] = sign(".", root_source, root_key, keys_dir, *valid)
    return BuiltZones(files=files, root_key=root_key, ds=ds)


def root_hints() -> str:
    return f".\t3600000\tIN\tNS\ta.root-servers.\na.root-servers.\t3600000\tIN\tA\t{A.ROOT}\n"
