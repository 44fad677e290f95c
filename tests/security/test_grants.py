"""The chairperson's grant (issue 12, the need-to-know rule): one named user, one denunciation, a reason;
shown, audited, withdrawn. Over HTTP: before the grant the second receptionist does not see the ``own``
denouncer, with it she does, after its withdrawal she does not; the vice-chair cannot grant, nor can the
chair grant to another commune's user or to the province's inspector or admin."""
from __future__ import annotations

from sqlalchemy import select

from tests.figures import record
from tests.security.attack import Server
from tests.security.attack import logged_in
from tests.security.attack import response_text
from tests.security.conftest import Target
from tests.security.world import PEOPLE
from tracker.extensions import db
from tracker.models import IdentityGrant

D = PEOPLE["own"]


def _grants(target: Target, letter_id: int) -> list[tuple[int, int, object]]:
    with target.app.app_context():
        rows = [(g.id, g.user_id, g.withdrawn_at) for g in db.session.scalars(
            select(IdentityGrant).where(IdentityGrant.letter_id == letter_id).order_by(IdentityGrant.id))]
        db.session.remove()
    return rows


def test_a_grant_opens_one_denunciation_to_one_user_and_its_withdrawal_closes_it(
        target: Target, waitress: Server) -> None:
    w = target.world
    letter_id, page = w.ids["own_letter"], f"/letters/{w.ids['own_letter']}"
    reader = logged_in(waitress.base, "sx_desk2")
    assert not D.leaks(response_text(reader.get(page))), "she is seen before any grant"

    # Only the chairperson grants, and only to a user of the unit.
    logged_in(waitress.base, "sx_vice").post(f"/grants/letter/{letter_id}", {
        "user_id": str(w.users["sx_desk2"]), "reason": "Phối hợp xác minh"})
    chair = logged_in(waitress.base, "sx_chair")
    # Never to another commune's user, nor to the province's inspector or admin, who read the commune's
    # records but have no need to know who denounced (found by an outside test).
    for outsider in ("sy_h", "sp_insp", "sp_admin"):
        chair.post(f"/grants/letter/{letter_id}", {"user_id": str(w.users[outsider]), "reason": "Phối hợp xác minh"})
    assert _grants(target, letter_id) == [], "a grant by the vice-chair or to a user outside the commune was made"
    assert not D.leaks(response_text(logged_in(waitress.base, "sp_insp").get(page))), "the inspector sees her"

    answer = chair.post(f"/grants/letter/{letter_id}", {"user_id": str(w.users["sx_desk2"]),
                                                        "reason": "Phối hợp xác minh tại thôn"})
    assert answer.status_code in (302, 303), answer.status_code
    grants = _grants(target, letter_id)
    assert [(user, withdrawn) for _id, user, withdrawn in grants] == [(w.users["sx_desk2"], None)], grants
    assert "name" in D.leaks(response_text(reader.get(page))), "the granted user does not see her"
    assert not D.leaks(response_text(logged_in(waitress.base, "sx_h2").get(page))), "the grant opened it to others"

    answer = chair.post(f"/grants/{grants[0][0]}/withdraw", {})
    assert answer.status_code in (302, 303), answer.status_code
    assert _grants(target, letter_id)[0][2] is not None, "the withdrawal is not recorded"
    assert not D.leaks(response_text(reader.get(page))), "she is still seen after the withdrawal"
    record("security_grants", {"grant": "seen", "after withdrawal": "hidden", "refused grants": 4}, target.name)
