"""The records on a real PostgreSQL (a throwaway cluster from the installed server binaries, on loopback):
migrations, the approval flow and concurrent decisions (row locks + revision check) behave as on SQLite.
The whole API suite can also run on PostgreSQL: API_TEST_POSTGRES=postgresql+psycopg://user@host:port/postgres."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from api_world import hand_report, make_settings

from fupan.errors import Conflict
from knowledge.records import Records
from knowledge.records_schemas import Decision, DraftEdit


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


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    # not under pytest's tmp root: that is private to the test user, and the server may run as `postgres`
    folder = Path(tempfile.mkdtemp(prefix="fupan-pg-"))
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
        yield f"postgresql+psycopg://fupan@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_owner([ctl, "-D", str(data), "-m", "fast", "stop"], folder), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_records_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    records = Records(make_settings(tmp_path, records_url=postgres_url))
    Records(make_settings(tmp_path, records_url=postgres_url)).close()  # migrations again: a no-op
    analyst = records.authenticate(records.create_key("analyst", name="a").key)
    approvers = [records.authenticate(records.create_key("approver", name=f"b{i}").key) for i in range(2)]

    draft = records.create_draft(analyst, hand_report(marker="pg"), submit=True)
    with ThreadPoolExecutor(max_workers=12) as pool:
        decide = Decision(version=draft.version)  # the version the approvers read
        results = list(pool.map(lambda i: records.approve(approvers[i % 2], draft.id, decide), range(12)))
    assert sum(r.changed for r in results) == 1
    approvals = records.audit_log(approvers[0], entity_id=draft.id, action="draft.approve")
    assert len(approvals) == 1
    assert [lesson.id for lesson in records.list_lessons(analyst)] == [f"{draft.id}.L1"]

    current = records.get_draft(analyst, draft.id)

    def edit(i: int) -> bool:
        try:
            records.edit_draft(analyst, draft.id, DraftEdit(summary=f"w{i}"), if_match=current.revision)
            return True
        except Conflict:
            return False

    with ThreadPoolExecutor(max_workers=8) as pool:
        wins = list(pool.map(edit, range(8)))
    assert sum(wins) == 1, "exactly one writer with the same If-Match wins"
    after = records.get_draft(analyst, draft.id)
    assert (after.version, after.status, after.approved_version) == (2, "pending", 1)
    assert after.report.summary == f"w{wins.index(True)}"
    assert after.revision == current.revision + 1
    records.close()
