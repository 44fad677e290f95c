"""Figures of the reliability and security tests, quoted in docs/reliability.md: printed (``pytest -s``)
and kept in test-artifacts/reliability/<name>.json, one entry per database, overwritten by each run."""
from __future__ import annotations

import json
from typing import Any

from tests.conftest import ARTIFACTS


def record(name: str, figures: dict[str, Any], database: str = "all") -> None:
    print(f"{name} ({database}): {json.dumps(figures, ensure_ascii=False)}")
    folder = ARTIFACTS / "reliability"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data[database] = figures
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
