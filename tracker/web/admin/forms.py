"""Forms of the administration pages (CSRF on, translated validator messages)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from tracker.labels import choices
from tracker.labels import label
from tracker.models.units import UNIT_LEVELS
from tracker.models.users import UNIT_ROLES
from tracker.services.legal.rule_admin import CERTAINTIES
from tracker.web.forms import OPTIONAL
from tracker.web.forms import REQUIRED
from tracker.web.forms import VNDateField
from tracker.web.forms import VNIntegerField

TOO_LONG = _l("This text is too long.")
PASSWORD_LENGTH = Length(min=10, message=_l("The password must have at least 10 characters."))
NUMBER_REQUIRED = InputRequired(message=_l("This field is required."))  # 0 is a valid value
PASSWORDS_EQUAL = EqualTo("password", message=_l("The two passwords differ."))


def weekday_choices() -> list[tuple[str, str]]:
    return choices("weekday", tuple(range(1, 8)), blank=str(_l("No fixed day")))  # type: ignore[arg-type]


class UserCreateForm(FlaskForm):
    username = StringField(_l("Username"), validators=[REQUIRED, Length(max=64, message=TOO_LONG)],
                           render_kw={"autocomplete": "off"})
    full_name = StringField(_l("Full name"), validators=[REQUIRED, Length(max=200, message=TOO_LONG)])
    role = SelectField(_l("Role"), validators=[REQUIRED])
    unit = SelectField(_l("Unit"), validators=[REQUIRED])
    password = PasswordField(_l("Password"), validators=[REQUIRED, PASSWORD_LENGTH],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"), validators=[REQUIRED, PASSWORDS_EQUAL],
                            render_kw={"autocomplete": "new-password"})

    def __init__(self, unit_choices: list[tuple[str, str]], *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.role.choices = choices("role", UNIT_ROLES)
        self.unit.choices = unit_choices


class UserEditForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[REQUIRED, Length(max=200, message=TOO_LONG)])
    role = SelectField(_l("Role"), validators=[REQUIRED])
    unit = SelectField(_l("Unit"), validators=[REQUIRED])
    active = BooleanField(_l("Active (may log in)"))
    password = PasswordField(_l("New password"), validators=[Optional(), PASSWORD_LENGTH],
                             description=_l("Leave empty to keep the current password."),
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"), validators=[PASSWORDS_EQUAL],
                            render_kw={"autocomplete": "new-password"})
    version = HiddenField()

    def __init__(self, unit_choices: list[tuple[str, str]], *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.role.choices = choices("role", UNIT_ROLES)
        self.unit.choices = unit_choices


class UnitCreateForm(FlaskForm):
    code = StringField(_l("Code"), validators=[REQUIRED, Length(max=32, message=TOO_LONG)])
    name = StringField(_l("Name"), validators=[REQUIRED, Length(max=200, message=TOO_LONG)])
    level = SelectField(_l("Level"), validators=[REQUIRED])
    parent = SelectField(_l("Parent unit"), validators=[REQUIRED])
    remote_area = BooleanField(_l("Remote area (vùng sâu, vùng xa)"))
    reception_weekday = SelectField(_l("Scheduled reception day of the chairperson"), validators=[OPTIONAL])

    def __init__(self, unit_choices: list[tuple[str, str]], *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.level.choices = choices("level", UNIT_LEVELS)
        self.parent.choices = unit_choices
        self.reception_weekday.choices = weekday_choices()


class UnitEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[REQUIRED, Length(max=200, message=TOO_LONG)])
    address = StringField(_l("Address"), validators=[Length(max=300, message=TOO_LONG)])
    remote_area = BooleanField(_l("Remote area (vùng sâu, vùng xa)"))
    reception_weekday = SelectField(_l("Scheduled reception day of the chairperson"), validators=[OPTIONAL])
    active = BooleanField(_l("Active"))
    # Optional as a group: a form posted without them (an older page, a script) keeps the settings.
    reminder_days = VNIntegerField(_l("Remind handlers this many days before a due date"), validators=[OPTIONAL])
    snapshot_weekday = SelectField(_l("Day the weekly list is frozen"), validators=[OPTIONAL])
    snapshot_time = StringField(_l("Time the weekly list is frozen (hh:mm)"),
                                validators=[OPTIONAL, Length(max=5, message=TOO_LONG)])
    report_convention = SelectField(_l("Report periods"), validators=[OPTIONAL])
    leading_zero = BooleanField(_l("Write numbers under ten with a leading zero in reports (“02 đơn”)"))
    report_basis = StringField(_l("Basis of the report (“Thực hiện …”), e.g. the plan or instruction number"),
                               validators=[Length(max=500, message=TOO_LONG)])
    # The standard assessment sentences of the report (off by default; the text may be reworded).
    sentence_routine = BooleanField(_l("Report says reception is routine"))
    sentence_routine_text = TextAreaField(_l("Wording"), validators=[Length(max=1000, message=TOO_LONG)])
    sentence_no_hot_spots = BooleanField(_l("Report says there are no hot spots"))
    sentence_no_hot_spots_text = TextAreaField(_l("Wording"), validators=[Length(max=1000, message=TOO_LONG)])
    sentence_no_beyond_level = BooleanField(_l("Report says no letters went beyond the level"))
    sentence_no_beyond_level_text = TextAreaField(_l("Wording"), validators=[Length(max=1000, message=TOO_LONG)])
    version = HiddenField()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.reception_weekday.choices = weekday_choices()
        self.snapshot_weekday.choices = [c for c in weekday_choices() if c[0]]
        self.report_convention.choices = choices("report_convention")


class RuleCorrectForm(FlaskForm):
    value = VNIntegerField(_l("Value"), validators=[NUMBER_REQUIRED])
    legal_basis = StringField(_l("Legal basis"), validators=[REQUIRED, Length(max=300, message=TOO_LONG)])
    certainty = SelectField(_l("Certainty"), validators=[REQUIRED])
    effective_to = VNDateField(_l("In force until"), validators=[OPTIONAL])
    note = TextAreaField(_l("Note"))
    version = HiddenField()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.certainty.choices = choices("certainty", CERTAINTIES)


class RuleVersionForm(FlaskForm):
    key = SelectField(_l("Rule"), validators=[REQUIRED])
    value = VNIntegerField(_l("Value"), validators=[NUMBER_REQUIRED])
    effective_from = VNDateField(_l("In force from"), validators=[REQUIRED])
    effective_to = VNDateField(_l("In force until"), validators=[OPTIONAL])
    legal_basis = StringField(_l("Legal basis"), validators=[REQUIRED, Length(max=300, message=TOO_LONG)])
    certainty = SelectField(_l("Certainty"), validators=[REQUIRED])
    note = TextAreaField(_l("Note"))

    def __init__(self, keys: list[str], *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.key.choices = [(k, f"{label('rule_key', k)} ({k})") for k in keys]
        self.certainty.choices = choices("certainty", CERTAINTIES)


class AuditFilterForm(FlaskForm):
    """GET filters of the audit log (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    unit = SelectField(_l("Unit"), validators=[OPTIONAL])
    entity = SelectField(_l("Record type"), validators=[OPTIONAL])
    action = SelectField(_l("Action"), validators=[OPTIONAL])
    actor = StringField(_l("By (username)"), validators=[OPTIONAL, Length(max=80, message=TOO_LONG)])
    entity_id = VNIntegerField(_l("Record number"), validators=[OPTIONAL])
    date_from = VNDateField(_l("From"), validators=[OPTIONAL])
    date_to = VNDateField(_l("To"), validators=[OPTIONAL])
