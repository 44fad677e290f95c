"""Rewriting the stored ID numbers under the current keys (``flask privacy rekey-ids``).

After a new encryption key is configured (the old one kept in ``TRACKER_ID_ENC_OLD_KEYS`` so that it
can still be read) or a new hash key, every citizen's ciphertext is decrypted and both the keyed hash
and the ciphertext are written again with the current keys, in one transaction. Then the old
encryption key can be removed. Run it with the application stopped: a worker still holding the old
hash key would not find the rewritten numbers.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy import update

from tracker.extensions import db
from tracker.id_protection import InvalidToken
from tracker.id_protection import keys
from tracker.messages import MESSAGES
from tracker.models import Citizen
from tracker.services.errors import DomainError
from tracker.services.privacy import audit

CHUNK = 1000

MESSAGES.update({
    "id_key_unreadable": _l("The ID number of citizen %(citizen_id)s cannot be decrypted with the configured keys "
                            "(TRACKER_ID_ENC_KEY, TRACKER_ID_ENC_OLD_KEYS); nothing was changed."),
})


def rekey_id_numbers() -> int:
    """Re-hash and re-encrypt every stored ID number with the current keys; answers how many.

    :raises DomainError: ``id_key_unreadable`` if a ciphertext opens with none of the keys (all rolled back).
    """
    k = keys()
    table: Any = Citizen.__table__
    stmt = (update(table).where(table.c.id == bindparam("row_id"))
            .values(id_number_hash=bindparam("h"), id_number_enc=bindparam("e")))
    last, count = 0, 0
    try:
        while True:
            rows = db.session.execute(select(Citizen.id, Citizen.id_number_enc)
                                      .where(Citizen.id > last, Citizen.id_number_enc.is_not(None))
                                      .order_by(Citizen.id).limit(CHUNK)).all()
            if not rows:
                break
            values = []
            for citizen_id, token in rows:
                try:
                    plain = k.decrypt(str(token))
                except InvalidToken:
                    raise DomainError("id_key_unreadable", citizen_id=citizen_id) from None
                values.append({"row_id": citizen_id, "h": k.hash(plain), "e": k.encrypt(plain)})
            db.session.execute(stmt, values)
            count += len(values)
            last = rows[-1][0]
        audit.record_event(db.session(), "rekey_id_numbers", "citizens", None, None, {"rows": count})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    db.session.expire_all()
    return count
