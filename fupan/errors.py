"""The few error classes Fupan raises. Only the edges (CLI, API) turn them into user-facing output."""

from __future__ import annotations


class FupanError(Exception):
    """Base class: a message a user can act on, plus an optional hint for what to do next."""

    exit_code = 1
    http_status = 400
    title = "Fupan error"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(FupanError):
    """Bad input: names the file, row, column and value when it can."""

    exit_code = 2
    http_status = 422
    title = "Invalid input"

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"column {column}" if column else "",
                f"value {value!r}" if value is not None else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.file, self.row, self.column, self.value = file, row, column, value


class ImportRefused(InputError):
    """An import that was refused as a whole (no accepted rows, `--strict` warnings, or it would remove most of
    the current rows): nothing was changed. Carries the validation report so the edges can show every row."""

    def __init__(self, message: str, *, hint: str = "", file: str | None = None, report: object = None) -> None:
        super().__init__(message, hint=hint, file=file)
        self.report = report


class NotFound(FupanError):
    """A named thing (period, key, draft, file) that does not exist: bad input for the CLI (exit 2)."""

    exit_code = 2
    http_status = 404
    title = "Not found"


class Conflict(FupanError):
    exit_code = 4
    http_status = 409
    title = "Conflict"


class WorkspaceBusy(FupanError):
    """Another process (e.g. `fupan serve`) holds the workspace's sales database."""

    exit_code = 4
    http_status = 503
    title = "Workspace busy"


class PreconditionRequired(FupanError):
    """A change that must name what it was based on (If-Match, or the version being decided) did not."""

    exit_code = 4
    http_status = 428
    title = "Precondition required"


class Unauthenticated(FupanError):
    """No API key, or one that is unknown or revoked."""

    exit_code = 5
    http_status = 401
    title = "Unauthorized"


class PermissionDenied(FupanError):
    exit_code = 5
    http_status = 403
    title = "Forbidden"


class ConfigError(FupanError):
    exit_code = 6
    http_status = 500
    title = "Configuration error"


class NotAvailable(FupanError):
    """A feature whose issue has not landed yet, or that needs something not configured."""

    exit_code = 7
    http_status = 501
    title = "Not available"
