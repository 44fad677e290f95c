"""The reception log book: list, log, correct and view visits; sessions of the chairperson."""
from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required

from tracker.extensions import db
from tracker.models import ReceptionSession
from tracker.models import Visit
from tracker.rules.text import fold_diacritics
from tracker.services import access
from tracker.services.clock import local_now
from tracker.services.clock import local_today
from tracker.services.errors import DomainError
from tracker.services.privacy import confidentiality
from tracker.services.reception import session_queries
from tracker.services.reception import visits as service
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.citizens import likely_matches
from tracker.services.reports import report_stats
from tracker.web import merged
from tracker.web.errors import attach_errors
from tracker.web.forms import form_version
from tracker.web.forms import given
from tracker.web.forms import picked_id
from tracker.web.forms import whole_number
from tracker.web.grants import views as grant_views
from tracker.web.permissions import need
from tracker.web.reception.forms import SessionForm
from tracker.web.reception.forms import VisitFilterForm
from tracker.web.reception.forms import VisitForm

bp = Blueprint("reception", __name__, url_prefix="/visits")
merged.install(bp)
CITIZEN_FIELDS = ("full_name", "id_number", "birth_year", "gender", "phone", "address", "neighbourhood")


def visible_visit(visit_id: int) -> Visit:
    """A visit the user may read: its own scope, or a former commune merged into its unit (read only)."""
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        abort(404)
    merged.check_readable(visit.unit_id)
    return visit


def writable_visit(visit_id: int) -> Visit:
    """A visit the user may change: 404 outside what it reads, 403 (with the reason) for a former commune's."""
    visit = visible_visit(visit_id)
    merged.check_writable(visit.unit_id)
    return visit


def filter_from_args() -> tuple[VisitFilterForm, service.VisitFilter]:
    form = VisitFilterForm(request.args)
    form.validate()
    f = service.VisitFilter(
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
        q=form.q.data or None,
        group_only=bool(form.group_only.data),
        records=merged.records_scope(),
    )
    for name in ("classification", "kind", "handling", "subject", "host"):
        value = getattr(form, name).data
        setattr(f, name, value if value and not getattr(form, name).errors else None)
    return form, f


def _representatives(text: str | None, visit: Visit | None) -> list[service.VisitorInput]:
    """Lines "Full name; ID number" → representatives; a name already on the visit keeps its citizen."""
    known = {}
    if visit is not None:
        known = {fold_diacritics(vc.citizen.full_name): vc.citizen_id for vc in visit.visitors if vc.is_representative}
    result = []
    for line in (text or "").splitlines():
        name, _sep, number = line.partition(";")
        if not name.strip():
            continue
        existing = known.get(fold_diacritics(name))
        if existing is not None and not number.strip():
            result.append(service.VisitorInput(citizen_id=existing, is_representative=True))
        else:
            result.append(service.VisitorInput(
                citizen=CitizenInput(full_name=name, id_number=number.strip() or None), is_representative=True))
    return result


def visit_input(form: VisitForm, visit: Visit | None = None) -> service.VisitInput:
    primary: service.VisitorInput
    if picked_id(form.citizen_id.data) is not None:
        primary = service.VisitorInput(citizen_id=picked_id(form.citizen_id.data))
    else:
        primary = service.VisitorInput(citizen=CitizenInput(**{n: getattr(form, n).data for n in CITIZEN_FIELDS}))
    visitors = [primary] + _representatives(form.representatives.data, visit)
    return service.VisitInput(
        visited_on=given(form.visited_on.data),
        visited_time=form.visited_time.data,
        register_no=form.register_no.data,
        channel=form.channel.data, kind=form.kind.data, host=form.host.data, host_name=form.host_name.data,
        people_count=form.people_count.data or 0,
        visitors=visitors,
        content=form.content.data or "", classification=form.classification.data, subject=form.subject.data,
        previously_handled_by=form.previously_handled_by.data, within_competence=bool(form.within_competence.data),
        handling=form.handling.data, handling_document_no=form.handling_document_no.data,
        referred_to=form.referred_to.data, decline_ground=form.decline_ground.data or None,
        result_followup=form.result_followup.data, note=form.note.data,
    )


FIELD_ALIASES = {f"visitors.0.{n}": n for n in CITIZEN_FIELDS} | {"visitors.0.citizen_id": "full_name",
                                                                  "visitors": "full_name"}


def _alias_errors(error: DomainError) -> dict[str, str]:
    aliases = dict(FIELD_ALIASES)
    for name in error.fields:
        if name.startswith("visitors.") and not name.startswith("visitors.0."):
            aliases[name] = "representatives"
    return aliases


