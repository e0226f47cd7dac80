"""One question in a fresh process (imports, opening the workspace, the vocabulary, the answer), or its anchor:
the same process start with DuckDB's own query for the figure the question asks for.

    farm-bench --vs '.venv/bin/python bench/ask_once.py WS --anchor' -- .venv/bin/python bench/ask_once.py WS
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    workspace = Path(sys.argv[1])
    if "--anchor" in sys.argv:
        import duckdb

        con = duckdb.connect(str(workspace / "sales.duckdb"), read_only=True)
        con.execute(
            "SELECT sum(amount) FROM opportunities_data WHERE stage = 'won' AND region = '华东' "
            "AND close_date >= DATE '2026-07-01' AND close_date < DATE '2026-10-01'"
        ).fetchone()
        return
    from agent.workflows import ask
    from fupan.settings import load_settings
    from knowledge.deps import Deps

    deps = Deps(settings=load_settings(workspace=workspace))
    answer = ask(deps, "East revenue in Q3 2026")
    assert answer.status == "answered", answer.text
    deps.close()


if __name__ == "__main__":
    main()
