"""The items of a legal update file (docs/legal-update-format.md) as pydantic models: each field's type,
whether it is required, its codes and its length, checked before anything touches the database.

:func:`validate_item` turns pydantic's errors into the file's own codes (Vietnamese messages in
tracker.services.legal.legal_updates), unknown fields first and then in the order of the fields, so that
the list of problems reads like the item. What involves two fields (a rule named by ``base_code`` or by
kind and step; an end after the start) is checked there too.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated
from typing import Any
from typing import ClassVar

from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import ValidationError
from pydantic import ValidationInfo
from pydantic import field_validator
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from tracker.rules.calendar import OVERRIDE_KINDS
from tracker.rules.deadlines import DAY_KINDS
from tracker.rules.deadlines import PAUSE_RULES
from tracker.services.legal.rule_admin import CERTAINTIES

MAX_DAYS = 3660  # a deadline of ten years is a typing error, not a law
CONDITION_KEYS = ("complex", "remote_area", "second_instance")
# "Not in the file": the rule row's own value is kept (``pause_rule: null`` means "no suspension rule").
MISSING: Any = object()


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("legal_update_text", "not text")
    return value.strip()


def _day(value: Any) -> date:
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise PydanticCustomError("legal_update_date", "not an ISO date")


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value > MAX_DAYS:
        raise PydanticCustomError("number_invalid", "not a number of days")
    if value < 0:
        raise PydanticCustomError("number_negative", "negative")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise PydanticCustomError("legal_update_bool", "not true, false or null")
    return value


Text = Annotated[str, BeforeValidator(_text)]
Day = Annotated[date, BeforeValidator(_day)]
Count = Annotated[int, BeforeValidator(_count)]
Flag = Annotated[bool, BeforeValidator(_flag)]


class Item(BaseModel):
    """One item. A null, or text of blanks only, is an absent field (required: "required"; otherwise its
    default) — except where ``NULLABLE`` says null is a value. ``CODES`` maps a field to its allowed codes
    and the error of another value; ``LIMITS`` to its longest text."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    CODES: ClassVar[dict[str, tuple[tuple[str, ...], str]]] = {}
    LIMITS: ClassVar[dict[str, int]] = {}
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _absent(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {k: v for k, v in data.items() if k not in cls.model_fields or k in cls.NULLABLE
                or not (v is None or (isinstance(v, str) and not v.strip()))}

    @field_validator("*", mode="before")
    @classmethod
    def _code(cls, value: Any, info: ValidationInfo) -> Any:
        allowed = cls.CODES.get(info.field_name or "")
        if allowed is not None and value is not None and value not in allowed[0]:
            raise PydanticCustomError(allowed[1], "not one of the codes")
        return value

    @field_validator("*")
    @classmethod
    def _length(cls, value: Any, info: ValidationInfo) -> Any:
        limit = cls.LIMITS.get(info.field_name or "")
        if isinstance(value, str) and limit is not None and len(value) > limit:
            raise PydanticCustomError("too_long", "too long")
        return value


class Header(Item):
    """The file's own fields (``format`` and ``version`` are checked first, before anything else)."""

    LIMITS = {"title": 300, "issued_by": 300}
    format: Any = None
    version: Any = None
    title: Text
    issued_by: Text
    issued_on: Day
    calendar: Any = None
    rules: Any = None


class CalendarItem(Item):
    """A day of the official calendar: a day off, a working day in exchange, or a holiday correction."""

    CODES = {"kind": (OVERRIDE_KINDS, "calendar_kind_invalid"), "certainty": (CERTAINTIES, "certainty_invalid")}
    LIMITS = {"basis": 300, "name": 200}
    day: Day
    kind: str
    basis: Text
    name: Text | None = None
    certainty: str = "C"


class RuleItem(Item):
    """A new version of a deadline rule row, named by ``base_code`` or by kind, step and conditions.
    Fields left out of the file (``None``; ``pause_rule`` is MISSING) keep the base row's value."""

    CODES = {"day_kind": (DAY_KINDS, "day_kind_invalid"), "certainty": (CERTAINTIES, "certainty_invalid"),
             "pause_rule": (PAUSE_RULES, "pause_rule_invalid")}
    LIMITS = {"base_code": 80, "kind": 32, "step": 32, "legal_basis": 300, "note": 4000}
    NULLABLE = frozenset({"pause_rule"})
    base_code: Text | None = None
    code: Any = None  # the row's code where the file was exported: informational, ignored
    kind: Text | None = None
    step: Text | None = None
    complex: Flag | None = None
    remote_area: Flag | None = None
    second_instance: Flag | None = None
    effective_from: Day
    effective_to: Day | None = None
    days: Count
    day_kind: str | None = None
    max_extensions: Count | None = None
    extension_days: Count | None = None
    pause_rule: str | None = MISSING
    legal_basis: Text
    certainty: str = "C"
    note: Text | None = None


def validate_item(model: type[Item], data: dict[str, Any]) -> tuple[Item | None, list[tuple[str, str]]]:
    """The item, or None and its problems as (field, code)."""
    problems: list[tuple[str, str]] = []
    item: Item | None = None
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            code = {"missing": "required", "extra_forbidden": "legal_update_unknown_field"}.get(
                error["type"], error["type"])
            problems.append((str(error["loc"][0]), code))
    if model is RuleItem:
        problems += _rule_problems(data, {name for name, _ in problems})
    order = list(model.model_fields)
    problems.sort(key=lambda p: (p[0] in order, order.index(p[0]) if p[0] in order else p[0]))
    return (item if not problems else None), problems


def _given(data: dict[str, Any], key: str) -> bool:
    value = data.get(key)
    return isinstance(value, str) and bool(value.strip())


def _rule_problems(data: dict[str, Any], faulty: set[str]) -> list[tuple[str, str]]:
    out = []
    if not _given(data, "base_code") and not (_given(data, "kind") and _given(data, "step")) \
            and "base_code" not in faulty:
        out.append(("base_code", "legal_update_base_or_kind"))
    try:
        start, end = _day(data.get("effective_from")), _day(data.get("effective_to"))
    except PydanticCustomError:
        return out
    if end < start:
        out.append(("effective_to", "date_order"))
    return out
