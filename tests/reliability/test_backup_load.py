"""Backup under load: ``backup`` taken while clients keep writing restores a consistent snapshot.

gunicorn (deploy/gunicorn.conf.py, two workers) serves client threads that register visits and letters
and move a case on (notes with the version just read) through the API, while a thread of this process
stores attachments on those letters through the service layer. Twice during that load the backup is
taken (tracker.services.operations.backup.create_backup, the code behind ``flask backup``); each archive is then
restored into a fresh, empty database and attachments directory and checked:

- every write acknowledged before the backup started is there, with its register number and content;
  no write sent after the backup had returned is there;
- the snapshot is consistent: register numbers of each book gap-free from 1 and equal to the counters,
  every visit with its visitor, every letter with its sender, its clocks and its audit row, the case's
  version one step per timeline event, every row identical to the same row of the live database;
- every attachment row has its file, byte for byte (SHA-256 of the row, of what was uploaded, of the live
  file), and every attachment acknowledged before the backup is there.

On SQLite (WAL; the copy is made with the online backup API in one step, i.e. one read transaction) and
on PostgreSQL (pg_dump, one snapshot). Figures are printed and written to
test-artifacts/reliability/backup_load-<db>.json.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy import text

from tests.conftest import ARTIFACTS
from tests.conftest import DATABASES
from tests.conftest import create_database
from tests.conftest import drop_database
from tests.conftest import postgres_url
from tests.reliability.test_crash import Server
from tests.reliability.test_crash import _free_port
from tests.reliability.test_crash import _get
from tests.reliability.test_crash import _letter
from tests.reliability.test_crash import _post
from tests.reliability.test_crash import _prepare
from tests.reliability.test_crash import _visit
from tests.reliability.test_crash import _wait_ready
from tests.test_production import SHARED_LIMITER
from tracker import create_app
from tracker.extensions import db
from tracker.models import Letter
from tracker.models import User
from tracker.services.letters import attachments
from tracker.services.operations import backup
from tracker.services.privacy.audit import set_actor

CLIENTS = 4
BACKUPS = 2
WRITES_BEFORE = (40, 100)  # acknowledged writes before each backup starts
WRITES_AFTER = 25  # and at least this many more while and after it runs
SEED = 11
# Tables no client writes while the load runs: compared whole.
APPEND_ONLY = ("visits", "visit_citizens", "letters", "letter_senders", "attachments", "audit_log", "citizens")


@dataclass
class Write:
    book: str  # visits / letters / case / attachments
    key: tuple[int, int]  # (register year, number), (0, event count) for a note, (attachment id, 0)
    marker: str
    sent: float
    acked: float
    sha256: str = ""


@dataclass
class Load:
    base: str
    tokens: list[str]
    case_id: int = 0
    writes: list[Write] = field(default_factory=list)
    letter_ids: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def acked(self) -> int:
        with self.lock:
            return len(self.writes)


def _client(load: Load, number: int) -> None:
    rng = random.Random(SEED * 100 + number)
    attempt = 0
    while not load.stop.is_set():
        attempt += 1
        marker = f"[b{number}-{attempt}]"
        book = rng.choice(["visits", "letters", "case"])
        sent = time.monotonic()
        if book == "case":
            chair = load.tokens[1]
            case = _get(f"{load.base}/api/v1/cases/{load.case_id}", chair)
            status, answer = _post(f"{load.base}/api/v1/cases/{load.case_id}/actions", chair, {
                "action": "note", "on": "2026-03-06", "note": f"Ghi chú {marker}", "version": case["version"]})
        else:
            body = _visit(marker) if book == "visits" else _letter(marker)
            status, answer = _post(f"{load.base}/api/v1/{book}", load.tokens[number % 2], body)
        with load.lock:
            if book == "case" and status == 409:
                load.conflicts += 1
            elif book == "case" and status == 200:
                load.writes.append(Write(book, (0, 0), marker, sent, time.monotonic()))
            elif status == 201:
                load.writes.append(Write(book, (int(answer["register_year"]), int(answer["register_no"])),
                                         marker, sent, time.monotonic()))
                if book == "letters":
                    load.letter_ids.append(int(answer["id"]))  # type: ignore[call-overload]
            else:
                load.errors.append(f"{book}: {status} {answer}")


def _uploader(app: Flask, load: Load) -> None:
    """Attachments on the letters, through the service layer (file first, then the row's commit)."""
    rng = random.Random(SEED)
    n = 0
    with app.app_context():
        desk_id = db.session.scalar(select(User.id).where(User.username == "letan9"))
        assert desk_id is not None
        set_actor(desk_id, "letan9")
        while not load.stop.is_set():
            with load.lock:
                letter_id = rng.choice(load.letter_ids) if load.letter_ids else None
            if letter_id is None:
                time.sleep(0.01)
                continue
            n += 1
            data = f"Đơn số {n}\n".encode() + rng.randbytes(rng.randint(1, 64 * 1024)).hex().encode()
            letter = db.session.get(Letter, letter_id)
            desk = db.session.get(User, desk_id)
            sent = time.monotonic()
            try:
                row = attachments.store_attachment(desk, unit_id=letter.unit_id, letter=letter,
                                                   filename=f"don-{n}.txt", stream=io.BytesIO(data))
            except Exception as exc:  # noqa: BLE001 - recorded and failed on below
                db.session.rollback()
                with load.lock:
                    load.errors.append(f"attachment: {exc!r}")
                continue
            with load.lock:
                load.writes.append(Write("attachments", (row.id, 0), f"don-{n}.txt", sent, time.monotonic(),
                                         hashlib.sha256(data).hexdigest()))
            db.session.remove()
            time.sleep(0.1)  # about one upload for each API write: the load is mostly the clients'


def _wait_for(load: Load, count: int) -> None:
    deadline = time.monotonic() + 120
    while load.acked() < count and time.monotonic() < deadline and not load.errors:
        time.sleep(0.02)
    assert not load.errors, load.errors[:5]
    assert load.acked() >= count, f"only {load.acked()} writes acknowledged"


def _rows(conn, table: str) -> dict[object, tuple[object, ...]]:  # type: ignore[no-untyped-def]
    columns = [c.name for c in db.metadata.tables[table].columns]
    key = [c.name for c in db.metadata.tables[table].primary_key.columns]
    select_list = ", ".join(columns)
    found = {}
    for row in conn.execute(text(f"SELECT {select_list} FROM {table}")):
        mapping = dict(zip(columns, row, strict=True))
        found[tuple(mapping[k] for k in key)] = tuple(str(v) for v in row)
    return found


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_restored(url: str, att: Path, live: dict[str, dict[object, tuple[object, ...]]], load: Load,
                    started: float, finished: float, live_att: Path) -> dict[str, int]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "backup", "ATTACHMENTS_DIR": str(att)})
    with app.app_context():
        try:
            return _check(att, live, load, started, finished, live_att)
        finally:
            db.engine.dispose()


