"""Forms of the reception desk."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import TimeField
from wtforms.validators import Optional
from wtforms.widgets import TextInput

from tracker.labels import choices
from tracker.rules import reception as rules
from tracker.web.forms import CHOICE_REQUIRED
from tracker.web.forms import CHOOSE
from tracker.web.forms import INPUT_REQUIRED
from tracker.web.forms import OPTIONAL
from tracker.web.forms import REQUIRED
from tracker.web.forms import VNDateField
from tracker.web.forms import VNIntegerField


class VNTimeField(TimeField):
    """hh:mm in a text box (the browser's time input shows AM/PM on an English-language PC)."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("widget", TextInput())
        kwargs.setdefault("render_kw", {"placeholder": "hh:mm", "maxlength": 5, "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):  # type: ignore[no-untyped-def]
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(_l("Please enter a time as hh:mm."))) from exc


class CitizenFields:
    """Fields of one citizen, shared by the visit form and the citizen form."""

    full_name = StringField(_l("Full name"))
    id_number = StringField(_l("ID number (CCCD)"), render_kw={"inputmode": "numeric", "maxlength": 14})
    birth_year = VNIntegerField(_l("Birth year"), validators=[OPTIONAL], render_kw={"inputmode": "numeric"})
    gender = SelectField(_l("Gender"), validators=[OPTIONAL])
    phone = StringField(_l("Phone"))
    address = StringField(_l("Address"))
    neighbourhood = StringField(_l("Neighbourhood (khu phố, thôn, tổ dân phố)"))


class VisitForm(CitizenFields, FlaskForm):
    citizen_id = HiddenField()
    visited_on = VNDateField(_l("Date of visit"), validators=[REQUIRED])
    visited_time = VNTimeField(_l("Time"), validators=[Optional()])
    register_no = VNIntegerField(_l("Register number"), validators=[OPTIONAL],
                                 description=_l("Leave empty: the next number is given automatically."))
    channel = SelectField(_l("Form of reception"))
    kind = SelectField(_l("Kind of reception"))
    host = SelectField(_l("Received by"))
    host_name = StringField(_l("Name of the person receiving"))
    people_count = VNIntegerField(_l("Number of people"), default=1, validators=[INPUT_REQUIRED])
    representatives = TextAreaField(
        _l("Representatives of the group"),
        description=_l("One per line: full name; ID number (optional)."))
    content = TextAreaField(_l("Content of the matter"), validators=[REQUIRED])
    classification = SelectField(_l("Classification"), validators=[CHOICE_REQUIRED])
    subject = SelectField(_l("Subject area"), validators=[CHOICE_REQUIRED])
    previously_handled_by = StringField(_l("Body that already handled the matter"))
    within_competence = BooleanField(_l("Within the commune's competence"), default=True)
    handling = SelectField(_l("Handling"), validators=[CHOICE_REQUIRED])
    handling_document_no = StringField(_l("Number of the guidance or transfer document"))
    referred_to = StringField(_l("Competent body (guided or transferred to)"))
    decline_ground = SelectField(_l("Ground for refusing reception"), validators=[OPTIONAL])
    result_followup = TextAreaField(_l("Follow-up of the result"))
    note = TextAreaField(_l("Notes"))
    version = HiddenField()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.gender.choices = choices("gender", blank="—")
        self.channel.choices = choices("channel", rules.VISIT_CHANNELS)
        self.kind.choices = choices("kind", rules.VISIT_KINDS)
        self.host.choices = choices("host", rules.VISIT_HOSTS)
        self.classification.choices = choices("classification", rules.CLASSIFICATIONS, blank=CHOOSE)
        self.subject.choices = choices("subject", rules.SUBJECTS, blank=CHOOSE)
        self.handling.choices = choices("handling", rules.VISIT_HANDLINGS, blank=CHOOSE)
        self.decline_ground.choices = choices("decline_ground", tuple(g.code for g in rules.DECLINE_GROUNDS),
                                              blank="—")


class CitizenForm(CitizenFields, FlaskForm):
    version = HiddenField()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.gender.choices = choices("gender", blank="—")


class VisitFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    date_from = VNDateField(_l("From"), validators=[OPTIONAL])
    date_to = VNDateField(_l("To"), validators=[OPTIONAL])
    q = StringField(_l("Name, ID number or register number"))
    classification = SelectField(_l("Classification"), validators=[OPTIONAL])
    kind = SelectField(_l("Kind of reception"), validators=[OPTIONAL])
    handling = SelectField(_l("Handling"), validators=[OPTIONAL])
    subject = SelectField(_l("Subject area"), validators=[OPTIONAL])
    host = SelectField(_l("Received by"), validators=[OPTIONAL])
    group_only = BooleanField(_l("Group visits only"))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.classification.choices = choices("classification", rules.CLASSIFICATIONS, blank=_l("All"))
        self.kind.choices = choices("kind", rules.VISIT_KINDS, blank=_l("All"))
        self.handling.choices = choices("handling", rules.VISIT_HANDLINGS, blank=_l("All"))
        self.subject.choices = choices("subject", rules.SUBJECTS, blank=_l("All"))
        self.host.choices = choices("host", rules.VISIT_HOSTS, blank=_l("All"))


class SessionForm(FlaskForm):
    held_on = VNDateField(_l("Date"), validators=[REQUIRED])
    kind = SelectField(_l("Kind of reception"))
    host = SelectField(_l("Held by"))
    host_name = StringField(_l("Name of the leader"))
    place = StringField(_l("Place"))
    note = TextAreaField(_l("Notes"))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.kind.choices = choices("kind", rules.SESSION_KINDS)
        self.host.choices = choices("host", rules.SESSION_HOSTS)


class BookingForm(FlaskForm):
    citizen_id = HiddenField()
    full_name = StringField(_l("Full name"))
    id_number = StringField(_l("ID number (CCCD)"), render_kw={"inputmode": "numeric", "maxlength": 14})
    phone = StringField(_l("Phone"))
    topic = TextAreaField(_l("Matter to present"), validators=[REQUIRED])
    classification = SelectField(_l("Classification"))
    people_count = VNIntegerField(_l("Number of people"), default=1, validators=[INPUT_REQUIRED])

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.classification.choices = choices("classification", rules.CLASSIFICATIONS)
