"""A throwaway PostgreSQL server on 127.0.0.1 (Debian's binaries), for the DuckLake catalog and Prefect."""

from __future__ import annotations

import glob
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

# PostgreSQL refuses to run as root: as root the server runs as this account
SERVICE_USER = "postgres"


def find_bindir() -> Path | None:
    """Return the folder holding initdb and pg_ctl (Debian's /usr/lib/postgresql/N/bin first)."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running server: where it listens and who may connect (trust auth, loopback only)."""

    port: int
    user: str
    datadir: Path

    def libpq(self, dbname: str) -> str:
        """The libpq connection string of one database."""
        return f"dbname={dbname} host=127.0.0.1 port={self.port} user={self.user}"

    def url(self, dbname: str, driver: str = "postgresql+asyncpg") -> str:
        """The SQLAlchemy URL of one database (Prefect's form)."""
        return f"{driver}://{self.user}@127.0.0.1:{self.port}/{dbname}"


def _as_service(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", SERVICE_USER, "--", *cmd]


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(_as_service(cmd), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(cmd[0]).name} failed ({proc.returncode}): {proc.stderr[-1500:]}")


def create_database(server: Server, bindir: Path, name: str) -> None:
    """Create one database on the server."""
    _run(
        [
            str(bindir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(server.port),
            "-U",
            server.user,
            name,
        ]
    )


@contextmanager
def postgres(root: Path, databases: tuple[str, ...] = ()) -> Iterator[Server]:
    """Run a fresh PostgreSQL cluster on a free port of 127.0.0.1; stopped and removed after.

    Its files live in a new folder under root; as root, where the server runs as the
    postgres account, in a new folder of the system's temp dir that account can reach
    (pytest's tmp folders are private to their owner).
    """
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError("no PostgreSQL binaries (apt-get install postgresql)")
    root.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="claimwatch-pg-", dir=None if os.geteuid() == 0 else root))
    user = pwd.getpwuid(os.geteuid()).pw_name if os.geteuid() != 0 else SERVICE_USER
    if os.geteuid() == 0:
        shutil.chown(home, SERVICE_USER)
    datadir = home / "pgdata"
    _run([str(bindir / "initdb"), "-D", str(datadir), "-U", user, "-A", "trust", "-E", "UTF8"])
    port = free_port()
    opts = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories='' -c fsync=off"
    )
    log = home / "postgres.log"
    _run([str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(log), "-o", opts, "-w", "start"])
    server = Server(port=port, user=user, datadir=datadir)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                for name in databases:
                    create_database(server, bindir, name)
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        subprocess.run(
            _as_service([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "fast", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(home, ignore_errors=True)
