"""The team's own words for names in its data: `<workspace>/aliases.yaml`.

Fupan ships no names of any company. A team that calls 华东 "East", or its product "SmartCRM" "the CRM",
writes that once in the workspace's aliases file (`fupan aliases FILE` installs one; a folder import installs
the folder's `aliases.yaml`):

```yaml
values:              # dimension id → value in the data → other words for it
  region:
    华东: [East, East China, 华东区]
metrics:             # metric id → extra words
  won_revenue: [GMV]
dimensions:          # dimension id → extra words for the dimension itself
  region: [territory]
unknown:             # names people use that are not in the data: answered "not in the data", never guessed
  region: [West, 华西]
```

A value that is not in the data is kept but never used (the router only reads aliases of values it finds in
the data), and a name found in the data always wins over an alias.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fupan.errors import InputError
from fupan.settings import Settings

FILE_NAME = "aliases.yaml"


class WorkspaceAliases(BaseModel):
    """The aliases file's content (unknown keys are refused, so a typo is reported, not ignored)."""

    model_config = ConfigDict(extra="forbid")

    values: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    metrics: dict[str, list[str]] = Field(default_factory=dict)
    dimensions: dict[str, list[str]] = Field(default_factory=dict)
    unknown: dict[str, list[str]] = Field(default_factory=dict)

    def fingerprint(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]

    def display_name(self, dim: str, value: str) -> str | None:
        """The first alias in Latin letters of a value, for English text ('East' for 华东)."""
        for word in self.values.get(dim, {}).get(value, []):
            if word.isascii():
                return word
        return None


def aliases_path(settings: Settings) -> Path:
    return Path(settings.workspace) / FILE_NAME


def parse_aliases(text: str, source: str) -> WorkspaceAliases:
    """Read an aliases file's text; errors name the file and what is wrong."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}".splitlines()[0], file=source) from None
    if not isinstance(raw, dict):
        raise InputError("an aliases file holds a mapping (values, metrics, dimensions, unknown)", file=source)
    try:
        return WorkspaceAliases.model_validate(_stringify(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputError(
            f"{where}: {err['msg']}",
            file=source,
            hint="keys: values (dimension → value → words), metrics, dimensions, unknown (dimension → words)",
        ) from None


def _stringify(raw: object) -> object:
    """YAML reads `2026: [...]` or `yes` as non-strings; names are always text."""
    if isinstance(raw, dict):
        return {str(k): _stringify(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [str(v) for v in raw]
    return raw


def load_aliases(settings: Settings) -> WorkspaceAliases:
    """The workspace's aliases (empty when it has no aliases file)."""
    path = aliases_path(settings)
    if not path.is_file():
        return WorkspaceAliases()
    return parse_aliases(path.read_text(encoding="utf-8"), str(path))


def install_aliases(settings: Settings, source: Path) -> WorkspaceAliases:
    """Validate `source` and make it the workspace's aliases file (written atomically)."""
    if not source.is_file():
        raise InputError(f"no aliases file {source}", file=str(source))
    aliases = parse_aliases(source.read_text(encoding="utf-8"), str(source))
    save_aliases(settings, aliases)
    return aliases


def save_aliases(settings: Settings, aliases: WorkspaceAliases) -> Path:
    path = aliases_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    body = yaml.safe_dump(aliases.model_dump(), allow_unicode=True, sort_keys=True)
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)
    return path
