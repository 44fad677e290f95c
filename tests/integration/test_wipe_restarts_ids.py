"""The wipe between tests restarts the ids: every test sees its first row as id 1 (tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests.factories import make_unit


@pytest.mark.parametrize("round_", [1, 2])
def test_each_test_starts_its_ids_at_one(app, round_: int) -> None:  # type: ignore[no-untyped-def]
    first = make_unit(f"XA-{round_}", "UBND xã Một")
    second = make_unit(f"XB-{round_}", "UBND xã Hai")
    assert (first.id, second.id) == (1, 2)
