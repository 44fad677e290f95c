"""One composer of addresses: the neighbourhood is never said twice."""
from __future__ import annotations

from tracker.rules.text import compose_address


def test_the_neighbourhood_already_in_the_address_is_not_repeated() -> None:
    full = "Số 12 đường Lê Lợi, Khu phố 8, xã Mẫu"
    assert compose_address(full, "Khu phố 8") == full
    assert compose_address("Số 12 đường Lê Lợi, khu pho 8", "Khu phố 8") == "Số 12 đường Lê Lợi, khu pho 8"


def test_a_neighbourhood_not_in_the_address_follows_it_after_a_comma() -> None:
    assert compose_address("Số 12 đường Lê Lợi", "Khu phố 8") == "Số 12 đường Lê Lợi, Khu phố 8"
    # "Khu phố 1" is not named by "Khu phố 12"
    assert compose_address("Số 3, Khu phố 12", "Khu phố 1") == "Số 3, Khu phố 12, Khu phố 1"
    assert compose_address(None, " Thôn Đông ") == "Thôn Đông"
    assert compose_address("  Xóm Bãi,  ", None) == "Xóm Bãi"
    assert compose_address(None, None) == ""
