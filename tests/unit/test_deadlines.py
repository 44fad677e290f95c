"""The deadline engine against worked examples derived by hand from the law and the calendar,
and its properties (hypothesis). Counting: BLDS 2015 Điều 147–148 (event day not counted; a
calendar period ending on a rest day or day off ends on the next working day)."""
from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tracker.rules.calendar import DayOverride
from tracker.rules.calendar import WorkingCalendar
from tracker.rules.data.calendar_vn import CALENDAR_SEED
from tracker.rules.data.deadlines_vn import DEADLINE_SEED
from tracker.rules.deadlines import CONDITIONS
from tracker.rules.deadlines import AmbiguousRuleError
from tracker.rules.deadlines import DeadlineRule
from tracker.rules.deadlines import ExtensionError
from tracker.rules.deadlines import NoRuleError
from tracker.rules.deadlines import PauseError
from tracker.rules.deadlines import compute_due_on
from tracker.rules.deadlines import select_rule

CAL = WorkingCalendar(CALENDAR_SEED)
D = date


def due(kind: str, step: str, start: date, **kw: object):  # type: ignore[no-untyped-def]
    return compute_due_on(kind, step, start, rules=DEADLINE_SEED, calendar=CAL, **kw)  # type: ignore[arg-type]


# (kind, step, start, flags, due_on, rule code) — derivation beside each.
WORKED = [
    # 1. Thu 12 Feb 2026 + 10 LV: Fri 13 = 1; Sat 14–Sun 22 Tết block skipped; 23–27 Feb = 2..6; 2–5 Mar = 7..10.
    ("letter", "notify", D(2026, 2, 12), {}, D(2026, 3, 5), "letter.notify.2014"),
    # 2. Fri 24 Jan 2025 + 10 LV: 25 Jan–2 Feb all off (Tết 2025); Mon 3–Fri 7 Feb = 1..5; 10–14 Feb = 6..10.
    ("letter", "notify", D(2025, 1, 24), {}, D(2025, 2, 14), "letter.notify.2014"),
    # 3. Tue 30 Jun 2026, rule of TT 07/2013 (10 LV): 1,2,3,6,7,8,9,10,13,14 Jul → Tue 14 Jul.
    ("complaint", "accept", D(2026, 6, 30), {}, D(2026, 7, 14), "complaint.accept.2013"),
    # 4. Wed 1 Jul 2026, NĐ 155/2026 (7 LV): 2,3,6,7,8,9,10 Jul → Fri 10 Jul (earlier than example 3).
    ("complaint", "accept", D(2026, 7, 1), {}, D(2026, 7, 10), "complaint.accept.2026"),
    # 5. Tue 15 Jan 2013, law of 2011 (10 CD): 15 + 10 = Fri 25 Jan 2013, a working day.
    ("complaint", "accept", D(2013, 1, 15), {}, D(2013, 1, 25), "complaint.accept.2012"),
    # 6. Fri 2 Jan 2026 (itself a day off) + 7 LV: 5..9 Jan = 1..5, make-up Sat 10 Jan = 6, Mon 12 = 7.
    ("denunciation", "initial", D(2026, 1, 2), {}, D(2026, 1, 12), "denunciation.initial.2019"),
    # 7. Wed 31 Dec 2025 + 10 LV (complex): 1 Jan holiday, 2 Jan day off, 5..9 = 1..5, Sat 10 = 6, 12..15 = 7..10.
    ("denunciation", "initial", D(2025, 12, 31), {"complex": True}, D(2026, 1, 15),
     "denunciation.initial.complex.2019"),
    # 8. Tue 18 Aug 2026 + 5 LV: 19, 20, 21 = 1..3, make-up Sat 22 Aug = 4, Sun skipped, Mon 24 = 5.
    ("denunciation", "transfer", D(2026, 8, 18), {}, D(2026, 8, 24), "denunciation.transfer.2019"),
    # 9. Fri 28 Aug 2026 + 10 LV: 29–30 weekend, Mon 31 swapped day off, 1–2 Sep Quốc khánh; 3,4,7..11,14,15,16.
    ("letter", "notify", D(2026, 8, 28), {}, D(2026, 9, 16), "letter.notify.2014"),
    # 10. Thu 5 Mar 2026 + 3 CD = Sun 8 Mar → rolled to Mon 9 Mar (BLDS Điều 148.5).
    ("mediation", "start", D(2026, 3, 5), {}, D(2026, 3, 9), "mediation.start.2014"),
    # 11. Tue 31 Mar 2026 + 30 CD = Thu 30 Apr (holiday) → Fri 1 May holiday, weekend → Mon 4 May.
    ("complaint", "resolve", D(2026, 3, 31), {}, D(2026, 5, 4), "complaint.resolve.first.2012"),
    # 12. Fri 16 Jan 2026 + 30 CD = Sun 15 Feb, inside Tết 2026 (to Sun 22 Feb) → Mon 23 Feb.
    ("land_mediation", "resolve", D(2026, 1, 16), {}, D(2026, 2, 23), "land_mediation.resolve.2024"),
    # 13. Thu 26 Dec 2024 + 30 CD = Sat 25 Jan 2025: Tết 2025 block to Sun 2 Feb → Mon 3 Feb.
    ("denunciation", "resolve", D(2024, 12, 26), {}, D(2025, 2, 3), "denunciation.resolve.2019"),
    # 14. Mon 2 Mar 2026, 2 extensions: 30+30+30 = 90 CD → Sun 31 May → Mon 1 Jun.
    ("denunciation", "resolve", D(2026, 3, 2), {"extensions": 2}, D(2026, 6, 1), "denunciation.resolve.2019"),
    # 15. Mon 2 Mar 2026, 1 extension: 60 CD → Fri 1 May (holiday) → weekend → Mon 4 May.
    ("denunciation", "resolve", D(2026, 3, 2), {"extensions": 1}, D(2026, 5, 4), "denunciation.resolve.2019"),
    # 16. Second instance, remote + complex: Mon 2 Mar 2026 + 70 CD (31 Mar = 29, 30 Apr = 59) = Mon 11 May.
    ("complaint", "resolve", D(2026, 3, 2), {"second_instance": True, "complex": True, "remote_area": True},
     D(2026, 5, 11), "complaint.resolve.second.remote_complex.2012"),
    # 17. Same after 1 Jul 2026: Wed 1 Jul + 70 CD (31 Jul = 30, 31 Aug = 61) = Wed 9 Sep; the 2026 row applies.
    ("complaint", "resolve", D(2026, 7, 1), {"second_instance": True, "complex": True, "remote_area": True},
     D(2026, 9, 9), "complaint.resolve.second.remote_complex.2026"),
    # 18. Thu 23 Jul 2026 + 30 CD = Sat 22 Aug, an official make-up working day: the office works, no roll.
    ("complaint", "resolve", D(2026, 7, 23), {}, D(2026, 8, 22), "complaint.resolve.first.2026"),
    # 19. Old land law: Wed 31 Jul 2024 + 45 CD (31 Aug = 31) = Sat 14 Sep 2024 → Mon 16 Sep.
    ("land_mediation", "resolve", D(2024, 7, 31), {}, D(2024, 9, 16), "land_mediation.resolve.2014"),
    # 20. New land law: Thu 1 Aug 2024 + 30 CD = Sat 31 Aug; 1 Sep Sun, 2–3 Sep Quốc khánh → Wed 4 Sep.
    ("land_mediation", "resolve", D(2024, 8, 1), {}, D(2024, 9, 4), "land_mediation.resolve.2024"),
    # 21. Tue 1 Jul 2025 + 5 LV: 2, 3, 4, 7, 8 Jul → Tue 8 Jul 2025.
    ("land_dispute", "accept", D(2025, 7, 1), {}, D(2025, 7, 8), "land_dispute.accept.2025"),
    # 22. Remote area: Wed 1 Jul 2026 + 55 CD (31 Jul = 30) = Tue 25 Aug.
    ("land_dispute", "resolve", D(2026, 7, 1), {"remote_area": True}, D(2026, 8, 25),
     "land_dispute.resolve.remote.2025"),
    # 23. Not remote: Wed 1 Jul 2026 + 45 CD = Sat 15 Aug → Mon 17 Aug.
    ("land_dispute", "resolve", D(2026, 7, 1), {}, D(2026, 8, 17), "land_dispute.resolve.2025"),
    # 24. Thu 25 Apr 2024 + 10 LV: Fri 26 = 1; 27–28 weekend, 29 Apr swapped off, 30 Apr, 1 May; Thu 2 = 2,
    #     Fri 3 = 3, make-up Sat 4 May = 4, 6..10 May = 5..9, Mon 13 = 10.
    ("letter", "notify", D(2024, 4, 25), {}, D(2024, 5, 13), "letter.notify.2014"),
    # 25. Thu 24 Apr 2025 + 5 LV: Fri 25 = 1, make-up Sat 26 = 2, Mon 28 = 3, Tue 29 = 4; 30 Apr, 1 May,
    #     2 May (swap) off, weekend; Mon 5 May = 5.
    ("denunciation", "transfer", D(2025, 4, 24), {}, D(2025, 5, 5), "denunciation.transfer.2019"),
    # 26. Mon 16 Nov 2026 + 10 LV: 17..20, 23 = 1..5; Tue 24 Nov (Ngày Văn hóa, U) off; 25..27, 30 Nov, 1 Dec.
    ("letter", "notify", D(2026, 11, 16), {}, D(2026, 12, 1), "letter.notify.2014"),
    # 27. Fri 24 Apr 2026 + 10 LV: weekend, Mon 27 Giỗ Tổ (nghỉ bù); 28, 29 = 1, 2; 30 Apr, 1 May, weekend;
    #     4..8 May = 3..7; 11, 12, 13 = 8..10.
    ("letter", "notify", D(2026, 4, 24), {}, D(2026, 5, 13), "letter.notify.2014"),
    # 28. Wed 1 Jul 2026 + 45 CD = Sat 15 Aug → Mon 17 Aug (the 45-day red flag of NĐ 154/2026).
    ("letter", "backstop", D(2026, 7, 1), {}, D(2026, 8, 17), "letter.backstop.2026"),
    # 29. Fri 21 Aug 2026 + 3 LV: make-up Sat 22 = 1, Mon 24 = 2, Tue 25 = 3.
    ("complaint", "send_decision", D(2026, 8, 21), {}, D(2026, 8, 25), "complaint.send_decision.2026"),
    # 30. Notice Thu 27 Aug 2026 + 5 CD = Tue 1 Sep (Quốc khánh), Wed 2 Sep → Thu 3 Sep.
    ("complaint", "dialogue_notice", D(2026, 8, 27), {}, D(2026, 9, 3), "complaint.dialogue_notice.2026"),
    # 31. Petition target (U): Thu 1 Oct 2026 + 30 CD = Sat 31 Oct → Mon 2 Nov.
    ("petition", "resolve", D(2026, 10, 1), {}, D(2026, 11, 2), "petition.resolve.target"),
    # 32. First instance, remote + complex: Mon 5 Jan 2026 + 60 CD (31 Jan = 26, 28 Feb = 54) = Fri 6 Mar.
    ("complaint", "resolve", D(2026, 1, 5), {"complex": True, "remote_area": True}, D(2026, 3, 6),
     "complaint.resolve.first.remote_complex.2012"),
]


