"""Reception (tiếp công dân): the codes of the log book, its official layouts, and group visits.

Every layout and refusal ground carries the dates it is in force and its legal basis, so a visit
is shown and checked under the law of its own date.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

VISIT_CHANNELS = ("in_person", "online")
VISIT_KINDS = ("regular", "scheduled", "adhoc")
VISIT_HOSTS = ("chair", "vice_chair", "officer")
SESSION_KINDS = ("scheduled", "adhoc")
SESSION_HOSTS = ("chair", "vice_chair")
CLASSIFICATIONS = ("complaint", "denunciation", "petition", "feedback", "mediation", "other")
# The denouncer's identity is protected (Luật Tố cáo 2018 Điều 8.3, 47): who denounced is need-to-know.
CONFIDENTIAL_CLASSIFICATIONS = ("denunciation",)
SUBJECTS = (
    "land",
    "site_clearance",
    "construction",
    "environment",
    "social_policy",
    "administration",
    "justice",
    "family",
    "other",
)
VISIT_HANDLINGS = ("letter_received", "guided", "referred", "answered", "declined")
# Handlings that need the number of the document issued (guidance or transfer slip).
HANDLINGS_WITH_DOCUMENT = ("guided", "referred")


@dataclass(frozen=True)
class Ground:
    code: str
    legal_basis: str
    effective_from: date
    effective_to: date | None = None
    # Grounds for which the head must issue a written refusal notice (Mẫu 01/TCD).
    needs_notice: bool = False

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


_LAW_2014 = date(2014, 7, 1)
_ND154 = date(2026, 7, 1)

DECLINE_GROUNDS: tuple[Ground, ...] = (
    Ground("incapacitated", "Luật TCD 2013 Điều 9.1", _LAW_2014),
    Ground("abusive", "Luật TCD 2013 Điều 9.2", _LAW_2014),
    Ground("settled_repeat", "Luật TCD 2013 Điều 9.3; NĐ 154/2026 Điều 4.3", _LAW_2014, needs_notice=True),
    Ground("other_by_law", "Luật TCD 2013 Điều 9.4", _LAW_2014),
    Ground("weapons", "NĐ 154/2026/NĐ-CP Điều 4", _ND154),
    Ground("refused_security_check", "NĐ 154/2026/NĐ-CP Điều 4", _ND154),
    Ground("unauthorised_recording", "NĐ 154/2026/NĐ-CP Điều 4", _ND154),
    Ground("public_disorder", "NĐ 154/2026/NĐ-CP Điều 4", _ND154),
    Ground("no_legal_capacity", "NĐ 154/2026/NĐ-CP Điều 4", _ND154),
    Ground("unproven_representative", "NĐ 154/2026/NĐ-CP Điều 4", _ND154),
    Ground("out_of_scope", "NĐ 154/2026/NĐ-CP Điều 4", _ND154),
    Ground("answered_no_new_facts", "NĐ 154/2026/NĐ-CP Điều 4.3", _ND154, needs_notice=True),
    Ground("final_judgment", "NĐ 154/2026/NĐ-CP Điều 4", _ND154),
    Ground("handled_elsewhere", "NĐ 154/2026/NĐ-CP Điều 4", _ND154),
)


def decline_grounds_on(day: date) -> tuple[Ground, ...]:
    """The legal grounds for refusing reception in force on ``day``."""
    return tuple(g for g in DECLINE_GROUNDS if g.in_force_on(day))


def find_ground(code: str) -> Ground | None:
    return next((g for g in DECLINE_GROUNDS if g.code == code), None)


@dataclass(frozen=True)
class LogBookLayout:
    """An official form of the Sổ tiếp công dân: the columns in their printed order."""

    code: str
    title: str
    legal_basis: str
    effective_from: date
    effective_to: date | None
    columns: tuple[str, ...]

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


LOG_BOOK_LAYOUTS: tuple[LogBookLayout, ...] = (
    LogBookLayout(
        "TT04_2021_M03",
        "Mẫu số 03",
        "Thông tư 04/2021/TT-TTCP",
        date(2021, 11, 15),
        date(2026, 6, 30),
        (
            "register_no",
            "visited_on",
            "name_address",
            "id_number",
            "content",
            "classification_people",
            "previously_handled_by",
            "accepted",
            "returned_guided",
            "transferred",
            "result_followup",
            "note",
        ),
    ),
    LogBookLayout(
        "ND154_2026_M03TCD",
        "Mẫu số 03/TCD",
        "Nghị định 154/2026/NĐ-CP",
        date(2026, 7, 1),
        None,
        (
            "register_no",
            "visited_on",
            "name_address",
            "id_number",
            "content",
            "classification",
            "people_count",
            "previously_handled_by",
            "within_competence",
            "guided_document",
            "transferred_document",
            "result_followup",
            "note",
        ),
    ),
)


def layout_for(day: date) -> LogBookLayout:
    """The log-book form in force on ``day``; before the first known form, the oldest one."""
    for layout in LOG_BOOK_LAYOUTS:
        if layout.in_force_on(day):
            return layout
    return LOG_BOOK_LAYOUTS[0]


@dataclass(frozen=True)
class GroupRule:
    """Representatives of a group visit (Luật TCD Điều 29), values from the rule table."""

    min_people: int  # from this many people the group must choose representatives
    small_group_max_people: int
    small_group_max_reps: int
    large_group_max_reps: int
    report_threshold: int  # "đoàn đông người" in reports; not uniform in practice [U]

    @classmethod
    def from_params(cls, params: Mapping[str, int]) -> GroupRule:
        return cls(
            params["group_min_people"],
            params["group_small_max_people"],
            params["group_small_max_reps"],
            params["group_large_max_reps"],
            params["group_report_threshold"],
        )

    def is_group(self, people_count: int) -> bool:
        return people_count >= self.report_threshold

    def max_representatives(self, people_count: int) -> int | None:
        """How many representatives the group may choose, or None when no rule applies."""
        if people_count < self.min_people:
            return None
        if people_count <= self.small_group_max_people:
            return self.small_group_max_reps
        return self.large_group_max_reps


def visit_problems(
    *,
    visited_on: date,
    today: date,
    people_count: int,
    representatives: int,
    handling: str,
    decline_ground: str | None,
    group: GroupRule,
    kind: str = "regular",
    host: str = "officer",
    vice_chair_may_hold_scheduled: bool = True,
) -> dict[str, str]:
    """Rule violations of a visit, as ``{field: error_code}``; empty when the visit is lawful."""
    problems: dict[str, str] = {}
    if kind == "scheduled" and host == "vice_chair" and not vice_chair_may_hold_scheduled:
        problems["host"] = "scheduled_by_chair_only"
    if visited_on > today:
        problems["visited_on"] = "date_in_future"
    if people_count < 1:
        problems["people_count"] = "people_count_min"
    limit = group.max_representatives(people_count)
    if limit is not None and representatives > limit:
        problems["representatives"] = "too_many_representatives"
    if handling == "declined":
        ground = find_ground(decline_ground or "")
        if ground is None:
            problems["decline_ground"] = "decline_ground_required"
        elif not ground.in_force_on(visited_on):
            problems["decline_ground"] = "decline_ground_not_in_force"
    return problems
