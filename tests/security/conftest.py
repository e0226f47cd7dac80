"""The security probe suite (issue 17): the checks an attacker and a careless user would run, kept as tests.

Modelled on the OWASP API Security Top 10 (auth, object-level access, bad input, resource use) and on how SQLite
and PostgreSQL test crash safety (kill at random points, then verify the store is the old or the new state).
It reuses the API tests' world (tests/api/api_world.py: the real app, keys for every role and team)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
