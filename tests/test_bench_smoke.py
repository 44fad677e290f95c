"""The province-scale benchmarks (scripts/bench/run) work end to end on a tiny data set.

A throwaway database (SQLite, and PostgreSQL when a server answers) gets 2 provinces, 6 communes and 300
cases; every benchmark then runs once: the weekly list through gunicorn against the minimal endpoint
(same rows), the reports against the hand-written SQL (same numbers), concurrent writes, and the
report job's memory. No timing is asserted.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATABASES
from tests.conftest import postgres_url

BENCH = Path(__file__).resolve().parent.parent / "scripts" / "bench"


def _bench_run() -> Any:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("backend", DATABASES)
def test_every_benchmark_runs_once_on_a_tiny_generated_country_and_cleans_up(backend: str, tmp_path: Path) -> None:
    server = None
    if backend == "postgresql":
        server = postgres_url()
        if server is None:
            pytest.skip("no PostgreSQL server")
    bench = _bench_run()
    result = bench.ci_run(tmp_path, server)
    assert result["weekly"]["runs"] == 1
    assert [r["name"] for r in result["reports"]] == ["one commune, half-year", "province roll-up, half-year",
                                                      "country roll-up, half-year"]
    assert all(r["same_numbers"] for r in result["reports"])
    assert result["writes"]["requests"] == 16
    if backend == "postgresql":
        assert result["writes"]["errors"] == 0, result["writes"]["error_samples"]
    assert list(result["job_memory"].values())[0]["peak_mib"] > 0
    if server:
        import psycopg

        admin = server.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin) as conn:
            left = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s",
                                (f"bench_ci_{os.getpid()}",)).fetchone()
        assert left is not None and left[0] == 0
