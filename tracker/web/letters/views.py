"""The letter register: register a letter, list and find letters, read one, handle it, split it,
print its receipt. Thin views over services.letters / letter_split / receipts.

Denunciations: the senders are masked for those not cleared (services.confidentiality), every
sight of them is audited, and a search by a sender's name finds only the letters the user may see.
"""
from __future__ import annotations

import re
from datetime import date
from datetime import timedelta

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.messages import message
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import User
from tracker.models import Visit
from tracker.rules import lifecycle as lc
from tracker.rules.reporting import place_name
from tracker.services import access
from tracker.services.cases import case_queries
from tracker.services.clock import local_now
from tracker.services.clock import local_today
from tracker.services.errors import DomainError
from tracker.services.legal import deadlines
from tracker.services.letters import attachments as attachment_service
from tracker.services.letters import letter_queries
from tracker.services.letters import register as service
from tracker.services.letters.letter_split import SPLIT_REASON
from tracker.services.letters.letter_split import may_split
from tracker.services.letters.letter_split import split_letter
from tracker.services.privacy import confidentiality
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.receipts import letter_by_tracking_code
from tracker.services.reception.receipts import qr_svg
from tracker.services.reception.visits import VisitorInput
from tracker.services.reception.visits import recent_visits
from tracker.web import merged
from tracker.web.errors import attach_errors
from tracker.web.forms import form_version
from tracker.web.forms import given
from tracker.web.forms import picked_id
from tracker.web.forms import whole_number
from tracker.web.grants import views as grant_views
from tracker.web.letters.forms import HandlingForm
from tracker.web.letters.forms import LetterFilterForm
from tracker.web.letters.forms import LetterForm
from tracker.web.letters.forms import LinkDuplicateForm
from tracker.web.letters.forms import SplitForm
from tracker.web.letters.forms import yes_no
from tracker.web.permissions import need
from tracker.web.reception.views import get_citizen_or_none

bp = Blueprint("letters", __name__, url_prefix="/letters")
CITIZEN_FIELDS = ("full_name", "id_number", "birth_year", "gender", "phone", "address", "neighbourhood")
RECENT_VISIT_DAYS = 14


def form_errors(form: object, error: DomainError, aliases: dict[str, str] | None = None) -> list[str]:
    """The messages for the top of the form: a summary when fields are marked, then what fits no field."""
    leftover = attach_errors(form, error, aliases)
    return ([message("invalid")] if error.fields else []) + leftover


def visible_letter(letter_id: int) -> Letter:
    """A letter the user may read: its own scope, or a former commune merged into its unit (read only)."""
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        abort(404)
    merged.check_readable(letter.unit_id)
    return letter


def writable_letter(letter_id: int) -> Letter:
    """A letter the user may change: its own, or a former commune's letter not yet handled (the new commune
    continues it); 403 with the reason for a former commune's handled letter."""
    letter = visible_letter(letter_id)
    merged.check_writable(letter)
    return letter


def may_write(letter: Letter) -> bool:
    if access.continues(current_user, letter):  # a former commune's letter not yet handled
        return True
    return (letter.unit_id == current_user.unit_id or access.can(current_user, "units.write_below")) \
        and access.can_see_unit(current_user, letter.unit_id)


def case_url(case_id: int) -> str:
    """The case page of the cases blueprint (built by another part of the app; a plain path until then)."""
    if "cases.show_case" in current_app.view_functions:
        return url_for("cases.show_case", case_id=case_id)
    return f"/cases/{case_id}"


# --- the list ---------------------------------------------------------------------------------

