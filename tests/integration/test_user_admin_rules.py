"""What an administrator may do to accounts is decided by the use case (services/operations/users.py), so
every edge that names an actor — the web today, any other tomorrow — gets the same refusals."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.factories import make_unit
from tests.factories import make_user
from tracker.services.errors import ForbiddenError
from tracker.services.errors import ValidationError
from tracker.services.operations.users import UserInput
from tracker.services.operations.users import create_user
from tracker.services.operations.users import update_user


def _change(user, actor, **kw):  # type: ignore[no-untyped-def]
    values = {"version": user.version, "full_name": user.full_name, "role": user.role,
              "unit_code": user.unit.code, "active": True, **kw}
    return update_user(user, actor=actor, **values)


def test_an_admin_keeps_his_own_access(app) -> None:  # type: ignore[no-untyped-def]
    province = make_unit("TINH-01", "UBND tỉnh Một", level="province")
    admin = make_user("quantri", "admin", province)
    with pytest.raises(ValidationError) as refused:
        _change(admin, admin, active=False, role="receptionist")
    assert refused.value.fields == {"active": "cannot_deactivate_self", "role": "cannot_drop_own_admin"}
    # Nor move his own account to a unit below: he could never come back (found by an outside test).
    below = make_unit("XA-DUOI", "UBND xã Dưới", parent_code=province.code)
    with pytest.raises(ValidationError) as moved:
        _change(admin, admin, unit_code=below.code)
    assert moved.value.fields == {"unit": "cannot_move_self"}
    # The server's operator (no actor) may: that is how a locked-out installation is repaired.
    assert _change(admin, None, role="receptionist").role == "receptionist"


def test_an_admin_gives_no_account_outside_his_units_and_never_the_installation_role(app) -> None:  # type: ignore[no-untyped-def]
    own = make_unit("XA-01", "UBND xã Một")
    other = make_unit("XA-02", "UBND xã Hai")
    admin = make_user("quantri", "admin", own)
    with pytest.raises(ValidationError) as refused:
        create_user(UserInput("moi", "sysadmin", other.code, PASSWORD, "Người Mới"), actor=admin)
    assert refused.value.fields == {"role": "role_invalid", "unit": "unit_not_found"}
    stranger = make_user("nguoila", "receptionist", other)
    with pytest.raises(ForbiddenError):
        _change(stranger, admin, full_name="Đổi Tên")
    mine = create_user(UserInput("letan2", "receptionist", own.code, PASSWORD, "Lễ Tân"), actor=admin)
    with pytest.raises(ValidationError) as moved:
        _change(mine, admin, unit_code=other.code)
    assert moved.value.fields == {"unit": "unit_not_found"}
