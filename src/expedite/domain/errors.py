"""Domain exceptions. Messages are Chinese by default; `code` is stable for programs."""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    """Mark a message template for the translation catalog; it is translated at the edge.

    Named like Django's marker so `makemessages` extracts it; the core stays Django-free.
    """
    return message


class DomainError(Exception):
    """A rule of the domain refused the input. Nothing was changed.

    `template` is the (Chinese) message with `%(name)s` placeholders and `params` their
    values, so the web layer can show it in the user's language; `message` is it filled in.
    """

    code = "invalid"

    def __init__(
        self, message: str, *, field: str | None = None, params: dict | None = None
    ) -> None:
        self.template = message
        self.params = dict(params or {})
        self.message = message % self.params if self.params else message
        self.field = field
        super().__init__(self.message)


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