@bp.route("/")
@login_required
def list_visits():  # type: ignore[no-untyped-def]
    need("visits.read")
    form, f = filter_from_args()
    stmt = service.ordered(service.visits_query_for(current_user, f))
    if request.args.get("unit", type=int):  # a report's figure: the unit and the units below it
        stmt = stmt.where(Visit.unit_id.in_(report_stats.subtree_ids(request.args.get("unit", type=int))))
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], max_per_page=200, error_out=False)
    hidden = confidentiality.hidden_visit_ids(current_user, page.items, purpose="list")
    return render_template("reception/list.html", form=form, page=page, hidden=hidden)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_visit():  # type: ignore[no-untyped-def]
    need("visits.write")
    form = VisitForm()
    errors: list[str] = []
    if request.method == "GET":
        form.visited_on.data = local_today()
        form.visited_time.data = local_now().time().replace(second=0, microsecond=0)
        form.host_name.data = current_user.full_name
        form.host.data = {"chair": "chair", "vice_chair": "vice_chair"}.get(current_user.role, "officer")
    if form.validate_on_submit():
        try:
            unit = access.writable_unit(current_user)
            visit = service.log_visit(current_user, unit, visit_input(form), local_today())
        except DomainError as exc:
            errors = attach_errors(form, exc, _alias_errors(exc))
        else:
            flash(_("Visit no. %(no)s has been logged.", no=visit.register_no), "success")
            if visit.handling == "letter_received" and access.can(current_user, "letters.write"):
                # The letter handed in is registered now, from the visit (date, content, sender filled in).
                flash(_("Now register the letter handed in at this visit."), "info")
                return redirect(url_for("letters.new_letter", visit_id=visit.id))
            if request.form.get("next_action") == "another":
                return redirect(url_for(".new_visit"))
            return redirect(url_for(".show_visit", visit_id=visit.id))
    elif request.method == "POST":
        errors = [_("Some information is not valid. Please check the fields marked below.")]
    chosen = _chosen_citizen(form)
    return render_template("reception/form.html", form=form, errors=errors, visit=None, chosen=chosen), (
        400 if request.method == "POST" else 200)


def _chosen_citizen(form: VisitForm):  # type: ignore[no-untyped-def]
    if whole_number(form.citizen_id.data) is not None:
        citizen = get_citizen_or_none(whole_number(form.citizen_id.data))  # type: ignore[arg-type]
        if citizen is not None:
            return citizen
    return None


def get_citizen_or_none(citizen_id: int):  # type: ignore[no-untyped-def]
    """The person picked in a form, echoed back only through the confidentiality gate."""
    return confidentiality.visible_citizen(current_user, citizen_id, purpose="form", unit_id=current_user.unit_id)


@bp.route("/<int:visit_id>")
@login_required
def show_visit(visit_id: int):  # type: ignore[no-untyped-def]
    need("visits.read")
    visit = visible_visit(visit_id)
    hidden = confidentiality.hidden_visit_ids(current_user, [visit], purpose="show")
    return render_template("reception/show.html", visit=visit, hidden=hidden,
                           read_only=merged.is_read_only(visit.unit_id),
                           grants=grant_views.context(visit, visit.id not in hidden))


@bp.route("/<int:visit_id>/edit", methods=["GET", "POST"])
@login_required
def edit_visit(visit_id: int):  # type: ignore[no-untyped-def]
    need("visits.write")
    visit = writable_visit(visit_id)
    if visit.unit_id != current_user.unit_id and not access.can(current_user, "units.write_below"):
        abort(403)
    if not confidentiality.may_see_identity(current_user, visit):
        abort(403)
    form = VisitForm(obj=visit if request.method == "GET" else None)
    errors: list[str] = []
    if request.method == "GET":
        confidentiality.hidden_visit_ids(current_user, [visit], purpose="edit")
        primary = next((vc for vc in visit.visitors if not vc.is_representative), visit.visitors[0])
        form.citizen_id.data = str(primary.citizen_id)
        form.representatives.data = "\n".join(
            vc.citizen.full_name + (f"; {vc.citizen.id_number}" if vc.citizen.id_number else "")
            for vc in visit.visitors if vc.is_representative)
        if visit.visited_at:
            from zoneinfo import ZoneInfo

            form.visited_time.data = visit.visited_at.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).time()
        form.version.data = str(visit.version)
    if form.validate_on_submit():
        try:
            version = form_version(form.version.data)
            service.update_visit(visit, visit_input(form, visit), version=version, today=local_today(),
                                 user=current_user)
        except DomainError as exc:
            errors = attach_errors(form, exc, _alias_errors(exc))
        else:
            flash(_("The visit has been updated."), "success")
            return redirect(url_for(".show_visit", visit_id=visit.id))
    elif request.method == "POST":
        errors = [_("Some information is not valid. Please check the fields marked below.")]
    return render_template("reception/form.html", form=form, errors=errors, visit=visit,
                           chosen=_chosen_citizen(form)), (400 if request.method == "POST" else 200)


