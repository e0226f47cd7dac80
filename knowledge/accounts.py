"""People who sign in to the page, and their sessions, in the records database.

    accounts = records.accounts
    accounts.create("wang", "s3cret-pass", role="approver", team="华东", name="王经理")
    me = accounts.verify("wang", "s3cret-pass")               # Principal, or Unauthenticated
    token, csrf = accounts.open_session(me, hours=12)         # the cookie value; only its SHA-256 is stored
    me, csrf = accounts.session(token)                        # re-checked on every request
    accounts.close_session(token)

Accounts sit beside API keys: same roles (viewer < analyst < approver < admin) and team scopes, the same
`Principal` (its `key_id` is the account id, `u…`, so authors and deciders are recorded the same way).
Passwords are hashed with argon2id (argon2-cffi defaults); a hash made with older parameters is rehashed at
the next sign-in. A session names its subject (an API key id or an account id) and is checked against it
on every request, so revoking the key or disabling the account signs the page out at once. Sessions live in
the database, so several uvicorn workers share them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from fupan.clock import utc_now
from fupan.errors import Conflict, InputError, NotFound, Unauthenticated
from knowledge.records_db import SYSTEM
from knowledge.records_models import AccountRow, ApiKeyRow, PageSessionRow
from knowledge.records_schemas import ROLES, AccountPublic, Principal

if TYPE_CHECKING:
    from knowledge.records_db import RecordsDB

USERNAME = re.compile(r"^[A-Za-z0-9_.\-@]{2,64}$")
MIN_PASSWORD = 10


def _hasher():  # noqa: ANN202 - argon2's PasswordHasher, imported lazily
    from argon2 import PasswordHasher

    return PasswordHasher()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def check_password(password: str) -> None:
    """Refuse passwords a colleague could guess: at least 10 characters, not only one kind of character."""
    if len(password) < MIN_PASSWORD:
        raise InputError(
            f"the password has {len(password)} characters; use at least {MIN_PASSWORD}",
            hint="a short sentence is easy to remember and hard to guess",
        )
    if len(set(password)) < 4:
        raise InputError("the password repeats too few characters", hint="use a longer, varied password")


class Accounts:
    """Accounts and page sessions over the records database (see the module docstring)."""

    def __init__(self, db: RecordsDB) -> None:
        self.db = db

    # --- accounts ----------------------------------------------------------------------------
    def create(
        self, username: str, password: str, *, role: str, team: str = "", name: str = ""
    ) -> AccountPublic:
        if not USERNAME.match(username):
            raise InputError(
                "a username is 2-64 letters, digits or . _ - @", column="username", value=username
            )
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}", hint=f"use one of {', '.join(ROLES)}")
        check_password(password)
        row = AccountRow(
            id=f"u{secrets.token_hex(4)}",
            username=username,
            name=name,
            role=role,
            team=team,
            password_hash=_hasher().hash(password),
            created_at=utc_now(),
        )
        with self.db.writing() as session:
            if session.scalar(select(AccountRow.id).where(AccountRow.username == username)):
                raise Conflict(f"there is already an account {username!r}", hint="pick another username")
            session.add(row)
            self.db.audit(
                session,
                SYSTEM,
                "account.create",
                ("account", row.id, team),
                detail={"username": username, "role": role},
            )
        return _public(row)

    def list(self) -> list[AccountPublic]:
        with self.db.reading() as session:
            return [_public(r) for r in session.scalars(select(AccountRow).order_by(AccountRow.created_at))]

    def _row(self, session: object, username: str) -> AccountRow:
        row = session.scalars(select(AccountRow).where(AccountRow.username == username)).first()  # type: ignore[attr-defined]
        if row is None:
            raise NotFound(f"no account {username!r}", hint="see 'fupan accounts list'")
        return row

    def set_password(self, username: str, password: str) -> AccountPublic:
        check_password(password)
        with self.db.writing() as session:
            row = self._row(session, username)
            row.password_hash = _hasher().hash(password)
            session.execute(delete(PageSessionRow).where(PageSessionRow.subject_id == row.id))
            self.db.audit(session, SYSTEM, "account.password", ("account", row.id, row.team))
        return _public(row)

    def disable(self, username: str) -> AccountPublic:
        """Disable an account and end its sessions (kept for the audit trail, never deleted)."""
        with self.db.writing() as session:
            row = self._row(session, username)
            if row.disabled_at is None:
                row.disabled_at = utc_now()
                session.execute(delete(PageSessionRow).where(PageSessionRow.subject_id == row.id))
                self.db.audit(session, SYSTEM, "account.disable", ("account", row.id, row.team))
        return _public(row)

    def verify(self, username: str, password: str) -> Principal:
        """The principal behind a username and password, or `Unauthenticated` (the same message for both)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        refused = Unauthenticated(
            "wrong username or password",
            hint="check both; an admin can reset it with 'fupan accounts password'",
        )
        with self.db.reading() as session:
            row = session.scalars(select(AccountRow).where(AccountRow.username == username.strip())).first()
        hasher = _hasher()
        if row is None:
            hasher.hash(password)  # the same work either way: timing does not tell which usernames exist
            raise refused
        try:
            hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise refused from None
        if row.disabled_at is not None:
            raise Unauthenticated(f"account {username} is disabled", hint="ask an admin")
        if hasher.check_needs_rehash(row.password_hash):
            with self.db.writing() as session:
                fresh = session.get(AccountRow, row.id)
                if fresh is not None:
                    fresh.password_hash = hasher.hash(password)
        return _principal(row)

    # --- sessions ----------------------------------------------------------------------------
    def open_session(self, me: Principal, *, hours: float, kind: str = "") -> tuple[str, str]:
        """A new session for `me`: (cookie token, CSRF token). Expired sessions are swept at the same time."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = utc_now()
        kind = kind or ("account" if me.key_id.startswith("u") else "key")
        with self.db.writing() as session:
            session.execute(delete(PageSessionRow).where(PageSessionRow.expires_at < now))
            session.add(
                PageSessionRow(
                    token_hash=_token_hash(token),
                    subject_kind=kind,
                    subject_id=me.key_id,
                    csrf=csrf,
                    created_at=now,
                    expires_at=now + dt.timedelta(hours=hours),
                )
            )
        return token, csrf

    def session(self, token: str) -> tuple[Principal, str]:
        """The principal and CSRF token of a live session; `Unauthenticated` when it is unknown, expired,
        or its key was revoked / its account disabled since."""
        if not token:
            raise Unauthenticated("not signed in", hint="sign in at /ui/login")
        with self.db.reading() as session:
            row = session.get(PageSessionRow, _token_hash(token))
            if row is None or _aware(row.expires_at) < utc_now():
                raise Unauthenticated("the session has ended", hint="sign in again")
            if row.subject_kind == "account":
                account = session.get(AccountRow, row.subject_id)
                if account is None or account.disabled_at is not None:
                    raise Unauthenticated("the account is disabled", hint="ask an admin")
                return _principal(account), row.csrf
            key = session.get(ApiKeyRow, row.subject_id)
            if key is None or key.revoked_at is not None:
                raise Unauthenticated("the API key was revoked", hint="sign in with a current key")
            principal = Principal(key_id=key.id, name=key.name, role=key.role, team=key.team)  # type: ignore[arg-type]
            return principal, row.csrf

    def close_session(self, token: str) -> None:
        with self.db.writing() as session:
            session.execute(delete(PageSessionRow).where(PageSessionRow.token_hash == _token_hash(token)))

    def session_count(self) -> int:
        with self.db.reading() as session:
            return len(session.scalars(select(PageSessionRow.token_hash)).all())


def _principal(row: AccountRow) -> Principal:
    return Principal(key_id=row.id, name=row.name or row.username, role=row.role, team=row.team)  # type: ignore[arg-type]


def _public(row: AccountRow) -> AccountPublic:
    return AccountPublic(
        id=row.id,
        username=row.username,
        name=row.name,
        role=row.role,  # type: ignore[arg-type]
        team=row.team,
        created_at=_aware(row.created_at),
        disabled_at=_aware(row.disabled_at) if row.disabled_at else None,
    )
