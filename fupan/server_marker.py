"""While `fupan serve` runs it holds the workspace's DuckDB file (DuckDB allows one writing process, and then
no other process may open the file at all). The server leaves a marker, `<workspace>/server.json` (its pid and
address), so a CLI command that finds the file locked can say in one line where to reach the server instead
of dying with DuckDB's lock error."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from fupan.errors import WorkspaceBusy
from fupan.settings import Settings


def marker_path(settings: Settings) -> Path:
    return settings.workspace / "server.json"


def write_marker(settings: Settings, host: str, port: int) -> Path:
    """Record this process as the workspace's server (atomically: a temp file renamed into place)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    path = marker_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), "url": f"http://{shown}:{port}"}), encoding="utf-8")
    tmp.replace(path)
    return path


def remove_marker(settings: Settings) -> None:
    """Remove the marker if it is this process's."""
    path = marker_path(settings)
    info = read_marker(settings)
    if info and info.get("pid") == os.getpid():
        path.unlink(missing_ok=True)


def read_marker(settings: Settings) -> dict[str, object] | None:
    try:
        data = json.loads(marker_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def workspace_busy(settings: Settings, database: Path, lock_error: Exception) -> WorkspaceBusy:
    """The one-line error for a locked DuckDB file: who holds it, and how to reach the server if it is one."""
    holder = re.search(r"\(PID (\d+)\)", str(lock_error))
    pid = int(holder.group(1)) if holder else None
    info = read_marker(settings)
    if info and (pid is None or info.get("pid") == pid):
        url = info.get("url", "")
        return WorkspaceBusy(
            f"the workspace {settings.workspace} is in use by 'fupan serve' at {url} (pid {info.get('pid')})",
            hint=f"use the server: the page at {url}/ui, or the API, e.g. curl -H 'Authorization: Bearer <key>' "
            f"-H 'Content-Type: application/json' -d '{{\"question\": \"...\"}}' {url}/ask (docs at {url}/docs); "
            "or stop the server to use the CLI on this workspace",
        )
    who = f"another process (pid {pid})" if pid else "another process"
    return WorkspaceBusy(
        f"the sales database {database} is in use by {who}",
        hint="wait for it to finish, or stop it; DuckDB lets only one process open the file at a time",
    )
