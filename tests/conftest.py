"""Shared fixtures. Every test runs on a temp workspace; the network is blocked except loopback
(pytest-socket, configured in pyproject.toml), and a hosted model can never be reached."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from fupan.settings import Settings, load_settings
from knowledge.deps import Deps

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FUPAN_SHARED", REPO.parent / "shared"))


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every path at a temp folder and drop any FUPAN_/OPENAI_ settings from the shell."""
    for name in list(os.environ):
        if name.startswith(("FUPAN_", "OPENAI_")) and name != "FUPAN_SHARED":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FUPAN_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("FUPAN_CONFIG", str(tmp_path / "no-such-fupan.toml"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("MPLBACKEND", "Agg")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(workspace=tmp_path / "ws")


@pytest.fixture
def deps(settings: Settings) -> Iterator[Deps]:
    d = Deps(settings=settings)
    yield d
    d.close()


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    path = SHARED / "datasets"
    assert path.is_dir(), f"../shared/datasets not found at {path}; set FUPAN_SHARED"
    return path


@pytest.fixture(scope="session")
def sample_company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated sample company (seed 7), written once per test run; tests only read it."""
    from evals.sample_company import generate

    return generate(tmp_path_factory.mktemp("lantu"), seed=7)
