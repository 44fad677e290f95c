"""Checks on personal identification numbers (số định danh cá nhân / CCCD).

The 12-digit number: 3 digits of the province (or country) of birth registration, 1 digit of
century and sex, 2 digits of the year of birth, 6 random digits (Luật Căn cước 2023; NĐ 70/2024).
Old 9-digit CMND numbers still appear in records made before the CCCD.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = re.compile(r"^\d+$")


class IdNumberError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IdNumberFacts:
    number: str
    legacy: bool
    birth_year: int | None
    gender: str | None


def parse_id_number(raw: str, *, allow_legacy: bool = False) -> IdNumberFacts:
    """Validate an ID number and read what it encodes.

    :param raw: as typed; spaces and dots are ignored.
    :param allow_legacy: accept a 9-digit CMND number (historic records only).
    :raises IdNumberError: code ``id_number_digits`` or ``id_number_length``.
    """
    number = re.sub(r"[\s.]", "", raw)
    if not _DIGITS.match(number):
        raise IdNumberError("id_number_digits")
    if len(number) == 9 and allow_legacy:
        return IdNumberFacts(number, True, None, None)
    if len(number) != 12:
        raise IdNumberError("id_number_length")
    century_sex = int(number[3])
    century = 1900 + 100 * (century_sex // 2)
    return IdNumberFacts(
        number,
        False,
        century + int(number[4:6]),
        "male" if century_sex % 2 == 0 else "female",
    )


def check_consistency(facts: IdNumberFacts, birth_year: int | None, gender: str | None) -> list[str]:
    """Fields that contradict what the ID number encodes, as error codes by field name."""
    problems = []
    if facts.birth_year is not None and birth_year is not None and facts.birth_year != birth_year:
        problems.append("birth_year")
    if facts.gender is not None and gender in ("male", "female") and facts.gender != gender:
        problems.append("gender")
    return problems
