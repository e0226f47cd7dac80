"""`fupan keys` and `fupan serve` as a user runs them, and the records database itself (migrations, WAL)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_world import make_settings
from sqlalchemy import create_engine, inspect, text

from fupan.errors import InputError
from knowledge.records import Records


def _fupan(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUPAN_")}
    env["FUPAN_CONFIG"] = str(workspace / "none.toml")
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "-w", str(workspace), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    out = _fupan(ws, "keys", "create", "--role", "approver", "--team", "华东", "--name", "王经理")
    assert out.returncode == 0, out.stderr
    key = next(line for line in out.stdout.splitlines() if line.startswith("fpk_"))
    records = Records(make_settings(tmp_path))  # same workspace: tmp_path / "ws"
    me = records.authenticate(key)
    assert (me.role, me.team, me.name) == ("approver", "华东", "王经理")
    listed = json.loads(_fupan(ws, "keys", "list", "--json").stdout)
    assert [(k["id"], k["role"], k["team"], k["revoked_at"]) for k in listed] == [
        (me.key_id, "approver", "华东", None)
    ]
    assert key not in _fupan(ws, "keys", "list").stdout
    assert _fupan(ws, "keys", "revoke", me.key_id).returncode == 0
    with pytest.raises(Exception, match="revoked"):
        records.authenticate(key)
    bad = _fupan(ws, "keys", "create", "--role", "boss")
    assert bad.returncode == 2 and "unknown role" in bad.stderr
    assert _fupan(ws, "keys", "revoke", "knope").returncode == 2  # a missing key is bad input
    records.close()


def test_serve_answers_on_the_port(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUPAN_")}
    env["FUPAN_CONFIG"] = str(tmp_path / "none.toml")
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "-w", str(tmp_path / "ws"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline and health is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None and health.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/drafts", timeout=5).status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _migration_head() -> str:
    """The newest migration in knowledge/migrations/versions (one head, no branches)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from knowledge.records_db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"the migrations have several heads: {heads}"
    return heads[0]


def test_records_open_migrated_sqlite_in_wal(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    Records(settings).close()
    records = Records(settings)  # re-opening runs the (already applied) migrations again: a no-op
    engine = create_engine(settings.records_database_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        heads = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    tables = set(inspect(engine).get_table_names())
    assert {
        "drafts",
        "draft_versions",
        "lessons",
        "action_items",
        "checkpoints",
        "api_keys",
        "audit_log",
        "accounts",
        "page_sessions",
        "jobs",
    } <= tables
    assert heads == [_migration_head()]
    assert Path(settings.workspace / "records.db").exists()
    with pytest.raises(InputError):
        records.create_key("owner")
    records.close()
    engine.dispose()


def test_records_url_setting_points_elsewhere(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    records = Records(make_settings(tmp_path, records_url=url))
    records.create_key("viewer")
    records.close()
    assert (tmp_path / "elsewhere.db").exists() and not (tmp_path / "ws" / "records.db").exists()
