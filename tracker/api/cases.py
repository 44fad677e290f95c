"""/api/v1/cases: list cases by their nearest due date, read one with its timeline and legal clocks,
and move it on by one legal step (services.cases.apply_case_action)."""
from __future__ import annotations

from flask import Response
from flask import jsonify
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.api import api_bp
from tracker.api.auth import need
from tracker.api.auth import need_readable
from tracker.api.auth import need_writable
from tracker.api.errors import ApiError
from tracker.api.letters import api_fields
from tracker.api.letters import legal_bases
from tracker.api.openapi import operation
from tracker.api.parse import parse_body
from tracker.api.parse import parse_query
from tracker.api.schemas_letters import CaseActionCreate
from tracker.api.schemas_letters import CaseOut
from tracker.api.schemas_letters import CasePage
from tracker.api.schemas_letters import CaseQuery
from tracker.api.serializers import page_json
from tracker.api.serializers_letters import case_json
from tracker.api.serializers_letters import case_summary_json
from tracker.extensions import db
from tracker.models import Case
from tracker.models import User
from tracker.rules import lifecycle as lc
from tracker.services import access
from tracker.services.cases import actions as service
from tracker.services.cases import case_queries
from tracker.services.clock import local_today
from tracker.services.legal import deadlines
from tracker.services.privacy import confidentiality


def _visible_case(case_id: int, user: User) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise ApiError(404, "not_found")
    need_readable(user, case.unit_id)
    return case


def _max_extensions(case: Case) -> int:
    try:
        return service.max_extensions(case)
    except deadlines.NoRuleError:
        return 0


def case_detail(user: User, case: Case) -> dict[str, object]:
    """One case for ``user``; the denouncer only for those who may see it, and that sight audited."""
    hidden = not confidentiality.record_case_read(user, case, "api")
    events, clocks = case_queries.events_of(case.id), case_queries.clocks_of(case_id=case.id)
    most = _max_extensions(case)
    allowed = lc.allowed_actions(lc.CaseState(case.kind, case.status, case.outcome, case.extensions, most))
    return case_json(case, hidden=hidden, events=events, clocks=clocks, legal_basis=legal_bases(),
                     max_extensions=most, allowed=allowed, today=local_today())


@api_bp.get("/cases")
@operation("List cases", tag="cases", query=CaseQuery, response=CasePage,
           description="Sorted by the nearest due date of their open legal clocks (cases without one last), "
                       "paginated (`page`, `per_page` up to 200). `due_before` keeps the cases whose nearest step "
                       "is due on or before that date; `overdue=true` the open cases already past it; "
                       "`handler` a handler's user id or `me`; `status` a status, or `open` / `closed`.")
def list_cases() -> Response:
    user = need("cases.read")
    args = parse_query(CaseQuery)
    today = local_today()
    stmt = select(Case).where(access.read_filter(Case.unit_id, user))  # with the former communes'
    if args.status == "open":
        stmt = stmt.where(Case.is_open.is_(True))
    elif args.status == "closed":
        stmt = stmt.where(Case.is_open.is_(False))
    elif args.status is not None:
        stmt = stmt.where(Case.status == args.status)
    if args.kind is not None:
        stmt = stmt.where(Case.kind == args.kind)
    if args.due_before is not None:
        stmt = stmt.where(Case.next_due_on <= args.due_before)
    late = Case.is_open.is_(True) & (Case.next_due_on < today)
    if args.overdue is True:
        stmt = stmt.where(late)
    elif args.overdue is False:
        stmt = stmt.where(or_(Case.is_open.is_(False), Case.next_due_on.is_(None), Case.next_due_on >= today))
    if args.handler is not None:
        stmt = stmt.where(Case.handler_id == (user.id if args.handler == "me" else args.handler))
    stmt = stmt.options(joinedload(Case.handler)).order_by(Case.next_due_on.asc().nulls_last(), Case.id)
    page = db.paginate(stmt, page=args.page, per_page=args.per_page, error_out=False)
    return jsonify(page_json(page.items, lambda case: case_summary_json(case, today), page=page.page,
                             per_page=page.per_page, total=page.total, pages=page.pages))


@api_bp.get("/cases/<int:case_id>")
@operation("Read a case", tag="cases", response=CaseOut, errors=(401, 403),
           description="The case with its `status`, `version`, the actions its status allows, its timeline and "
                       "its legal clocks (`deadlines`: rule, legal basis, start, due date, status, delay reason).")
def get_case(case_id: int) -> Response:
    user = need("cases.read")
    return jsonify(case_detail(user, _visible_case(case_id, user)))


@api_bp.post("/cases/<int:case_id>/actions")
@operation("Move a case on by one legal step", tag="cases", body=CaseActionCreate, response=CaseOut,
           errors=(400, 401, 403, 409, 422),
           description="Answers the case as it now is; `open_dispute` (after a failed land mediation) answers "
                       "the new linked land-dispute case. 409: a stale `version` (`stale`) or a step the case's "
                       "status or kind does not allow (`action_not_in_status`, `action_not_for_kind`); 422: a "
                       "rule of law (`extension_limit`, `send_up_needs_failure`, `dispute_before_reform`, "
                       "`deadline_*`); 400: bad input, e.g. a missing document number or an outcome the kind does "
                       "not have. Nothing changes on any error.")
def act_on_case(case_id: int) -> Response:
    user = need("cases.act")
    case = _visible_case(case_id, user)
    need_writable(user, case)  # a former commune's open work too
    body = parse_body(CaseActionCreate)
    with api_fields():
        result = service.apply_case_action(user, case, body.to_input(), local_today())
    return jsonify(case_detail(user, result))
