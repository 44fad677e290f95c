"""Chains of mergers (the 2025 mergers, and any later one): which units were merged into a unit, directly
or through a unit that was itself merged later (A → B on one date, B → C later: A and B are both
predecessors of C).

Everything here is one SQL query with a recursive CTE (SQLite and PostgreSQL), so callers keep a fixed
number of queries whatever the length of the chain. The walk stops after :data:`MAX_DEPTH` steps, so a
cycle in the data (which :func:`tracker.services.operations.mergers.merge_units` refuses) could never loop.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import Unit

MAX_DEPTH = 32

__all__ = ["MAX_DEPTH", "Step", "path_pattern", "predecessor_ids_of_unit", "predecessor_ids_query",
           "predecessor_ids_under", "predecessors_cte", "predecessors_of", "successor_ids", "successor_steps"]


def _roots(roots: Select[Any] | Sequence[int] | int) -> Any:
    return [roots] if isinstance(roots, int) else roots


def predecessors_cte(roots: Select[Any] | Sequence[int] | int, name: str = "merged_chain") -> Any:
    """A recursive CTE ``(id, into_id, merged_on, depth)`` of every unit merged into one of ``roots`` (a unit
    id, a list of ids or a SELECT of ids), directly (depth 1) or through a chain of mergers."""
    first = (select(Unit.id.label("id"), Unit.merged_into_id.label("into_id"), Unit.merged_on.label("merged_on"),
                    literal(1).label("depth"))
             .where(Unit.merged_into_id.in_(_roots(roots))))
    chain = first.cte(name, recursive=True)
    older = aliased(Unit)
    return chain.union_all(
        select(older.id, older.merged_into_id, older.merged_on, chain.c.depth + 1)
        .where(older.merged_into_id == chain.c.id, chain.c.depth < MAX_DEPTH))


def predecessor_ids_query(roots: Select[Any] | Sequence[int] | int) -> Select[int]:
    """The ids of every unit merged into ``roots`` (whole chain), ready for ``column.in_(...)``."""
    chain = predecessors_cte(roots)
    return select(chain.c.id)


@functools.cache
def _prebuilt(by_path: bool) -> Select[int]:
    """The predecessors of one unit (``:unit_id``) or of every unit under a path (``:path_pattern``, a LIKE
    pattern with ``/`` as escape), built once: every page asks it, and building the recursive CTE costs more
    than running it (SQLAlchemy then finds the compiled form in its cache)."""
    roots: Any = (select(Unit.id).where(Unit.path.like(bindparam("path_pattern"), escape="/")) if by_path
                  else select(bindparam("unit_id", type_=Integer)))
    return predecessor_ids_query(roots)


def path_pattern(prefix: str) -> str:
    """The LIKE pattern of the paths that start with ``prefix``."""
    return prefix.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def predecessor_ids_of_unit(unit_id: int) -> list[int]:
    """Ids of every unit merged into ``unit_id`` (whole chain): one query, from a statement built once."""
    return list(dict.fromkeys(db.session.scalars(_prebuilt(False), {"unit_id": unit_id})))


def predecessor_ids_under(prefix: str) -> list[int]:
    """Ids of every unit merged into a unit whose path starts with ``prefix`` (whole chain)."""
    return list(dict.fromkeys(db.session.scalars(_prebuilt(True), {"path_pattern": path_pattern(prefix)})))


def predecessors_of(unit: Unit) -> list[tuple[Unit, int, int, date | None]]:
    """``(old unit, depth, into_id, merged_on)`` of every unit merged into ``unit``, whole chain, in one
    query: the direct predecessors first (depth 1), then theirs, each level by code."""
    chain = predecessors_cte(unit.id)
    rows = db.session.execute(
        select(Unit, chain.c.depth, chain.c.into_id, chain.c.merged_on).join(chain, chain.c.id == Unit.id)
        .order_by(chain.c.depth, Unit.code)).all()
    seen: set[int] = set()
    result = []
    for old, depth, into_id, on in rows:
        if old.id not in seen:
            seen.add(old.id)
            result.append((old, int(depth), int(into_id), on))
    return result


@dataclass(frozen=True)
class Step:
    """One merger of a chain: ``old`` merged into ``into`` on ``on``."""

    old: Unit
    into: Unit
    on: date | None


def successor_steps(unit_id: int) -> list[Step]:
    """The mergers from ``unit_id`` up to the unit that now holds it (empty when never merged), in one query:
    e.g. [A → B on d1, B → C on d2]."""
    first = (select(Unit.id.label("id"), Unit.merged_into_id.label("into_id"), Unit.merged_on.label("merged_on"),
                    literal(1).label("depth"))
             .where(Unit.id == unit_id, Unit.merged_into_id.is_not(None)))
    chain = first.cte("successor_chain", recursive=True)
    newer = aliased(Unit)
    chain = chain.union_all(
        select(newer.id, newer.merged_into_id, newer.merged_on, chain.c.depth + 1)
        .where(newer.id == chain.c.into_id, newer.merged_into_id.is_not(None), chain.c.depth < MAX_DEPTH))
    rows = db.session.execute(select(chain.c.id, chain.c.into_id, chain.c.merged_on).order_by(chain.c.depth)).all()
    if not rows:
        return []
    ids = {r[0] for r in rows} | {r[1] for r in rows}
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    steps, seen = [], set()
    for old_id, into_id, on in rows:
        if old_id in seen:  # a cycle in the data: stop at the first repeat
            break
        seen.add(old_id)
        steps.append(Step(units[old_id], units[into_id], on))
    return steps


def successor_ids(unit: Unit) -> list[int]:
    """The units ``unit`` was merged into, the whole chain up to the one holding it now (empty, without a
    query, for a unit never merged): the units that continue its open work."""
    if unit.merged_into_id is None:
        return []
    return [step.into.id for step in successor_steps(unit.id)]