def _check(att: Path, live: dict[str, dict[object, tuple[object, ...]]], load: Load,
           started: float, finished: float, live_att: Path) -> dict[str, int]:
    with db.engine.connect() as conn:
        restored = {table: _rows(conn, table) for table in APPEND_ONLY}
        stored = {
            "visits": {(y, n): c for y, n, c in conn.execute(text(
                "SELECT register_year, register_no, content FROM visits"))},
            "letters": {(y, n): c for y, n, c in conn.execute(text(
                "SELECT register_year, register_no, summary FROM letters"))},
        }
        notes = [n for (n,) in conn.execute(text(
            "SELECT note FROM case_events WHERE case_id = :c AND action = 'note'"), {"c": load.case_id})]
        attachment_rows = {i: (u, s, h) for i, u, s, h in conn.execute(text(
            "SELECT id, unit_id, stored_name, sha256 FROM attachments"))}
        # Every write acknowledged before the backup started is there; none sent after it returned is.
        before = [w for w in load.writes if w.acked < started]
        after = [w for w in load.writes if w.sent > finished]

        def present(w: Write) -> bool:
            if w.book == "case":
                return any(w.marker in (n or "") for n in notes)
            if w.book == "attachments":
                return w.key[0] in attachment_rows
            return w.marker in (stored[w.book].get(w.key) or "")

        lost = [w for w in before if not present(w)]
        assert not lost, f"acknowledged before the backup, missing from it: {lost[:5]}"
        late = [w for w in after if present(w)]
        assert not late, f"sent after the backup returned, yet in it: {late[:5]}"
        # Register numbers unique and gap-free, equal to the counters.
        for book, rows in stored.items():
            years = Counter(year for year, _ in rows)
            for year, count in years.items():
                assert sorted(n for y, n in rows if y == year) == list(range(1, count + 1)), f"{book} {year}"
            counters = dict(conn.execute(text("SELECT year, last_no FROM register_counters WHERE book = :b"),
                                         {"b": book}).all())
            assert {y: counters.get(y) for y in years} == dict(years), f"{book} counters {counters}"
        # Nothing half-written.
        for label, sql in {
            "visit without visitor": "SELECT count(*) FROM visits v WHERE NOT EXISTS "
                                     "(SELECT 1 FROM visit_citizens x WHERE x.visit_id = v.id)",
            "letter without sender": "SELECT count(*) FROM letters l WHERE NOT EXISTS "
                                     "(SELECT 1 FROM letter_senders s WHERE s.letter_id = l.id)",
            "letter without clocks": "SELECT count(*) FROM letters l WHERE NOT EXISTS "
                                     "(SELECT 1 FROM clocks c WHERE c.letter_id = l.id)",
            "visit without audit row": "SELECT count(*) FROM visits v WHERE NOT EXISTS (SELECT 1 FROM audit_log a "
                                       "WHERE a.entity = 'visits' AND a.entity_id = v.id AND a.action = 'create')",
            "letter without audit row": "SELECT count(*) FROM letters l WHERE NOT EXISTS (SELECT 1 FROM audit_log a "
                                        "WHERE a.entity = 'letters' AND a.entity_id = l.id AND a.action = 'create')",
            "audit row without its visit": "SELECT count(*) FROM audit_log a WHERE a.entity = 'visits' AND "
                                           "a.action = 'create' AND NOT EXISTS (SELECT 1 FROM visits v "
                                           "WHERE v.id = a.entity_id)",
        }.items():
            assert conn.scalar(text(sql)) == 0, label
        version, events = conn.execute(text(
            "SELECT version, (SELECT count(*) FROM case_events e WHERE e.case_id = c.id) FROM cases c WHERE id = :c"),
            {"c": load.case_id}).one()
        assert version == events + 1, (version, events)
        # Every row of the snapshot is the live database's row, unchanged.
        for table, rows in restored.items():
            changed = [k for k, row in rows.items() if live[table].get(k) != row]
            assert not changed, f"{table}: rows differ from the live database: {changed[:3]}"
        # Every attachment's file, byte for byte.
        uploaded = {w.key[0]: w.sha256 for w in load.writes if w.book == "attachments"}
        for attachment_id, (unit_id, stored_name, sha) in attachment_rows.items():
            path = att / str(unit_id) / stored_name
            assert path.is_file(), f"attachment {attachment_id}: no file after the restore"
            assert _sha(path) == sha == uploaded[attachment_id] == _sha(live_att / str(unit_id) / stored_name)
        return {"visits": len(stored["visits"]), "letters": len(stored["letters"]), "case notes": len(notes),
                "attachments": len(attachment_rows), "audit rows": len(restored["audit_log"]),
                "acknowledged before, checked": len(before), "sent after, checked absent": len(after)}


