"""Citizens' ID numbers at rest (issue 8, Luật 91/2025): a keyed hash beside a ciphertext, never in clear.

A dump of the database (every table, and pg_dump on PostgreSQL) shows no number; equal numbers are
still matched and an exact search finds them; another key opens nothing; anonymisation empties both
columns; the audit log holds neither the number nor its hash or ciphertext.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import subprocess
from datetime import date

import pytest
from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from flask import Flask
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text

from tests.conftest import base_config
from tests.conftest import login
from tests.factories import PASSWORD
from tests.factories import make_unit
from tests.factories import make_user
from tracker import create_app
from tracker.extensions import db
from tracker.id_protection import keys
from tracker.id_protection import load_keys
from tracker.models import AuditEntry
from tracker.models import Citizen
from tracker.services.errors import ValidationError
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.operations import backup
from tracker.services.privacy import anonymise as anon
from tracker.services.reception import citizens
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput

TODAY = date(2026, 11, 23)
AN = "001085012345"
BINH = "079301000123"
CUONG = "036190004455"
NUMBERS = (AN, BINH, CUONG)
# The encryption key tests run with when none is configured (tracker/id_protection.py).
TESTING_ENC_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"so-tiep-dan testing-only enc").digest()).decode()


@pytest.fixture
def desk(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    unit = make_unit()
    return make_user("letan", "receptionist", unit)


def _visit(user, who: CitizenInput, on: date = date(2026, 3, 3)):  # type: ignore[no-untyped-def]
    data = reception.VisitInput(visited_on=on, content="Đề nghị cấp lại giấy chứng nhận", classification="petition",
                                handling="guided", visitors=[VisitorInput(citizen=who)])
    return reception.log_visit(user, user.unit, data, TODAY)


def _letter(user, who: CitizenInput):  # type: ignore[no-untyped-def]
    data = letters.LetterInput(received_on=date(2026, 3, 2), channel="post", kind="petition",
                               summary="Phản ánh việc cấp nước sinh hoạt", senders=[VisitorInput(citizen=who)])
    return letters.register_letter(user, user.unit, data, TODAY)


def plant(user) -> Citizen:  # type: ignore[no-untyped-def]
    """Citizens created every way the application creates them; answers An."""
    an = citizens.register_citizen(user.unit_id, CitizenInput("Nguyễn Văn An", "001 085 012 345", 1985), TODAY)
    _visit(user, CitizenInput("Hoàng Thị Bích", BINH, 2001))
    _letter(user, CitizenInput("Lê Văn Cường", "036.190.004.455", 1990))
    # a correction: the number changes, and back again (two audited updates)
    citizens.update_citizen(an, CitizenInput("Nguyễn Văn An", "001085099999", 1985), version=an.version,
                            today=TODAY)
    citizens.update_citizen(an, CitizenInput("Nguyễn Văn An", AN, 1985), version=an.version, today=TODAY)
    return an


def every_value() -> list[tuple[str, str]]:
    """SELECT * of every table in the database (not only the mapped ones): (table, value as text)."""
    out = []
    for name in inspect(db.engine).get_table_names():
        for row in db.session.execute(text(f'SELECT * FROM "{name}"')):
            out += [(name, str(v)) for v in row if v is not None]
    return out


def _pg_dump(app: Flask) -> str:
    try:
        tool = backup.pg_tool("pg_dump")
    except backup.BackupError:
        pytest.skip("pg_dump is not installed")
    env, _ = backup.pg_env(app)
    db.session.commit()
    done = subprocess.run([tool, "--no-owner"], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 and "server version" in done.stderr:
        pytest.skip(f"pg_dump does not match the server: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_dump_of_every_table_holds_no_clear_id_number(desk, app) -> None:
    an = plant(desk)
    values = every_value()
    assert any("Nguyễn Văn An" in v for _, v in values)  # the dump does see the rest of the row
    leaks = [(t, v) for t, v in values for n in NUMBERS + ("001085099999",) if n in v]
    assert leaks == []
    # the stored forms: a 64-hex keyed hash and a Fernet token, and the application reads the number back
    row = db.session.execute(text("SELECT id_number_hash, id_number_enc FROM citizens WHERE id = :i"),
                             {"i": an.id}).one()
    assert len(row[0]) == 64 and int(row[0], 16) >= 0
    assert row[1].startswith("gAAAAA")
    db.session.expire_all()
    assert sorted(c.id_number for c in db.session.scalars(select(Citizen))) == sorted(NUMBERS)
    if db.engine.dialect.name == "postgresql":
        dump = _pg_dump(app)
        assert "Nguyễn Văn An" in dump
        assert [n for n in NUMBERS + ("001085099999",) if n in dump] == []


def test_the_audit_log_masks_the_number_its_hash_and_its_ciphertext(desk) -> None:
    an = plant(desk)
    secrets = {an.id_number_hash, an.id_number_enc, *NUMBERS}
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "citizens",
                                                       AuditEntry.action.in_(("create", "update")))).all()
    assert len(rows) == 3 + 2  # three citizens created, An corrected twice
    for entry in rows:
        assert not any(s in (entry.changes or "") for s in secrets)
    created = json.loads(next(r for r in rows if r.entity_id == an.id and r.action == "create").changes)
    assert created["id_number_hash"] == created["id_number_enc"] == "***"
    updates = [json.loads(r.changes) for r in rows if r.entity_id == an.id and r.action == "update"]
    assert all(u["id_number_enc"] == ["***", "***"] for u in updates)


def test_saving_the_same_number_again_changes_nothing(desk) -> None:
    an = citizens.register_citizen(desk.unit_id, CitizenInput("Nguyễn Văn An", AN, 1985), TODAY)
    token, version = an.id_number_enc, an.version
    citizens.update_citizen(an, CitizenInput("Nguyễn Văn An", "001.085.012.345", 1985), version=version,
                            today=TODAY)
    assert (an.id_number_enc, an.version) == (token, version)
    an.id_number = None
    db.session.commit()
    assert (an.id_number, an.id_number_hash, an.id_number_enc) == (None, None, None)


def test_two_citizens_with_the_same_number_are_matched(desk) -> None:
    an = citizens.register_citizen(desk.unit_id, CitizenInput("Nguyễn Văn An", AN, 1985), TODAY)
    # the same number again in the unit is refused, whatever the spelling
    with pytest.raises(ValidationError) as refused:
        citizens.register_citizen(desk.unit_id, CitizenInput("Nguyễn An", "001 085 012 345"), TODAY)
    assert refused.value.fields == {"id_number": "id_number_taken"}
    # the desk types the number of a known person: the visit is linked to that citizen
    visit = _visit(desk, CitizenInput("Nguyen Van An", AN, 1985))
    assert visit.visitors[0].citizen_id == an.id
    assert [c.id for c in citizens.likely_matches(desk.unit_id, full_name=None, id_number="001.085.012.345",
                                                  birth_year=None)] == [an.id]
    # the same person registered in another commune: equal numbers, equal hashes, different ciphertexts
    other = citizens.register_citizen(make_unit("XA-02", "UBND xã Bên Cạnh").id,
                                      CitizenInput("Nguyễn Văn An", AN, 1985), TODAY)
    assert other.id_number_hash == an.id_number_hash
    assert other.id_number_enc != an.id_number_enc
    assert sorted(c.id for c in db.session.scalars(select(Citizen).where(Citizen.id_number == AN))) == [an.id,
                                                                                                        other.id]
    assert citizens.find_by_id_number(desk.unit_id, "001085 012345") is an


def test_a_search_by_the_whole_number_finds_the_citizen_everywhere_and_a_part_finds_nobody(desk, client) -> None:
    plant(desk)
    login(client, "letan", PASSWORD)

    def page(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, url
        return response.get_data(as_text=True)

    assert "Nguyễn Văn An" in page(f"/citizens/?q={AN}")
    assert "Hoàng Thị Bích" in page(f"/visits/?q={BINH}")
    assert "Phản ánh việc cấp nước" in page(f"/letters/?q={CUONG}")
    assert "Nguyễn Văn An" not in page(f"/citizens/?q={AN[:8]}")
    assert "Hoàng Thị Bích" not in page(f"/visits/?q={BINH[:9]}")
    assert "Phản ánh việc cấp nước" not in page(f"/letters/?q={CUONG[:6]}")
    # the citizen's page and the picker's lookup show the number in clear
    an = db.session.scalar(select(Citizen).where(Citizen.id_number == AN))
    assert AN in page(f"/citizens/{an.id}")


def test_another_key_opens_nothing_and_finds_nothing(desk, database, tmp_path) -> None:
    an = plant(desk)
    # plain values: inside another app's context this test's objects must not be touched (their
    # session would borrow that app's engine)
    an_id, unit_id = an.id, an.unit_id
    db.session.commit()
    other = create_app({**base_config(database["url"], tmp_path), "ID_ENC_KEY": Fernet.generate_key().decode(),
                        "ID_HASH_KEY": os.urandom(32).hex()})
    with other.app_context():
        stranger = db.session.get(Citizen, an_id)
        with pytest.raises(InvalidToken):
            _ = stranger.id_number
        assert citizens.find_by_id_number(unit_id, AN) is None
        db.session.remove()
        db.engine.dispose()


def test_an_old_encryption_key_is_still_read_and_rekey_moves_every_row_to_the_new_keys(desk, database,
                                                                                       tmp_path) -> None:
    an = plant(desk)
    old_keys, old_token, an_id, unit_id = keys(), an.id_number_enc, an.id, an.unit_id
    db.session.commit()
    new_enc, new_hash = Fernet.generate_key().decode(), os.urandom(32).hex()
    config = base_config(database["url"], tmp_path)
    # the administrator configures new keys and lists the old encryption key (here the testing key)
    rotated = create_app({**config, "ID_ENC_KEY": new_enc, "ID_HASH_KEY": new_hash,
                          "ID_ENC_OLD_KEYS": f" {TESTING_ENC_KEY} , {Fernet.generate_key().decode()}"})
    with rotated.app_context():
        assert db.session.get(Citizen, an_id).id_number == AN  # MultiFernet: the old key still reads
        result = rotated.test_cli_runner().invoke(args=["privacy", "rekey-ids"])
        assert (result.exit_code, result.output.strip()) == (0, "3")
        db.session.expire_all()
        row = db.session.get(Citizen, an_id)
        assert row.id_number_enc != old_token and row.id_number_hash != old_keys.hash(AN)
        assert citizens.find_by_id_number(unit_id, AN).id == an_id
        assert db.session.scalar(select(AuditEntry.changes).where(AuditEntry.action == "rekey_id_numbers")) == (
            '{"rows": 3}')
        db.session.remove()
        db.engine.dispose()
    # the old key can go now
    fresh = create_app({**config, "ID_ENC_KEY": new_enc, "ID_HASH_KEY": new_hash})
    with fresh.app_context():
        assert sorted(c.id_number for c in db.session.scalars(select(Citizen))) == sorted(NUMBERS)
        db.session.remove()
        db.engine.dispose()


def test_rekey_with_a_key_that_opens_nothing_changes_nothing(desk, database, tmp_path) -> None:
    an = plant(desk)
    token = an.id_number_enc
    db.session.commit()
    wrong = create_app({**base_config(database["url"], tmp_path), "ID_ENC_KEY": Fernet.generate_key().decode()})
    with wrong.app_context():
        result = wrong.test_cli_runner().invoke(args=["privacy", "rekey-ids"])
        assert result.exit_code == 1
        assert "TRACKER_ID_ENC_KEY" in result.output
        db.session.remove()
        db.engine.dispose()
    db.session.expire_all()
    assert db.session.get(Citizen, an.id).id_number_enc == token


def test_anonymisation_leaves_neither_the_hash_nor_the_ciphertext(desk) -> None:
    anon.seed_retention()
    old = _visit(desk, CitizenInput("Phạm Thị Nhung", AN, 1985)).visitors[0].citizen_id
    recent = _visit(desk, CitizenInput("Đỗ Minh Kiệt", BINH, 2001), date(2026, 11, 20)).visitors[0].citizen_id
    old_hash = db.session.get(Citizen, old).id_number_hash
    anon.anonymise(date(2036, 6, 1))
    db.session.expire_all()
    gone = db.session.get(Citizen, old)
    assert (gone.id_number_hash, gone.id_number_enc, gone.id_number) == (None, None, None)
    assert db.session.get(Citizen, recent).id_number == BINH
    assert citizens.find_by_id_number(desk.unit_id, AN) is None
    assert [v for _, v in every_value() if AN in v or old_hash in v] == []


def test_keys_are_made_once_in_the_instance_folder_and_kept(tmp_path) -> None:
    app = Flask("keys", instance_path=str(tmp_path / "instance"))
    first = load_keys(app)
    for name in ("id_hash_key", "id_enc_key"):
        path = tmp_path / "instance" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_keys(app)
    assert again.hash(AN) == first.hash(AN)
    assert again.decrypt(first.encrypt(AN)) == AN
    assert (tmp_path / "instance" / "id_hash_key").read_text() != (tmp_path / "instance" / "id_enc_key").read_text()
    # a configured key wins over the file, and the two keys must differ
    configured = Flask("keys", instance_path=str(tmp_path / "instance"))
    configured.config["ID_HASH_KEY"] = "h" * 40
    assert load_keys(configured).hash(AN) != first.hash(AN)
    configured.config["ID_ENC_KEY"] = "not a fernet key"
    with pytest.raises(RuntimeError, match="Fernet"):
        load_keys(configured)
    configured.config["ID_HASH_KEY"] = "short"
    configured.config["ID_ENC_KEY"] = Fernet.generate_key().decode()
    with pytest.raises(RuntimeError, match="too short"):
        load_keys(configured)
