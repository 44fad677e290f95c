"""The attack table: every route of the application and every request field that can name a person has an
entry saying which attack covers it, or why it carries no person. A new route, or a new field that takes a
citizen, a user or an ID number (API bodies and queries in tracker/api/schemas*.py, WTForms forms in
tracker/web/**/forms.py), fails this test until someone decides how it is attacked."""
from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from flask import Flask
from pydantic import BaseModel
from wtforms import Form
from wtforms.fields.core import UnboundField

from tests.security.attack import ROOT
from tracker import create_app

GATE = "test_identity_gate.py (F2: forms, API, booking, citizen number, linking)"
CRAWL = "test_need_to_know_crawl.py (every role, every GET page, export and API answer)"
OWN = "test_ownership.py (F4: assign, case actions, handling, handler choices)"
SPLIT = "test_split_and_duplicates.py (F3 split, F5 duplicates)"
GRANTS = "test_grants.py (the chair's grant of one record to one user, and its withdrawal)"
SESSIONS = "test_sessions.py (F1 password change, F6 logout)"
NO_PERSON = "no person: "
RULES = NO_PERSON + "installation-wide rule tables (deadlines, calendar, legal updates)"
STAFF = NO_PERSON + "staff accounts and units, no citizen (admin.users/admin.units)"

