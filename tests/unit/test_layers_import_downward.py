"""No layer imports one above it: the use cases (services), the other edges (API, command line, jobs) and
the file formats (imports, exports) never import the web edge, and the models never import a service.
A shared piece (labels, the clock, messages) lives below them all (issue 14)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

TRACKER = Path(__file__).resolve().parents[2] / "tracker"
RULES = {
    "services": ("tracker.web", "tracker.api", "tracker.cli"),
    "api": ("tracker.web", "tracker.cli"),
    "cli": ("tracker.web", "tracker.api"),
    "imports": ("tracker.web", "tracker.api", "tracker.cli"),
    "exports": ("tracker.web", "tracker.api", "tracker.cli"),
    "jobs": ("tracker.web", "tracker.api", "tracker.cli"),
    "models": ("tracker.services", "tracker.web", "tracker.api", "tracker.cli"),
}


def imported(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(RULES))
def test_a_layer_never_imports_one_above_it(layer: str) -> None:
    folder = TRACKER / layer
    assert folder.is_dir(), folder
    offenders = [f"{path.relative_to(TRACKER)}: {name}" for path in sorted(folder.rglob("*.py"))
                 for name in imported(path) if name.startswith(RULES[layer])]
    assert offenders == []


EDGES = ("web", "api", "cli")
# The central error handlers are the last line of defence for a crash outside any use case.
CLEANUP = {"web/errors.py", "api/errors.py"}


def test_edges_never_commit_or_roll_back() -> None:
    """A use case owns its transaction (tracker/services/transaction.atomic); an edge only calls it."""
    offenders = []
    for edge in EDGES:
        for path in sorted((TRACKER / edge).rglob("*.py")):
            rel = str(path.relative_to(TRACKER))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in ("commit", "rollback") and rel not in CLEANUP:
                    offenders.append(f"{rel}:{node.lineno} {node.attr}")
    assert offenders == []


def test_templates_ask_the_permission_table_not_the_role() -> None:
    """Who may do what lives in tracker.services.access.PERMISSIONS; a template asks ``may('…')``."""
    templates = TRACKER.parent / "templates"
    offenders = [f"{path.relative_to(templates)}:{number}" for path in sorted(templates.rglob("*.html"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "current_user.role" in line.replace("label('role', current_user.role)", "")]
    assert offenders == []
