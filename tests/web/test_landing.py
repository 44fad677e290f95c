"""Each role lands on its day: login, the home page and a password change all start there."""
from __future__ import annotations

import pytest

from tests.conftest import login
from tests.factories import PASSWORD
from tests.factories import make_unit
from tests.factories import make_user

STARTS = [
    ("chair", "/weekly/"),
    ("vice_chair", "/weekly/"),
    ("handler", "/cases/mine"),
    ("receptionist", "/visits/"),
    ("inspector", "/dashboard/"),
    ("admin", "/admin/users"),
]


@pytest.mark.parametrize(("role", "start"), STARTS)
def test_each_role_starts_on_its_own_page(client, role: str, start: str) -> None:  # type: ignore[no-untyped-def]
    level = "province" if role == "inspector" else "commune"
    make_user("nguoidung", role=role, unit=make_unit("DV-1", "UBND xã Một", level=level))
    response = login(client, "nguoidung", PASSWORD)
    assert response.status_code == 302 and response.location.endswith(start), response.location
    assert client.get("/").location.endswith(start)
    assert client.get("/login").location.endswith(start)  # already signed in
    assert client.get(start, follow_redirects=True).status_code == 200  # the page opens for that role


def test_the_installation_role_starts_on_the_legal_data(client) -> None:  # type: ignore[no-untyped-def]
    make_user("hethong", role="sysadmin", unit=make_unit("TINH-01", "UBND tỉnh Một", level="province"))
    response = login(client, "hethong", PASSWORD)
    assert response.location.endswith("/admin/deadline-rules"), response.location
    assert client.get(response.location).status_code == 200
