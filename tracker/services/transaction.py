"""One use case, one transaction: the outermost ``@atomic`` service call commits what it wrote, and any
error (a ``DomainError`` or a crash) rolls everything back before it reaches the edge.

Edges (views, API handlers, commands) therefore never commit or roll back: a form shown again after a
refused change starts from a clean session, and a use case made of other use cases (deciding a letter opens
its case) commits once.
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec
from typing import TypeVar

from tracker.extensions import db

P = ParamSpec("P")
R = TypeVar("R")
_DEPTH = "tracker.atomic_depth"


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit on leaving the outermost block, roll back there on any exception. An inner block's error
    goes up untouched: the outer use case decides (it may catch the error and go on)."""
    info = db.session().info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    try:
        yield
    except BaseException:
        info[_DEPTH] = depth
        if depth == 0:
            db.session.rollback()
        raise
    info[_DEPTH] = depth
    if depth == 0:
        db.session.commit()


def atomic(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` as one unit of work (see module docstring)."""

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return fn(*args, **kwargs)

    return run
