"""The office's calendar: today's date in Vietnam time, read only at the edges."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def office_today() -> date:
    """Today in Vietnam (UTC+7): what the web and CLI pass to services as ``today=``."""
    return datetime.now(OFFICE_TZ).date()
