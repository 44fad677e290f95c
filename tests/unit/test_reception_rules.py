"""Rules of the reception log book: layouts by date, refusal grounds in force, group visits."""
from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from tracker.rules import reception as r
from tracker.rules.params import SEED
from tracker.rules.params import Param
from tracker.rules.params import values_on

GROUP = r.GroupRule.from_params(values_on(SEED, date(2026, 1, 1)))


def test_the_2021_form_applies_until_30_june_2026_and_the_2026_form_after() -> None:
    assert r.layout_for(date(2026, 6, 30)).code == "TT04_2021_M03"
    assert r.layout_for(date(2026, 7, 1)).code == "ND154_2026_M03TCD"
    assert "within_competence" in r.layout_for(date(2026, 7, 1)).columns
    assert "within_competence" not in r.layout_for(date(2025, 1, 1)).columns


def test_refusal_grounds_added_by_decree_154_are_not_available_before_july_2026() -> None:
    before = {g.code for g in r.decline_grounds_on(date(2026, 6, 30))}
    after = {g.code for g in r.decline_grounds_on(date(2026, 7, 1))}
    assert "weapons" not in before and "weapons" in after
    assert before < after


def test_a_group_of_five_to_ten_may_choose_two_representatives_a_larger_one_five() -> None:
    assert GROUP.max_representatives(4) is None
    assert GROUP.max_representatives(5) == 2
    assert GROUP.max_representatives(10) == 2
    assert GROUP.max_representatives(11) == 5


def _problems(**over: object) -> dict[str, str]:
    args: dict[str, object] = dict(visited_on=date(2026, 3, 1), today=date(2026, 3, 2), people_count=1,
                                   representatives=0, handling="guided", decline_ground=None, group=GROUP)
    args.update(over)
    return r.visit_problems(**args)  # type: ignore[arg-type]


def test_a_lawful_visit_has_no_problems() -> None:
    assert _problems() == {}


def test_a_visit_in_the_future_or_with_nobody_is_refused() -> None:
    assert _problems(visited_on=date(2026, 3, 3)) == {"visited_on": "date_in_future"}
    assert _problems(people_count=0)["people_count"] == "people_count_min"


def test_too_many_representatives_are_refused() -> None:
    assert _problems(people_count=8, representatives=3) == {"representatives": "too_many_representatives"}


def test_a_refusal_needs_a_ground_in_force_on_the_visit_date() -> None:
    assert _problems(handling="declined")["decline_ground"] == "decline_ground_required"
    assert _problems(handling="declined", decline_ground="weapons")["decline_ground"] == "decline_ground_not_in_force"
    assert _problems(handling="declined", decline_ground="abusive") == {}


@given(st.integers(min_value=1, max_value=500))
def test_representatives_allowed_never_shrink_as_the_group_grows(n: int) -> None:
    a, b = GROUP.max_representatives(n), GROUP.max_representatives(n + 1)
    assert (a or 0) <= (b or 0)


def test_a_later_rule_version_wins_from_its_start_date() -> None:
    params = [Param("x", 5, date(2014, 1, 1), None, "old", "C"), Param("x", 7, date(2026, 7, 1), None, "new", "S")]
    assert values_on(params, date(2026, 6, 30)) == {"x": 5}
    assert values_on(params, date(2026, 7, 1)) == {"x": 7}


def test_from_july_2026_a_vice_chair_may_not_hold_the_scheduled_reception() -> None:
    before = values_on(SEED, date(2026, 6, 30))["scheduled_by_vice_chair"]
    after = values_on(SEED, date(2026, 7, 1))["scheduled_by_vice_chair"]
    assert (before, after) == (1, 0)
    assert _problems(kind="scheduled", host="vice_chair", vice_chair_may_hold_scheduled=bool(after)) == {
        "host": "scheduled_by_chair_only"}
    assert _problems(kind="scheduled", host="vice_chair", vice_chair_may_hold_scheduled=bool(before)) == {}
    assert _problems(kind="adhoc", host="vice_chair", vice_chair_may_hold_scheduled=False) == {}
