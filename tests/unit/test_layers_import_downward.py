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
