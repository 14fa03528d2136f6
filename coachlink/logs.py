"""Logging filters: what a log line must never carry."""

import logging
import re

# The OAuth callback's query string holds a one-time authorization code and the session's state;
# a request log line (runserver's, gunicorn's access log) would otherwise print both.
SECRET_QUERY_VALUE = re.compile(r"(?P<name>[?&](?:code|state|session_state)=)[^&\s\"']*")


def redacted(text: str) -> str:
    return SECRET_QUERY_VALUE.sub(r"\g<name>[redacted]", text)


class SecretQueryFilter(logging.Filter):
    """Blanks the values of ``code``, ``state`` and ``session_state`` in any logged text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        clean = redacted(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True
