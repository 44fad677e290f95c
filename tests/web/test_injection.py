"""XSS and SQL injection: markup planted in every text field shown back is never sent unescaped, and
classic SQL payloads in every filter of the list pages and API lists change nothing and find nothing
they should not.

XSS: commune A is planted (tests.web.planting) with every free-text field — citizen name, address
and neighbourhood, visit content, note and result, letter summary, case note, instruction text,
mediation group name and members, host names, user names — holding ``<img src=x onerror=…>``,
``"><script>…`` and Vietnamese text. Then as the chairperson, the receptionist, the handler and the
province's admin, every GET page of the application (ids filled from the planted objects) and the
pages it links to are read: the raw markup must never appear in an HTML response, and its escaped
form must appear (so the crawl is not vacuous).

SQL injection: every query parameter of the list pages (read from their filter forms) and of the
API's list operations (read from the OpenAPI document) gets each payload. No answer is a 5xx, no
answer lists a row the same page does not list without the parameter, no answer shows commune B's
data, and every table keeps its rows.
"""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import FreshContextClient
from tests.conftest import csrf_token
from tests.conftest import login
from tests.factories import make_unit
from tests.factories import make_user
from tests.figures import record
from tests.web.planting import plant_unit
from tests.web.planting import seed_rules
from tests.web.test_identity_crawl import same_site
from tracker.extensions import db
from tracker.services.operations.tokens import issue_token

MARKUP = 'Hòa <img src=x onerror=alert(1)> "><script>alert(2)</script> Đông'
RAW = ("<img src=x onerror", "<script>alert(2)")
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
HREF = re.compile(r"""(?:href|action)\s*=\s*["']([^"']+)["']""")
CRAWL_LIMIT = 250


def client_for(app: Flask, username: str) -> FlaskClient:
    app.test_client_class = FreshContextClient
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def start_urls(app: Flask, ids: dict[str, int], notes: dict[str, int], role: str) -> list[str]:
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/static", "/api/")):
            continue
        values: dict[str, object] = {}
        for arg in rule.arguments:
            if arg == "note_id":
                values[arg] = notes.get(role, 0)
            elif arg in ids:
                values[arg] = ids[arg]
            else:
                break
        else:
            urls.append(rule.build(values, append_unknown=False)[1])
    return urls


def crawl(app: Flask, client: FlaskClient, starts: list[str]) -> tuple[int, int, list[str]]:
    """(pages read, pages showing the escaped markup, problems)."""
    queue, seen, problems, shown = deque(starts), set(), [], 0  # type: ignore[var-annotated]
    per_path: dict[str, int] = {}
    while queue and len(seen) < CRAWL_LIMIT:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or path == "/logout" or per_path.get(path, 0) >= 4:
            continue
        seen.add(url)
        per_path[path] = per_path.get(path, 0) + 1
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
        if "html" not in (response.content_type or ""):
            response.close()
            continue
        body = response.get_data(as_text=True)
        for raw in RAW:
            if raw in body:
                at = body.index(raw)
                problems.append(f"{url} sends {raw!r} unescaped: …{body[max(0, at - 80):at + 40]}…")
        shown += ESCAPED in body
        for href in HREF.findall(body):
            target = same_site(app, href, url)
            if target and target not in seen:
                queue.append(target)
    return len(seen), shown, problems


def test_markup_in_every_text_field_is_never_sent_unescaped(app: Flask, client: FlaskClient) -> None:
    seed_rules()
    province = make_unit("TINH-01", "UBND tỉnh Thử Nghiệm", level="province")
    data = plant_unit("XA-A", f"UBND xã {MARKUP}", parent=province, text=MARKUP, prefix="a")
    make_user("p_admin", "admin", province, full_name=f"Quản trị {MARKUP}")
    db.session.commit()
    problems, pages, shown = [], 0, 0
    for username, role in (("a_chair", "chair"), ("a_receptionist", "receptionist"), ("a_handler", "handler"),
                           ("p_admin", "admin")):
        client_ = client_for(app, username)
        read, with_markup, found = crawl(app, client_, start_urls(app, data.ids, data.notes, role))
        pages += read
        shown += with_markup
        problems += [f"{username}: {p}" for p in found]
    assert not problems, "\n".join(problems)
    assert pages > 150 and shown > 30, (pages, shown)
    record("xss", {"pages crawled": pages, "pages showing the planted markup escaped": shown, "unescaped": 0},
           db.engine.dialect.name)


# --- SQL injection ------------------------------------------------------------------------------

PAYLOADS = ["' OR 1=1 --", "%' UNION SELECT id, username, password_hash FROM users --", "1;DROP TABLE visits",
            "' OR ''='", "%", "_", "\x00"]
LIST_PAGES = ["/visits/", "/citizens/", "/letters/", "/cases/", "/cases/mine", "/mediation/groups", "/mediation/book",
              "/instructions/", "/inbox/", "/weekly/", "/dashboard/", "/visits/sessions", "/visits/print",
              "/visits/export.xlsx", "/admin/users", "/admin/units", "/admin/audit", "/admin/rules",
              "/admin/deadline-rules", "/admin/calendar", "/letters/track", "/reports/", "/status/"]
COMMON = ["q", "page", "per_page", "sort", "order", "unit", "from", "to", "week", "state", "year"]
GET_FORM = re.compile(r"<form[^>]*method=[\"']get[\"'][^>]*>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(?:input|select|textarea)[^>]*name=[\"']([^\"']+)[\"']", re.I)
ROW_LINK = re.compile(r'href="(/(?:visits|citizens|letters|cases|mediation/groups|admin/users)/\d+)[^"]*"')


