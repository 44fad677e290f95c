"""The audit log read as sentences: who did what to which record, each changed field by its name on the
forms and each coded value by its label ("Phân loại: Kiến nghị → Khiếu nại"), never a column name or code
where a word exists. The stored row is untouched; this is only how it is shown."""
from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.labels import label
from tracker.models import AuditEntry
from tracker.services.privacy.audit_queries import hides_who

ENTITY_LABELS = {
    "visits": _l("Visit"), "visit_citizens": _l("Visitor of a visit"), "citizens": _l("Citizen"),
    "reception_sessions": _l("Reception session"), "session_bookings": _l("Booking of a reception session"),
    "users": _l("User"), "units": _l("Unit"), "rule_params": _l("Rule value"), "api_tokens": _l("API token"),
    "letters": _l("Letter"), "letter_senders": _l("Sender of a letter"), "cases": _l("Case"),
    "case_events": _l("Step of a case"), "clocks": _l("Legal time limit"), "case_pauses": _l("Suspension"),
    "mediation_groups": _l("Mediation group"), "mediators": _l("Mediator"), "attachments": _l("Attached file"),
    "identity_grants": _l("Permission to see an identity"), "reports": _l("Report"),
    "deadline_rules": _l("Deadline rule"), "calendar_days": _l("Calendar day"), "instructions": _l("Instruction"),
    "notifications": _l("Notification"), "weekly_snapshots": _l("Frozen weekly list"),
    "legal_updates": _l("Legal update"), "privacy": _l("Personal data"),
}
ACTION_LABELS = {
    "create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted"), "login": _l("Logged in"),
    "logout": _l("Logged out"), "lockout": _l("Account locked"), "export": _l("Exported"),
    "import": _l("Imported"), "view_confidential": _l("Viewed confidential data"),
    "password_change": _l("Changed the password"), "merge": _l("Merged units"),
    "anonymise": _l("Anonymised personal data"), "identity_grant": _l("Granted sight of an identity"),
    "identity_grant_withdrawn": _l("Withdrew sight of an identity"),
    "subject_access_export": _l("Exported a citizen's own data"), "rekey_id_numbers": _l("Re-keyed ID numbers"),
    "legal_update": _l("Loaded a legal update"), "exchange_export": _l("Exported data for another unit"),
    "exchange_import": _l("Imported data from another unit"), "retime_notice": _l("Re-timed after a legal change"),
}
# One whole sentence per action (word order differs between languages): who, and which record.
SENTENCES = {
    "create": _l("%(who)s created %(record)s."), "update": _l("%(who)s changed %(record)s."),
    "delete": _l("%(who)s deleted %(record)s."), "login": _l("%(who)s logged in."),
    "logout": _l("%(who)s logged out."), "lockout": _l("The account of %(record)s was locked."),
    "export": _l("%(who)s exported %(record)s."), "import": _l("%(who)s imported %(record)s."),
    "view_confidential": _l("%(who)s viewed the protected identity on %(record)s."),
    "password_change": _l("%(who)s changed their password."),
}
FIELD_LABELS = {
    "visited_on": _l("Date of visit"), "visited_at": _l("Time"), "channel": _l("Channel"), "kind": _l("Kind"),
    "host": _l("Received by"), "host_name": _l("Name of the person receiving"),
    "people_count": _l("Number of people"), "content": _l("Content of the matter"),
    "classification": _l("Classification"), "subject": _l("Subject area"), "handling": _l("Handling"),
    "within_competence": _l("Within the commune's competence"), "referred_to": _l("Competent body"),
    "handling_document_no": _l("Document number"), "decline_ground": _l("Ground for refusing reception"),
    "note": _l("Notes"), "full_name": _l("Full name"), "id_number": _l("ID number"),
    "birth_year": _l("Year of birth"), "gender": _l("Gender"), "phone": _l("Phone"), "address": _l("Address"),
    "username": _l("Username"), "role": _l("Role"), "active": _l("Active"), "unit_id": _l("Unit"),
    "name": _l("Name"), "code": _l("Code"), "level": _l("Level"), "value": _l("Value"),
    "legal_basis": _l("Legal basis"), "certainty": _l("Certainty"), "effective_from": _l("In force from"),
    "effective_to": _l("In force until"), "status": _l("Status"), "summary": _l("Summary of the content"),
    "received_on": _l("Date received"), "decision": _l("Handling decision"), "outcome": _l("Outcome"),
    "handler_id": _l("Handler"), "due_on": _l("Due"), "register_no": _l("Register number"),
    "register_year": _l("Year"), "key": _l("Rule"), "days": _l("Days"), "day": _l("Day"), "basis": _l("Document"),
    "password_hash": _l("Password"), "token_hash": _l("API token"), "rows": _l("Rows"), "file": _l("File"),
    "purpose": _l("Purpose"), "action": _l("Action"), "case_id": _l("Case"), "letter_id": _l("Letter"),
    "visit_id": _l("Visit"), "user_id": _l("User"), "citizen_id": _l("Citizen"), "message": _l("Message"),
}
# Fields whose values are codes with a label group (the entity decides where one name means two things).
VALUE_GROUPS = {"classification": "classification", "subject": "subject", "handling": "handling",
                "host": "host", "gender": "gender", "role": "role", "level": "level",
                "decline_ground": "decline_ground", "certainty": "certainty", "outcome": "case_outcome",
                "decision": "letter_decision", "mediation_type": "mediation_type", "purpose": "read_purpose"}
