"""API fixtures: a commune with a receptionist holding a bearer token, and a JSON client helper."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import make_unit
from tests.factories import make_user
from tracker.models import User
from tracker.services.operations.tokens import issue_token


@dataclass
class Api:
    """A test client that sends one user's bearer token."""

    client: FlaskClient
    token: str
    user: User | None = None
    language: str | None = None

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.language:
            headers["Accept-Language"] = self.language
        return {**headers, **(extra or {})}

    def get(self, url: str, **kw: Any):  # type: ignore[no-untyped-def]
        return self.client.get(url, headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, url: str, body: Any = None, **kw: Any):  # type: ignore[no-untyped-def]
        return self.client.post(url, json=body, headers=self.headers(kw.pop("headers", None)), **kw)

    def patch(self, url: str, body: Any = None, **kw: Any):  # type: ignore[no-untyped-def]
        return self.client.patch(url, json=body, headers=self.headers(kw.pop("headers", None)), **kw)

    def delete(self, url: str, **kw: Any):  # type: ignore[no-untyped-def]
        return self.client.delete(url, headers=self.headers(kw.pop("headers", None)), **kw)


def api_for(client: FlaskClient, username: str, role: str, unit_code: str = "XA-01",
            unit_name: str = "UBND xã Thử Nghiệm") -> Api:
    user = make_user(username, role, make_unit(unit_code, unit_name))
    return Api(client, issue_token(username), user)


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Api:
    """The receptionist of commune XA-01."""
    return api_for(client, "letan", "receptionist")


def visit_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "visited_on": "2026-03-05",
        "kind": "regular",
        "host": "officer",
        "people_count": 1,
        "citizens": [{"full_name": "Nguyễn Văn An", "id_number": "001085012345", "birth_year": 1985}],
        "content": "Đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất",
        "classification": "petition",
        "subject": "land",
        "handling": "guided",
    }
    body.update(over)
    return body
