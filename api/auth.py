"""Who is calling: `Authorization: Bearer <key>` or `X-API-Key: <key>`, checked against the hashed keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.review_service import ReviewService
from fupan.errors import Unauthenticated
from knowledge.records_schemas import Principal

_bearer = HTTPBearer(auto_error=False, description="an API key from 'fupan keys create'")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key from 'fupan keys create'")


def get_service(request: Request) -> ReviewService:
    return request.app.state.service  # type: ignore[no-any-return]


ServiceDep = Annotated[ReviewService, Depends(get_service)]


def current_principal(
    service: ServiceDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    api_key: Annotated[str | None, Security(_header)] = None,
) -> Principal:
    key = (bearer.credentials if bearer else "") or (api_key or "")
    if not key:
        raise Unauthenticated(
            "this endpoint needs an API key",
            hint="send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'; create one with 'fupan keys create'",
        )
    return service.authenticate(key)


Caller = Annotated[Principal, Depends(current_principal)]