@pytest.mark.parametrize(("kind", "step", "start", "flags", "expected", "code"), WORKED,
                         ids=[f"{w[0]}.{w[1]}-{w[2]}" for w in WORKED])
def test_worked_examples_match_the_hand_count(kind, step, start, flags, expected, code) -> None:  # type: ignore[no-untyped-def]
    result = due(kind, step, start, **flags)
    assert (result.due_on, result.rule_code) == (expected, code)
    assert CAL.is_working_day(result.due_on)


def test_a_third_extension_of_a_denunciation_is_refused() -> None:
    with pytest.raises(ExtensionError) as refused:
        due("denunciation", "resolve", D(2026, 3, 2), extensions=3)
    assert refused.value.params["max"] == 2
    with pytest.raises(ExtensionError):
        due("complaint", "resolve", D(2026, 3, 2), extensions=1)  # complaints have no extension


def test_a_step_with_no_rule_in_force_is_an_error() -> None:
    with pytest.raises(NoRuleError):
        due("land_dispute", "accept", D(2025, 6, 30))  # the commune had no such power before 1 Jul 2025
    with pytest.raises(NoRuleError):
        due("letter", "shout", D(2026, 1, 5))


def test_the_explanation_lists_the_rule_each_skipped_day_and_each_make_up_saturday() -> None:
    steps = due("denunciation", "initial", D(2026, 1, 2)).explanation
    codes = [s.code for s in steps]
    assert codes[:3] == ["start", "rule", "count"] and codes[-1] == "due"
    assert steps[1].value == "denunciation.initial.2019" and "Điều 24" in steps[1].text
    skipped = {s.on: s.reason for s in steps if s.code == "skip"}
    assert skipped == {D(2026, 1, 3): "weekend", D(2026, 1, 4): "weekend", D(2026, 1, 11): "weekend"}
    assert [(s.on, s.code) for s in steps if s.code == "make_up"] == [(D(2026, 1, 10), "make_up")]
    tet = due("mediation", "start", D(2026, 2, 12)).explanation  # + 3 CD = Sun 15 Feb → Mon 23 Feb
    assert [s.reason for s in tet if s.code == "skip"] == ["weekend"] + ["holiday"] * 5 + ["weekend"] * 2
    assert [s.code for s in tet][-3:] == ["skip", "roll_forward", "due"]
    assert tet[-1].as_dict() == {"code": "due", "on": "2026-02-23", "reason": None, "text": None, "value": None}


