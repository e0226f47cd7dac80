"""RFC 9457 problem details: every error the API returns is `application/problem+json`.

Fupan's errors carry their HTTP status (fupan/errors.py); request validation errors list each bad field;
anything unexpected is a 500 problem without internals (the traceback goes to the server log).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from fupan.errors import FupanError, InputError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("fupan.api")


class FieldProblem(BaseModel):
    """One bad field: where (`loc`), what is wrong (`msg`), and for file input the file/row/column/value."""

    loc: list[str | int] = Field(default_factory=list, examples=[["body", "question"]])
    msg: str = Field(..., examples=["Field required"])
    type: str = Field("invalid", examples=["missing"])
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field("about:blank", examples=["about:blank"])
    title: str = Field(..., examples=["Conflict"])
    status: int = Field(..., examples=[409])
    detail: str = Field("", examples=["draft rv-1a2b3c changed: you have revision 2, it is now at 3"])
    instance: str = Field("", examples=["/drafts/rv-1a2b3c"])
    hint: str = Field("", examples=["reload the draft (GET) and apply your change again"])
    errors: list[FieldProblem] = Field(default_factory=list)


class PayloadTooLarge(StarletteHTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str = "",
    *,
    hint: str = "",
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        title=title, status=status, detail=detail, instance=request.url.path, hint=hint, errors=errors or []
    )
    return _ProblemJSON(
        body.model_dump(mode="json"), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


class _ProblemJSON(JSONResponse):
    """An error response can always be sent: text it echoes that UTF-8 cannot encode (an unpaired surrogate
    from a request) becomes '?' instead of failing the error handler itself."""

    def render(self, content: Any) -> bytes:
        import json

        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", "replace")


def _short(value: Any) -> str | None:
    if value is None:
        return None
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text[:200]


def _fupan_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FupanError)
    errors: list[FieldProblem] = []
    if isinstance(exc, InputError) and (exc.file or exc.column or exc.row is not None):
        errors.append(
            FieldProblem(
                loc=[p for p in (exc.file, exc.row, exc.column) if p is not None],
                msg=exc.message,
                file=exc.file,
                row=exc.row,
                column=exc.column,
                value=_short(exc.value),
            )
        )
    rows = _report_problems(getattr(exc, "report", None))
    errors = rows or errors  # a refused import lists its rows; the file alone adds nothing then
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return problem_response(
        request, exc.http_status, exc.title, exc.message, hint=exc.hint, errors=errors, headers=headers
    )


def _report_problems(report: object, limit: int = 500) -> list[FieldProblem]:
    """The rejected rows of a refused import's report, each with its file, row, column and value."""
    issues = list(getattr(report, "rejected", None) or [])
    return [
        FieldProblem(
            loc=[p for p in (i.file, i.row, i.column) if p is not None],
            msg=i.reason,
            type="rejected_row",
            file=i.file,
            row=i.row,
            column=i.column,
            value=_short(i.value),
        )
        for i in issues[:limit]
    ]


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldProblem(
            loc=[p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
            msg=str(e.get("msg", "invalid")),
            type=str(e.get("type", "invalid")),
            value=_short(e.get("input")) if not isinstance(e.get("input"), dict | list) else None,
        )
        for e in exc.errors()
    ]
    where = ", ".join(".".join(str(p) for p in err.loc) for err in errors[:5])
    return problem_response(
        request, 422, "Invalid request", f"the request has invalid fields: {where}", errors=errors
    )


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    from http import HTTPStatus

    try:
        title = HTTPStatus(exc.status_code).phrase
    except ValueError:
        title = "Error"
    return problem_response(
        request, exc.status_code, title, str(exc.detail), headers=getattr(exc, "headers", None)
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(
        request,
        500,
        "Internal error",
        f"{type(exc).__name__} while handling the request",
        hint="the server log has the details; report it if it persists",
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FupanError, _fupan_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


PROBLEM_STATUSES = {
    400: "Bad request",
    401: "No API key, or an unknown or revoked one",
    403: "The key's role or team does not allow this",
    404: "Not found (or not visible to the key's team)",
    409: "Conflict: stale revision (If-Match) or an illegal state transition",
    413: "The request body is too large",
    415: "Unsupported media type",
    422: "Invalid request fields or file contents",
    428: "If-Match header required",
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem+json responses to every operation of an OpenAPI document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = components["Problem"].pop("$defs", {})
    components.update(defs)
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, description in PROBLEM_STATUSES.items():
                responses[str(status)] = {
                    "description": description,
                    "content": {PROBLEM_JSON: {"schema": ref}},
                }
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema
