"""tracker/rules stays framework-free: no Flask, no SQLAlchemy, no app modules."""
from __future__ import annotations

import ast
from pathlib import Path

RULES = Path(__file__).resolve().parents[2] / "tracker" / "rules"
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "tracker.models", "tracker.services", "tracker.web",
             "tracker.api", "tracker.cli", "tracker.jobs", "tracker.extensions")


def test_no_rules_module_imports_a_framework_or_the_app() -> None:
    offenders = []
    for path in RULES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN or n.startswith(FORBIDDEN)]
    assert offenders == []
