"""Forms of the letter register: registration, the list's filters, handling, splitting."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Optional

from tracker.labels import choices
from tracker.rules import lifecycle as lc
from tracker.rules import reception as rules
from tracker.web.forms import CHOICE_REQUIRED
from tracker.web.forms import CHOOSE
from tracker.web.forms import OPTIONAL
from tracker.web.forms import REQUIRED
from tracker.web.forms import VNDateField
from tracker.web.forms import VNIntegerField
from tracker.web.reception.forms import CitizenFields

YES_NO = (("", "—"), ("yes", _l("Yes")), ("no", _l("No")))
COMPLEXITY = (("0", _l("Ordinary")), ("1", _l("Complex")), ("2", _l("Especially complex")))


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class LetterForm(CitizenFields, FlaskForm):
    received_on = VNDateField(_l("Date received"), validators=[REQUIRED])
    channel = SelectField(_l("Channel"))
    from_body = StringField(_l("Sending body"), description=_l("The body that transferred the letter."))
    from_document_no = StringField(_l("Its document number"))
    from_document_date = VNDateField(_l("Its document date"), validators=[OPTIONAL])
    visit_id = SelectField(_l("Handed in at the visit"), validators=[OPTIONAL])
    kind = SelectField(_l("Kind of letter"), validators=[CHOICE_REQUIRED])
    mediation_type = SelectField(_l("Kind of mediation"), validators=[OPTIONAL])
    subject = SelectField(_l("Subject area"), validators=[CHOICE_REQUIRED])
    summary = TextAreaField(_l("Summary of the content"), validators=[REQUIRED])
    anonymous = BooleanField(_l("Anonymous (no clear name and address of the writer)"))
    complex = BooleanField(_l("Complex matter"))
    second_instance = BooleanField(_l("Second-instance complaint"))
    citizen_id = HiddenField()
    other_senders = TextAreaField(
        _l("Other senders"), description=_l("One per line: full name; ID number (optional)."))
    signer_count = VNIntegerField(
        _l("Number of signatories"), validators=[OPTIONAL],
        description=_l("Only when more people signed than are listed as senders."))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.gender.choices = choices("gender", blank="—")
        self.channel.choices = choices("letter_channel", lc.LETTER_CHANNELS)
        self.kind.choices = choices("letter_kind", lc.LETTER_KINDS, blank=CHOOSE)
        self.mediation_type.choices = choices("mediation_type", lc.MEDIATION_TYPES, blank="—")
        self.subject.choices = choices("subject", rules.SUBJECTS, blank=CHOOSE)
        self.visit_id.choices = [("", "—")]


class LetterFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    date_from = VNDateField(_l("From"), validators=[OPTIONAL])
    date_to = VNDateField(_l("To"), validators=[OPTIONAL])
    q = StringField(_l("Sender, ID number, register no. or tracking code"))
    kind = SelectField(_l("Kind of letter"), validators=[OPTIONAL])
    channel = SelectField(_l("Channel"), validators=[OPTIONAL])
    status = SelectField(_l("Status"), validators=[OPTIONAL])
    decision = SelectField(_l("Handling decision"), validators=[OPTIONAL])
    subject = SelectField(_l("Subject area"), validators=[OPTIONAL])

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.kind.choices = choices("letter_kind", lc.LETTER_KINDS, blank=_l("All"))
        self.channel.choices = choices("letter_channel", lc.LETTER_CHANNELS, blank=_l("All"))
        self.status.choices = choices("letter_status", lc.LETTER_STATUSES, blank=_l("All"))
        self.decision.choices = choices("letter_decision", lc.HANDLING_DECISIONS, blank=_l("All"))
        self.subject.choices = choices("subject", rules.SUBJECTS, blank=_l("All"))


class HandlingForm(FlaskForm):
    decision = SelectField(_l("Decision"), validators=[CHOICE_REQUIRED])
    on = VNDateField(_l("Date of the decision"), validators=[REQUIRED])
    eligible = SelectField(_l("Meets the conditions for handling"), validators=[OPTIONAL])
    within_competence = SelectField(_l("Within the commune's competence"), validators=[OPTIONAL])
    reason = TextAreaField(_l("Reason"))
    to_body = StringField(_l("Competent body (transferred or guided to)"))
    document_no = StringField(_l("Document number"))
    document_date = VNDateField(_l("Document date"), validators=[OPTIONAL])
    signer = StringField(_l("Signed by"))
    handler_id = SelectField(_l("Handler of the case"), validators=[OPTIONAL])
    complexity = SelectField(_l("Complexity"), default="0")
    complex = BooleanField(_l("Complex matter"))
    version = HiddenField()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.decision.choices = choices("letter_decision", lc.HANDLING_DECISIONS, blank=CHOOSE)
        self.eligible.choices = list(YES_NO)
        self.within_competence.choices = list(YES_NO)
        self.complexity.choices = list(COMPLEXITY)
        self.handler_id.choices = [("", "—")]


class SplitPartForm(Form):
    kind = SelectField(_l("Kind of letter"), validators=[Optional()])
    mediation_type = SelectField(_l("Kind of mediation"), validators=[Optional()])
    summary = TextAreaField(_l("Summary of this part"))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.kind.choices = choices("letter_kind", lc.LETTER_KINDS, blank="—")
        self.mediation_type.choices = choices("mediation_type", lc.MEDIATION_TYPES, blank="—")


class SplitForm(FlaskForm):
    parts = FieldList(FormField(SplitPartForm), min_entries=3, max_entries=len(lc.LETTER_KINDS))
    version = HiddenField()


class LinkDuplicateForm(FlaskForm):
    original_id = HiddenField()
    version = HiddenField()
