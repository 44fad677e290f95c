"""The attacker's tools: a real server (waitress as scripts/run serves it, gunicorn as deploy/ starts it) in
a subprocess, a browser-like session per user (login through /login with the page's CSRF token), a bearer
client for the API, and what a response carries as text (headers, HTML, JSON, the XML inside xlsx/docx)."""
from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from dataclasses import field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import requests

from tests.factories import PASSWORD
from tracker.rules.text import fold_diacritics

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """One running server process and where it answers; ``log`` is its stdout and stderr."""

    kind: str
    base: str
    process: subprocess.Popen  # type: ignore[type-arg]
    log: Path
    workers: int = 1

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def server_env(url: str, instance: Path, keys: dict[str, str]) -> dict[str, str]:
    """The configuration of a production-like process (no TESTING), cheap password hashing and no rate
    limits so that the attacks, not the limiter, are measured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update({
        "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "security-suite-secret",
        "TRACKER_INSTANCE_PATH": str(instance), "TRACKER_ATTACHMENTS_DIR": str(instance / "attachments"),
        "TRACKER_ID_HASH_KEY": keys["ID_HASH_KEY"], "TRACKER_ID_ENC_KEY": keys["ID_ENC_KEY"],
        "TRACKER_ARGON2_TIME_COST": "1", "TRACKER_ARGON2_MEMORY_COST": "1024", "TRACKER_ARGON2_PARALLELISM": "1",
        "TRACKER_RATELIMIT_ENABLED": "false", "FLASK_APP": "tracker", "PYTHONFAULTHANDLER": "1",
    })
    return env


def start_server(kind: str, env: dict[str, str], log: Path, *, workers: int = 3) -> Server:
    """``waitress``: the command of scripts/run (8 threads); ``gunicorn``: deploy/gunicorn.conf.py with
    several workers of two threads."""
    port = free_port()
    env = dict(env)
    if kind == "waitress":
        cmd = [str(BIN / "waitress-serve"), "--host", "127.0.0.1", "--port", str(port), "--threads", "8",
               "--call", "tracker:create_app"]
        workers = 1
    else:
        env.update({"TRACKER_BIND": f"127.0.0.1:{port}", "TRACKER_WORKERS": str(workers),
                    "TRACKER_WORKER_THREADS": "2"})
        cmd = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
    out = log.open("wb")
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    out.close()
    server = Server(kind, f"http://127.0.0.1:{port}", process, log, workers)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{kind} stopped at start:\n{server.log_text()[-3000:]}")
        try:
            if requests.get(server.base + "/login", timeout=30).status_code == 200:
                if kind == "gunicorn" and server.log_text().count("Booting worker") < workers:
                    time.sleep(0.2)
                    continue
                return server
        except requests.RequestException:  # not listening yet, or a worker still booting
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{kind} did not answer:\n{server.log_text()[-3000:]}")


# --- clients ------------------------------------------------------------------------------------

@dataclass
class Browser:
    """A user's browser: a cookie jar, no automatic redirects (an attacker reads every answer)."""

    base: str
    username: str = ""
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.http.headers["User-Agent"] = f"security-suite browser {id(self)}"

    def get(self, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        return self.http.get(self.base + path, timeout=TIMEOUT, **kw)

    def post(self, path: str, data: dict[str, Any] | list[tuple[str, Any]] | None = None, *,
             token: str | None = None, **kw: Any) -> requests.Response:
        """A form POST with the CSRF token of this session (read from ``/account/password`` unless given)."""
        kw.setdefault("allow_redirects", False)
        items = list(data.items()) if isinstance(data, dict) else list(data or [])
        items.append(("csrf_token", token if token is not None else self.csrf()))
        return self.http.post(self.base + path, data=items, timeout=TIMEOUT, **kw)

    def csrf(self, page: str = "/account/password") -> str:
        response = self.get(page)
        match = CSRF_RE.search(response.text)
        assert match, f"{self.username}: no CSRF token on {page} ({response.status_code})"
        return match.group(1)

    def login(self, username: str, password: str = PASSWORD) -> requests.Response:
        self.username = username
        page = self.get("/login")
        match = CSRF_RE.search(page.text)
        assert match, f"no CSRF token on /login ({page.status_code})"
        return self.http.post(self.base + "/login", data={"csrf_token": match.group(1), "username": username,
                                                         "password": password},
                              allow_redirects=False, timeout=TIMEOUT)

    def copy(self, user_agent: str | None = None) -> Browser:
        """Another browser holding a copy of this one's cookies (a stolen or left-behind cookie)."""
        other = Browser(self.base, self.username)
        other.http.cookies.update(self.http.cookies.get_dict())
        if user_agent:
            other.http.headers["User-Agent"] = user_agent
        return other


def logged_in(base: str, username: str, password: str = PASSWORD) -> Browser:
    browser = Browser(base)
    response = browser.login(username, password)
    assert response.status_code == 302, f"{username} could not log in: {response.status_code}"
    return browser


def is_login_redirect(response: requests.Response) -> bool:
    return response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", "")


@dataclass
class Api:
    base: str
    token: str

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        return requests.request(method, self.base + path, json=body, headers=headers, timeout=TIMEOUT,
                                allow_redirects=False, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.call("POST", path, body, **kw)


# --- what an answer carries -------------------------------------------------------------------

TAG = re.compile(r"<[^>]+>")


def _zip_text(data: bytes) -> list[str]:
    """Every XML part of an Office file (xlsx, docx), as written and with its tags removed."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                xml = archive.read(name).decode("utf-8", errors="replace")
                parts += [xml, unescape(TAG.sub(" ", xml)), unescape(TAG.sub("", xml))]
    return parts


def response_text(response: requests.Response) -> str:
    """Everything a user receives, as text: headers (a download's file name), the body, JSON decoded,
    Office files unzipped."""
    parts = [f"{k}: {unquote(v)}" for k, v in response.headers.items()]
    data = response.content
    ctype = response.headers.get("Content-Type", "")
    if data[:2] == b"PK":
        try:
            parts += _zip_text(data)
        except zipfile.BadZipFile:
            parts.append(data.decode("utf-8", errors="replace"))
    elif "json" in ctype:
        try:
            parts.append(json.dumps(response.json(), ensure_ascii=False))
        except ValueError:
            parts.append(data.decode("utf-8", errors="replace"))
    else:
        text = data.decode("utf-8", errors="replace")
        parts += [text, unescape(text), unquote(text)]
    return "\n".join(parts)


@dataclass(frozen=True)
class Person:
    """A planted identity and the strings that would betray it."""

    key: str
    full_name: str
    id_number: str
    phone: str
    address: str
    birth_year: int

    def leaks(self, text: str, *, typed: tuple[str, ...] = ()) -> list[str]:
        """Which details ``text`` carries (diacritics and case ignored; numbers also spaced or dotted);
        ``typed``: the details the reader typed himself, which an echo may show."""
        found = []
        folded = fold_diacritics(text)
        for what, needle in (("name", self.full_name), ("address", self.address)):
            if what not in typed and fold_diacritics(needle) in folded:
                found.append(what)
        compact = re.sub(r"(?<=\d)[ .\-](?=\d)", "", text)
        for what, needle in (("id_number", self.id_number), ("phone", self.phone)):
            if what not in typed and needle in compact:
                found.append(what)
        if "birth_year" not in typed and re.search(rf"""(value=["']{self.birth_year}["']|>\s*{self.birth_year}\s*<|"""
                                                   rf""""birth_year": {self.birth_year}\b)""", text):
            found.append("birth_year")
        return found
