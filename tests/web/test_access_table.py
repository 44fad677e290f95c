"""Who may reach what: one table for every route of the application, checked role by role.

``TABLE`` names, for every (method, rule) of ``app.url_map`` (web pages, exports, API operations;
``/static`` aside), the roles that may reach it; ``anonymous`` means without logging in (or without
a token). A route missing from the table, or an entry with no route, fails the test: a new route
cannot be added unnoticed.

For each entry and each role the real answer is checked:

- web GET: allowed → neither 401/403/404 nor a redirect to the login page; forbidden → 403, and
  for anonymous a redirect to the login page;
- web POST: a GET is 405 (POST-only routes), a POST without the CSRF token is 400 for everyone, a
  POST with the token but an empty form is 403 for a forbidden role and a redirect to the login
  page for anonymous; an allowed role's empty POST is neither 401/403 nor the login page;
- API: without a token 401 (except the public OpenAPI document), a forbidden role 403, an allowed
  role neither 401/403/404 (bodies are empty or invalid, so nothing is written).

The ids come from objects planted in commune A, whose chair, vice-chair, receptionist and handler
are the table's users; the table's admin, inspector and installation administrator (``sysadmin``,
who may reach only its account and the installation-wide legal data) sit at the province above communes A and B.
Then the same routes are called with commune B's ids: every user of commune A (an admin and an
inspector of A too) gets 404 (or 403 where the role is refused anyway), while the province's admin
and inspector reach B like A. And no response to a user of A ever contains B's planted text.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from tests.conftest import FreshContextClient
from tests.conftest import login
from tests.factories import make_unit
from tests.factories import make_user
from tests.figures import record
from tests.web.planting import ROLES
from tests.web.planting import UnitData
from tests.web.planting import global_ids
from tests.web.planting import plant_unit
from tests.web.planting import seed_rules
from tests.web.test_identity_crawl import response_text
from tracker.extensions import db
from tracker.models import Notification
from tracker.services.operations import inbox
from tracker.services.operations.tokens import issue_token
from tracker.web.filters import local_today

ANON = "anonymous"
SYSADMIN = "sysadmin"  # the installation-level role (a user of the province): legal data only, no unit's data
ALL_ROLES = (*ROLES, SYSADMIN, ANON)
STAFF = "admin chair vice_chair receptionist handler inspector"
ACCOUNT = STAFF + " sysadmin"  # one's own account
EVERYONE = ACCOUNT + " anonymous"
RULES_READ = "admin sysadmin"  # installation-wide legal data: unit admins read it
RULES_EDIT = SYSADMIN  # and only the installation-level role changes it
VISITS_WRITE = "admin chair vice_chair receptionist"  # also citizens.write, letters.write
LETTERS_HANDLE = "admin chair vice_chair handler"
CASE_WORK = "chair vice_chair handler"  # the assigned handler and the leaders move a case on (issue 12)
MANAGERS = "admin chair vice_chair"  # mediation.manage, building a report
CHAIRS = "chair vice_chair"  # instructions, the weekly review, a report's narrative and finality
LETTER_WORK = "admin chair vice_chair receptionist handler"  # letters.write or letters.handle
WEEKLY = "admin chair vice_chair handler inspector"
IMPORT = "admin chair receptionist"
ADMIN = "admin"
AUDIT = "admin inspector"
REPORTS = "admin chair vice_chair inspector"
NOBODY = ""

# "METHOD rule" → the roles that may reach it.
TABLE: dict[str, str] = {
    # sign-in and one's own account
    "GET /": ACCOUNT,  # a redirect: to the visits for a user, to the login page for anonymous
    "GET /login": EVERYONE,
    "POST /login": EVERYONE,
    "POST /logout": ACCOUNT,
    "GET /account/password": ACCOUNT,
    "POST /account/password": ACCOUNT,
    # reception desk
    "GET /visits/": STAFF,
    "GET /visits/new": VISITS_WRITE,
    "POST /visits/new": VISITS_WRITE,
    "GET /visits/<int:visit_id>": STAFF,
    "GET /visits/<int:visit_id>/edit": VISITS_WRITE,
    "POST /visits/<int:visit_id>/edit": VISITS_WRITE,
    "POST /visits/<int:visit_id>/delete": "admin chair",
    "GET /visits/export.xlsx": STAFF,
    "GET /visits/print": STAFF,
    "GET /visits/import": IMPORT,
    "POST /visits/import": IMPORT,
    "GET /visits/suggest": VISITS_WRITE,
    "GET /visits/sessions": STAFF,
    "POST /visits/sessions": VISITS_WRITE,
    "GET /visits/sessions/<int:session_id>": STAFF,
    "POST /visits/sessions/<int:session_id>": VISITS_WRITE,
    "GET /citizens/": STAFF,
    "GET /citizens/new": VISITS_WRITE,
    "POST /citizens/new": VISITS_WRITE,
    "GET /citizens/<int:citizen_id>": STAFF,
    "GET /citizens/<int:citizen_id>/edit": VISITS_WRITE,
    "POST /citizens/<int:citizen_id>/edit": VISITS_WRITE,
    # letters
    "GET /letters/": STAFF,
    "GET /letters/new": VISITS_WRITE,
    "POST /letters/new": VISITS_WRITE,
    "GET /letters/track": STAFF,
    "GET /letters/<int:letter_id>": STAFF,
    "GET /letters/<int:letter_id>/receipt": STAFF,
    "POST /letters/<int:letter_id>/handle": LETTERS_HANDLE,
    "POST /letters/<int:letter_id>/duplicate": LETTER_WORK,
    "GET /letters/<int:letter_id>/split": LETTER_WORK,
    "POST /letters/<int:letter_id>/split": LETTER_WORK,
    # cases
    "GET /cases/": STAFF,
    "GET /cases/mine": STAFF,
    "GET /cases/<int:case_id>": STAFF,
    "POST /cases/<int:case_id>/actions/<action>": CASE_WORK,
    "POST /cases/<int:case_id>/clocks/<int:clock_id>/delay": CASE_WORK,
    "GET /cases/<int:case_id>/clocks/<int:clock_id>/why": STAFF,
    # grants of access to a denouncer (the table's records are not denunciations: nothing to grant;
    # tests/web/test_identity_grants.py covers them on a denunciation)
    "POST /grants/<kind>/<int:record_id>": NOBODY,
    "POST /grants/<int:grant_id>/withdraw": "chair",  # the unit's chairperson (a withdrawn grant: told so)
    # attachments
    "GET /attachments/<int:attachment_id>": STAFF,
    "POST /attachments/upload": VISITS_WRITE + " handler",
    "POST /attachments/<int:attachment_id>/delete": VISITS_WRITE + " handler",
    # mediation
    "GET /mediation/groups": STAFF,
    "GET /mediation/groups/new": MANAGERS,
    "POST /mediation/groups/new": MANAGERS,
    "GET /mediation/groups/<int:group_id>": STAFF,
    "POST /mediation/groups/<int:group_id>": MANAGERS,
    "GET /mediation/book": STAFF,
    # the chairperson's week
    "GET /weekly": WEEKLY,
    "GET /weekly/": WEEKLY,
    "GET /weekly/export.xlsx": WEEKLY,
    "GET /weekly/print": WEEKLY,
    "POST /weekly/review": CHAIRS,
    "GET /instructions/": STAFF,
    "GET /instructions/new": CHAIRS,
    "POST /instructions/new": CHAIRS,
    "POST /instructions/<int:instruction_id>/done": STAFF,
    "GET /inbox/": STAFF,
    "GET /inbox/<int:note_id>": STAFF,
    "POST /inbox/read-all": STAFF,
    "GET /dashboard": STAFF,
    "GET /dashboard/": STAFF,
    # period reports
    "GET /reports": REPORTS,
    "GET /reports/": REPORTS,
    "GET /reports/<period>": REPORTS,
    "GET /reports/<period>/compare": REPORTS,
    "GET /reports/<period>/download.<fmt>": REPORTS,
    "POST /reports/build": MANAGERS,
    "POST /reports/<period>/narrative": CHAIRS,
    "POST /reports/<period>/finalize": CHAIRS,
    # administration
    "GET /admin/users": ADMIN,
    "GET /admin/users/new": ADMIN,
    "POST /admin/users/new": ADMIN,
    "GET /admin/users/<int:user_id>/edit": ADMIN,
    "POST /admin/users/<int:user_id>/edit": ADMIN,
    "GET /admin/tokens": ADMIN,
    "POST /admin/tokens/<int:token_id>/revoke": ADMIN,
    "GET /admin/units": ADMIN,
    "GET /admin/units/new": ADMIN,
    "POST /admin/units/new": ADMIN,
    "GET /admin/units/<int:unit_id>/edit": ADMIN,
    "POST /admin/units/<int:unit_id>/edit": ADMIN,
    "GET /admin/rules": RULES_READ,
    "GET /admin/rules/new": RULES_EDIT,
    "POST /admin/rules/new": RULES_EDIT,
    "GET /admin/rules/<int:row_id>/edit": RULES_EDIT,
    "POST /admin/rules/<int:row_id>/edit": RULES_EDIT,
    "GET /admin/deadline-rules": RULES_READ,
    "GET /admin/deadline-rules/<int:row_id>/edit": RULES_EDIT,
    "POST /admin/deadline-rules/<int:row_id>/edit": RULES_EDIT,
    "GET /admin/deadline-rules/<int:row_id>/new-version": RULES_EDIT,
    "POST /admin/deadline-rules/<int:row_id>/new-version": RULES_EDIT,
    "GET /admin/calendar": RULES_READ,
    "GET /admin/calendar/day": RULES_EDIT,
    "POST /admin/calendar/day": RULES_EDIT,
    "GET /admin/legal-update": RULES_READ,
    "POST /admin/legal-update": RULES_READ,
    "GET /admin/audit": AUDIT,
    # JSON API
    "GET /api/v1/openapi.json": EVERYONE,
    "GET /api/v1/citizens": STAFF,
    "POST /api/v1/citizens": VISITS_WRITE,
    "GET /api/v1/citizens/<int:citizen_id>": STAFF,
    "PATCH /api/v1/citizens/<int:citizen_id>": VISITS_WRITE,
    "GET /api/v1/visits": STAFF,
    "POST /api/v1/visits": VISITS_WRITE,
    "GET /api/v1/visits/<int:visit_id>": STAFF,
    "PATCH /api/v1/visits/<int:visit_id>": VISITS_WRITE,
    "DELETE /api/v1/visits/<int:visit_id>": "admin chair",
    "GET /api/v1/letters": STAFF,
    "POST /api/v1/letters": VISITS_WRITE,
    "GET /api/v1/letters/<int:letter_id>": STAFF,
    "POST /api/v1/letters/<int:letter_id>/handling": LETTERS_HANDLE,
    "GET /api/v1/cases": STAFF,
    "GET /api/v1/cases/<int:case_id>": STAFF,
    "POST /api/v1/cases/<int:case_id>/actions": LETTERS_HANDLE,
    "GET /api/v1/deadlines": ACCOUNT,  # rule data, no person
    "GET /api/v1/weekly": WEEKLY,
    "GET /api/v1/reports/<period>": REPORTS,
    # the citizens' public status page (no login)
    "GET /status/": EVERYONE,
    "GET /huong-dan/": STAFF + " anonymous",  # the installation administrator is kept to the legal data
    "GET /huong-dan/<slug>": STAFF + " anonymous",
    "GET /api/v1/status/<code>": EVERYONE,
}

# Ids that belong to no unit (rule tables) or to one user (the inbox): not part of the unit check.
NOT_UNIT_SCOPED = {"row_id", "action", "period", "fmt", "code", "slug"}
# What a route needs besides its path to show its page (filled from the unit's ids).
QUERY = {"/instructions/new": "?case_id={case_id}"}
# Views that read their form before the role: a forbidden role's POST carries a valid form, so the
# refusal is the role's and not the form's.
FORMS = {
    "/attachments/upload": {"letter_id": "{letter_id}"},
    "/visits/sessions": {"held_on": "{today}", "kind": "scheduled", "host": "chair"},
    "/visits/sessions/<int:session_id>": {"full_name": "Người Đặt Lịch", "topic": "Hỏi về đất đai",
                                          "classification": "petition", "people_count": "1"},
}
B_TEXT = "QZXB Bình Yên"  # planted in every text field of commune B
SKIP_POST = {"POST /logout"}  # an empty POST would end the session the sweep goes on with
PERIOD = str(date.today().year - 1)  # a period that has ended: its report is built for every unit


def routes(app: Flask) -> dict[str, Rule]:
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/static"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found[f"{method} {rule.rule}"] = rule
    return found


def allowed_roles(key: str) -> set[str]:
    return set(TABLE[key].split())


@dataclass
class World:
    a: UnitData
    b: UnitData
    province_users: dict[str, object]
    rows: dict[str, int]


@dataclass
class Actor:
    """One of the table's seven roles: its web client (logged in) and its API token."""
    role: str
    web: FlaskClient
    token: str | None
    note_id: int | None
    csrf: str


