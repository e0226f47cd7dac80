"""The one prompt loader: `prompts/<task>.<lang>.yaml` → a `PromptTemplate` that rejects unknown keys and
names missing variables when rendered."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fupan.errors import ConfigError, InputError

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"


class PromptTemplate(BaseModel):
    """A prompt file: a system and a user template with `{variables}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(..., min_length=1)
    description: str = ""
    system: str
    user: str

    def variables(self) -> set[str]:
        names: set[str] = set()
        for text in (self.system, self.user):
            names |= {field for _, field, _, _ in string.Formatter().parse(text) if field}
        return names

    def render(self, **values: object) -> tuple[str, str]:
        """(system, user) with the variables filled; InputError names any missing or unexpected one."""
        wanted = self.variables()
        missing = sorted(wanted - values.keys())
        extra = sorted(values.keys() - wanted)
        if missing or extra:
            raise InputError(
                f"prompt {self.version}: missing variables {missing}, unexpected variables {extra}",
                hint=f"the template uses {sorted(wanted)}",
            )
        return self.system.format(**values), self.user.format(**values)


@cache
def load_prompt(task: str, language: str, folder: Path = PROMPTS_DIR) -> PromptTemplate:
    """Load `prompts/<task>.<language>.yaml`; ConfigError on a missing file or unknown keys."""
    path = folder / f"{task}.{language}.yaml"
    if not path.is_file():
        raise ConfigError(f"prompt file {path} not found", hint=f"expected one of {available(folder)}")
    try:
        return PromptTemplate.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        raise ConfigError(
            f"prompt file {path}: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}"
        ) from exc


def available(folder: Path = PROMPTS_DIR) -> list[str]:
    return sorted(p.name for p in folder.glob("*.yaml"))