def letter_filter(form: LetterFilterForm) -> letter_queries.LetterFilter:
    """The list's filter from the form (a field in error is left out) and a report's figure links."""
    date_from = form.date_from.data if not form.date_from.errors else None
    date_to = form.date_to.data if not form.date_to.errors else None
    if date_from and date_to and date_to < date_from:
        form.date_to.errors = list(form.date_to.errors) + [_("The end date cannot be before the start date.")]
        date_to = None
    chosen = {name: getattr(form, name).data or None if not getattr(form, name).errors else None
              for name in ("kind", "channel", "status", "decision", "subject")}
    try:
        undecided_on: date | None = date.fromisoformat(request.args.get("undecided_on", ""))
    except ValueError:
        undecided_on = None
    scope = merged.records_scope()
    return letter_queries.LetterFilter(
        q=form.q.data or "", date_from=date_from, date_to=date_to, **chosen,
        merged=scope != "own", only_merged=scope == "former",
        report_unit_id=request.args.get("unit", type=int) or None, undecided_on=undecided_on,
        eligible=request.args.get("eligible") == "1", within_competence=request.args.get("within") == "1")


def letters_query(form: LetterFilterForm):  # type: ignore[no-untyped-def]
    return letter_queries.letters_query(current_user, letter_filter(form))


@bp.route("/")
@login_required
def list_letters():  # type: ignore[no-untyped-def]
    need("letters.read")
    form = LetterFilterForm(request.args)
    form.validate()
    stmt = letters_query(form).options(selectinload(Letter.senders).selectinload(LetterSender.citizen))
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], max_per_page=200, error_out=False)
    ids = [letter.id for letter in page.items]
    hidden = confidentiality.record_letter_reads(current_user, page.items, "list")
    return render_template("letters/list.html", form=form, page=page, hidden=hidden,
                           due=letter_queries.nearest_due(ids),
                           cases=letter_queries.cases_of(ids), today=local_today(), case_url=case_url,
                           can_write=access.can(current_user, "letters.write"))


@bp.route("/track")
@login_required
def track():  # type: ignore[no-untyped-def]
    """Jump from a tracking code (as printed on the receipt) to the letter, or to its case."""
    need("letters.read")
    text = request.args.get("code", "")
    letter = letter_by_tracking_code(text)
    if letter is None or not access.can_read_unit(current_user, letter.unit_id):
        flash(_("No letter has the tracking code “%(code)s”.", code=text.strip()[:20]), "error")
        return redirect(url_for(".list_letters"))
    opened = letter_queries.cases_of([letter.id]).get(letter.id)
    if opened is not None and access.can(current_user, "cases.read"):
        return redirect(case_url(opened.id))
    return redirect(url_for(".show_letter", letter_id=letter.id))


# --- registration -----------------------------------------------------------------------------

def _other_senders(text: str | None) -> list[VisitorInput]:
    result = []
    for line in (text or "").splitlines():
        name, _sep, number = line.partition(";")
        if name.strip():
            result.append(VisitorInput(citizen=CitizenInput(full_name=name.strip(), id_number=number.strip() or None)))
    return result


def letter_input(form: LetterForm) -> service.LetterInput:
    senders: list[VisitorInput] = []
    if picked_id(form.citizen_id.data) is not None:
        senders.append(VisitorInput(citizen_id=picked_id(form.citizen_id.data)))
    elif (form.full_name.data or "").strip():
        senders.append(VisitorInput(citizen=CitizenInput(**{n: getattr(form, n).data for n in CITIZEN_FIELDS})))
    senders += _other_senders(form.other_senders.data)
    transferred = form.channel.data == "transferred_in"
    return service.LetterInput(
        received_on=given(form.received_on.data), channel=form.channel.data, kind=form.kind.data,
        summary=form.summary.data or "", senders=[] if form.anonymous.data else senders,
        subject=form.subject.data, mediation_type=form.mediation_type.data or None,
        anonymous=bool(form.anonymous.data), signer_count=form.signer_count.data,
        from_body=form.from_body.data if transferred else None,
        from_document_no=form.from_document_no.data if transferred else None,
        from_document_date=form.from_document_date.data if transferred else None,
        visit_id=picked_id(form.visit_id.data) if form.channel.data == "visit"
        else None,
        complex=bool(form.complex.data), second_instance=bool(form.second_instance.data),
    )


