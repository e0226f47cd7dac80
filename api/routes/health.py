"""Health and version (no key needed)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

router = APIRouter(tags=["health"])


def app_version() -> str:
    """The installed Fupan package's version ("0.0.0" when run from a tree that is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fupan")
    except PackageNotFoundError:
        return "0.0.0"


class Health(BaseModel):
    status: str = Field("ok", examples=["ok"])
    version: str = Field(..., examples=["0.1.0"])


@router.get("/health", response_model=Health)
def health() -> Health:
    """Liveness: answers without touching the stores."""
    return Health(status="ok", version=app_version())


@router.get("/version", response_model=Health)
def version() -> Health:
    """The running Fupan version."""
    return health()