def url_for_rule(rule: Rule, ids: dict[str, int], rows: dict[str, int], note_id: int | None,
                 codes: dict[str, str] | None = None) -> str:
    values: dict[str, object] = {}
    for arg in rule.arguments:
        if arg == "row_id":
            values[arg] = rows["deadline_row_id" if rule.rule.startswith("/admin/deadline-rules") else "row_id"]
        elif arg == "note_id":
            values[arg] = note_id or 999999
        elif arg == "action":
            values[arg] = "note"
        elif arg == "period":
            values[arg] = PERIOD
        elif arg == "fmt":
            values[arg] = "xlsx"
        elif arg == "kind":
            values[arg] = "case"
        elif arg == "record_id":
            values[arg] = ids["case_id"]
        elif arg == "code":
            values[arg] = codes["code"]
        elif arg == "slug":  # the user guide's page of a role
            values[arg] = "chu-tich"
        else:
            assert arg in ids, f"{rule.rule}: plant_unit() names no {arg}"
            values[arg] = ids[arg]
    return rule.build(values, append_unknown=False)[1] + QUERY.get(rule.rule, "").format(**ids)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def new_client(app: Flask) -> FlaskClient:
    app.test_client_class = FreshContextClient
    return app.test_client()


def csrf_of(client: FlaskClient, url: str) -> str:
    match = CSRF_RE.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def actor(app: Flask, role: str, username: str | None, note_id: int | None) -> Actor:
    web = new_client(app)
    if username is None:
        return Actor(role, web, None, None, csrf_of(web, "/login"))
    assert login(web, username).status_code == 302, f"{username} could not log in"
    return Actor(role, web, issue_token(username), note_id, csrf_of(web, "/account/password"))