# "METHOD rule" → how it is attacked.
ROUTES: dict[str, str] = {
    "GET /": NO_PERSON + "a redirect",
    "GET /login": SESSIONS, "POST /login": SESSIONS, "POST /logout": SESSIONS,
    "GET /account/password": SESSIONS, "POST /account/password": SESSIONS,
    "GET /visits/": CRAWL, "GET /visits/new": GATE, "POST /visits/new": GATE, "GET /visits/<int:visit_id>": CRAWL,
    "GET /visits/<int:visit_id>/edit": CRAWL,
    "POST /visits/<int:visit_id>/edit": NO_PERSON + "edits a visit the user may already write (the crawl reads it)",
    "POST /visits/<int:visit_id>/delete": NO_PERSON + "deletes; answers a redirect",
    "GET /visits/export.xlsx": CRAWL, "GET /visits/print": CRAWL,
    "GET /visits/import": CRAWL,
    "POST /visits/import": NO_PERSON + "what the file brings (tests/reliability/test_import_fuzz.py)",
    "GET /visits/suggest": GATE, "GET /visits/sessions": CRAWL,
    "POST /visits/sessions": SESSIONS + " (the POST made with a cookie copied before logout)",
    "GET /visits/sessions/<int:session_id>": GATE, "POST /visits/sessions/<int:session_id>": GATE,
    "GET /citizens/": CRAWL, "GET /citizens/new": CRAWL, "POST /citizens/new": GATE,
    "GET /citizens/<int:citizen_id>": CRAWL, "GET /citizens/<int:citizen_id>/edit": GATE,
    "POST /citizens/<int:citizen_id>/edit": GATE,
    "GET /letters/": CRAWL, "GET /letters/new": GATE, "POST /letters/new": GATE,
    "GET /letters/track": CRAWL, "GET /letters/<int:letter_id>": SPLIT, "GET /letters/<int:letter_id>/receipt": SPLIT,
    "POST /letters/<int:letter_id>/handle": OWN, "POST /letters/<int:letter_id>/duplicate": GATE,
    "GET /letters/<int:letter_id>/split": CRAWL,
    "POST /letters/<int:letter_id>/split": SPLIT + " (the split is planted through the service)",
    "GET /cases/": CRAWL, "GET /cases/mine": CRAWL, "GET /cases/<int:case_id>": OWN,
    "POST /cases/<int:case_id>/actions/<action>": OWN, "POST /cases/<int:case_id>/clocks/<int:clock_id>/delay": OWN,
    "GET /cases/<int:case_id>/clocks/<int:clock_id>/why": CRAWL,
    "GET /attachments/<int:attachment_id>": CRAWL + " (files named after the denouncer)",
    "POST /attachments/upload": NO_PERSON + "stores the uploader's file on a record he may write",
    "POST /attachments/<int:attachment_id>/delete": NO_PERSON + "removes a file; answers a redirect",
    "GET /mediation/groups": CRAWL, "GET /mediation/groups/new": CRAWL,
    "POST /mediation/groups/new": NO_PERSON + "mediators are named by the one who types them",
    "GET /mediation/groups/<int:group_id>": CRAWL,
    "POST /mediation/groups/<int:group_id>": NO_PERSON + "mediators are named by the one who types them",
    "GET /mediation/book": CRAWL,
    "GET /weekly": CRAWL, "GET /weekly/": CRAWL, "GET /weekly/export.xlsx": CRAWL, "GET /weekly/print": CRAWL,
    "POST /weekly/review": NO_PERSON + "marks the week reviewed",
    "GET /instructions/": CRAWL, "GET /instructions/new": CRAWL,
    "POST /instructions/new": NO_PERSON + "the chair's text on a case (assignee choices: test_ownership.py)",
    "POST /instructions/<int:instruction_id>/done": NO_PERSON + "marks one's instruction done",
    "GET /inbox/": CRAWL, "GET /inbox/<int:note_id>": CRAWL, "POST /inbox/read-all": NO_PERSON + "marks notes read",
    "GET /dashboard": CRAWL, "GET /dashboard/": CRAWL,
    "GET /huong-dan/": NO_PERSON + "the user guide (static text and demo screenshots)",
    "GET /huong-dan/<slug>": NO_PERSON + "the user guide (static text and demo screenshots)",
    "GET /reports": CRAWL, "GET /reports/": CRAWL, "GET /reports/<period>": CRAWL,
    "GET /reports/<period>/compare": CRAWL, "GET /reports/<period>/download.<fmt>": CRAWL,
    "POST /reports/build": NO_PERSON + "counts only",
    "POST /reports/<period>/narrative": NO_PERSON + "the chair's text",
    "POST /reports/<period>/finalize": NO_PERSON + "counts only",
    "GET /admin/users": STAFF, "GET /admin/users/new": STAFF, "POST /admin/users/new": STAFF,
    "GET /admin/users/<int:user_id>/edit": STAFF, "POST /admin/users/<int:user_id>/edit": STAFF,
    "GET /admin/units": STAFF, "GET /admin/units/new": STAFF, "POST /admin/units/new": STAFF,
    "GET /admin/units/<int:unit_id>/edit": STAFF, "POST /admin/units/<int:unit_id>/edit": STAFF,
    "GET /admin/rules": RULES, "GET /admin/rules/new": RULES, "POST /admin/rules/new": RULES,
    "GET /admin/rules/<int:row_id>/edit": RULES, "POST /admin/rules/<int:row_id>/edit": RULES,
    "GET /admin/deadline-rules": RULES, "GET /admin/deadline-rules/<int:row_id>/edit": RULES,
    "POST /admin/deadline-rules/<int:row_id>/edit": RULES, "GET /admin/deadline-rules/<int:row_id>/new-version": RULES,
    "POST /admin/deadline-rules/<int:row_id>/new-version": RULES, "GET /admin/calendar": RULES,
    "GET /admin/calendar/day": RULES, "POST /admin/calendar/day": RULES, "GET /admin/legal-update": RULES,
    "POST /admin/legal-update": RULES,
    "GET /admin/audit": CRAWL + " (the audit view)",
    "GET /admin/tokens": NO_PERSON + "staff API tokens (owner, label, dates; never a citizen)",
    "POST /admin/tokens/<int:token_id>/revoke": NO_PERSON + "revokes a staff API token",
    "POST /grants/<kind>/<int:record_id>": GRANTS, "POST /grants/<int:grant_id>/withdraw": GRANTS,
    "GET /api/v1/openapi.json": NO_PERSON + "the public API description",
    "GET /api/v1/citizens": GATE, "POST /api/v1/citizens": GATE, "GET /api/v1/citizens/<int:citizen_id>": GATE,
    "PATCH /api/v1/citizens/<int:citizen_id>": GATE,
    "GET /api/v1/visits": CRAWL, "POST /api/v1/visits": GATE, "GET /api/v1/visits/<int:visit_id>": GATE,
    "PATCH /api/v1/visits/<int:visit_id>": NO_PERSON + "replaces a visit the user may write (its citizens[].id: GATE)",
    "DELETE /api/v1/visits/<int:visit_id>": NO_PERSON + "deletes; answers 204",
    "GET /api/v1/letters": CRAWL, "POST /api/v1/letters": GATE, "GET /api/v1/letters/<int:letter_id>": SPLIT,
    "POST /api/v1/letters/<int:letter_id>/handling": OWN,
    "GET /api/v1/cases": CRAWL, "GET /api/v1/cases/<int:case_id>": CRAWL,
    "POST /api/v1/cases/<int:case_id>/actions": OWN,
    "GET /api/v1/deadlines": NO_PERSON + "computes a date", "GET /api/v1/weekly": CRAWL,
    "GET /api/v1/reports/<period>": CRAWL,
    "GET /status/": NO_PERSON + "a tracking code's status, no name (tests/web/test_public_status.py)",
    "GET /api/v1/status/<code>": NO_PERSON + "a tracking code's status, no name (tests/web/test_public_status.py)",
}

