"""Helpers of the API tests: the world: a workspace with the small sales fixture, the real app (`create_app`), keys for every role
and team, and helpers that go through HTTP. Module-scoped: the embedding model loads once per module."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from fupan.report import ActionItem, Lesson, ReviewDraft
from fupan.settings import Settings, load_settings
from knowledge.deps import Deps

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sales"
KEYS = {
    "viewer": ("viewer", ""),
    "analyst": ("analyst", ""),
    "analyst2": ("analyst", ""),
    "approver": ("approver", ""),
    "approver2": ("approver", ""),
    "admin": ("admin", ""),
    "east_analyst": ("analyst", "华东"),
    "east_approver": ("approver", "华东"),
    "south_approver": ("approver", "华南"),
    "south_viewer": ("viewer", "华南"),
}


def make_settings(folder: Path, **overrides: Any) -> Settings:
    """Settings on `folder`, read with the shell's FUPAN_* variables and any fupan.toml out of the way."""
    with pytest.MonkeyPatch.context() as mp:
        import os

        for name in list(os.environ):
            if name.startswith(("FUPAN_", "OPENAI_")):
                mp.delenv(name, raising=False)
        mp.setenv("FUPAN_CONFIG", str(folder / "no-such-fupan.toml"))
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("ANONYMIZED_TELEMETRY", "False")
        return load_settings(workspace=folder / "ws", **overrides)


def expected_won_revenue(region: str, start: str, end: str) -> float:
    """Won amount of a region closed in [start, end], read straight from the fixture CSV (not via Fupan)."""
    total = 0.0
    with (FIXTURES / "opportunities_zh.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["区域"] == region and row["阶段"] == "赢单" and start <= row["结单日期"] <= end:
                total += float(row["金额"])
    return total


def hand_report(region: str = "华东", *, lessons: int = 1, marker: str = "") -> ReviewDraft:
    """A small report built directly (drafting is the analyst's job; these tests are about records)."""
    scope = {"region": region} if region else {}
    return ReviewDraft(
        period="2026Q3",
        language="zh",
        title=f"{region or '公司'} 2026Q3 复盘 {marker}".strip(),
        scope=scope,
        summary=f"摘要 {marker}",
        lessons=[
            Lesson(
                id=f"L{i}",
                type="failure",
                content=f"面对竞品降价要量化价值 {marker} {i}",
                scenario="竞品低价切入的商机",
            )
            for i in range(1, lessons + 1)
        ],
        actions=[
            ActionItem(
                id="A1",
                action=f"建立特价审批通道 {marker}",
                owner="销售总监",
                deadline="2026-09-30",
                metric="won_revenue",
                segment=scope,
                period="2026Q3",
                baseline=0,
                target=50,
            )
        ],
    )


@dataclass
class World:
    settings: Settings
    deps: Deps
    client: TestClient
    keys: dict[str, str] = field(default_factory=dict)
    key_ids: dict[str, str] = field(default_factory=dict)

    def h(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}", **extra}

    def save(self, who: str, report: ReviewDraft, *, submit: bool = True) -> dict[str, Any]:
        """Store a hand-built report as `who` through the service layer (the page's path); returns the draft."""
        service = self.client.app.state.service  # type: ignore[attr-defined]
        actor = service.authenticate(self.keys[who])
        return service.save_draft(actor, report, submit=submit).model_dump(mode="json")

    def get(self, who: str, draft_id: str) -> Any:
        return self.client.get(f"/drafts/{draft_id}", headers=self.h(who))

    def decide(self, who: str, draft_id: str, what: str, **body: Any) -> Any:
        """A decision as a client that read the draft sends it: naming the latest version (unless given)."""
        if what in ("approve", "reject") and "version" not in body:
            body["version"] = self.latest_version(draft_id)
        response = self.client.post(f"/drafts/{draft_id}/{what}", headers=self.h(who), json=body)
        if what == "approve":
            self.wait_indexed()
        return response

    def wait_indexed(self) -> None:
        """An approval is indexed by the server's background job runner: wait until it has nothing left."""
        runner = self.client.app.state.service.runner
        if runner is not None:
            assert runner.wait_idle(timeout=120), "the job runner did not finish indexing"

    def latest_version(self, draft_id: str) -> int:
        service = self.client.app.state.service  # type: ignore[attr-defined]
        return service.get_draft(service.authenticate(self.keys["admin"]), draft_id).version

    def edit(self, who: str, draft_id: str, revision: int | str | None, **fields: Any) -> Any:
        headers = self.h(who) if revision is None else self.h(who, **{"If-Match": f'"{revision}"'})
        return self.client.patch(f"/drafts/{draft_id}", headers=headers, json=fields)

    def search(self, who: str, brief: str, k: int = 10) -> list[dict[str, Any]]:
        r = self.client.post("/lessons/search", headers=self.h(who), json={"brief": brief, "k": k})
        assert r.status_code == 200, r.text
        return r.json()


def _postgres_database(server_url: str) -> str:
    """A fresh database on the PostgreSQL server at `server_url` (for API_TEST_POSTGRES runs)."""
    import uuid

    import psycopg

    name = f"fupan_{uuid.uuid4().hex[:12]}"
    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def build_world(folder: Path, *, sales: bool = True, **overrides: Any) -> Iterator[World]:
    """The API tests run on SQLite; with API_TEST_POSTGRES=postgresql+psycopg://user@host:port/postgres they run
    the same on a fresh PostgreSQL database per world."""
    import os

    if os.environ.get("API_TEST_POSTGRES") and "records_url" not in overrides:
        overrides["records_url"] = _postgres_database(os.environ["API_TEST_POSTGRES"])
    settings = make_settings(folder, **overrides)
    deps = Deps(settings=settings)
    if sales:
        deps.sales.import_file(FIXTURES / "opportunities_zh.csv", "opportunities")
        deps.sales.import_file(FIXTURES / "targets.csv", "targets")
        from knowledge.workspace_aliases import WorkspaceAliases, save_aliases

        # the team's own English names for its regions, as any team installs them (fupan aliases FILE)
        regions = {"华东": ["East"], "华南": ["South"], "华北": ["North"]}
        save_aliases(settings, WorkspaceAliases(values={"region": regions}))
    world = World(settings=settings, deps=deps, client=TestClient(create_app(deps)))
    for name, (role, team) in KEYS.items():
        created = deps.records.create_key(role, team=team, name=name)
        world.keys[name], world.key_ids[name] = created.key, created.id
    with world.client:
        yield world
    deps.close()
