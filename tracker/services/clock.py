"""What time and day it is for the units: the one place that decides it.

Everything runs in the configured zone (``TIMEZONE``, Asia/Ho_Chi_Minh), never the server's; the
``FIXED_TODAY`` setting (a date or ISO text) pins the day for demos and tests."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app


def local_now(config: Mapping[str, Any] | None = None) -> datetime:
    config = config if config is not None else current_app.config
    return datetime.now(ZoneInfo(config.get("TIMEZONE", "Asia/Ho_Chi_Minh")))


def local_today(config: Mapping[str, Any] | None = None) -> date:
    config = config if config is not None else current_app.config
    fixed = config.get("FIXED_TODAY")
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return local_now(config).date()
