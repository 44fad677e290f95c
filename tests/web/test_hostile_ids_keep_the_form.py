"""An id beyond the databases' integers, typed into a hidden field or a link, is no record: the form comes
back with its fields and a message, never the generic error page (found by an outside test)."""
from __future__ import annotations

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_user
from tests.web.test_visits import FORM

HUGE = "9" * 23


def test_a_huge_citizen_or_visit_id_keeps_the_form(client) -> None:  # type: ignore[no-untyped-def]
    make_user()
    login(client, "letan")
    response = post_form(client, "/visits/new", {**FORM, "citizen_id": HUGE, "classification": ""})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="visit-form"' in text and "Nguyễn Văn An" in text
    page = client.get(f"/letters/new?visit_id={HUGE}")
    assert page.status_code == 200 and 'name="summary"' in page.get_data(as_text=True)
    posted = post_form(client, "/letters/new", {"received_on": "05/03/2026", "channel": "visit", "visit_id": HUGE,
                                                "kind": "petition", "subject": "land", "summary": "Đề nghị",
                                                "full_name": "Lê Văn Một", "citizen_id": HUGE}, form_url="/letters/new")
    assert posted.status_code in (302, 400)
    if posted.status_code == 400:
        assert 'name="summary"' in posted.get_data(as_text=True)