def _aliases(error: DomainError, first_is_new: bool) -> dict[str, str]:
    aliases = {f"senders.0.{n}": n for n in CITIZEN_FIELDS} | {"senders.0.citizen_id": "full_name",
                                                               "senders": "full_name"}
    for name in error.fields:
        if name.startswith("senders.") and not name.startswith("senders.0."):
            aliases[name] = "other_senders"
    if not first_is_new:  # the first sender came from the "other senders" lines
        aliases.update({name: "other_senders" for name in error.fields if name.startswith("senders.0.")})
    return aliases


def _visit_choices(unit_id: int, chosen: int | None) -> list[tuple[str, str]]:
    visits = recent_visits(unit_id, local_today() - timedelta(days=RECENT_VISIT_DAYS), chosen)
    # Register number, date and the start of the content: no names here (a denunciation's visitor).
    return [("", "—")] + [(str(v.id), f"{v.register_no}/{v.register_year} · {v.visited_on:%d/%m/%Y} · "
                                      f"{(v.content or '')[:60]}") for v in visits]


def _prefill_from_visit(form: LetterForm, visit: Visit) -> None:
    form.channel.data, form.visit_id.data = "visit", str(visit.id)
    form.received_on.data = visit.visited_on
    form.summary.data = visit.content
    form.subject.data = visit.subject
    if visit.classification in lc.LETTER_KINDS:
        form.kind.data = visit.classification
    if confidentiality.may_see_identity(current_user, visit):
        confidentiality.hidden_visit_ids(current_user, [visit], purpose="letter_form")
        primary = next((vc for vc in visit.visitors if not vc.is_representative), None)
        if primary is not None:
            form.citizen_id.data = str(primary.citizen_id)
            for name in CITIZEN_FIELDS:
                getattr(form, name).data = getattr(primary.citizen, name)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_letter():  # type: ignore[no-untyped-def]
    need("letters.write")
    unit = access.writable_unit(current_user)
    form = LetterForm()
    errors: list[str] = []
    prefill = request.args.get("visit_id", "")
    chosen_visit = whole_number(form.visit_id.data)
    if request.method == "GET":
        form.received_on.data = local_today()
        if whole_number(prefill) is not None:
            visit = db.session.get(Visit, whole_number(prefill))
            if visit is not None and visit.unit_id == unit.id:
                _prefill_from_visit(form, visit)
                chosen_visit = visit.id
    form.visit_id.choices = _visit_choices(unit.id, chosen_visit)
    if form.validate_on_submit():
        data = letter_input(form)
        try:
            letter = service.register_letter(current_user, unit, data, local_today())
        except DomainError as exc:
            first_is_new = bool(form.citizen_id.data) or bool((form.full_name.data or "").strip())
            errors = form_errors(form, exc, _aliases(exc, first_is_new))
        else:
            flash(_("Letter no. %(no)s/%(year)s has been registered. Tracking code: %(code)s.",
                    no=letter.register_no, year=letter.register_year, code=letter.tracking_code), "success")
            return redirect(url_for(".show_letter", letter_id=letter.id))
    elif request.method == "POST":
        errors = [message("invalid")]
    chosen = None
    if whole_number(form.citizen_id.data) is not None:
        chosen = get_citizen_or_none(whole_number(form.citizen_id.data))  # type: ignore[arg-type]
    return render_template("letters/form.html", form=form, errors=errors, chosen=chosen), (
        400 if request.method == "POST" else 200)


# --- one letter -------------------------------------------------------------------------------

def _handler_choices(unit_id: int) -> list[tuple[str, str]]:
    users = db.session.scalars(access.assignable_handlers([unit_id]))
    return [("", "—")] + [(str(u.id), u.full_name or u.username) for u in users]


def _handling_form(letter: Letter, formdata: object = None) -> HandlingForm:
    form = HandlingForm(formdata=formdata) if formdata is not None else HandlingForm()
    form.handler_id.choices = _handler_choices(access.acting_unit_id(current_user, letter))
    if formdata is None:
        form.on.data = local_today()
        form.version.data = str(letter.version)
        form.complex.data = letter.complex
    return form


