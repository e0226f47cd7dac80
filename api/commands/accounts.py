"""`fupan accounts`: Manage page accounts (username and password; create, list, password, disable).

fupan accounts create wang --role approver [--team 华东] [--name 王经理]   # asks for the password twice
fupan accounts create li --role analyst --password-stdin < pw.txt
fupan accounts list
fupan accounts password wang          # set a new password (ends the account's sessions)
fupan accounts disable wang           # sign-in refused, sessions ended; kept for the audit trail
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console

from fupan.errors import InputError

console = Console(highlight=False, soft_wrap=True)
ACTIONS = ("create", "list", "password", "disable")


def register(app: typer.Typer) -> None:
    @app.command(
        "accounts", help="Manage page accounts (username and password; create, list, password, disable)."
    )
    def _accounts(
        ctx: typer.Context,
        action: Annotated[str, typer.Argument(help="create, list, password or disable")],
        username: Annotated[str | None, typer.Argument(help="the account's username")] = None,
        role: Annotated[
            str | None, typer.Option("--role", help="viewer, analyst, approver or admin (create)")
        ] = None,
        team: Annotated[
            str, typer.Option("--team", help="limit the account to one team/region, e.g. 华东")
        ] = "",
        name: Annotated[str, typer.Option("--name", help="the person's name, shown on the page")] = "",
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="read the password from standard input")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        from api.cli import settings_from
        from knowledge.records import Records

        if action not in ACTIONS:
            raise InputError(
                f"unknown action {action!r}", hint="use: fupan accounts create|list|password|disable"
            )
        records = Records(settings_from(ctx))
        try:
            accounts = records.accounts
            if action == "list":
                _list(accounts.list(), as_json)
                return
            if not username:
                raise InputError("which account?", hint=f"fupan accounts {action} <username>")
            if action == "disable":
                console.print(f"disabled {accounts.disable(username).username}")
                return
            password = _password(password_stdin)
            if action == "password":
                console.print(f"new password set for {accounts.set_password(username, password).username}")
                return
            if not role:
                raise InputError("--role is required", hint="fupan accounts create wang --role approver")
            created = accounts.create(username, password, role=role, team=team, name=name)
            if as_json:
                typer.echo(created.model_dump_json())
                return
            scope = f" for {team}" if team else ""
            console.print(f"created {created.role} account {created.username}{scope}; sign in at /ui/login")
        finally:
            records.close()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


def _list(accounts: list, as_json: bool) -> None:  # type: ignore[type-arg]
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in accounts], ensure_ascii=False, indent=2))
        return
    for a in accounts:
        state = f"disabled {a.disabled_at:%Y-%m-%d}" if a.disabled_at else "active"
        console.print(f"{a.username}  {a.role:<8}  {a.team or '(all teams)'}  {a.name or '-'}  {state}")
