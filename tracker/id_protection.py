"""ID numbers (CCCD/CMND) at rest: a keyed hash to match them, authenticated encryption to read them.

Luật 91/2025/QH15 (personal data): a database dump must not show citizens' ID numbers, yet equal
numbers must still be matched (the same person at the desk again, duplicates, the unique index per
unit). Each number is therefore stored twice, never in clear:

- ``id_number_hash``: HMAC-SHA256 (hex) of the normalised number under the *hash key*. Equal numbers
  give equal hashes, so exact search, matching and the unique index work on it; without the key a
  12-digit number cannot be recovered by trying every number. Only whole numbers can be found.
- ``id_number_enc``: Fernet (AES-128-CBC + HMAC-SHA256, random IV) under the *encryption key*,
  read back when the number is shown, printed or exported.

Keys (two separate ones, so that a leaked hash key does not open the ciphertexts and vice versa):
``TRACKER_ID_HASH_KEY`` (any string of at least 32 characters) and ``TRACKER_ID_ENC_KEY`` (a Fernet
key, 32 url-safe base64 bytes); if unset, each is generated once into the instance folder
(``id_hash_key``, ``id_enc_key``, mode 0600) like ``secret_key``. ``TRACKER_ID_ENC_OLD_KEYS`` (comma
separated) lists retired encryption keys that are still read (MultiFernet); ``flask privacy
rekey-ids`` rewrites every row under the current keys. Tests without keys use fixed testing keys.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.fernet import MultiFernet
from flask import Flask
from flask import current_app

HASH_KEY_FILE = "id_hash_key"
ENC_KEY_FILE = "id_enc_key"
MIN_HASH_KEY = 32
EXTENSION = "id_protection"
_SEPARATORS = re.compile(r"[\s.]")

__all__ = ["IdKeys", "InvalidToken", "decrypt_id", "encrypt_id", "hash_id", "init_app", "keys", "load_keys",
           "normalise_id"]


@dataclass(frozen=True)
class IdKeys:
    hash_key: bytes
    fernet: MultiFernet
    primary: Fernet

    def hash(self, number: str) -> str:
        return hmac.new(self.hash_key, normalise_id(number).encode("utf-8"), hashlib.sha256).hexdigest()

    def encrypt(self, number: str) -> str:
        return self.primary.encrypt(normalise_id(number).encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """:raises InvalidToken: not made with any of the configured encryption keys (or altered)."""
        return self.fernet.decrypt(token.encode("ascii")).decode("utf-8")


def normalise_id(number: str) -> str:
    """The form that is hashed and encrypted: spaces and dots removed (as ``parse_id_number`` does)."""
    return _SEPARATORS.sub("", number)


def _testing_key(label: str) -> bytes:
    return hashlib.sha256(b"so-tiep-dan testing-only " + label.encode()).digest()


def instance_secret(app: Flask, name: str, make: str) -> str:
    """A secret in the instance folder (ID keys, the backup key), written once and 0600."""
    return _instance_key(app, name, make)


def _instance_key(app: Flask, name: str, make: str) -> str:
    """The key in the instance folder, written once (0600, never readable by other accounts); concurrent
    first starts all read the same key (the file appears whole through a hard link, or not at all)."""
    path = os.path.join(app.instance_path, name)
    if not os.path.exists(path):
        os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
        temp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(make + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(temp, path)
            except FileExistsError:
                pass
        finally:
            os.remove(temp)
    with open(path, encoding="ascii") as fh:
        return fh.read().strip()


def _as_list(value: object) -> list[str]:
    if not value:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in re.split(r"[,\s]+", str(value)) if part.strip()]


def load_keys(app: Flask) -> IdKeys:
    """Read (or create) the keys from config ``ID_HASH_KEY``/``ID_ENC_KEY``/``ID_ENC_OLD_KEYS``
    (environment ``TRACKER_ID_*``); the ``TRACKER_``-prefixed names are accepted in config too."""
    cfg = app.config
    hash_key = cfg.get("ID_HASH_KEY") or cfg.get("TRACKER_ID_HASH_KEY")
    enc_key = cfg.get("ID_ENC_KEY") or cfg.get("TRACKER_ID_ENC_KEY")
    old_keys = _as_list(cfg.get("ID_ENC_OLD_KEYS") or cfg.get("TRACKER_ID_ENC_OLD_KEYS"))
    testing = app.testing or bool(cfg.get("TESTING"))
    if not hash_key:
        hash_key = (_testing_key("hash").hex() if testing
                    else _instance_key(app, HASH_KEY_FILE, os.urandom(32).hex()))
    if not enc_key:
        enc_key = (base64.urlsafe_b64encode(_testing_key("enc")).decode() if testing
                   else _instance_key(app, ENC_KEY_FILE, Fernet.generate_key().decode()))
    hash_bytes = str(hash_key).encode("utf-8")
    if len(hash_bytes) < MIN_HASH_KEY:
        raise RuntimeError(f"TRACKER_ID_HASH_KEY is too short: at least {MIN_HASH_KEY} characters")
    try:
        primary = Fernet(str(enc_key))
        older = [Fernet(k) for k in old_keys]
    except ValueError:
        raise RuntimeError("TRACKER_ID_ENC_KEY / TRACKER_ID_ENC_OLD_KEYS: each must be a Fernet key "
                           "(32 url-safe base64-encoded bytes)") from None
    if hmac.compare_digest(hash_bytes, str(enc_key).encode("utf-8")):
        raise RuntimeError("TRACKER_ID_HASH_KEY and TRACKER_ID_ENC_KEY must be different keys")
    return IdKeys(hash_bytes, MultiFernet([primary, *older]), primary)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = load_keys(app)


def keys() -> IdKeys:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def hash_id(number: str) -> str:
    return keys().hash(number)


def encrypt_id(number: str) -> str:
    return keys().encrypt(number)


def decrypt_id(token: str) -> str:
    return keys().decrypt(token)
