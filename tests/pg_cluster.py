"""A throwaway PostgreSQL cluster from the installed server binaries, on loopback (as tests/api/test_api_postgres.py
starts one): initdb into a temp folder, pg_ctl start on a free port, stop and delete afterwards."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    assert found, f"{name} not found: install the PostgreSQL server (apt-get install postgresql)"
    return found


def _as_owner(args: list[str], folder: Path) -> list[str]:
    """PostgreSQL refuses to run as root; run it as the `postgres` user then."""
    if os.geteuid() != 0:
        return args
    shutil.chown(folder, user="postgres")
    return ["runuser", "-u", "postgres", "--", *args]


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Yields `postgresql://fupan@127.0.0.1:<port>/postgres`."""
    folder = Path(tempfile.mkdtemp(prefix="fupan-pg-"))  # not under pytest's tmp root: the server may be `postgres`
    data = folder / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(
        _as_owner([_binary("initdb"), "-D", str(data), "-A", "trust", "-U", "fupan"], folder),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    ctl = _binary("pg_ctl")
    subprocess.run(
        _as_owner([ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"], folder),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://fupan@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_owner([ctl, "-D", str(data), "-m", "fast", "stop"], folder), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
