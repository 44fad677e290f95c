"""A denouncer's identity never leaks: crawl every page, export and API response as each role.

One denouncer (name, ID number, phone, address) is planted through a denunciation visit and a
denunciation letter accepted as a case (with files, when attachments exist), next to ordinary data.
Then, as each role, the crawler starts from every GET route of the application (ids filled from the
planted objects), follows the same-site links of every HTML page, reads the Excel exports cell by
cell, and calls every GET endpoint of the API with the role's token. Those not cleared (Luật Tố cáo
2018 Điều 47; tracker.services.privacy.confidentiality) must never receive any of the four values; those
cleared must receive them somewhere (so the crawl is not vacuous), and every response that shows
them to a cleared person must write a "view_confidential" row to the audit log.
"""
from __future__ import annotations

import io
import itertools
import json
import logging
import re
from collections import deque
from dataclasses import dataclass
from dataclasses import field
from html import unescape
from urllib.parse import parse_qsl
from urllib.parse import unquote
from urllib.parse import urlencode
from urllib.parse import urlsplit

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound

from tests.conftest import login
from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tests.figures import record
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.models import Clock
from tracker.models import DeadlineRuleRow
from tracker.models import Notification
from tracker.models import ReceptionSession
from tracker.models import RuleParam
from tracker.models import Unit
from tracker.rules.text import fold_diacritics
from tracker.services.cases import actions as cases
from tracker.services.cases.instructions import give_instruction
from tracker.services.cases.mediation_groups import GroupInput
from tracker.services.cases.mediation_groups import MemberInput
from tracker.services.cases.mediation_groups import create_group
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.operations.tokens import issue_token
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput
from tracker.web.filters import local_today

try:  # attachments arrive with their own change; the crawl covers them once they exist
    from tracker.services.letters import attachments
except ImportError:  # pragma: no cover
    attachments = None  # type: ignore[assignment]

NAME = "Hoàng Thị Mật Danh"
ID_NUMBER = "079301000777"
PHONE = "0912345777"
ADDRESS = "Số 7 ngõ Bí Mật"
FOLDED = {fold_diacritics(NAME): "name", fold_diacritics(ADDRESS): "address"}
DIGITS = {ID_NUMBER: "ID number", PHONE: "phone"}

# username: (role, unit code, cleared for the denouncer of unit A)
ROLES = {
    "quantri": ("admin", "TINH-01", False),
    "chutich": ("chair", "XA-A", True),
    "phochutich": ("vice_chair", "XA-A", True),
    "letan": ("receptionist", "XA-A", True),
    "canbo": ("handler", "XA-A", False),
    "canbogiao": ("handler", "XA-A", True),  # the handler assigned to the denunciation case
    "thanhtra": ("inspector", "TINH-01", False),
    "chutichb": ("chair", "XA-B", False),  # another commune's chairperson
}
CRAWL_LIMIT = 400
PER_ENDPOINT = 12  # query-string variants of one endpoint (pages, filters) followed at most
SKIP_PATHS = ("/logout", "/static/")
HREF = re.compile(r"""(?:href|action|src)\s*=\s*["']([^"']+)["']""")


@dataclass
class Planted:
    ids: dict[str, list[int]] = field(default_factory=dict)
    visit: int = 0
    letter: int = 0
    case: int = 0
    citizen: int = 0
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)


# --- the planted data ---------------------------------------------------------------------------

