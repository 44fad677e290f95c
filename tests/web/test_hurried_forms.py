"""Forms a hurried receptionist cannot get wrong: no silent default on a classification, subject or
handling, and a visit that received a letter leads straight to registering it."""
from __future__ import annotations

import re

from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_user
from tests.web.test_visits import FORM
from tracker.extensions import db
from tracker.models import Letter
from tracker.models import Visit


def first_option(html: str, name: str) -> str:
    select_tag = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select_tag, name
    option = re.search(r"<option([^>]*)>([^<]*)</option>", select_tag.group(1))
    assert option
    return option.group(2).strip()


def test_the_visit_and_letter_forms_start_at_choose_and_refuse_an_untouched_choice(client) -> None:
    make_user()
    login(client, "letan")
    visit_form = client.get("/visits/new").get_data(as_text=True)
    for name in ("classification", "subject", "handling"):
        assert first_option(visit_form, name) == "— chọn —", name
    letter_form = client.get("/letters/new").get_data(as_text=True)
    for name in ("kind", "subject"):
        assert first_option(letter_form, name) == "— chọn —", name
    untouched = {k: v for k, v in FORM.items() if k not in ("classification", "subject", "handling")}
    response = post_form(client, "/visits/new", {**untouched, "classification": "", "subject": ""})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and text.count("Vui lòng chọn một mục.") >= 3
    assert "Nguyễn Văn An" in text  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_a_visit_that_received_a_letter_goes_straight_to_registering_it(client) -> None:
    make_user()
    login(client, "letan")
    response = post_form(client, "/visits/new", {**FORM, "handling": "letter_received"})
    visit = db.session.scalar(select(Visit))
    assert response.status_code == 302 and response.location.endswith(f"/letters/new?visit_id={visit.id}")
    form = client.get(response.location).get_data(as_text=True)
    assert "Mời vào sổ đơn" in form and FORM["content"] in form and '<option selected value="visit">' in form
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0  # nothing registered behind her back