def test_a_denunciation_pause_adds_the_paused_days_back() -> None:
    # Mon 2 Mar 2026 + 30 CD; suspended Tue 10 Mar, resumed Fri 20 Mar: 10 days not counted → Sat 11 Apr → Mon 13 Apr.
    result = due("denunciation", "resolve", D(2026, 3, 2), pauses=[(D(2026, 3, 10), D(2026, 3, 20))])
    assert (result.nominal_due_on, result.due_on) == (D(2026, 4, 11), D(2026, 4, 13))
    # A suspension after the period ended does not move it (1 Apr is the 30th day).
    late = due("denunciation", "resolve", D(2026, 3, 2), pauses=[(D(2026, 4, 1), D(2026, 4, 20))])
    assert late.due_on == D(2026, 4, 1)


def test_a_complaint_resolution_restarts_from_the_continuation_decision_from_july_2026() -> None:
    # Wed 1 Jul 2026; suspended 20 Jul, continued Mon 3 Aug: 30 CD again from 3 Aug = Wed 2 Sep (holiday) → Thu 3 Sep.
    result = due("complaint", "resolve", D(2026, 7, 1), pauses=[(D(2026, 7, 20), D(2026, 8, 3))])
    assert result.due_on == D(2026, 9, 3)
    assert any(s.code == "restart" and s.on == D(2026, 8, 3) for s in result.explanation)
    # Accepted before 1 Jul 2026, suspended after: the new suspension rule applies (NĐ 155/2026 Điều 22).
    assert due("complaint", "resolve", D(2026, 6, 1), pauses=[(D(2026, 7, 15), D(2026, 8, 3))]).due_on == D(2026, 9, 3)
    with pytest.raises(PauseError):  # no suspension of complaints under the 2011 law
        due("complaint", "resolve", D(2026, 3, 2), pauses=[(D(2026, 3, 10), D(2026, 3, 20))])