def plant() -> Planted:
    seed_deadline_rules()
    seed_calendar()
    province = make_unit("TINH-01", "UBND tỉnh Thử Nghiệm", level="province")
    unit_a = make_unit("XA-A", "UBND xã An Bình", parent_code=province.code)
    make_unit("XA-B", "UBND xã Bình Yên", parent_code=province.code)
    users = {name: make_user(name, role, db.session.scalar(select(Unit).where(Unit.code == code)),
                             full_name=f"Cán bộ {name}") for name, (role, code, _c) in ROLES.items()}
    today = local_today()
    receptionist, chair, assigned = users["letan"], users["chutich"], users["canbogiao"]

    # The denouncer comes to the desk with a denunciation, and hands in the letter.
    denouncer = CitizenInput(full_name=NAME, id_number=ID_NUMBER, birth_year=2001, gender="female",
                             phone=PHONE, address=ADDRESS, neighbourhood="Tổ 5")
    visit = reception.log_visit(receptionist, unit_a, reception.VisitInput(
        visited_on=today, content="Tố cáo cán bộ thu tiền trái phép khi cấp phép xây dựng",
        classification="denunciation", handling="letter_received", subject="construction", kind="scheduled",
        host="chair", host_name="Cán bộ chutich",
        visitors=[reception.VisitorInput(citizen=denouncer)]), today)
    citizen_id = visit.visitors[0].citizen_id
    letter = letters.register_letter(receptionist, unit_a, letters.LetterInput(
        received_on=today, channel="visit", visit_id=visit.id, kind="denunciation", subject="construction",
        summary="Tố cáo cán bộ thu tiền trái phép khi cấp phép xây dựng",
        senders=[reception.VisitorInput(citizen_id=citizen_id)]), today)
    case = letters.decide_handling(chair, letter, letters.HandlingInput(
        decision="accept", on=today, version=letter.version, eligible=True, within_competence=True,
        document_no="21/TB-UBND", document_date=today, signer="Cán bộ chutich", handler_id=assigned.id,
        complexity=1), today)
    case = cases.apply_case_action(assigned, case, cases.ActionInput(
        action="verify", on=today, version=case.version, note="Xác minh tại bộ phận một cửa"), today)
    case = cases.apply_case_action(assigned, case, cases.ActionInput(
        action="submit", on=today, version=case.version, note="Trình Chủ tịch gia hạn"), today)
    give_instruction(chair, case, "Khẩn trương xác minh, báo cáo trước thứ Sáu", None, today, assigned.id)

    if attachments is not None:  # the scan of the letter, under a name that names the denouncer
        attachments.store_attachment(receptionist, unit_id=unit_a.id, letter=letter,
                                     filename=f"Đơn tố cáo - {NAME}.txt",
                                     stream=io.BytesIO(f"Đơn tố cáo của {NAME}, CCCD {ID_NUMBER}".encode()))
        attachments.store_attachment(assigned, unit_id=unit_a.id, case=case, filename="bien-ban-xac-minh.txt",
                                     stream=io.BytesIO(f"Biên bản làm việc với bà {NAME}, {ADDRESS}".encode()))

    # Ordinary business of the same commune: a petition at the desk, a complaint accepted as a case.
    ordinary = make_visit(receptionist, visited_on=today, today=today, full_name="Nguyễn Văn Thường",
                          id_number="001085000111", content="Đề nghị sửa đường liên xóm")
    complaint = letters.register_letter(receptionist, unit_a, letters.LetterInput(
        received_on=today, channel="post", kind="complaint", summary="Khiếu nại quyết định xử phạt",
        senders=[reception.VisitorInput(citizen=CitizenInput("Trần Văn Khiếu", "001085000222", 1985))]), today)
    ordinary_case = letters.decide_handling(chair, complaint, letters.HandlingInput(
        decision="accept", on=today, version=complaint.version, eligible=True, within_competence=True,
        document_no="22/TB-UBND", handler_id=users["canbo"].id), today)
    group = create_group(chair, GroupInput(name="Tổ hòa giải thôn 1", members=[
        MemberInput("Lê Văn Hòa", "male", True), MemberInput("Phạm Thị Giải", "female")]))

    planted = Planted(visit=visit.id, letter=letter.id, case=case.id, citizen=citizen_id)
    planted.ids = {
        "visit_id": [visit.id, ordinary.id],
        "letter_id": [letter.id, complaint.id],
        "case_id": [case.id, ordinary_case.id],
        "citizen_id": [citizen_id, ordinary.visitors[0].citizen_id],
        "clock_id": list(db.session.scalars(select(Clock.id).where(
            (Clock.case_id == case.id) | (Clock.letter_id == letter.id)))),
        "attachment_id": list(db.session.scalars(select(attachments_table_ids()))) if attachments else [],
        "note_id": list(db.session.scalars(select(Notification.id))),
        "group_id": [group.id],
        "session_id": list(db.session.scalars(select(ReceptionSession.id))),
        "user_id": [u.id for u in users.values()],
        "unit_id": list(db.session.scalars(select(Unit.id))),
        # Report periods covering the planted data, and the public tracking code of the denunciation.
        "period": [str(visit.visited_on.year), f"{visit.visited_on.year}-{visit.visited_on.month:02d}"],
        "code": [letter.tracking_code],
        "fmt": ["docx", "xlsx"],
        "slug": ["chu-tich", "tiep-dan"],  # the user guide's pages: static, but crawled like the rest
        "row_id": sorted(set(db.session.scalars(select(RuleParam.id).limit(2)))
                         | set(db.session.scalars(select(DeadlineRuleRow.id).limit(2)))),
    }
    planted.user_ids = {name: u.id for name, u in users.items()}
    planted.tokens = {name: issue_token(name) for name in ROLES}
    db.session.commit()
    return planted


