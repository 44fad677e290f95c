"""Hostile values in the forms and query strings of the web pages: numbers beyond the databases' integers
(visible and hidden fields, page numbers), huge texts, NUL characters, dates a century back. Each gets a
400 with a Vietnamese message, or is accepted — never a 500 — and a refused form writes nothing."""
from __future__ import annotations

import html
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_user
from tests.web.test_visits import FORM
from tracker.extensions import db
from tracker.messages import message
from tracker.models import Visit

BIG = str(10**20)


def visit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit)) or 0


@pytest.mark.parametrize("field,value", [
    ("people_count", BIG), ("people_count", "-" + BIG), ("register_no", BIG), ("birth_year", BIG),
    ("citizen_id", BIG), ("full_name", "Ạ" * 100_000), ("content", "Nội dung\x00ẩn"),
])
def test_a_hostile_visit_form_is_refused_in_vietnamese_and_writes_nothing(client, field: str, value: str) -> None:
    make_user()
    login(client, "letan")
    response = post_form(client, "/visits/new", {**FORM, field: value})
    assert response.status_code == 400
    assert visit_count() == 0
    page = html.unescape(response.get_data(as_text=True))
    shown = re.findall(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)
    with force_locale("vi"):
        shown += [text for text in (str(message("invalid")),) if text in page]
    shown = shown or re.findall(r"<h1>(.*?)</h1>", page)  # a request refused as a whole: the error page
    assert shown and all(re.search("[àáảãạăâđêôơưếềệốồộớờợứừự]", text.lower()) for text in shown), page[-1500:]


def test_a_page_number_beyond_the_databases_integers_is_not_a_server_error(client) -> None:
    make_user()
    login(client, "letan")
    for url in (f"/visits/?page={BIG}", f"/visits/{BIG}", f"/letters/{BIG}", f"/cases/{BIG}"):
        response = client.get(url)
        assert response.status_code in (400, 404), url
        title = re.findall(r"<h1>(.*?)</h1>", html.unescape(response.get_data(as_text=True)))
        assert title and re.search("[àáảãạăâđêôơưếềệốồộớờợứừự]", title[0].lower()), (url, title)


def test_a_visit_dated_a_century_ago_is_logged_with_the_oldest_group_rule(client) -> None:
    make_user()
    login(client, "letan")
    response = post_form(client, "/visits/new", {**FORM, "visited_on": "01/01/1926"})
    assert response.status_code == 302 and visit_count() == 1