ENTITY_VALUE_GROUPS = {
    ("letters", "kind"): "letter_kind", ("letters", "channel"): "letter_channel",
    ("letters", "status"): "letter_status",
    ("cases", "kind"): "case_kind", ("cases", "status"): "case_status", ("visits", "kind"): "kind",
    ("visits", "channel"): "channel", ("clocks", "status"): "clock_status", ("case_events", "action"): "case_action",
    ("reception_sessions", "kind"): "kind",
}
# Shown elsewhere in the row, or bookkeeping with no meaning to a reader (a notification's dedupe key and
# message parameters; its message code is labelled).
SNAPSHOT_SKIP = {"id", "created_at", "dedupe_key", "params"}


def record_name(entry: AuditEntry) -> str:
    name = str(ENTITY_LABELS.get(entry.entity, entry.entity))
    if hides_who(entry):
        return _("%(record)s (identity protected)", record=name)
    return f"{name} #{entry.entity_id}" if entry.entity_id else name


def sentence(entry: AuditEntry) -> str:
    who, record = entry.actor or _("the system"), record_name(entry)
    template = SENTENCES.get(entry.action)
    if template is not None:
        return str(template) % {"who": who, "record": record}
    action = str(ACTION_LABELS.get(entry.action, entry.action))
    return _("%(who)s: %(action)s (%(record)s).", who=who, action=action.lower(), record=record)


def _shown(entity: str, field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    group = ENTITY_VALUE_GROUPS.get((entity, field)) or VALUE_GROUPS.get(field)
    return label(group, value) if group else str(value)


def field_name(field: str) -> str:
    return str(FIELD_LABELS.get(field, field.replace("_", " ")))


def change_lines(entry: AuditEntry) -> list[dict[str, str]]:
    """The changes JSON as lines "field: before → after" (an update) or "field: value" (a snapshot)."""
    if not entry.changes:
        return []
    try:
        data = json.loads(entry.changes)
    except ValueError:
        return [{"field": "", "value": entry.changes}]
    if not isinstance(data, dict):
        return [{"field": "", "value": _shown(entry.entity, "", data)}]
    lines = []
    for name, value in data.items():
        if entry.action == "update" and isinstance(value, list) and len(value) == 2:
            lines.append({"field": field_name(name), "before": _shown(entry.entity, name, value[0]),
                          "after": _shown(entry.entity, name, value[1])})
        elif value is not None and name not in SNAPSHOT_SKIP:
            lines.append({"field": field_name(name), "value": _shown(entry.entity, name, value)})
    return lines