def test_an_open_suspension_stops_the_clock() -> None:
    result = due("denunciation", "resolve", D(2026, 3, 2), pauses=[(D(2026, 3, 10), None)])
    assert result.due_on is None and result.nominal_due_on is None
    assert result.explanation[-1].code == "clock_stopped"


@pytest.mark.parametrize("pauses", [
    [(D(2026, 3, 1), D(2026, 3, 5))],  # before the start
    [(D(2026, 3, 10), D(2026, 3, 5))],  # resumed before suspended
    [(D(2026, 3, 10), None), (D(2026, 3, 20), D(2026, 3, 25))],  # an open pause that is not the last
    [(D(2026, 3, 10), D(2026, 3, 20)), (D(2026, 3, 15), D(2026, 3, 25))],  # overlapping
])
def test_bad_suspension_dates_are_refused(pauses) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PauseError):
        due("denunciation", "resolve", D(2026, 3, 2), pauses=pauses)


def test_an_administrator_correction_to_the_calendar_changes_the_date() -> None:
    cal = WorkingCalendar([*CALENDAR_SEED[:-1], DayOverride(D(2026, 11, 24), "not_off", "Không nghỉ", "thử", "U")])
    result = compute_due_on("letter", "notify", D(2026, 11, 16), rules=DEADLINE_SEED, calendar=cal)
    assert result.due_on == D(2026, 11, 30)


