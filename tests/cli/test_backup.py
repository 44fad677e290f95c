"""``backup PATH`` / ``restore PATH``: a round trip gives back every row of every table and every
attachment file, byte for byte; a damaged or foreign archive is refused and nothing changes."""
from __future__ import annotations

import base64
import gzip
import io
import json
import os
import tarfile
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update

from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tests.web.planting import seed_rules
from tracker.extensions import db
from tracker.messages import message
from tracker.models import Attachment
from tracker.models import Citizen
from tracker.models import User
from tracker.models import Visit
from tracker.services.letters import attachments
from tracker.services.letters import register as letters
from tracker.services.operations import backup
from tracker.services.operations.backup import MANIFEST
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput

TODAY = date(2026, 11, 23)


def make_data() -> None:
    seed_rules()
    desk = make_user("letan", "receptionist", make_unit())
    make_user("chutich", "chair", desk.unit)
    for n in range(3):
        make_visit(desk, visited_on=date(2026, 3, 5 + n), full_name=f"Nguyễn Văn Số {n}", today=TODAY)
    letter = letters.register_letter(desk, desk.unit, letters.LetterInput(
        received_on=date(2026, 11, 20), channel="post", kind="complaint", summary="Khiếu nại việc thu hồi đất",
        senders=[reception.VisitorInput(citizen=CitizenInput("Trần Thị Đơn", "001085000333", 1985))]), TODAY)
    attachments.store_attachment(desk, unit_id=desk.unit_id, letter=letter, filename="đơn khiếu nại.txt",
                                 stream=io.BytesIO("Đơn khiếu nại của bà Trần Thị Đơn".encode()))
    attachments.store_attachment(desk, unit_id=desk.unit_id, letter=letter, filename="scan.png",
                                 stream=io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8))
    db.session.commit()


def table_rows() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in primary-key order."""
    rows = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows[table.name] = [tuple(r) for r in db.session.execute(select(table).order_by(*order))]
    db.session.rollback()
    return rows


def files(app: Flask) -> dict[str, bytes]:
    root = Path(app.config["ATTACHMENTS_DIR"])
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def state(app: Flask) -> tuple[dict[str, list[tuple[object, ...]]], dict[str, bytes]]:
    return table_rows(), files(app)


def invoke(runner, *args: str, **kw):  # type: ignore[no-untyped-def]
    db.session.remove()  # the test's own transaction must not hold locks while the database is replaced
    return runner.invoke(args=list(args), **kw)


def change_everything(app: Flask) -> None:
    db.session.execute(update(Citizen).values(full_name="Tên Đã Bị Sửa"))
    first = db.session.scalar(select(Visit).order_by(Visit.id))
    db.session.execute(delete(Visit).where(Visit.id == first.id + 1))
    db.session.commit()
    gone = db.session.scalar(select(Attachment).order_by(Attachment.id))
    os.remove(attachments.stored_path(gone))
    Path(app.config["ATTACHMENTS_DIR"], "thừa.txt").write_text("tệp lạ", encoding="utf-8")
    db.session.rollback()


def test_a_backup_restored_gives_back_every_row_and_every_attachment(app: Flask, runner, tmp_path: Path) -> None:
    make_data()
    before = state(app)
    assert len(before[1]) == 2 and before[0]["visits"] and before[0]["attachments"]
    archive = tmp_path / "sao-luu.tar.gz"
    result = invoke(runner, "backup", str(archive))
    assert result.exit_code == 0, result.output
    assert archive.stat().st_mode & 0o777 == 0o600
    plain = tmp_path / "plain.tar.gz"
    backup.decrypt_file(app, str(archive), str(plain))
    with tarfile.open(plain) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
    assert names[0] == MANIFEST and manifest["format_version"] == 1
    assert manifest["database"] == db.engine.dialect.name and manifest["alembic_revision"]
    assert manifest["created_at"] and set(manifest["members"]) == set(names) - {MANIFEST}
    assert sum(1 for n in names if n.startswith("attachments/")) == 2

    change_everything(app)
    assert state(app) != before
    result = invoke(runner, "restore", str(archive), "--yes")
    assert result.exit_code == 0, result.output
    after = state(app)
    assert after[0] == before[0]
    assert after[1] == before[1]

    # The restored database keeps working: numbering and ids go on from where they were.
    user = db.session.scalar(select(User).where(User.username == "letan"))
    visit = make_visit(user, visited_on=date(2026, 3, 9), today=TODAY)
    assert visit.register_no == max(v.register_no for v in db.session.scalars(select(Visit)))


def test_a_write_made_after_the_backup_is_gone_after_the_restore(app: Flask, runner, tmp_path: Path) -> None:
    make_data()
    make_user("letan2", "receptionist", make_unit())
    archive = tmp_path / "b.tar.gz"
    db.session.rollback()
    result = invoke(runner, "backup", str(archive))
    assert result.exit_code == 0, result.output
    expected = state(app)
    user = db.session.scalar(select(User).where(User.username == "letan2"))
    make_visit(user, visited_on=date(2026, 3, 10), today=TODAY)  # written after the backup
    assert invoke(runner, "restore", str(archive), "--yes").exit_code == 0
    assert state(app) == expected


def rewrite(app: Flask, archive: Path, target: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Copy ``archive`` to ``target`` (opened and sealed again with the key), passing every (name, bytes)
    through ``change``."""
    plain, changed = archive.with_suffix(".plain"), archive.with_suffix(".changed")
    backup.decrypt_file(app, str(archive), str(plain))
    with tarfile.open(plain) as src, tarfile.open(changed, "w:gz") as out:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            data = change(member.name, data)
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    backup.encrypt_file(app, str(changed), str(target))


