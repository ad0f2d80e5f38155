"""Credentials in URLs never reach a log: the access log shows `token=[redacted]`.

Reset and verification links carry their token in the query string (`/reset-password?token=…`,
`/verify?token=…`), and uvicorn's access log writes each request's path with its query. The
filter rewrites the record before any handler formats it, so neither the console nor a shipped
log file holds a usable link.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
_SECRET_PARAMETER = re.compile(r"(?i)([?&](?:token|code|password)=)[^&#\s\"]*")


def redact(text: str) -> str:
    """The text with the value of every token, code or password query parameter hidden."""
    return _SECRET_PARAMETER.sub(r"\1[redacted]", text)


class RedactQuerySecrets(logging.Filter):
    """Hides secret query parameters in a log record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def redact_tokens_in_access_logs() -> None:
    """Install the filter on uvicorn's access logger (once per process)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactQuerySecrets) for f in logger.filters):
        logger.addFilter(RedactQuerySecrets())