def attachments_table_ids():  # type: ignore[no-untyped-def]
    from tracker.models import Attachment

    return Attachment.id


# --- reading a response -------------------------------------------------------------------------

def response_text(response) -> str:  # type: ignore[no-untyped-def]
    """Everything a user receives, as text: headers (a download's file name), the body, and for
    JSON its decoded strings, for a workbook every cell of every sheet."""
    parts = [f"{k}: {unquote(v)}" for k, v in response.headers.items()]
    ctype = response.content_type or ""
    data = response.get_data()
    if "json" in ctype:
        parts.append(json.dumps(response.get_json(silent=True), ensure_ascii=False))
    elif "spreadsheetml" in ctype:
        book = openpyxl.load_workbook(io.BytesIO(data))
        for sheet in book.worksheets:
            parts.append(sheet.title)
            parts.extend(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None)
            parts.extend(str(x) for x in (sheet.oddHeader.center.text, sheet.oddFooter.center.text) if x)
    else:
        text = data.decode("utf-8", errors="replace")
        parts.extend([text, unescape(text), unquote(text)])
    return "\n".join(parts)


def leaked(text: str) -> list[str]:
    """Which of the denouncer's details ``text`` contains (with or without diacritics, any case,
    numbers also when written with spaces or dots)."""
    found = []
    folded = fold_diacritics(text)
    found += [what for needle, what in FOLDED.items() if needle in folded]
    compact = re.sub(r"(?<=\d)[ .\-](?=\d)", "", text)
    found += [what for needle, what in DIGITS.items() if needle in compact]
    return found


def views_by(user_id: int) -> int:
    count = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "view_confidential", AuditEntry.user_id == user_id))
    db.session.rollback()  # end the read transaction: the requests write in their own sessions
    return int(count or 0)


# --- the crawler --------------------------------------------------------------------------------

