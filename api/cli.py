"""The `fupan` command line: a thin shell over the library. Errors become one line and a hint."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from api.commands import register_all
from fupan.errors import FupanError
from fupan.settings import Settings, load_settings

err_console = Console(stderr=True, highlight=False, soft_wrap=True)

app = typer.Typer(
    name="fupan",
    help="Fupan (复盘): an AI review analyst for sales teams — cited numbers, grounded review drafts, lessons.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    ctx: typer.Context,
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help="Workspace folder (default ./.fupan or FUPAN_WORKSPACE)."),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of output: zh or en.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
) -> None:
    overrides: dict[str, object] = {}
    if workspace is not None:
        overrides["workspace"] = workspace
    if lang is not None:
        overrides["language"] = lang
    if debug:
        overrides["debug"] = True
    ctx.obj = overrides


def settings_from(ctx: typer.Context) -> Settings:
    """Settings for this invocation: the root options over environment and fupan.toml."""
    root = ctx.find_root()
    overrides = root.obj if isinstance(root.obj, dict) else {}
    return load_settings(**overrides)


register_all(app)


def _one_line(message: str) -> str:
    return " ".join(message.split())


def print_error(exc: FupanError) -> None:
    """The error as one line (and its hint on a second), on stderr."""
    err_console.print(f"error: {_one_line(exc.message)}")
    if exc.hint:
        err_console.print(f"hint: {_one_line(exc.hint)}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every error into one readable line and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("FUPAN_DEBUG", "") in {"1", "true"}
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="fupan", standalone_mode=False)
        if isinstance(code, int) and code:  # a command's typer.Exit(n) comes back as a return value here
            sys.exit(code)
    except NoArgsIsHelpError as exc:
        if exc.ctx is not None:
            typer.echo(exc.ctx.get_help())
        sys.exit(0)
    except UsageError as exc:
        hint = f" (see 'fupan {exc.ctx.command_path.partition(' ')[2]} --help'.)" if exc.ctx else ""
        err_console.print(f"error: {_one_line(exc.format_message())}{hint.replace('fupan  ', 'fupan ')}")
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except FupanError as exc:
        if debug:
            raise
        print_error(exc)
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 — the edge: never a traceback unless --debug
        if debug:
            raise
        err_console.print(f"error: {type(exc).__name__}: {_one_line(str(exc))}")
        err_console.print(
            "hint: run again with --debug for the full traceback, and report it if it persists."
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
