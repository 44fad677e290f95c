"""Where each role starts its day: the one place that decides it (login, the home page, after a
password change)."""
from __future__ import annotations

from flask import url_for

from tracker.models import User

# role → endpoint of its first screen
LANDING = {
    "chair": "weekly.show_week",
    "vice_chair": "weekly.show_week",
    "handler": "cases.my_cases",
    "receptionist": "reception.list_visits",
    "inspector": "dashboard.index",  # the units below, side by side
    "admin": "admin.list_users",
    "sysadmin": "admin.deadline_rules",
}


def home_url(user: User) -> str:
    return url_for(LANDING.get(user.role, "reception.list_visits"))
