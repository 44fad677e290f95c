"""Folding for search, and what a CCCD number encodes."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.rules.identity import IdNumberError
from tracker.rules.identity import check_consistency
from tracker.rules.identity import parse_id_number
from tracker.rules.text import fold_diacritics


@pytest.mark.parametrize(("raw", "folded"), [
    ("Nguyễn Văn An", "nguyen van an"),
    ("ĐẶNG THỊ ĐÀO", "dang thi dao"),
    ("  Trần   Quốc  Tuấn ", "tran quoc tuan"),
    ("Lê Thị Hương", "le thi huong"),
])
def test_folding_removes_diacritics_case_and_extra_spaces(raw: str, folded: str) -> None:
    assert fold_diacritics(raw) == folded


def test_folding_maps_d_with_stroke_to_d() -> None:
    assert fold_diacritics("đ") == fold_diacritics("Đ") == "d"


@given(st.text())
def test_folding_is_idempotent(text: str) -> None:
    once = fold_diacritics(text)
    assert fold_diacritics(once) == once


def test_a_twelve_digit_number_reveals_birth_year_and_sex() -> None:
    facts = parse_id_number("001 085 012345")
    assert facts.number == "001085012345"
    assert (facts.birth_year, facts.gender) == (1985, "male")
    assert parse_id_number("079301000123").birth_year == 2001
    assert parse_id_number("079301000123").gender == "female"


@pytest.mark.parametrize(("raw", "code"), [
    ("00108501234", "id_number_length"),   # 11 digits
    ("0010850123456", "id_number_length"),
    ("00108501234A", "id_number_digits"),
    ("123456789", "id_number_length"),      # an old CMND is refused unless allowed
])
def test_bad_id_numbers_are_refused_with_a_code(raw: str, code: str) -> None:
    with pytest.raises(IdNumberError) as err:
        parse_id_number(raw)
    assert err.value.code == code


def test_an_old_nine_digit_cmnd_is_accepted_for_historic_records() -> None:
    assert parse_id_number("123456789", allow_legacy=True).legacy


def test_consistency_names_the_fields_that_contradict_the_number() -> None:
    facts = parse_id_number("001085012345")
    assert check_consistency(facts, 1985, "male") == []
    assert check_consistency(facts, 1986, "female") == ["birth_year", "gender"]
