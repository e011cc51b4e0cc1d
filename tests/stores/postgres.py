"""A real PostgreSQL server for the tests: initdb + postgres from Debian's packages, on 127.0.0.1:<free port>,
in a temporary directory, never the machine's own service.

PostgreSQL refuses to run as root. As real root (CI), the server runs as the `postgres` user (else `nobody`)
through `setpriv`; as a user-namespace "root" (scripts/netns for a normal user is `unshare -r`), it runs in a
nested user namespace that maps the caller back to an ordinary uid; as anyone else, as that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "rcodebot"


def _bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise AssertionError(f"PostgreSQL's {name} is not installed (scripts/test installs the postgresql package)")
    return str(found[-1])


def _demotion() -> tuple[list[str], tuple[int, int] | None]:
    """(command prefix, owner to chown the directory to) so the server does not run as root."""
    if os.geteuid() != 0:
        return [], None
    uid_map = Path("/proc/self/uid_map").read_text().split()
    if uid_map[:3] == ["0", "0", "4294967295"]:  # real root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            user = pwd.getpwnam("nobody")
        prefix = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"]
        return prefix, (user.pw_uid, user.pw_gid)
    outer_uid = uid_map[1]
    outer_gid = Path("/proc/self/gid_map").read_text().split()[1]
    return ["unshare", "-U", f"--map-user={outer_uid}", f"--map-group={outer_gid}", "--"], None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Postgres:
    """A running server; `url(db)` is the SQLAlchemy URL of one of its databases."""

    port: int
    directory: Path
    process: subprocess.Popen[bytes]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def log(self) -> str:
        path = self.directory / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextmanager
def running() -> Iterator[Postgres]:
    """Start a fresh cluster, yield it, stop it and remove its directory."""
    prefix, owner = _demotion()
    directory = Path(tempfile.mkdtemp(prefix="rcodebot-pg-"))
    data = directory / "data"
    if owner is not None:
        os.chown(directory, *owner)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    try:
        subprocess.run(
            [*prefix, _bin("initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-sync"],
            check=True,
            capture_output=True,
            env=env,
            cwd=directory,
        )
        port = _free_port()
        log = (directory / "server.log").open("wb")
        if owner is not None:
            os.chown(directory / "server.log", *owner)
        options = ["-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", str(directory), "-c", "fsync=off"]
        process = subprocess.Popen(
            [*prefix, _bin("postgres"), *options], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=directory
        )
        server = Postgres(port, directory, process)
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"postgres exited with {process.returncode}:\n{server.log()}")
            try:
                psycopg.connect(host="127.0.0.1", port=port, user=SUPERUSER, dbname="postgres", connect_timeout=1).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"postgres did not accept connections in 30 s:\n{server.log()}") from None
                time.sleep(0.1)
        try:
            yield server
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            log.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