def to_login(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", "")


def verdict(response, *, allowed: bool, anonymous: bool, api: bool) -> str | None:  # type: ignore[no-untyped-def]
    """None when the answer is right, else what is wrong."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if allowed:
        if status in (401, 403, 404) or to_login(response):
            return f"refused ({status} {response.headers.get('Location', '')})"
        return None
    if anonymous:
        expected = status == 401 if api else to_login(response)
        return None if expected else f"anonymous got {status}, expected {'401' if api else 'the login page'}"
    return None if status == 403 else f"got {status}, expected 403"


def make_world() -> World:
    seed_rules()
    province = make_unit("TINH-01", "UBND tỉnh Thử Nghiệm", level="province")
    a = plant_unit("XA-A", "UBND xã An Bình", parent=province, text="Nội dung xã A", prefix="a")
    b = plant_unit("XA-B", "UBND xã Bình Yên", parent=province, text=B_TEXT, prefix="b")
    top = {role: make_user(f"p_{role}", role, province, full_name=f"Cán bộ tỉnh {role}")
           for role in ("admin", "inspector")}
    make_user(f"p_{SYSADMIN}", SYSADMIN, province, full_name="Quản trị hệ thống")
    for role, user in top.items():
        inbox.notify(user.id, province.id, "instruction", "instruction_given",
                     {"case_id": a.ids["case_id"], "text": "", "due": ""}, f"plant-top-{role}",
                     case_id=a.ids["case_id"])
    db.session.commit()
    a.notes.update({f"p_{role}": db.session.scalar(select(Notification.id).where(Notification.user_id == user.id))
                    for role, user in top.items()})
    try:
        from tracker.services.reports.periodic import build_report
    except ImportError:  # pragma: no cover  (period reports arrive with their own change)
        build_report = None
    for unit in (province, a.unit, b.unit) if build_report else ():
        build_report(unit, PERIOD, today=local_today())
    return World(a, b, top, global_ids())  # type: ignore[arg-type]


def table_actors(app: Flask, world: World) -> list[Actor]:
    """The table's users: commune A's chair … handler, the province's admin, inspector and installation
    administrator, anonymous."""
    actors = []
    for role in ROLES:
        if role in ("admin", "inspector"):
            actors.append(actor(app, role, f"p_{role}", world.a.notes[f"p_{role}"]))
        else:
            actors.append(actor(app, role, f"a_{role}", world.a.notes[role]))
    actors.append(actor(app, SYSADMIN, f"p_{SYSADMIN}", None))
    actors.append(actor(app, ANON, None, None))
    return actors


def call(app: Flask, who: Actor, method: str, url: str, *, api: bool, csrf: bool = False,  # type: ignore[no-untyped-def]
         form: dict[str, str] | None = None):
    if api:
        headers = {"Authorization": f"Bearer {who.token}"} if who.token else {}
        client = new_client(app)
        if method == "GET":
            return client.get(url, headers=headers)
        return client.open(url, method=method, json={}, headers=headers)
    if method == "GET":
        return who.web.get(url)
    data = dict(form or {})
    if csrf:
        data["csrf_token"] = who.csrf
    return who.web.open(url, method=method, data=data)


def form_for(rule: Rule, ids: dict[str, int]) -> dict[str, str]:
    values = {**ids, "today": local_today().strftime("%d/%m/%Y")}
    return {k: v.format(**values) for k, v in FORMS.get(rule.rule, {}).items()}


def get_is_another_route(app: Flask, url: str) -> bool:
    """``GET /reports/build`` is the report page of a period named "build": not a 405."""
    try:
        app.url_map.bind("localhost").match(url.split("?")[0], method="GET")
    except HTTPException:
        return False
    return True


def check(problems: list[str], where: str, answer: str | None) -> None:
    if answer:
        problems.append(f"{where}: {answer}")


def sweep_get_and_api(app: Flask, world: World, actors: Iterable[Actor], table: dict[str, Rule],
                      problems: list[str], texts: list[str]) -> None:
    for key, rule in sorted(table.items()):
        method, _path = key.split(" ", 1)
        api = rule.rule.startswith("/api/")
        if not api and method != "GET":
            continue
        allowed = allowed_roles(key)
        for who in actors:
            url = url_for_rule(rule, world.a.ids, world.rows, who.note_id, world.a.codes)
            response = call(app, who, method, url, api=api)
            check(problems, f"{who.role} {method} {url}", verdict(
                response, allowed=who.role in allowed, anonymous=who.role == ANON, api=api))
            if who.role not in ("admin", "inspector"):
                texts.append(response_text(response))
            response.close()


def sweep_web_posts(app: Flask, world: World, actors: list[Actor], table: dict[str, Rule],
                    problems: list[str]) -> None:
    """Refusals first (nothing is written), the allowed roles' empty POSTs last."""
    posts = [(k, r) for k, r in sorted(table.items()) if k.startswith("POST ") and not r.rule.startswith("/api/")]
    for key, rule in posts:
        allowed = allowed_roles(key)
        if f"GET {rule.rule}" not in table:
            for who in actors:
                url = url_for_rule(rule, world.a.ids, world.rows, who.note_id, world.a.codes)
                if get_is_another_route(app, url):
                    continue
                response = who.web.get(url)
                check(problems, f"{who.role} GET {url}", None if response.status_code == 405
                      else f"got {response.status_code}, expected 405 (POST only)")
        for who in actors:
            url = url_for_rule(rule, world.a.ids, world.rows, who.note_id, world.a.codes)
            response = call(app, who, "POST", url, api=False)
            check(problems, f"{who.role} POST {url} without CSRF",
                  None if response.status_code == 400 else f"got {response.status_code}, expected 400")
            if who.role not in allowed:
                response = call(app, who, "POST", url, api=False, csrf=True, form=form_for(rule, world.a.ids))
                check(problems, f"{who.role} POST {url}", verdict(response, allowed=False,
                                                                  anonymous=who.role == ANON, api=False))
    for key, rule in posts:
        allowed = allowed_roles(key)
        if key in SKIP_POST:
            continue
        for who in actors:
            if who.role in allowed and who.role != ANON:
                url = url_for_rule(rule, world.a.ids, world.rows, who.note_id, world.a.codes)
                response = call(app, who, "POST", url, api=False, csrf=True)
                answer = verdict(response, allowed=True, anonymous=False, api=False)
                if response.status_code == 404:  # an earlier empty POST may have removed the object
                    answer = None
                check(problems, f"{who.role} POST {url}", answer)


def sweep_other_unit(app: Flask, world: World, table: dict[str, Rule], problems: list[str],
                     texts: list[str]) -> int:
    """Commune B's ids: 404 for every user of commune A, reachable for the province above both."""
    commune_a = [actor(app, role, f"a_{role}", world.a.notes[role]) for role in ROLES]
    above = [actor(app, role, f"p_{role}", None) for role in ("admin", "inspector")]
    checked = 0
    for key, rule in sorted(table.items()):
        method, _path = key.split(" ", 1)
        scoped = set(rule.arguments) - NOT_UNIT_SCOPED
        api = rule.rule.startswith("/api/")
        if not scoped or (method != "GET" and not api) or scoped == {"note_id"}:
            continue
        allowed = allowed_roles(key)
        for who in commune_a + above:
            url = url_for_rule(rule, world.b.ids, world.rows, world.b.notes[who.role], world.b.codes)
            response = call(app, who, method, url, api=api)
            checked += 1
            if who in above:
                answer = verdict(response, allowed=who.role in allowed, anonymous=False, api=api)
            elif response.status_code == 404 or (response.status_code == 403 and who.role not in allowed):
                answer = None
            else:
                answer = f"another unit's object answered {response.status_code}, expected 404"
                texts.append(response_text(response))
            check(problems, f"{who.role} of {'the province' if who in above else 'XA-A'} {method} {url}", answer)
            if who not in above:
                texts.append(response_text(response))
            response.close()
    return checked


# Pages whose unit is chosen with ?unit=CODE (the units an inspector or admin may choose among).
UNIT_ARG = ["/weekly/", "/weekly/print", "/weekly/export.xlsx", "/dashboard/", "/reports/", f"/reports/{PERIOD}",
            f"/reports/{PERIOD}/compare", f"/reports/{PERIOD}/download.xlsx", "/api/v1/weekly",
            f"/api/v1/reports/{PERIOD}"]


def sweep_unit_argument(app: Flask, world: World, problems: list[str], texts: list[str]) -> int:
    """``?unit=XA-B``: 404 for every user of commune A (403 where the role sees no such page)."""
    checked = 0
    for path in UNIT_ARG:
        if not any(rule.rule == path.split("?")[0] or path.startswith(rule.rule.split("<")[0]) and "<" in rule.rule
                   for rule in app.url_map.iter_rules()):
            continue
        for role in ROLES:
            who = actor(app, role, f"a_{role}", None)
            response = call(app, who, "GET", f"{path}?unit={world.b.unit.code}", api=path.startswith("/api/"))
            checked += 1
            if response.status_code not in (403, 404):
                problems.append(f"{role} of XA-A GET {path}?unit=XA-B answered {response.status_code}, expected 404")
            texts.append(response_text(response))
    return checked


def test_every_route_has_an_entry_in_the_access_table(app: Flask) -> None:
    table = routes(app)
    missing = sorted(set(table) - set(TABLE))
    stale = sorted(set(TABLE) - set(table))
    assert not missing, "routes without an entry in TABLE (say who may reach them):\n" + "\n".join(missing)
    assert not stale, "TABLE entries for routes that no longer exist:\n" + "\n".join(stale)
    for key, roles in TABLE.items():
        assert set(roles.split()) <= set(ALL_ROLES), f"{key}: unknown role in {roles!r}"


def test_every_role_reaches_exactly_what_the_table_allows_and_no_other_units_data(
        app: Flask, client: FlaskClient) -> None:  # `client` sets the per-request context client class
    table = {k: r for k, r in routes(app).items() if k in TABLE}
    world = make_world()
    actors = table_actors(app, world)
    problems: list[str] = []
    texts: list[str] = []
    sweep_get_and_api(app, world, actors, table, problems, texts)
    checked = sweep_other_unit(app, world, table, problems, texts)
    checked += sweep_unit_argument(app, world, problems, texts)
    sweep_web_posts(app, world, actors, table, problems)
    assert checked > 100
    assert not problems, f"{len(problems)} answers differ from the access table:\n" + "\n".join(problems)
    leaks = [t[:200] for t in texts if "QZXB" in t]
    assert not leaks, "commune B's data reached a user of commune A:\n" + "\n".join(leaks)
    record("access_table", {"routes (method and rule)": len(table), "roles": len(actors),
                            "route-role pairs checked": len(table) * len(actors), "other-unit requests": checked,
                            "responses searched for the other unit's text": len(texts), "wrong answers": 0},
           db.engine.dialect.name)


@pytest.mark.parametrize("role", ["chair", "receptionist", "handler", "admin", "inspector"])
def test_the_api_lists_of_a_commune_user_never_hold_another_communes_rows(
        app: Flask, client: FlaskClient, role: str) -> None:
    world = make_world()
    token = issue_token(f"a_{role}")
    db.session.commit()
    api = new_client(app)
    for path, key in (("/api/v1/visits", "visit_id"), ("/api/v1/citizens", "citizen_id"),
                      ("/api/v1/letters", "letter_id"), ("/api/v1/cases", "case_id")):
        body = api.get(path + "?per_page=200", headers={"Authorization": f"Bearer {token}"}).get_json()
        ids = [item["id"] for item in body["items"]]
        assert world.b.ids[key] not in ids, f"{role} of XA-A lists XA-B's {key} on {path}"
        assert world.a.ids[key] in ids, f"{role} of XA-A does not list its own {key} on {path}"