@pytest.fixture(params=DATABASES)
def kind(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and postgres_url() is None:
        pytest.skip("PostgreSQL is not reachable")
    return str(request.param)


def _database(kind: str, tmp_path: Path, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / (name + '.sqlite')}"
    server = postgres_url()
    assert server is not None
    return create_database(server, f"tracker_{name}_{os.getpid()}")


def test_a_backup_taken_under_load_restores_a_consistent_snapshot(kind: str, tmp_path: Path) -> None:
    url = _database(kind, tmp_path, "backup_live")
    restored_urls = [_database(kind, tmp_path, f"backup_restored{n}") for n in range(BACKUPS)]
    tokens = _prepare(url, tmp_path)
    port = _free_port()
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "backup-load-secret",
           "TRACKER_INSTANCE_PATH": str(tmp_path), "TRACKER_BIND": f"127.0.0.1:{port}", "TRACKER_WORKERS": "2",
           "TRACKER_WORKER_THREADS": "2", "FLASK_APP": "tracker",
           **SHARED_LIMITER}
    live_att = tmp_path / "att"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "backup", "ATTACHMENTS_DIR": str(live_att)})
    server = Server(env)
    load = Load(f"http://127.0.0.1:{port}", tokens)
    taken: list[tuple[Path, float, float, backup.Manifest]] = []
    server.start()
    try:
        _wait_ready(load.base)
        status, letter = _post(f"{load.base}/api/v1/letters", tokens[0], _letter("[case]"))
        assert status == 201, letter
        status, handled = _post(f"{load.base}/api/v1/letters/{letter['id']}/handling", tokens[1], {
            "decision": "accept", "on": "2026-03-05", "version": letter["version"], "eligible": True,
            "within_competence": True, "document": {"number": "12/TB-UBND", "date": "2026-03-05"}})
        assert status == 200, handled
        load.case_id = int(handled["case_id"])  # type: ignore[call-overload]
        load.letter_ids.append(int(letter["id"]))  # type: ignore[call-overload]
        threads = [threading.Thread(target=_client, args=(load, n), daemon=True) for n in range(CLIENTS)]
        threads.append(threading.Thread(target=_uploader, args=(app, load), daemon=True))
        for thread in threads:
            thread.start()
        for n, count in enumerate(WRITES_BEFORE):
            _wait_for(load, count)
            archive = tmp_path / f"backup-{n}.tar.gz"
            with app.app_context():
                started = time.monotonic()
                manifest = backup.create_backup(app, str(archive))
                finished = time.monotonic()
                db.session.remove()
            taken.append((archive, started, finished, manifest))
            _wait_for(load, load.acked() + WRITES_AFTER)  # the load went on during and after the backup
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), "the writers did not finish"
    finally:
        load.stop.set()
        server.stop()
    assert not load.errors, load.errors[:5]
    with app.app_context():
        with db.engine.connect() as conn:
            live = {table: _rows(conn, table) for table in APPEND_ONLY}
        db.engine.dispose()
    record: dict[str, object] = {"database": kind, "clients": CLIENTS + 1, "writes acknowledged": len(load.writes),
                                 "stale case moves refused": load.conflicts, "backups": []}
    for (archive, started, finished, manifest), target in zip(taken, restored_urls, strict=True):
        att = tmp_path / f"restored-att-{archive.stem}"
        restore_app = create_app({"SQLALCHEMY_DATABASE_URI": target, "SECRET_KEY": "backup",
                                  "ATTACHMENTS_DIR": str(att)})
        with restore_app.app_context():
            backup.restore_backup(restore_app, str(archive))
        during = sum(1 for w in load.writes if started <= w.acked and w.sent <= finished)
        figures = _check_restored(target, att, live, load, started, finished, live_att)
        files = sum(1 for name in manifest.members if name.startswith("attachments/"))
        assert files >= figures["attachments"]
        figures.update({"writes in flight during the backup": during, "files in the archive": files})
        record["backups"].append(figures)  # type: ignore[attr-defined]
    if kind == "postgresql":
        for target in [url, *restored_urls]:
            drop_database(target)
    out = ARTIFACTS / "reliability"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"backup_load-{kind}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"backup under load ({kind}): {json.dumps(record, ensure_ascii=False)}")
