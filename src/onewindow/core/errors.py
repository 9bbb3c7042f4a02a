"""Domain errors: raised by services with a message a person can read, mapped to HTTP once (api/)
and to a form error or a message in pages."""


class DomainError(Exception):
    """A business rule said no. `field` names the input at fault where there is one."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


class ValidationError(DomainError):
    """Bad input: a field's value is wrong."""


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    """The action is not allowed in the object's current state, or someone else changed it first."""

    status_code = 409
    code = "conflict"


class CommandFailed(Exception):
    """Raised by a console command (`<app>/commands.py`) for bad input: `onewindow` prints it as one
    line on stderr and exits 2. It lives here, at the bottom, so each app's commands can raise it
    without importing the console entry point above them (`onewindow.cli` re-exports it)."""
