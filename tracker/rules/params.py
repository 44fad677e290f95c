"""Numeric rule values with their legal basis and dates in force: the seed of the ``rule_params`` table.

An administrator can correct these in the application (Quản trị → Tham số pháp lý); the database
copy is authoritative, this list is only what a new installation starts with.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Param:
    key: str
    value: int
    effective_from: date
    effective_to: date | None
    legal_basis: str
    certainty: str  # C confirmed, S one secondary source, U uncertain (domain.md)

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


SEED: tuple[Param, ...] = (
    Param("group_min_people", 5, date(2014, 7, 1), None, "Luật Tiếp công dân 2013 Điều 29", "C"),
    Param("group_small_max_people", 10, date(2014, 7, 1), None, "Luật Tiếp công dân 2013 Điều 29", "C"),
    Param("group_small_max_reps", 2, date(2014, 7, 1), None, "Luật Tiếp công dân 2013 Điều 29", "C"),
    Param("group_large_max_reps", 5, date(2014, 7, 1), None, "Luật Tiếp công dân 2013 Điều 29", "C"),
    Param(
        "group_report_threshold",
        5,
        date(2014, 7, 1),
        None,
        "Luật TCD Điều 29; ngưỡng thống kê đoàn đông người chưa thống nhất",
        "U",
    ),
    Param("mediation_group_min_members", 3, date(2014, 1, 1), None,
          "Luật Hòa giải ở cơ sở 2013 Điều 12.1 (tổ hòa giải có từ 03 hòa giải viên trở lên)", "C"),
    Param("multi_signature_min", 5, date(2014, 7, 1), None, "TT 07/2014/TT-TTCP Điều 6.4; TT 05/2021", "C"),
    # Whether a vice-chair may hold the chairperson's scheduled (periodic) reception: the 2025
    # amendment did not allow the head to delegate it (domain.md §1.2, one secondary source).
    Param("scheduled_by_vice_chair", 1, date(2014, 7, 1), date(2026, 6, 30), "Luật Tiếp công dân 2013 Điều 15", "S"),
    Param("scheduled_by_vice_chair", 0, date(2026, 7, 1), None,
          "Luật 136/2025/QH15 (sửa đổi Luật Tiếp công dân): không ủy quyền tiếp định kỳ cho cấp phó", "S"),
)


def values_on(params: Iterable[Param], day: date) -> dict[str, int]:
    """The value of each key in force on ``day``; a later start wins where versions overlap."""
    chosen: dict[str, Param] = {}
    for p in params:
        if p.in_force_on(day) and (p.key not in chosen or p.effective_from > chosen[p.key].effective_from):
            chosen[p.key] = p
    return {k: p.value for k, p in chosen.items()}
