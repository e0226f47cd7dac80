"""API keys in the records database: create (the secret shown once), list, revoke, and authenticate a
presented key (`fpk_<id>_<secret>`; only a hash of the secret is stored). Part of `Records` (knowledge/records.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from fupan.clock import utc_now
from fupan.errors import InputError, NotFound, Unauthenticated
from knowledge.records_db import SYSTEM, RecordsDB, aware
from knowledge.records_models import ApiKeyRow
from knowledge.records_schemas import ROLES, ApiKeyPublic, CreatedKey, Principal

KEY_PREFIX = "fpk"


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiKeys(RecordsDB):
    """The API keys of the records database."""

    def create_key(self, role: str, *, team: str = "", name: str = "") -> CreatedKey:
        """A new key; the returned `key` is the only time the secret is shown."""
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}", hint=f"use one of {', '.join(ROLES)}")
        key_id = f"k{secrets.token_hex(4)}"
        secret = secrets.token_urlsafe(24)
        now = utc_now()
        row = ApiKeyRow(
            id=key_id, name=name, role=role, team=team, secret_hash=_secret_hash(secret), created_at=now
        )
        with self.writing() as session:
            session.add(row)
            self.audit(
                session, SYSTEM, "key.create", ("api_key", key_id, team), detail={"role": role, "name": name}
            )
        return CreatedKey(
            id=key_id,
            name=name,
            role=role,  # type: ignore[arg-type]
            team=team,
            created_at=now,
            key=f"{KEY_PREFIX}_{key_id}_{secret}",
        )

    def list_keys(self) -> list[ApiKeyPublic]:
        with self.reading() as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).all()
            return [
                ApiKeyPublic(
                    id=r.id,
                    name=r.name,
                    role=r.role,  # type: ignore[arg-type]
                    team=r.team,
                    created_at=aware(r.created_at),  # type: ignore[arg-type]
                    revoked_at=aware(r.revoked_at),
                )
                for r in rows
            ]

    def revoke_key(self, key_id: str) -> ApiKeyPublic:
        with self.writing() as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFound(f"no API key {key_id!r}", hint="see 'fupan keys list'")
            if row.revoked_at is None:
                row.revoked_at = utc_now()
                self.audit(session, SYSTEM, "key.revoke", ("api_key", key_id, row.team))
        return next(k for k in self.list_keys() if k.id == key_id)

    def authenticate(self, key: str) -> Principal:
        """The principal behind a presented key, or `Unauthenticated`."""
        parts = key.strip().split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            raise Unauthenticated("the API key is malformed", hint="send 'Authorization: Bearer fpk_...'")
        with self.reading() as session:
            row = session.get(ApiKeyRow, parts[1])
        if row is None or not hmac.compare_digest(row.secret_hash, _secret_hash(parts[2])):
            raise Unauthenticated("unknown API key", hint="create one with 'fupan keys create --role ...'")
        if row.revoked_at is not None:
            raise Unauthenticated(f"API key {row.id} was revoked", hint="ask an admin for a new key")
        return Principal(key_id=row.id, name=row.name, role=row.role, team=row.team)  # type: ignore[arg-type]