# A request field's name that can designate a person (citizen, user) or a record that carries people.
PERSONISH = re.compile(r"(^id$|_id$|_ids$|^id_number$|^full_name$|^phone$|^address$|handler|^user|username|sender|"
                       r"citizen|visitors|representatives|^q$|assignee|grantee|other_senders)")
UNIT = NO_PERSON + "names a unit (the write goes there only for an admin above it: test_access_table.py)"
FIELDS: dict[str, str] = {
    # API bodies and queries
    "CitizenFields.full_name": GATE, "CitizenFields.id_number": GATE, "CitizenFields.phone": GATE,
    "CitizenFields.address": GATE, "CitizenCreate.unit_id": UNIT,
    "CitizenPatch.full_name": GATE, "CitizenPatch.id_number": GATE, "CitizenPatch.phone": GATE,
    "CitizenPatch.address": GATE, "CitizenQuery.q": GATE + " and " + CRAWL,
    "VisitCitizenIn.id": GATE, "VisitCitizenIn.full_name": GATE, "VisitCitizenIn.id_number": GATE,
    "VisitCitizenIn.phone": GATE, "VisitCitizenIn.address": GATE, "VisitFields.citizens": GATE,
    "VisitCreate.unit_id": GATE + " (the province admin's unit_id)", "VisitQuery.q": CRAWL,
    "VisitQuery.after_id": CRAWL + " (a list: the list's own gate)",
    "LetterCreate.senders": GATE, "LetterCreate.visit_id": GATE, "LetterCreate.duplicate_of_id": GATE,
    "LetterCreate.unit_id": GATE + " (the province admin's unit_id)", "LetterQuery.q": CRAWL,
    "HandlingCreate.handler_id": OWN, "CaseActionCreate.handler_id": OWN,
    "CaseActionCreate.mediation_group_id": NO_PERSON + "a mediation group of the unit (mediators, not citizens)",
    "CaseQuery.handler": CRAWL + " (a filter of a list)",
    # web forms
    "VisitForm.citizen_id": GATE, "VisitForm.full_name": GATE, "VisitForm.id_number": GATE,
    "VisitForm.phone": GATE, "VisitForm.address": GATE,
    "VisitForm.representatives": NO_PERSON + "names typed by the receptionist (an ID number typed: GATE)",
    "CitizenForm.full_name": GATE, "CitizenForm.id_number": GATE, "CitizenForm.phone": GATE,
    "CitizenForm.address": GATE, "VisitFilterForm.q": CRAWL,
    "BookingForm.citizen_id": GATE, "BookingForm.full_name": GATE, "BookingForm.id_number": GATE,
    "BookingForm.phone": GATE,
    "LetterForm.citizen_id": GATE, "LetterForm.full_name": GATE, "LetterForm.id_number": GATE,
    "LetterForm.phone": GATE, "LetterForm.address": GATE, "LetterForm.visit_id": GATE,
    "LetterForm.other_senders": NO_PERSON + "names typed by the receptionist",
    "LetterFilterForm.q": CRAWL, "HandlingForm.handler_id": OWN, "LinkDuplicateForm.original_id": GATE,
    "CaseFilterForm.q": CRAWL, "CaseFilterForm.handler": CRAWL + " (a filter of a list)",
    "ActionForm.handler_id": OWN,
    "ActionForm.mediation_group_id": NO_PERSON + "a mediation group of the unit (mediators, not citizens)",
    "UnitEditForm.address": NO_PERSON + "a unit's address",
    "UserCreateForm.full_name": STAFF, "UserCreateForm.username": STAFF, "UserEditForm.full_name": STAFF,
    "AuditFilterForm.entity_id": CRAWL + " (the audit view)",
}


