"""Keeping ID numbers, account numbers, passwords and API tokens out of every log line.

The services never log a plaintext identifier on purpose, but an exception's message or a
logged value can carry one (a library quoting the value it choked on, a traceback of a
failed import). ``RedactingFilter`` rewrites each record before any handler formats it:

- runs of 9 or more digits (CMND 9, CCCD 12, bank and e-wallet accounts 6–19 digits are
  written from 9 up), also in groups of 3–4 digits split by spaces or dots, keep only their
  last two digits: ``**********45``;
- ``password=…``, ``"password": "…"`` (and ``passwd``, ``pwd``, ``mat_khau``) lose the value;
- API tokens (``rgt_…``) keep only their prefix.

The traceback is rendered and redacted into the record too, so an exception report says what
failed without the personal data its message held. ``install`` puts the filter on the app's
logger (Flask's "Exception on …" reports, the services' ``current_app.logger``), on the
werkzeug logger (the development server's access log) and on the handlers the root logger
has at start-up; a handler added later sees records of the app's logger already redacted.
Shorter account numbers (6–8 digits) are not recognisable in free text and are not caught.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

_DIGITS = re.compile(r"(?<!\d)(?:\d{9,}|\d{3,4}(?:[ .]\d{3,4}){2,})(?!\d)")
_SECRET_FIELD = re.compile(
    r"""(?ix)
    (?P<key>["']?\b(?:password|passwd|pwd|mat_?khau)\b["']?\s*[:=]\s*)
    (?P<value>"[^"]*"|'[^']*'|[^\s,;&}]+)
    """
)
_TOKEN = re.compile(r"\brgt_[A-Za-z0-9_-]{8,}")
REDACTED = "[redacted]"


def _mask_digits(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "*" * (len(digits) - 2) + digits[-2:]


def redact(text: str) -> str:
    """``text`` with ID and account numbers masked, passwords and API tokens removed."""
    text = _SECRET_FIELD.sub(lambda m: m.group("key") + REDACTED, text)
    text = _TOKEN.sub("rgt_" + REDACTED, text)
    return _DIGITS.sub(_mask_digits, text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message, traceback and stack in place; never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "redacted", False):
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed %-format: keep what can be shown
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info:
            # Formatters use exc_text when set; exc_info goes so none renders the raw one.
            record.exc_text = self._formatter.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record.redacted = True
        return True


def _add(target: logging.Logger | logging.Handler, redactor: RedactingFilter) -> None:
    if not any(isinstance(f, RedactingFilter) for f in target.filters):
        target.addFilter(redactor)


def install(app: Flask) -> None:
    """Redact the app's log records, the werkzeug access log and the root handlers' output."""
    redactor = RedactingFilter()
    _add(app.logger, redactor)
    _add(logging.getLogger("werkzeug"), redactor)
    for handler in (*logging.getLogger().handlers, *app.logger.handlers):
        _add(handler, redactor)
