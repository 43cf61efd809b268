"""Domain exceptions. Messages are Chinese by default; `code` is stable for programs."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the input. Nothing was changed."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    code = "validation_failed"


class CatalogError(DomainError):
    """The service catalog is malformed; the message names the file and the key."""

    code = "catalog_error"


class NotAllowed(DomainError):
    """The actor's role does not permit this action."""

    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"