def routes(app: Flask) -> set[str]:
    return {f"{method} {rule.rule}" for rule in app.url_map.iter_rules() if not rule.rule.startswith("/static")
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}


def person_fields() -> set[str]:
    """Request fields (own fields of each API body/query model, every field of each web form) that can
    name a person."""
    from tracker.api.schemas import Body
    from tracker.api.schemas import Query

    found = set()
    for path in sorted((ROOT / "tracker" / "api").glob("schemas*.py")):
        module = importlib.import_module(f"tracker.api.{path.stem}")
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, Body | Query) and cls.__module__ == module.__name__):
                continue
            inherited = set().union(*(getattr(b, "model_fields", {}).keys() for b in cls.__mro__[1:]
                                      if issubclass(b, BaseModel)))
            found |= {f"{name}.{f}" for f in cls.model_fields if f not in inherited and PERSONISH.search(f)}
    for path in sorted((ROOT / "tracker" / "web").rglob("forms.py")):
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, Form) and cls.__module__ == module.__name__):
                continue
            found |= {f"{name}.{f}" for f in dir(cls)
                      if isinstance(getattr(cls, f, None), UnboundField) and PERSONISH.search(f)}
    return found


def _covered_files(table: dict[str, str]) -> set[str]:
    return {m for v in table.values() for m in re.findall(r"(test_\w+\.py)", v)}


def test_every_route_has_an_entry_in_the_attack_table() -> None:
    found = routes(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}))
    missing, stale = sorted(found - set(ROUTES)), sorted(set(ROUTES) - found)
    assert not missing, "routes with no entry in tests/security/test_route_table.py ROUTES (say which attack " \
                        "covers each, or why it carries no person):\n" + "\n".join(missing)
    assert not stale, "entries of ROUTES with no route (removed or renamed?):\n" + "\n".join(stale)
    here = Path(__file__).parent
    for name in _covered_files(ROUTES) | _covered_files(FIELDS):
        assert (here / name).exists() or list(ROOT.glob(f"tests/**/{name}")), f"{name} named by the table is missing"


def test_every_request_field_that_can_name_a_person_has_an_entry_in_the_attack_table() -> None:
    found = person_fields()
    missing, stale = sorted(found - set(FIELDS)), sorted(set(FIELDS) - found)
    assert not missing, "request fields that can name a person with no entry in FIELDS:\n" + "\n".join(missing)
    assert not stale, "entries of FIELDS with no such field (removed or renamed?):\n" + "\n".join(stale)
