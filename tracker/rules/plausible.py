"""The years a typed date may fall in: a guard against slips of the keyboard (31/12/9999, 01/01/0001), not a
legal number. Such a date would sit at the top of every list and beyond every calendar the rules know; the
forms and the API refuse it with the same message."""
from __future__ import annotations

from datetime import date

FIRST_YEAR, LAST_YEAR = 1900, 2100


def plausible(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR
