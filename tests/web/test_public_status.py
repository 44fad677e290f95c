"""The citizens' status page and API: only the stage, the due date and whether an answer was sent,
rate-limited with one budget for both, with wrong codes slowed down and valid codes still answered."""
from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_user
from tests.integration.test_letters_cases import accept
from tests.integration.test_letters_cases import act
from tests.integration.test_letters_cases import register
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules


@pytest.fixture
def clerk(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    return make_user()


def test_a_citizen_follows_a_letter_by_its_code_without_seeing_any_name_or_content(app, client, clerk) -> None:
    app.config["FIXED_TODAY"] = date(2026, 3, 10)
    letter = register(clerk, kind="denunciation", summary="Tố cáo ông Bí Mật nhận hối lộ")
    page = client.get(f"/status/?code={letter.tracking_code.lower()}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and letter.tracking_code in text and "16/03/2026" in text
    assert "Nguyễn Văn An" not in text and "Bí Mật" not in text and "001085012345" not in text
    api = client.get(f"/api/v1/status/{letter.tracking_code}").get_json()
    assert api == {"code": letter.tracking_code, "stage": "registered", "received_on": "2026-03-02",
                   "due_on": "2026-03-16", "answered": False, "unit": clerk.unit.name, "overdue": False}
    assert clerk.unit.name in text and "quá hạn" not in text


def test_the_page_says_when_the_next_step_is_overdue_and_who_holds_the_letter(app, client, clerk) -> None:
    letter = register(clerk)  # received 02/03/2026, to be notified by 16/03/2026
    app.config["FIXED_TODAY"] = date(2026, 3, 16)
    assert client.get(f"/api/v1/status/{letter.tracking_code}").get_json()["overdue"] is False  # the last day
    app.config["FIXED_TODAY"] = date(2026, 3, 20)
    assert client.get(f"/api/v1/status/{letter.tracking_code}").get_json()["overdue"] is True
    text = client.get(f"/status/?code={letter.tracking_code}").get_data(as_text=True)
    assert "quá hạn từ ngày 17/03/2026" in text and "Nơi giữ đơn" in text and clerk.unit.name in text


def test_the_stage_follows_the_case_to_its_answer(client, clerk) -> None:
    letter = register(clerk)
    case = accept(clerk, letter)
    assert client.get(f"/api/v1/status/{letter.tracking_code}").get_json()["stage"] == "accepted"
    act(clerk, case, "conclude", date(2026, 3, 20), outcome="right", document_no="1/QĐ-UBND")
    answer = client.get(f"/api/v1/status/{letter.tracking_code}").get_json()
    assert (answer["stage"], answer["answered"], answer["due_on"]) == ("answered", True, None)


def test_unknown_and_malformed_codes_get_the_same_answer(client, clerk) -> None:
    register(clerk)
    for code in ("ZZZZZZZZZZ", "abc", "' OR 1=1 --"):
        assert client.get(f"/status/?code={code}").status_code == 404
    assert client.get("/api/v1/status/ZZZZZZZZZZ").get_json()["error"]["code"] == "not_found"


@pytest.mark.config(RATELIMIT_ENABLED=True, STATUS_MISS_LIMIT="3 per hour", STATUS_RATE_LIMIT="100 per minute")
def test_guessing_codes_is_slowed_down_on_the_page_and_the_api_together(client, clerk) -> None:
    codes = [client.get(f"/status/?code=WRONG{i:05d}").status_code for i in range(2)]
    codes.append(client.get("/api/v1/status/WRONG00002").status_code)
    codes += [client.get("/api/v1/status/WRONG00003").status_code, client.get("/status/?code=WRONG00004").status_code]
    assert codes == [404, 404, 404, 429, 429]


@pytest.mark.config(RATELIMIT_ENABLED=True, STATUS_RATE_LIMIT="100 per minute")
def test_a_valid_code_is_answered_after_ten_wrong_ones_from_its_address(client, clerk) -> None:
    """A whole office behind one address: someone's wrong codes never refuse another's letter."""
    letter = register(clerk)
    codes = [client.get(f"/status/?code=WRONG{i:05d}").status_code for i in range(10)]
    assert codes == [404] * 10
    assert client.get("/status/?code=WRONG99999").status_code == 429
    assert client.get(f"/status/?code={letter.tracking_code}").status_code == 200
    assert client.get(f"/api/v1/status/{letter.tracking_code}").status_code == 200
    assert client.get("/api/v1/status/WRONG99998").status_code == 429


@pytest.mark.config(RATELIMIT_ENABLED=True, STATUS_RATE_LIMIT="4 per minute")
def test_the_page_and_the_api_share_one_general_budget_which_bounds_valid_codes_too(client, clerk) -> None:
    letter = register(clerk)
    codes = [client.get(f"/status/?code={letter.tracking_code}").status_code,
             client.get(f"/api/v1/status/{letter.tracking_code}").status_code,
             client.get("/status/?code=WRONG00001").status_code,
             client.get(f"/api/v1/status/{letter.tracking_code}").status_code,
             client.get(f"/status/?code={letter.tracking_code}").status_code,
             client.get(f"/api/v1/status/{letter.tracking_code}").status_code]
    assert codes == [200, 200, 404, 200, 429, 429]
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the budget is the address's own
    assert other.get(f"/api/v1/status/{letter.tracking_code}").status_code == 200
