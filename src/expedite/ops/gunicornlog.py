"""gunicorn's logger with secrets masked: its access log records every request line and
referrer, and a portal link's path is a password (`expedite.common.logredact`).

`expedite serve` passes `LOG_ARGS` to gunicorn.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from expedite.common.logredact import RedactSecrets

LOG_ARGS = (
    "--access-logfile", "-",
    "--logger-class", "expedite.ops.gunicornlog.RedactingLogger",
)  # fmt: skip


class RedactingLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)  # runs again on SIGHUP: the filter is added once
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactSecrets) for f in log.filters):
                log.addFilter(RedactSecrets())