def render_letter(letter: Letter, handling: HandlingForm | None = None, errors: list[str] | None = None,
                  status: int = 200):  # type: ignore[no-untyped-def]
    hidden = confidentiality.record_letter_reads(current_user, [letter], "show")
    letter_clocks = case_queries.clocks_of(letter_id=letter.id)
    bases = {rule.code: rule for rule in deadlines.deadline_rules()}
    opened = letter_queries.cases_of([letter.id]).get(letter.id)
    duplicates: list[tuple[Letter, float]] = []
    if letter.id not in hidden and letter.status == "registered" and letter.duplicate_of_id is None:
        duplicates = service.likely_duplicates(current_user, letter.unit_id, [s.citizen_id for s in letter.senders],
                                               letter.summary, exclude_id=letter.id)
        duplicates = [(d, score) for d, score in duplicates if d.duplicate_of_id != letter.id]
    files = attachment_service.attachment_rows(current_user, letter=letter)
    can_handle = (access.can(current_user, "letters.handle") and may_write(letter)
                  and letter.status == "registered")
    can_write = access.can(current_user, "letters.write") and may_write(letter)
    if handling is None and can_handle:
        handling = _handling_form(letter)
    return render_template(
        "letters/show.html", letter=letter, hidden=letter.id in hidden, read_only=merged.is_read_only(letter),
        former=merged.is_former(letter.unit_id), clocks=letter_clocks, rules=bases,
        opened=opened, case_url=case_url, duplicates=duplicates, attachments=files,
        can_upload=attachment_service.may_upload(current_user, letter=letter),
        handling=handling if can_handle else None, errors=errors or [], can_write=can_write,
        can_split=(can_write or can_handle) and letter.status == "registered" and may_split(current_user, letter),
        today=local_today(),
        split_reason=SPLIT_REASON, link_form=LinkDuplicateForm(),
        **service.related_letters(current_user, letter),
        grants=grant_views.context(letter, letter.id not in hidden),
    ), status


@bp.route("/<int:letter_id>")
@login_required
def show_letter(letter_id: int):  # type: ignore[no-untyped-def]
    need("letters.read")
    return render_letter(visible_letter(letter_id))


@bp.route("/<int:letter_id>/handle", methods=["POST"])
@login_required
def handle_letter(letter_id: int):  # type: ignore[no-untyped-def]
    need("letters.handle")
    letter = writable_letter(letter_id)
    if not may_write(letter):
        abort(403)
    form = _handling_form(letter, request.form)
    if not form.validate_on_submit():
        return render_letter(letter, form, [message("invalid")], 400)
    complexity = int(form.complexity.data or 0) if letter.kind == "denunciation" else (
        1 if letter.kind == "complaint" and form.complex.data else 0)
    data = service.HandlingInput(
        decision=form.decision.data, on=given(form.on.data), version=form_version(form.version.data),
        eligible=yes_no(form.eligible.data), within_competence=yes_no(form.within_competence.data),
        reason=form.reason.data, to_body=form.to_body.data, document_no=form.document_no.data,
        document_date=form.document_date.data, signer=form.signer.data or None,
        handler_id=picked_id(form.handler_id.data),
        complexity=complexity,
    )
    offered = {picked_id(choice[0]) for choice in form.handler_id.choices or ()}
    if data.handler_id is not None and data.handler_id not in offered:
        abort(400)
    try:
        case = service.decide_handling(current_user, letter, data, local_today())
    except DomainError as exc:
        letter = visible_letter(letter_id)
        return render_letter(letter, form, form_errors(form, exc), 409 if exc.code in (
            "stale", "letter_already_handled") else 400)
    if case is not None:
        flash(_("The letter has been accepted for resolution: case no. %(id)s.", id=case.number), "success")
        return redirect(case_url(case.id))
    flash(_("The handling of the letter has been recorded."), "success")
    return redirect(url_for(".show_letter", letter_id=letter.id))


