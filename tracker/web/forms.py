"""Shared form pieces: Vietnamese validator messages and dd/mm/yyyy dates."""
from __future__ import annotations

import re
from typing import TypeVar

from flask import abort
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import IntegerField
from wtforms.meta import DefaultMeta
from wtforms.validators import InputRequired
from wtforms.validators import Optional
from wtforms.widgets import TextInput

from tracker.messages import message
from tracker.rules.plausible import FIRST_YEAR
from tracker.rules.plausible import LAST_YEAR
from tracker.rules.plausible import plausible

# InputRequired, not DataRequired: DataRequired wipes the parse error of a bad date and calls 0 "missing".
REQUIRED = InputRequired(message=_l("This field is required."))
OPTIONAL = Optional()
INPUT_REQUIRED = REQUIRED
# A choice the user must make: the list starts at "— chọn —", and an untouched list is refused rather than
# silently counted as its first option (a land complaint accepted for resolution, in the statistics).
CHOOSE = _l("— choose —")
CHOICE_REQUIRED = InputRequired(message=_l("Please choose one."))
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]


# The years a date typed into a form may have (documents of the 1990s, rule versions and calendars ahead).


# A date typed in one of the accepted forms, whether or not the calendar has it (30/02/2026).
DATE_SHAPE = re.compile(r"\d{1,2}[/-]\d{1,2}[/-]\d{4}|\d{4}-\d{2}-\d{2}")


class VNDateField(DateField):
    """A date typed as dd/mm/yyyy (ISO also accepted, for the browser's date picker)."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("format", DATE_FORMATS)
        # A text box, not <input type=date>: the browser's picker shows mm/dd/yyyy on many PCs.
        kwargs.setdefault("widget", TextInput())
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "maxlength": 10,
                                        "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d/%m/%Y") if self.data else ""

    def process_formdata(self, valuelist):  # type: ignore[no-untyped-def]
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            if DATE_SHAPE.fullmatch(" ".join(valuelist or ()).strip()):  # 30/02/2026: the form is right
                raise ValueError(str(message("date_not_in_calendar"))) from exc
            raise ValueError(str(message("date_invalid"))) from exc
        if self.data is not None and not plausible(self.data):  # tracker.rules.plausible
            self.data = None
            raise ValueError(str(message("year_out_of_range", first=FIRST_YEAR, last=LAST_YEAR)))


class VNIntegerField(IntegerField):
    def process_formdata(self, valuelist):  # type: ignore[no-untyped-def]
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(_l("Please enter a whole number."))) from exc
        if self.data is not None and abs(self.data) > 2**31 - 1:  # beyond the databases' INTEGER columns
            self.data = None
            raise ValueError(str(_l("The number is too large.")))


T = TypeVar("T")


def picked_id(raw: object) -> int | None:
    """The id a hidden field or a choice sends: None when nothing was picked, 0 (no such record, which the
    service refuses with a message on the field) for anything that is not an id the databases can hold."""
    if not str(raw or "").strip():
        return None
    return whole_number(raw, 0)


def whole_number(raw: object, default: int | None = None) -> int | None:
    """A hidden id or version as typed (ASCII digits only), else ``default`` — never a ValueError, whatever
    a hostile client sends ("12abc", "0x1F", "²")."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > 2**31 - 1:
        return default  # beyond the databases' INTEGER columns: no such record
    return int(text)


def given(value: T | None) -> T:
    """A field that its validators require (InputRequired/DataRequired) after ``validate_on_submit``:
    never None there; a 400 rather than a crash if a form's validators and its view ever disagree."""
    if value is None:
        abort(400)
    return value


def form_version(raw: object) -> int:
    """The version a form was read at (a hidden field); -1 — never current, so a conflict — when malformed."""
    number = whole_number(raw)
    return -1 if number is None else number


# WTForms' own messages ("Not a valid choice.", "Invalid Choice: could not coerce.", a Length without its
# own message…) go through the application's catalogue: WTForms ships no Vietnamese. Listed here so that
# extraction keeps them in messages.pot; translated in messages.po.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."), _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("'%(value)s' is not a valid choice for this field."), _l("Not a valid integer value."),
    _l("Not a valid decimal value."), _l("Not a valid float value."), _l("Not a valid date value."),
    _l("Not a valid datetime value."), _l("Not a valid time value."), _l("Not a valid week value."),
    _l("Invalid input."), _l("Invalid email address."), _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."), _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
)


class AppTranslations:
    """The gettext/ngettext WTForms asks for, answered from the application's catalogue (unformatted:
    WTForms fills the placeholders itself)."""

    def gettext(self, string: str) -> str:
        return str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(get_translations().ungettext(singular, plural, n))


APP_TRANSLATIONS = AppTranslations()
# Every form, FlaskForm or plain wtforms.Form (the rows of a FieldList: split parts, mediators).
FlaskForm.Meta.get_translations = lambda self, form: APP_TRANSLATIONS  # type: ignore[method-assign,assignment]
DefaultMeta.get_translations = lambda self, form: APP_TRANSLATIONS  # type: ignore[method-assign,assignment]
