"""`fupan serve`: Serve the API and the reviewer's web page with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console(highlight=False, soft_wrap=True, stderr=True)


def register(app: typer.Typer) -> None:
    @app.command("serve", help="Serve the API and the reviewer's web page with uvicorn.")
    def _serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    ) -> None:
        import uvicorn

        from api.app import create_app
        from api.cli import settings_from

        settings = settings_from(ctx)
        settings.ensure_workspace()
        console.print(
            f"Fupan on http://{host}:{port}: reviewer's page at /ui, API docs at /docs; workspace {settings.workspace}"
        )
        from fupan.server_marker import remove_marker, write_marker

        write_marker(settings, host, port)
        try:
            uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        finally:
            remove_marker(settings)
