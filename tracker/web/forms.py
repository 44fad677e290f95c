"""Shared form pieces: Vietnamese validator messages and dd/mm/yyyy dates."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms import IntegerField
from wtforms.validators import InputRequired
from wtforms.validators import Optional
from wtforms.widgets import TextInput

# InputRequired, not DataRequired: DataRequired wipes the parse error of a bad date and calls 0 "missing".
REQUIRED = InputRequired(message=_l("This field is required."))
OPTIONAL = Optional()
INPUT_REQUIRED = REQUIRED
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]


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
            raise ValueError(str(_l("Please enter a date as dd/mm/yyyy."))) from exc


class VNIntegerField(IntegerField):
    def process_formdata(self, valuelist):  # type: ignore[no-untyped-def]
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(_l("Please enter a whole number."))) from exc
        if self.data is not None and abs(self.data) > 2**31 - 1:  # beyond the databases' INTEGER columns
            self.data = None
            raise ValueError(str(_l("The number is too large.")))