@bp.route("/<int:visit_id>/delete", methods=["POST"])
@login_required
def delete_visit(visit_id: int):  # type: ignore[no-untyped-def]
    need("visits.delete")
    visit = writable_visit(visit_id)
    try:
        service.delete_visit(visit, version=form_version(request.form.get("version")))
    except DomainError as exc:
        flash(attach_errors(None, exc)[0], "error")
        return redirect(url_for(".show_visit", visit_id=visit_id))
    flash(_("The visit has been deleted."), "success")
    return redirect(url_for(".list_visits"))


@bp.route("/suggest")
@login_required
def suggest_citizens():  # type: ignore[no-untyped-def]
    """Likely earlier visitors for the person at the desk (JSON for the visit and letter forms); a
    person known only as a denouncer is never offered to someone not cleared to see them."""
    need("citizens.write")
    birth_year = request.args.get("birth_year", "")
    matches = likely_matches(
        current_user.unit_id,
        full_name=request.args.get("full_name"),
        id_number=request.args.get("id_number"),
        birth_year=int(birth_year) if birth_year.isdecimal() else None,
        scope=confidentiality.citizen_scope(current_user),
    )
    confidentiality.record_citizen_reads(current_user, matches, "suggest")
    counts = session_queries.visit_counts([c.id for c in matches])
    return jsonify([{
        "id": c.id, "full_name": c.full_name, "birth_year": c.birth_year, "id_number": c.id_number,
        "gender": c.gender, "phone": c.phone, "address": c.address, "neighbourhood": c.neighbourhood,
        "visits": counts.get(c.id, 0),
    } for c in matches])


@bp.route("/sessions", methods=["GET", "POST"])
@login_required
def list_sessions():  # type: ignore[no-untyped-def]
    need("visits.read")
    form = SessionForm()
    if form.validate_on_submit():
        need("visits.write")
        unit = access.writable_unit(current_user)
        service.record_session(unit.id, form.held_on.data, form.kind.data, form.host.data,
                               form.host_name.data or None, place=form.place.data or None,
                               note=form.note.data or None)
        flash(_("The reception session has been recorded."), "success")
        return redirect(url_for(".list_sessions"))
    page = db.paginate(session_queries.sessions_query(current_user), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    totals = session_queries.session_totals([s.id for s in page.items])
    return render_template("reception/sessions.html", form=form, page=page, totals=totals,
                           weekday=current_user.unit.reception_weekday)


from tracker.web.reception import book  # noqa: E402,F401  (print, export and import routes on this blueprint)


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@login_required
def show_session(session_id: int):  # type: ignore[no-untyped-def]
    """One reception session: who booked, and a form to book a citizen for it."""
    from tracker.services.reception import bookings
    from tracker.web.reception.forms import BookingForm

    need("visits.read")
    session = db.session.get(ReceptionSession, session_id)
    if session is None or not access.can_see_unit(current_user, session.unit_id):
        abort(404)
    form = BookingForm()
    errors: list[str] = []
    failed = False
    if form.validate_on_submit():
        need("visits.write")
        picked = picked_id(form.citizen_id.data)
        person = (service.VisitorInput(citizen_id=picked) if picked is not None
                  else service.VisitorInput(citizen=CitizenInput(full_name=form.full_name.data or "",
                                                                 id_number=form.id_number.data or None,
                                                                 phone=form.phone.data or None)))
        try:
            bookings.book(current_user, session, person, form.topic.data or "", form.classification.data,
                          form.people_count.data or 0, local_today())
        except DomainError as exc:
            failed = True
            errors = attach_errors(form, exc, {"citizen.0.full_name": "full_name", "citizen.0.id_number": "id_number",
                                               "citizen.0.phone": "phone"})
        else:
            flash(_("The citizen has been booked for this session."), "success")
            return redirect(url_for(".show_session", session_id=session.id))
    booked = bookings.bookings_of([session.id]).get(session.id, [])
    hidden = confidentiality.hidden_booking_ids(current_user, booked)
    return render_template("reception/session.html", session=session, form=form, errors=errors, bookings=booked,
                           hidden=hidden, today=local_today()), (400 if failed or form.errors else 200)
