"""One module per CLI command; each defines `register(app)`. Registered in the order of `fupan --help`."""

from __future__ import annotations

import importlib

import typer

COMMANDS = ["demo", "import_data", "ingest", "search", "ask", "aliases", "draft", "lessons", "serve", "eval", "keys", "accounts"]


def register_all(app: typer.Typer) -> None:
    for name in COMMANDS:
        module = importlib.import_module(f"api.commands.{name}")
        module.register(app)