def _flip_attachment(name: str, data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("attachments/") else data


def _flip_database(name: str, data: bytes) -> bytes:
    return data[:100] + bytes([data[100] ^ 0xFF]) + data[101:] if name.startswith("database") else data


def _newer_revision(name: str, data: bytes) -> bytes:
    if name != MANIFEST:
        return data
    manifest = json.loads(data)
    manifest["alembic_revision"] = "9999_from_the_future"
    return json.dumps(manifest).encode()


@pytest.mark.parametrize("damage, code", [
    ("truncated", "backup_unreadable"),
    ("not_gzip", "backup_unreadable"),
    ("attachment_bytes", "backup_checksum"),
    ("database_bytes", "backup_checksum"),
    ("newer_revision", "backup_newer"),
    ("extra_member", "backup_members"),
    ("ciphertext_bytes", "backup_tampered"),
])
def test_a_damaged_or_newer_archive_is_refused_and_nothing_changes(app: Flask, runner, tmp_path: Path,
                                                                   damage: str, code: str) -> None:
    make_data()
    archive = tmp_path / "good.tar.gz"
    assert invoke(runner, "backup", str(archive)).exit_code == 0
    change_everything(app)
    before = state(app)
    bad = tmp_path / "bad.tar.gz"
    if damage == "truncated":
        bad.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif damage == "not_gzip":
        plain = tmp_path / "plain.tar.gz"
        backup.decrypt_file(app, str(archive), str(plain))
        (tmp_path / "tar").write_bytes(gzip.decompress(plain.read_bytes())[:4096])
        backup.encrypt_file(app, str(tmp_path / "tar"), str(bad))
    elif damage == "attachment_bytes":
        rewrite(app, archive, bad, _flip_attachment)
    elif damage == "database_bytes":
        rewrite(app, archive, bad, _flip_database)
    elif damage == "newer_revision":
        rewrite(app, archive, bad, _newer_revision)
    elif damage == "ciphertext_bytes":
        data = bytearray(archive.read_bytes())
        data[len(data) // 2] ^= 1
        bad.write_bytes(bytes(data))
    else:
        plain, evil = tmp_path / "plain.tar.gz", tmp_path / "evil.tar.gz"
        backup.decrypt_file(app, str(archive), str(plain))
        with tarfile.open(plain) as src, tarfile.open(evil, "w:gz") as out:
            for member in src.getmembers():
                out.addfile(member, src.extractfile(member))
            info = tarfile.TarInfo("attachments/../../evil.txt")
            info.size = 4
            out.addfile(info, io.BytesIO(b"evil"))
        backup.encrypt_file(app, str(evil), str(bad))
    result = invoke(runner, "restore", str(bad), "--yes")
    assert result.exit_code != 0
    assert str(message(code)).split("%")[0][:20] in result.output or code == "backup_checksum" and (
        "checksum" in result.output or "kiểm tra" in result.output), result.output
    assert "Traceback" not in result.output
    assert state(app) == before
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path.parent / "evil.txt").exists()


def test_restore_asks_for_confirmation_and_a_no_changes_nothing(app: Flask, runner, tmp_path: Path) -> None:
    make_data()
    archive = tmp_path / "c.tar.gz"
    assert invoke(runner, "backup", str(archive)).exit_code == 0
    change_everything(app)
    before = state(app)
    result = invoke(runner, "restore", str(archive), input="n\n")
    assert result.exit_code != 0
    assert state(app) == before


def test_backup_refuses_to_overwrite_an_existing_file(app: Flask, runner, tmp_path: Path) -> None:
    target = tmp_path / "old.tar.gz"
    target.write_bytes(b"keep me")
    result = invoke(runner, "backup", str(target))
    assert result.exit_code != 0 and target.read_bytes() == b"keep me"
    assert invoke(runner, "backup", str(target), "--force").exit_code == 0


def test_without_the_postgresql_tools_the_message_says_what_to_install(app: Flask, runner, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite needs no external tool")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = invoke(runner, "backup", str(tmp_path / "x.tar.gz"))
    assert result.exit_code == 1
    assert "pg_dump" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.tar.gz").exists()


# --- encryption (issue 12): the archive is sealed with a key kept apart from it ---------------------------------

def test_the_archive_holds_nothing_in_clear_and_its_key_file_is_0600(app: Flask, runner, tmp_path: Path) -> None:
    make_data()
    archive = tmp_path / "kin.bak"
    assert invoke(runner, "backup", str(archive)).exit_code == 0
    data = archive.read_bytes()
    assert data.startswith(backup.SEALED_MAGIC)
    for clear in ("Trần Thị Đơn".encode(), "Đơn khiếu nại của bà".encode(), b"\x89PNG", b"SQLite format 3",
                  b"manifest.json"):
        assert clear not in data and clear not in gzip_or_empty(data)
    key_file = Path(app.instance_path) / backup.KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert archive.stat().st_mode & 0o777 == 0o600


def gzip_or_empty(data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except OSError:
        return b""


def test_a_restore_with_another_key_is_refused_in_vietnamese_and_nothing_changes(app: Flask, runner,
                                                                                 tmp_path: Path) -> None:
    make_data()
    archive = tmp_path / "k.bak"
    assert invoke(runner, "backup", str(archive)).exit_code == 0
    change_everything(app)
    before = state(app)
    other = tmp_path / "other_key"
    other.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n", encoding="ascii")
    result = invoke(runner, "restore", str(archive), "--yes", "--key-file", str(other))
    assert result.exit_code != 0 and "khóa" in result.output, result.output
    assert "Traceback" not in result.output
    assert state(app) == before
    missing = invoke(runner, "restore", str(archive), "--yes", "--key-file", str(tmp_path / "none"))
    assert missing.exit_code != 0 and "Không tìm thấy khóa" in missing.output, missing.output
    assert state(app) == before


@pytest.mark.config(BACKUP_KEY=base64.urlsafe_b64encode(b"k" * 32).decode())
def test_on_a_new_machine_the_restore_needs_only_the_archive_and_the_key(app: Flask, runner, tmp_path: Path) -> None:
    """TRACKER_BACKUP_KEY here; the restore is given the same key as a file (--key-file), as on a machine
    whose instance folder has no key."""
    make_data()
    before = state(app)
    archive = tmp_path / "m.bak"
    assert invoke(runner, "backup", str(archive)).exit_code == 0
    assert not (Path(app.instance_path) / "nothing").exists()
    change_everything(app)
    key = tmp_path / "usb" / "backup_key"
    key.parent.mkdir()
    key.write_text(base64.urlsafe_b64encode(b"k" * 32).decode(), encoding="ascii")
    result = invoke(runner, "restore", str(archive), "--yes", "--key-file", str(key))
    assert result.exit_code == 0, result.output
    assert state(app) == before
