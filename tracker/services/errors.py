"""Domain errors. They carry codes; the Vietnamese (or English) message is chosen at the edge."""
from __future__ import annotations


class DomainError(Exception):
    """Base class. ``fields`` maps a field name to an error code; ``params`` fill the message."""

    status = 400

    def __init__(self, code: str, fields: dict[str, str] | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields or {}
        self.params = params


class ValidationError(DomainError):
    """Bad input: nothing was written."""

    def __init__(self, fields: dict[str, str], **params: object) -> None:
        super().__init__("invalid", fields, **params)


class NotFoundError(DomainError):
    status = 404


class ForbiddenError(DomainError):
    status = 403


class ConflictError(DomainError):
    """A stale version or a unique value already taken."""

    status = 409


class RuleError(DomainError):
    status = 422