def test_the_most_specific_rule_wins_and_equal_ones_are_ambiguous() -> None:
    base = DeadlineRule("a", "k", "s", 10, "calendar", D(2020, 1, 1), "x")
    special = DeadlineRule("b", "k", "s", 20, "calendar", D(2020, 1, 1), "x", complex=True)
    assert select_rule([base, special], "k", "s", D(2021, 1, 1), {"complex": True}) is special
    assert select_rule([base, special], "k", "s", D(2021, 1, 1), {}) is base
    twin = DeadlineRule("c", "k", "s", 20, "calendar", D(2020, 1, 1), "x", remote_area=True)
    with pytest.raises(AmbiguousRuleError):
        select_rule([base, special, twin], "k", "s", D(2021, 1, 1), {"complex": True, "remote_area": True})


KINDS_STEPS = [("letter", "notify"), ("complaint", "accept"), ("complaint", "resolve"), ("denunciation", "initial"),
               ("denunciation", "transfer"), ("denunciation", "resolve"), ("mediation", "start"),
               ("land_mediation", "resolve"), ("land_dispute", "accept"), ("land_dispute", "resolve")]


@pytest.mark.parametrize("on", [D(2019, 6, 1), D(2024, 7, 31), D(2024, 8, 1), D(2025, 7, 1), D(2026, 6, 30),
                                D(2026, 7, 1), D(2027, 3, 1)])
def test_every_interface_step_has_exactly_one_rule_for_every_combination_of_flags(on: date) -> None:
    for kind, step in KINDS_STEPS:
        if kind == "land_dispute" and on < D(2025, 7, 1):
            continue
        for bits in range(8):
            flags = {c: bool(bits >> i & 1) for i, c in enumerate(CONDITIONS)}
            select_rule(DEADLINE_SEED, kind, step, on, flags)


def test_shipped_rules_have_unique_codes_and_a_legal_basis() -> None:
    assert len({r.code for r in DEADLINE_SEED}) == len(DEADLINE_SEED)
    for r in DEADLINE_SEED:
        assert r.legal_basis.strip() and r.certainty in {"C", "S", "U"} and len(r.code) <= 80
        assert len(r.legal_basis) <= 300 and (r.effective_to is None or r.effective_to >= r.effective_from)


# -- properties ----------------------------------------------------------------------------------
starts = st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 6, 30))
kinds = st.sampled_from(["working", "calendar"])


def rule(days: int, day_kind: str, pause: str | None = "extend") -> DeadlineRule:
    return DeadlineRule("p", "k", "s", days, day_kind, D(2000, 1, 1), "x", max_extensions=2, extension_days=days,
                        pause_rule=pause)


