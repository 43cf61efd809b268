"""The logging filter that keeps secrets out of every log line (`expedite.domain.redact`).

`RedactSecrets` is installed on every handler in settings.LOGGING and on gunicorn's error and
access logs (`expedite.ops.gunicornlog`).
"""

from __future__ import annotations

import logging

from expedite.domain.redact import redact

__all__ = ["RedactSecrets", "redact"]


class RedactSecrets(logging.Filter):
    """Rewrites the record's message (and traceback) with the secrets masked; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
