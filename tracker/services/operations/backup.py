"""Backup and restore: the database and the attachments directory in one archive (``backup PATH``).

The archive is a gzip'd tar with ``manifest.json`` first, then ``database.sqlite`` (SQLite, copied
with the online backup API, so the copy is consistent while the server keeps writing) or
``database.dump`` (PostgreSQL, ``pg_dump --format=custom``, one consistent snapshot), then every
file under ``attachments/``. The manifest records the format version, the Alembic revision, the
database kind, the creation time and the SHA-256 and size of every member.

The database is copied before the attachments: a file is always written before the row that names
it is committed, so every row of the copy finds its file in the archive (a file whose row came
later is an orphan, harmless).

The archive is encrypted (issue 12: it holds names, phones, addresses and scans). The tar.gz stream is cut into
1 MiB chunks, each sealed with AES-256-GCM (``cryptography``): the file is a header (``SOTDBAK1``, the key's
8-byte fingerprint, a random 7-byte nonce prefix), then for each chunk its length and its ciphertext. A chunk's
nonce is the prefix, its number and a "last chunk" flag, and the header is authenticated with every chunk, so a
chunk altered, reordered, dropped or cut off at the end is refused. Chunks rather than one Fernet token: an
archive with years of scans can be gigabytes, and Fernet needs the whole message in memory. The key (32 random
bytes, base64) is ``TRACKER_BACKUP_KEY``, else the file ``TRACKER_BACKUP_KEY_FILE``, else ``backup_key`` in the
instance folder, created 0600 by the first backup. It must be kept apart from the archives (README "Backup and
restore"): restore refuses an archive made with another key before anything is changed. Archives written before
encryption (plain tar.gz) are still read.

Restore checks everything before it changes anything: the manifest, the checksum of every member,
that no member is missing or extra or outside the archive's own tree, the database kind, and that
the archive's revision is one this code knows (an archive from a newer version is refused). Then
it replaces the database (SQLite: the backup API into the live file; PostgreSQL: ``pg_restore
--clean --if-exists --no-owner --single-transaction``) and swaps the attachments directory.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tracker.extensions import db
from tracker.id_protection import instance_secret
from tracker.messages import MESSAGES
from tracker.services.errors import DomainError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PG_MEMBER = "database.dump"
ATTACHMENTS = "attachments"
CHUNK = 1024 * 1024
SEALED_MAGIC = b"SOTDBAK1"
KEY_FILE = "backup_key"

MESSAGES.update({
    "backup_tool_missing": _l("%(tool)s was not found: install the PostgreSQL client tools (version %(version)s "
                              "or newer) to back up or restore a PostgreSQL database."),
    "backup_tool_failed": _l("%(tool)s failed: %(detail)s"),
    "backup_unsupported_database": _l("Backup supports SQLite and PostgreSQL databases only."),
    "backup_unreadable": _l("The file is not a backup archive of this application."),
    "backup_checksum": _l("The backup archive is damaged: the checksum of %(member)s does not match."),
    "backup_members": _l("The backup archive is damaged: its members do not match its manifest."),
    "backup_format": _l("The backup archive has format version %(found)s; this version reads %(expected)s."),
    "backup_kind": _l("The backup is of a %(found)s database; the configured database is %(expected)s."),
    "backup_newer": _l("The backup comes from a newer version of the application (database revision "
                       "%(revision)s): upgrade the application first."),
    "backup_exists": _l("%(path)s already exists."),
    "backup_not_found": _l("%(path)s does not exist."),
    "backup_cancelled": _l("Restore cancelled: nothing was changed."),
    "backup_wrong_key": _l("This backup was encrypted with another backup key: nothing was restored. Give the key "
                           "kept with the backups (TRACKER_BACKUP_KEY, or the key file with --key-file)."),
    "backup_no_key": _l("No backup key was found (%(path)s, TRACKER_BACKUP_KEY): nothing was restored. Copy the key "
                        "kept apart from the backups to that file, or give it with --key-file."),
    "backup_key_invalid": _l("The backup key is not valid: it must be 32 bytes written in base64 (as in the key "
                             "file made by the first backup)."),
    "backup_tampered": _l("The backup archive is damaged or has been altered: it cannot be decrypted. Nothing was "
                          "restored."),
})


class BackupError(DomainError):
    status = 400

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, None, **params)


@dataclass
class Manifest:
    format_version: int
    alembic_revision: str | None
    database: str
    created_at: str
    members: dict[str, dict[str, Any]]

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True).encode()


# --- helpers -----------------------------------------------------------------------------------

def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def database_kind(app: Flask) -> str:
    name = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError("backup_unsupported_database")
    return name


def current_revision() -> str | None:
    try:
        return cast(str | None, db.session.scalar(text("SELECT version_num FROM alembic_version")))
    finally:
        db.session.rollback()


def known_revisions(app: Flask) -> set[str]:
    from alembic.script import ScriptDirectory

    directory = app.extensions["migrate"].directory
    config = app.extensions["migrate"].migrate.get_config(directory)
    return {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}


def sqlite_path(app: Flask) -> str:
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not path or path == ":memory:":
        raise BackupError("backup_unsupported_database")
    return path


def pg_env(app: Flask) -> tuple[dict[str, str], str]:
    """libpq environment for the configured database (no password on the command line)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    return env, str(url.database)


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError("backup_tool_missing", tool=name, version="15")
    return path


