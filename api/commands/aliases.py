"""`fupan aliases`: Show or install the workspace's own words for names in its data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.markup import escape

console = Console(highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("aliases", help="Show or install the workspace's own words for names in its data (East = 华东).")
    def _aliases(
        ctx: typer.Context,
        file: Annotated[
            Path | None,
            typer.Argument(help="An aliases YAML file to validate and install; without it, show the current one."),
        ] = None,
    ) -> None:
        from api.cli import settings_from
        from knowledge.workspace_aliases import aliases_path, install_aliases, load_aliases

        settings = settings_from(ctx)
        aliases = install_aliases(settings, file) if file is not None else load_aliases(settings)
        if file is not None:
            console.print(f"installed {file} as {aliases_path(settings)}")
        content = {k: v for k, v in aliases.model_dump().items() if v}
        body = yaml.safe_dump(content, allow_unicode=True, sort_keys=True) if content else ""
        console.print(escape(body.strip() or "(no aliases: names are read only as they appear in the data)"))
