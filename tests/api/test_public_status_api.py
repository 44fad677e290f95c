"""The public status API as an attacker and an office see it (issue 12, finding 10): one budget with the
page, and only wrong codes count against an address."""
from __future__ import annotations

import pytest

from tests.factories import make_user
from tests.integration.test_letters_cases import register
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules


@pytest.fixture
def letter(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    return register(make_user())


@pytest.mark.config(RATELIMIT_ENABLED=True, STATUS_RATE_LIMIT="100 per minute")
def test_valid_codes_pass_after_ten_wrong_ones_and_wrong_codes_are_refused_as_json(client, letter) -> None:
    assert [client.get(f"/api/v1/status/WRONG{i:05d}").status_code for i in range(10)] == [404] * 10
    refused = client.get("/api/v1/status/WRONG00010")
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    for _ in range(3):
        answer = client.get(f"/api/v1/status/{letter.tracking_code}")
        assert answer.status_code == 200 and answer.get_json()["code"] == letter.tracking_code


@pytest.mark.config(RATELIMIT_ENABLED=True, STATUS_MISS_LIMIT="2 per hour", STATUS_RATE_LIMIT="3 per minute")
def test_the_wrong_codes_of_the_page_count_against_the_api_and_so_do_the_lookups(client, letter) -> None:
    assert [client.get(f"/status/?code=WRONG{i:05d}").status_code for i in range(2)] == [404, 404]
    assert client.get("/api/v1/status/WRONG00002").status_code == 429  # the page used up the wrong codes
    assert client.get(f"/api/v1/status/{letter.tracking_code}").status_code == 429  # and the 3 lookups