@bp.route("/<int:letter_id>/duplicate", methods=["POST"])
@login_required
def link_duplicate(letter_id: int):  # type: ignore[no-untyped-def]
    need("letters.write", "letters.handle")
    letter = writable_letter(letter_id)
    if not may_write(letter):
        abort(403)
    form = LinkDuplicateForm()
    original_id = whole_number(form.original_id.data) if form.validate_on_submit() else None
    if original_id is None:
        abort(400)
    try:
        service.link_duplicate(current_user, letter, original_id,
                               version=form_version(form.version.data))
    except DomainError as exc:
        flash(" ".join(attach_errors(None, exc)), "error")
    else:
        flash(_("The letter has been linked as a duplicate."), "success")
    return redirect(url_for(".show_letter", letter_id=letter_id))


@bp.route("/<int:letter_id>/split", methods=["GET", "POST"])
@login_required
def split(letter_id: int):  # type: ignore[no-untyped-def]
    need("letters.write", "letters.handle")
    letter = writable_letter(letter_id)
    if not may_write(letter) or not may_split(current_user, letter):
        abort(403)
    form = SplitForm()
    errors: list[str] = []
    if request.method == "GET":
        form.version.data = str(letter.version)
        form.parts[0].kind.data = letter.kind
        form.parts[0].mediation_type.data = letter.mediation_type or ""
    if form.validate_on_submit():
        parts = [(p.kind.data or "", p.summary.data or "", p.mediation_type.data or None) for p in form.parts
                 if (p.summary.data or "").strip() or p.kind.data]
        try:
            created = split_letter(current_user, letter, parts, local_today(), version=form_version(form.version.data))
        except DomainError as exc:
            letter = visible_letter(letter_id)
            errors = _split_errors(form, exc)
        else:
            flash(_("The letter has been split into letters %(numbers)s.",
                    numbers=", ".join(f"{x.register_no}/{x.register_year}" for x in created)), "success")
            return redirect(url_for(".show_letter", letter_id=letter.id))
    elif request.method == "POST":
        errors = [message("invalid")]
    hidden = confidentiality.record_letter_reads(current_user, [letter], "split")
    return render_template("letters/split.html", letter=letter, form=form, errors=errors,
                           hidden=letter.id in hidden), (400 if request.method == "POST" else 200)


def _split_errors(form: SplitForm, error: DomainError) -> list[str]:
    """Errors "parts.N.field" of the service go on the Nth filled row of the form; the rest on top."""
    if not error.fields:
        return [message(error.code, **error.params)]
    filled = [p for p in form.parts if (p.summary.data or "").strip() or p.kind.data]
    leftover = []
    for name, code in error.fields.items():
        match = re.fullmatch(r"parts\.(\d+)\.(\w+)", name)
        field = getattr(filled[int(match[1])], match[2], None) if match and int(match[1]) < len(filled) else None
        if field is not None:
            field.errors = list(field.errors) + [message(code)]
        else:
            leftover.append(message(code))
    return leftover or [message("invalid")]


# --- the receipt ------------------------------------------------------------------------------

@bp.route("/<int:letter_id>/receipt")
@login_required
def receipt(letter_id: int):  # type: ignore[no-untyped-def]
    need("letters.read")
    letter = visible_letter(letter_id)
    hidden = confidentiality.record_letter_reads(current_user, [letter], "receipt")
    # A scan's file name can name the denouncer: only those who may see the senders see the list.
    files = attachment_service.attachment_rows(current_user, letter=letter)
    receiver = db.session.get(User, letter.created_by_id) if letter.created_by_id else None
    return render_template("letters/receipt.html", letter=letter, hidden=letter.id in hidden,
                           attachments=files, qr=qr_svg(letter.tracking_code), receiver=receiver,
                           printed_at=local_now(), place=place_name(letter.unit.name))