def form_params(body: str) -> set[str]:
    return {name for form in GET_FORM.findall(body) for name in FIELD.findall(form)} - {"csrf_token", "lang"}


def row_count() -> dict[str, int]:
    counts = {t.name: int(db.session.scalar(select(func.count()).select_from(t)) or 0)
              for t in db.metadata.sorted_tables if t.name not in ("audit_log", "audit_entries")}
    db.session.rollback()
    return counts


@pytest.fixture
def two_communes(app: Flask, client: FlaskClient):  # type: ignore[no-untyped-def]
    seed_rules()
    province = make_unit("TINH-01", "UBND tỉnh Thử Nghiệm", level="province")
    a = plant_unit("XA-A", "UBND xã An Bình", parent=province, text="Nội dung xã A", prefix="a")
    b = plant_unit("XA-B", "UBND xã Bình Yên", parent=province, text="QZXB Bình Yên", prefix="b")
    return a, b


def test_sql_payloads_in_every_filter_of_the_list_pages_find_nothing_extra(app: Flask, two_communes) -> None:
    a, b = two_communes
    before = row_count()
    problems, tried = [], 0
    for username in ("a_chair",):  # the chairperson sees every list of the commune
        client = client_for(app, username)
        for page in LIST_PAGES:
            base = client.get(page)
            if base.status_code != 200:
                continue
            body = base.get_data(as_text=True) if "html" in (base.content_type or "") else ""
            baseline = set(ROW_LINK.findall(body))
            for param in sorted(form_params(body) | set(COMMON)):
                for payload in PAYLOADS:
                    url = f"{page}?{urlencode({param: payload})}"
                    response = client.get(url)
                    tried += 1
                    text = response.get_data(as_text=True) if "html" in (response.content_type or "") else ""
                    if response.status_code >= 500:
                        problems.append(f"{username} {url}: {response.status_code}")
                    extra = set(ROW_LINK.findall(text)) - baseline
                    if extra:
                        problems.append(f"{username} {url}: rows not listed without it: {sorted(extra)[:5]}")
                    if "QZXB" in text:
                        problems.append(f"{username} {url}: shows commune B's data")
                    if param == "q" and payload not in ("%", "_", "\x00") and set(ROW_LINK.findall(text)) & {
                            f"/visits/{a.ids['visit_id']}", f"/citizens/{a.ids['citizen_id']}"}:
                        problems.append(f"{username} {url}: the search matched a row that does not contain it")
    assert not problems, "\n".join(problems[:50])
    assert row_count() == before
    assert tried > 500
    record("sql_injection_pages", {"requests": tried, "payloads": len(PAYLOADS), "extra rows or 5xx": 0},
           db.engine.dialect.name)


def test_sql_payloads_in_every_query_parameter_of_the_api_lists_find_nothing_extra(app: Flask, two_communes) -> None:
    a, b = two_communes
    token = issue_token("a_chair")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    api = app.test_client()
    document = api.get("/api/v1/openapi.json").get_json()
    before = row_count()
    problems, tried = [], 0
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        params = [p["name"] for p in get.get("parameters", []) if p.get("in") == "query"]
        url0 = "/api/v1" + path if not path.startswith("/api/") else path
        base = api.get(url0, headers=headers)
        base_ids = {i.get("id") for i in (base.get_json(silent=True) or {}).get("items", [])} \
            if isinstance(base.get_json(silent=True), dict) else set()
        for param in params:
            for payload in PAYLOADS:
                response = api.get(f"{url0}?{urlencode({param: payload})}", headers=headers)
                tried += 1
                if response.status_code >= 500:
                    problems.append(f"{url0}?{param}={payload!r}: {response.status_code}")
                    continue
                body = response.get_json(silent=True)
                if response.status_code == 200 and isinstance(body, dict) and "items" in body:
                    ids = {i.get("id") for i in body["items"]}
                    if ids - base_ids:
                        problems.append(f"{url0}?{param}={payload!r}: rows not listed without it: {ids - base_ids}")
                if "QZXB" in response.get_data(as_text=True):
                    problems.append(f"{url0}?{param}={payload!r}: shows commune B's data")
                elif response.status_code not in (200, 400, 404):
                    problems.append(f"{url0}?{param}={payload!r}: {response.status_code}")
    assert not problems, "\n".join(problems[:50])
    assert row_count() == before
    assert tried > 200
    record("sql_injection_api", {"requests": tried, "payloads": len(PAYLOADS), "extra rows or 5xx": 0},
           db.engine.dialect.name)


def test_a_nul_character_in_a_query_a_form_or_a_json_body_is_a_bad_request_not_a_crash(app: Flask,
                                                                                        two_communes) -> None:
    token = issue_token("a_receptionist")
    db.session.commit()
    before = row_count()
    api = app.test_client()
    response = api.post("/api/v1/citizens", json={"full_name": "Nguyễn\u0000Văn"},
                        headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.is_json, response.get_data(as_text=True)[:200]
    assert api.get("/api/v1/visits?q=%00", headers={"Authorization": f"Bearer {token}"}).status_code == 400
    client = client_for(app, "a_receptionist")
    token_ = csrf_token(client, "/citizens/new")
    assert client.post("/citizens/new", data={"csrf_token": token_, "full_name": "Nguyễn\x00Văn"}).status_code == 400
    assert client.get("/visits/?q=%00").status_code == 400
    assert row_count() == before
