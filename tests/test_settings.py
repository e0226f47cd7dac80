from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from fupan.settings import load_settings


def test_defaults_use_the_workspace_for_every_store(tmp_path: Path) -> None:
    s = load_settings(workspace=tmp_path)
    assert s.sales_db_path == tmp_path / "sales.duckdb"
    assert s.chroma_path == tmp_path / "chroma"
    assert s.records_database_url == f"sqlite:///{(tmp_path / 'records.db').resolve()}"
    assert not s.llm.enabled
    assert s.embeddings.provider == "local"


def test_environment_with_nested_delimiter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPAN_LANGUAGE", "en")
    monkeypatch.setenv("FUPAN_LLM__BASE_URL", "http://127.0.0.1:8080/v1")
    monkeypatch.setenv("FUPAN_LLM__MODEL", "qwen2.5")
    s = load_settings()
    assert s.language == "en"
    assert s.llm.enabled and s.llm.model == "qwen2.5"


def test_toml_file_is_read_and_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "fupan.toml"
    cfg.write_text('language = "en"\nfiscal_year_start_month = 4\n[chroma]\nurl = "http://127.0.0.1:8000"\n')
    monkeypatch.setenv("FUPAN_CONFIG", str(cfg))
    monkeypatch.setenv("FUPAN_FISCAL_YEAR_START_MONTH", "7")
    s = load_settings()
    assert s.language == "en"
    assert s.fiscal_year_start_month == 7
    assert s.chroma.url == "http://127.0.0.1:8000"


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPAN_LANGUAGE", "fr")
    with pytest.raises(ValidationError, match="language"):
        load_settings()
