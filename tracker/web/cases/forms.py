"""Forms of the case pages: the list's filters, one form per legal action, the reason for a delay."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import Form
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField

from tracker.labels import choices
from tracker.rules import lifecycle as lc
from tracker.web.forms import OPTIONAL
from tracker.web.forms import REQUIRED
from tracker.web.forms import VNDateField


class CaseFilterForm(Form):
    """GET filters (no CSRF: they change nothing)."""

    state = SelectField(_l("Cases"), validators=[OPTIONAL])
    kind = SelectField(_l("Kind"), validators=[OPTIONAL])
    status = SelectField(_l("Status"), validators=[OPTIONAL])
    handler = SelectField(_l("Handler"), validators=[OPTIONAL])
    due_before = VNDateField(_l("Due on or before"), validators=[OPTIONAL])
    q = StringField(_l("Search"), render_kw={"placeholder": _l("Case no., letter no. or words")})
    overdue = BooleanField(_l("Overdue only"))

    def __init__(self, *args, handlers=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.state.choices = [("open", str(_l("Open"))), ("closed", str(_l("Closed"))), ("all", str(_l("All")))]
        self.kind.choices = choices("case_kind", lc.CASE_KINDS, blank="—")
        self.status.choices = choices("case_status", lc.CASE_STATUSES, blank="—")
        self.handler.choices = [("", "—")] + [(str(u.id), u.full_name or u.username) for u in handlers]


class ActionForm(FlaskForm):
    """Every field any action may need; each action's form shows only its own (ACTION_FIELDS).
    The CSRF token is checked by CSRFProtect for the whole application (the forms are prefixed)."""

    class Meta:
        csrf = False

    on = VNDateField(_l("Date"), validators=[REQUIRED])
    outcome = SelectField(_l("Outcome"), validators=[OPTIONAL])
    handler_id = SelectField(_l("Handler"), validators=[OPTIONAL])
    mediation_group_id = SelectField(_l("Mediation group"), validators=[OPTIONAL])
    document_no = StringField(_l("Document number"), render_kw={"maxlength": 60})
    document_date = VNDateField(_l("Document date"), validators=[OPTIONAL])
    signer = StringField(_l("Signed by"), render_kw={"maxlength": 200})
    minutes = TextAreaField(_l("Minutes"))
    note = TextAreaField(_l("Note"))
    version = HiddenField()


class DelayForm(FlaskForm):
    class Meta:
        csrf = False

    reason = SelectField(_l("Reason for the delay"), validators=[REQUIRED])
    note = TextAreaField(_l("Details"))
    version = HiddenField()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.reason.choices = choices("delay_reason", lc.DELAY_REASONS, blank="—")
