"""`fupan keys`: Manage API keys (create, list, revoke).

fupan keys create --role approver [--team 华东] [--name 王经理]   # prints the key once
fupan keys list
fupan keys revoke k1a2b3c4
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from fupan.errors import InputError

console = Console(highlight=False, soft_wrap=True)
ACTIONS = ("create", "list", "revoke")


def register(app: typer.Typer) -> None:
    @app.command("keys", help="Manage API keys (create, list, revoke).")
    def _keys(
        ctx: typer.Context,
        action: Annotated[str, typer.Argument(help="create, list or revoke")],
        key_id: Annotated[str | None, typer.Argument(help="the key id to revoke")] = None,
        role: Annotated[
            str | None, typer.Option("--role", help="viewer, analyst, approver or admin (create)")
        ] = None,
        team: Annotated[str, typer.Option("--team", help="limit the key to one team/region, e.g. 华东")] = "",
        name: Annotated[str, typer.Option("--name", help="who holds the key")] = "",
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        from api.cli import settings_from
        from knowledge.records import Records

        if action not in ACTIONS:
            raise InputError(f"unknown action {action!r}", hint="use: fupan keys create|list|revoke")
        records = Records(settings_from(ctx))
        try:
            _run(records, action, key_id, role, team, name, as_json)
        finally:
            records.close()


def _run(
    records: object, action: str, key_id: str | None, role: str | None, team: str, name: str, as_json: bool
) -> None:
    from knowledge.records import Records

    assert isinstance(records, Records)
    if action == "create":
        if not role:
            raise InputError("--role is required", hint="fupan keys create --role analyst [--team 华东]")
        created = records.create_key(role, team=team, name=name)
        if as_json:
            typer.echo(created.model_dump_json())
            return
        console.print(f"created {created.role} key {created.id}{f' for {team}' if team else ''}:")
        typer.echo(created.key)
        console.print("it is shown only now; send it as 'Authorization: Bearer <key>'.")
    elif action == "list":
        keys = records.list_keys()
        if as_json:
            typer.echo(json.dumps([k.model_dump(mode="json") for k in keys], ensure_ascii=False, indent=2))
            return
        for k in keys:
            state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
            console.print(f"{k.id}  {k.role:<8}  {k.team or '(all teams)'}  {k.name or '-'}  {state}")
    else:
        if not key_id:
            raise InputError("which key?", hint="fupan keys revoke <key id> (see 'fupan keys list')")
        revoked = records.revoke_key(key_id)
        console.print(f"revoked {revoked.id}")