def run(r: DeadlineRule, start: date, **kw: object) -> date | None:
    return compute_due_on("k", "s", start, rules=[r], calendar=CAL, **kw).due_on  # type: ignore[arg-type]


@settings(max_examples=200)
@given(starts, st.integers(0, 90), kinds)
def test_a_due_date_is_a_working_day_on_or_after_the_nominal_date(start: date, days: int, day_kind: str) -> None:
    result = compute_due_on("k", "s", start, rules=[rule(days, day_kind)], calendar=CAL)
    assert CAL.is_working_day(result.due_on) and result.due_on >= result.nominal_due_on >= start
    assert all(not CAL.is_working_day(result.nominal_due_on + timedelta(days=i))
               for i in range((result.due_on - result.nominal_due_on).days))


@given(starts, st.integers(0, 90), st.integers(0, 30), kinds)
def test_more_days_never_give_an_earlier_date(start: date, days: int, more: int, day_kind: str) -> None:
    assert run(rule(days + more, day_kind), start) >= run(rule(days, day_kind), start)


@given(starts, st.integers(1, 60), st.integers(0, 1), kinds)
def test_an_extension_never_shortens_a_deadline(start: date, days: int, extensions: int, day_kind: str) -> None:
    r = rule(days, day_kind)
    longer = compute_due_on("k", "s", start, rules=[r], calendar=CAL, extensions=extensions + 1)
    shorter = compute_due_on("k", "s", start, rules=[r], calendar=CAL, extensions=extensions)
    # The nominal end moves later; the due date may stay when both roll to the same working day.
    assert longer.nominal_due_on > shorter.nominal_due_on and longer.due_on >= shorter.due_on


@given(starts, st.integers(0, 60), st.integers(0, 90), st.integers(0, 40), kinds,
       st.sampled_from(["extend", "restart"]))
def test_a_pause_never_shortens_a_deadline(start: date, days: int, offset: int, length: int, day_kind: str,
                                           how: str) -> None:
    r = rule(days, day_kind, how)
    suspended = start + timedelta(days=offset)
    assert run(r, start, pauses=[(suspended, suspended + timedelta(days=length))]) >= run(r, start)


# --- a due date that rests on an uncertain calendar says so ------------------------------------

def doubts(deadline):  # type: ignore[no-untyped-def]
    return [(s.reason, s.on, s.value) for s in deadline.explanation if s.code == "doubt"]


def test_a_count_over_a_year_whose_schedule_is_not_published_is_an_estimate() -> None:
    assert CAL.last_published_year == 2026 and CAL.is_estimate(2027) and not CAL.is_estimate(2026)
    over = due("letter", "notify", D(2026, 12, 28))  # 10 working days into January 2027
    assert ("estimate_year", None, 2027) in doubts(over) and over.certainty == "U"
    within = due("letter", "notify", D(2026, 3, 2))
    assert doubts(within) == [] and within.certainty == "C"


def test_a_day_off_not_confirmed_by_a_document_makes_the_date_uncertain() -> None:
    # Mon 16 Nov 2026 + 10 LV skips Tue 24 Nov "Ngày Văn hóa Việt Nam" (U: the amendment is unconfirmed).
    deadline = due("letter", "notify", D(2026, 11, 16))
    assert [(r, on) for r, on, _v in doubts(deadline)] == [("uncertain_day", D(2026, 11, 24))]
    assert deadline.certainty == "U"


def test_a_period_in_calendar_days_doubts_only_the_year_it_ends_in() -> None:
    rules = [DeadlineRule("t.cal", "petition", "resolve", 30, "calendar", D(2000, 1, 1), "Luật thử", "C")]
    ends_2027 = compute_due_on("petition", "resolve", D(2026, 12, 20), rules=rules, calendar=CAL)
    assert [r for r, _o, _v in doubts(ends_2027)] == ["estimate_year"]
    ends_2026 = compute_due_on("petition", "resolve", D(2026, 10, 1), rules=rules, calendar=CAL)
    assert doubts(ends_2026) == [] and ends_2026.certainty == "C"  # 24/11 lies inside, not at the end