def start_urls(app: Flask, planted: Planted, *, api: bool) -> list[str]:
    """Every GET route, once per combination of planted ids for its arguments."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(SKIP_PATHS) or rule.rule == "/logout":
            continue
        if rule.rule.startswith("/api/") != api:
            continue
        args = sorted(rule.arguments)
        missing = [a for a in args if a not in planted.ids]
        assert not missing, f"the crawl cannot fill {missing} of {rule.rule}: add them to plant()"
        for combo in itertools.product(*(planted.ids[a] for a in args)):
            urls.append(rule.build(dict(zip(args, combo, strict=True)), append_unknown=False)[1])
    return urls


def same_site(app: Flask, href: str, base: str) -> str | None:
    href = unescape(href).strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(href)
    if parts.scheme and parts.netloc != "localhost":
        return None
    path = parts.path or urlsplit(base).path
    if not path.startswith("/"):
        path = urlsplit(base).path.rsplit("/", 1)[0] + "/" + path
    if path.startswith(SKIP_PATHS):
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return path + ("?" + urlencode(query) if query else "")


def endpoint_of(app: Flask, url: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(url).path, method="GET")
    except (NotFound, MethodNotAllowed):
        return None
    except Exception:  # redirects (a missing trailing slash): the canonical URL is crawled too
        return "redirect"
    return str(endpoint)


@dataclass
class Seen:
    url: str
    status: int
    leaks: list[str]
    audited: bool


def crawl(app: Flask, client: FlaskClient, starts: list[str], *, user_id: int, cleared: bool,
          headers: dict[str, str] | None = None) -> list[Seen]:
    queue, seen, per_endpoint, result = deque(starts), set(), {}, []  # type: ignore[var-annotated]
    while queue and len(seen) < CRAWL_LIMIT:
        url = queue.popleft()
        if url in seen:
            continue
        endpoint = endpoint_of(app, url)
        if endpoint is None:
            continue
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        if per_endpoint[endpoint] > PER_ENDPOINT and url not in starts:
            continue
        seen.add(url)
        before = views_by(user_id) if cleared else 0
        response = client.get(url, headers=headers or {})
        text = response_text(response)
        response.close()  # a download streams its file
        found = leaked(text)
        audited = cleared and bool(found) and views_by(user_id) > before
        result.append(Seen(url, response.status_code, found, audited))
        if response.status_code in (301, 302, 303, 307, 308):
            target = same_site(app, response.headers["Location"], url)
            if target:
                queue.append(target)
        if "html" in (response.content_type or ""):
            for href in HREF.findall(response.get_data(as_text=True)):
                target = same_site(app, href, url)
                if target and target not in seen:
                    queue.append(target)
    return result


def logged_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    response = login(client, username)
    assert response.status_code == 302, f"{username} could not log in"
    return client


# --- the tests ----------------------------------------------------------------------------------

@pytest.fixture
def planted(app: Flask, client: FlaskClient) -> Planted:  # `client` sets the per-request context client class
    return plant()


def test_the_denouncer_never_reaches_anyone_not_cleared_on_any_page_export_or_api(
        app: Flask, planted: Planted, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    problems: list[str] = []
    sights: dict[str, int] = {}
    pages = {"html": 0, "api": 0}
    for username, (_role, _unit, cleared) in ROLES.items():
        user_id = planted.user_ids[username]
        client = logged_in(app, username)
        html = crawl(app, client, start_urls(app, planted, api=False), user_id=user_id, cleared=cleared)
        api = crawl(app, app.test_client(), start_urls(app, planted, api=True), user_id=user_id, cleared=cleared,
                    headers={"Authorization": f"Bearer {planted.tokens[username]}"})
        pages["html"] += len(html)
        pages["api"] += len(api)
        for seen in html + api:
            if seen.status >= 500:
                problems.append(f"{username}: {seen.url} answered {seen.status}")
            if not seen.leaks:
                continue
            sights[username] = sights.get(username, 0) + 1
            if not cleared:
                problems.append(f"LEAK to {username}: {seen.url} shows the denouncer's {', '.join(seen.leaks)}")
            elif not seen.audited:
                problems.append(f"{username} saw the denouncer's {', '.join(seen.leaks)} on {seen.url} "
                                "and no view_confidential row was written")
        exports = [s.url for s in html if s.url.split("?")[0].endswith((".xlsx", "/print", "/receipt", "/book"))]
        assert any(u.startswith("/visits/export.xlsx") for u in exports), f"{username}: the crawl missed the export"
    assert not problems, "\n".join(problems)
    cleared_users = [u for u, (_r, _c, ok) in ROLES.items() if ok]
    assert all(sights.get(u) for u in cleared_users), f"the cleared roles saw the denouncer only: {sights}"
    assert pages["html"] > 40 * len(ROLES) and pages["api"] >= 10 * len(ROLES), pages
    assert not leaked(caplog.text), "the logs name the denouncer"
    record("identity_crawl", {"users": len(ROLES), "pages and exports": pages["html"], "API responses": pages["api"],
                              "sights by cleared users, all audited": sum(sights.values()), "leaks": 0},
           db.engine.dialect.name)


def test_the_audit_log_keeps_none_of_the_denouncers_details(app: Flask, planted: Planted) -> None:
    desk = [f"/visits/{planted.visit}", f"/citizens/{planted.citizen}", f"/citizens/{planted.citizen}/edit"]
    files = [f"/letters/{planted.letter}", f"/cases/{planted.case}"]
    # The assigned handler is cleared for the letter and the case, not for the desk's registry.
    for username, urls in (("chutich", desk + files), ("letan", desk + files), ("canbogiao", files)):
        client = logged_in(app, username)
        for url in urls:
            assert client.get(url).status_code == 200, url
    rows = db.session.scalars(select(AuditEntry)).all()
    assert rows
    for row in rows:
        text = " ".join(str(getattr(row, c.key)) for c in AuditEntry.__table__.columns)
        assert not leaked(text), f"audit row {row.id} ({row.action} {row.entity}) keeps {leaked(text)}"
    sights = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "view_confidential")).all()
    assert {row.actor for row in sights} >= {"chutich", "canbogiao", "letan"}


SEARCHES = [
    "/visits/?q={q}", "/citizens/?q={q}", "/letters/?q={q}", "/cases/?q={q}", "/cases/?state=all&q={q}",
    "/visits/suggest?full_name={q}", "/visits/suggest?id_number={q}",
]
API_SEARCHES = ["/api/v1/citizens?q={q}", "/api/v1/letters?q={q}", "/api/v1/visits?q={q}"]


@pytest.mark.parametrize("username", [u for u, (_r, _c, ok) in ROLES.items() if not ok])
def test_a_search_by_the_denouncers_name_or_id_number_finds_nothing_for_those_not_cleared(
        app: Flask, planted: Planted, username: str) -> None:
    client = logged_in(app, username)
    api = app.test_client()
    token = {"Authorization": f"Bearer {planted.tokens[username]}"}
    planted_links = [f"/visits/{planted.visit}\"", f"/letters/{planted.letter}\"", f"/citizens/{planted.citizen}\""]
    for q in (fold_diacritics(NAME), "mat danh", ID_NUMBER, ID_NUMBER[:8]):
        for template in SEARCHES:
            url = template.format(q=q)
            response = client.get(url)
            text = response_text(response)
            scrubbed = fold_diacritics(text).replace(fold_diacritics(q), "")
            assert not leaked(scrubbed), f"{username}: {url} shows {leaked(scrubbed)}"
            assert not any(link in text for link in planted_links), f"{username}: {url} finds the denunciation"
        for template in API_SEARCHES:
            url = template.format(q=q)
            response = api.get(url, headers=token)
            assert response.status_code in (200, 403), url
            body = response.get_json() or {}
            items = body.get("items", []) if isinstance(body, dict) else []
            found = [i for i in items if (url.startswith("/api/v1/citizens") and i.get("id") == planted.citizen)
                     or (url.startswith("/api/v1/letters") and i.get("id") == planted.letter)
                     or (url.startswith("/api/v1/visits") and i.get("id") == planted.visit)]
            assert not found, f"{username}: {url} finds the denunciation"
            assert not leaked(json.dumps(body, ensure_ascii=False)), f"{username}: {url}"


def test_a_cleared_person_finds_the_denouncer_by_name_and_id_number(app: Flask, planted: Planted) -> None:
    """The counterpart: the searches above are not empty because search is broken."""
    client = logged_in(app, "letan")
    for url in (f"/visits/?q={fold_diacritics(NAME)}", f"/citizens/?q={ID_NUMBER}",
                f"/letters/?q={fold_diacritics(NAME)}", f"/visits/suggest?full_name={fold_diacritics(NAME)}"):
        before = views_by(planted.user_ids["letan"])
        assert NAME in response_text(client.get(url)), url
        assert views_by(planted.user_ids["letan"]) > before, f"{url}: the sight was not audited"
    token = {"Authorization": f"Bearer {planted.tokens['letan']}"}
    body = app.test_client().get(f"/api/v1/letters?q={ID_NUMBER}", headers=token).get_json()
    assert planted.letter in [item["id"] for item in body["items"]]