def run_tool(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError("backup_tool_failed", tool=os.path.basename(args[0]), detail=detail[-1] if detail else "")


def release_connections() -> None:
    db.session.remove()
    db.engine.dispose()


# --- the key and the sealed stream ------------------------------------------------------------

def _decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise BackupError("backup_key_invalid") from None
    if len(key) != 32:
        raise BackupError("backup_key_invalid")
    return key


def backup_key(app: Flask, *, create: bool, key_file: str | None = None) -> bytes:
    """The backup key: ``key_file`` if given, else TRACKER_BACKUP_KEY, else TRACKER_BACKUP_KEY_FILE, else the
    instance folder's ``backup_key`` — created (0600) only when ``create`` (a backup), never by a restore."""
    if key_file is None and app.config.get("BACKUP_KEY"):
        return _decode_key(str(app.config["BACKUP_KEY"]))
    path = key_file or app.config.get("BACKUP_KEY_FILE") or os.path.join(app.instance_path, KEY_FILE)
    if os.path.isfile(path):
        with open(path, encoding="ascii", errors="replace") as fh:
            return _decode_key(fh.read())
    if not create or key_file or app.config.get("BACKUP_KEY_FILE"):
        raise BackupError("backup_no_key", path=path)
    return _decode_key(instance_secret(app, KEY_FILE, base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")))


def _fingerprint(key: bytes) -> bytes:
    return hashlib.sha256(b"so-tiep-dan backup key " + key).digest()[:8]


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + number.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class SealedWriter:
    """A write-only file object: what is written goes out encrypted, chunk by chunk; ``finish`` seals the end."""

    def __init__(self, raw: Any, key: bytes) -> None:
        self.raw, self.aead, self.prefix = raw, AESGCM(key), os.urandom(7)
        self.header = SEALED_MAGIC + _fingerprint(key) + self.prefix
        self.raw.write(self.header)
        self.buffer, self.number = bytearray(), 0

    def _seal(self, data: bytes, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.prefix, self.number, last), data, self.header)
        self.raw.write(len(sealed).to_bytes(4, "big") + sealed)
        self.number += 1

    def write(self, data: bytes) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._seal(bytes(self.buffer[:CHUNK]), False)
            del self.buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        self.raw.flush()

    def finish(self) -> None:
        self._seal(bytes(self.buffer), True)
        self.buffer.clear()
        self.raw.flush()


class SealedReader:
    """A read-only file object over a sealed archive: checks the key first, then each chunk as it is read."""

    def __init__(self, raw: Any, key: bytes) -> None:
        self.raw, self.aead = raw, AESGCM(key)
        self.header = raw.read(len(SEALED_MAGIC) + 15)
        if len(self.header) != len(SEALED_MAGIC) + 15 or not self.header.startswith(SEALED_MAGIC):
            raise BackupError("backup_unreadable")
        if self.header[len(SEALED_MAGIC):len(SEALED_MAGIC) + 8] != _fingerprint(key):
            raise BackupError("backup_wrong_key")
        self.prefix = self.header[-7:]
        self.buffer, self.number, self.done = b"", 0, False

    def _next(self) -> None:
        size = self.raw.read(4)
        if len(size) != 4:
            raise BackupError("backup_unreadable")  # cut off before its last chunk
        length = int.from_bytes(size, "big")
        if length > CHUNK + 16:
            raise BackupError("backup_tampered")
        sealed = self.raw.read(length)
        if len(sealed) != length:
            raise BackupError("backup_unreadable")  # cut off inside a chunk
        for last in (False, True):
            try:
                plain = self.aead.decrypt(_nonce(self.prefix, self.number, last), sealed, self.header)
            except InvalidTag:
                continue
            self.number += 1
            self.done = last
            if last and self.raw.read(1):
                raise BackupError("backup_tampered")  # something appended after the last chunk
            self.buffer += plain
            return
        raise BackupError("backup_tampered")

    def read(self, size: int = -1) -> bytes:
        while not self.done and (size < 0 or len(self.buffer) < size):
            self._next()
        if size < 0:
            size = len(self.buffer)
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


def sealed(path: str) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(SEALED_MAGIC)) == SEALED_MAGIC


def encrypt_file(app: Flask, plain_path: str, target: str, key_file: str | None = None) -> None:
    """Seal a plain file with the backup key (tests and tools: re-sealing an archive they changed)."""
    key = backup_key(app, create=True, key_file=key_file)
    with open(plain_path, "rb") as src, open(target, "wb") as raw:
        writer = SealedWriter(raw, key)
        while chunk := src.read(CHUNK):
            writer.write(chunk)
        writer.finish()


def decrypt_file(app: Flask, path: str, target: str, key_file: str | None = None) -> None:
    """Open a sealed archive into a plain tar.gz (kept 0600), e.g. to look into it by hand."""
    key = backup_key(app, create=False, key_file=key_file)
    with open(path, "rb") as raw:
        reader = SealedReader(raw, key)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := reader.read(CHUNK):
                out.write(chunk)


# --- backup ------------------------------------------------------------------------------------

def dump_database(app: Flask, directory: str) -> str:
    """Write a consistent copy of the database into ``directory``; answers the member name."""
    if database_kind(app) == "sqlite":
        target = os.path.join(directory, SQLITE_MEMBER)
        source = sqlite3.connect(sqlite_path(app), timeout=30)  # waits out a checkpoint instead of failing
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # all pages in one step: one read transaction, one snapshot
        finally:
            copy.close()
            source.close()
        return SQLITE_MEMBER
    env, _name = pg_env(app)
    target = os.path.join(directory, PG_MEMBER)
    run_tool([pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}"], env)
    return PG_MEMBER


def attachment_files(root: str) -> list[tuple[str, str]]:
    """(archive name, path) of every regular file under ``root``, in a stable order."""
    found: list[tuple[str, str]] = []
    if not os.path.isdir(root):
        return found
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path) and not name.endswith(".part"):
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                found.append((f"{ATTACHMENTS}/{rel}", path))
    return found


def create_backup(app: Flask, path: str, key_file: str | None = None) -> Manifest:
    """Write the archive to ``path``, encrypted and 0600 (atomically: a partial archive is never left under that
    name)."""
    key = backup_key(app, create=True, key_file=key_file)
    kind = database_kind(app)
    revision = current_revision()
    created = datetime.now(UTC).isoformat(timespec="seconds")
    target_dir = os.path.dirname(os.path.abspath(path))
    with tempfile.TemporaryDirectory(prefix="tracker-backup-") as work:
        db_member = dump_database(app, work)
        members: list[tuple[str, str]] = [(db_member, os.path.join(work, db_member))]
        members += attachment_files(app.config["ATTACHMENTS_DIR"])
        listed = {name: {"sha256": sha256_file(p), "size": os.path.getsize(p)} for name, p in members}
        manifest = Manifest(FORMAT_VERSION, revision, kind, created, listed)
        handle, temp = tempfile.mkstemp(prefix=".backup-", suffix=".part", dir=target_dir)  # 0600
        try:
            with os.fdopen(handle, "wb") as raw:
                writer = SealedWriter(raw, key)
                with tarfile.open(fileobj=writer, mode="w|gz") as tar:  # type: ignore[call-overload]
                    data = manifest.to_json()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
                    tar.addfile(info, io.BytesIO(data))
                    for name, member_path in members:
                        tar.add(member_path, arcname=name, recursive=False)
                writer.finish()
            os.chmod(temp, 0o600)
            with open(temp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.remove(temp)
            raise
    return manifest


# --- restore -----------------------------------------------------------------------------------

def _open_tar(raw: Any, key: bytes | None) -> tarfile.TarFile:
    if key is None:  # an archive written before backups were encrypted
        return tarfile.open(fileobj=raw, mode="r:gz")
    return cast(tarfile.TarFile, tarfile.open(fileobj=SealedReader(raw, key), mode="r|gz"))  # type: ignore[call-overload]


def read_archive(path: str, work: str, key: bytes | None = None) -> Manifest:
    """Unpack ``path`` into ``work`` and check it whole; raises BackupError, changes nothing else.
    ``key`` opens a sealed archive (None: only a plain one from before encryption is readable)."""
    if not os.path.isfile(path):
        raise BackupError("backup_not_found", path=path)
    if sealed(path) and key is None:
        raise BackupError("backup_wrong_key")
    try:
        with open(path, "rb") as raw, _open_tar(raw, key if sealed(path) else None) as tar:
            names: list[str] = []
            for member in tar:
                name = member.name
                parts = name.split("/")
                if (not member.isfile() or name.startswith("/") or ".." in parts or "" in parts
                        or "\\" in name or name in names):
                    raise BackupError("backup_members")
                names.append(name)
                target = os.path.join(work, *parts)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                with source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, BackupError):
            raise
        raise BackupError("backup_unreadable") from None
    if MANIFEST not in names:
        raise BackupError("backup_unreadable")
    try:
        with open(os.path.join(work, MANIFEST), encoding="utf-8") as fh:
            raw = json.load(fh)
        manifest = Manifest(int(raw["format_version"]), raw.get("alembic_revision"), str(raw["database"]),
                            str(raw["created_at"]), dict(raw["members"]))
    except (ValueError, KeyError, TypeError):
        raise BackupError("backup_unreadable") from None
    if manifest.format_version != FORMAT_VERSION:
        raise BackupError("backup_format", found=manifest.format_version, expected=FORMAT_VERSION)
    if set(names) - {MANIFEST} != set(manifest.members):
        raise BackupError("backup_members")
    for name, info in sorted(manifest.members.items()):
        member_path = os.path.join(work, *name.split("/"))
        if sha256_file(member_path) != info.get("sha256") or os.path.getsize(member_path) != info.get("size"):
            raise BackupError("backup_checksum", member=name)
    return manifest


def check_restorable(app: Flask, manifest: Manifest) -> None:
    kind = database_kind(app)
    if manifest.database != kind:
        raise BackupError("backup_kind", found=manifest.database, expected=kind)
    expected = SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER
    if expected not in manifest.members:
        raise BackupError("backup_members")
    if manifest.alembic_revision and manifest.alembic_revision not in known_revisions(app):
        raise BackupError("backup_newer", revision=manifest.alembic_revision)
    if kind == "postgresql":
        pg_tool("pg_restore")


def restore_database(app: Flask, work: str) -> None:
    release_connections()
    if database_kind(app) == "sqlite":
        source = sqlite3.connect(os.path.join(work, SQLITE_MEMBER))
        live = sqlite3.connect(sqlite_path(app), timeout=30)
        try:
            source.backup(live)  # page by page under the live file's own lock; WAL readers stay consistent
        finally:
            live.close()
            source.close()
        return
    env, name = pg_env(app)
    run_tool([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={name}", os.path.join(work, PG_MEMBER)], env)


def restore_attachments(app: Flask, work: str) -> None:
    """Swap in the archive's attachments: the new tree is built beside the old one, then renamed."""
    root = os.path.abspath(app.config["ATTACHMENTS_DIR"])
    parent = os.path.dirname(root)
    os.makedirs(parent, exist_ok=True)
    staged = tempfile.mkdtemp(prefix=".attachments-restore-", dir=parent)
    source = os.path.join(work, ATTACHMENTS)
    if os.path.isdir(source):
        shutil.rmtree(staged)
        shutil.copytree(source, staged)
    os.chmod(staged, 0o700)
    old = None
    if os.path.exists(root):
        old = tempfile.mkdtemp(prefix=".attachments-old-", dir=parent)
        os.rmdir(old)
        os.replace(root, old)
    os.replace(staged, root)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def _restore_key(app: Flask, path: str, key_file: str | None) -> bytes | None:
    if os.path.isfile(path) and not sealed(path):
        return None
    return backup_key(app, create=False, key_file=key_file)


def inspect_backup(app: Flask, path: str, key_file: str | None = None) -> Manifest:
    """Check an archive without restoring it."""
    key = _restore_key(app, path, key_file)
    with tempfile.TemporaryDirectory(prefix="tracker-restore-") as work:
        manifest = read_archive(path, work, key)
        check_restorable(app, manifest)
        return manifest


def restore_backup(app: Flask, path: str, key_file: str | None = None) -> Manifest:
    """Check the archive whole (its key first), then replace the database and the attachments with its contents."""
    key = _restore_key(app, path, key_file)
    parent = os.path.dirname(os.path.abspath(app.config["ATTACHMENTS_DIR"]))
    os.makedirs(parent, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".tracker-restore-", dir=parent) as work:
        manifest = read_archive(path, work, key)
        check_restorable(app, manifest)
        restore_database(app, work)
        restore_attachments(app, work)
    release_connections()
    return manifest
