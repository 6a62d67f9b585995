"""DuckDB is held to LLM_COST_AUDIT_MEMORY_LIMIT in every process that opens the
warehouse (the loader's connection, dbt's profile and the publish step), so a big build
spills to disk instead of each process taking 80% of the machine (benchmarks/RESULTS.md)."""

import os
import subprocess

from orchestration.project import PROFILES_DIR, REPO_ROOT, WAREHOUSE_ENV, dbt_executable
from orchestration.warehouse import (
    DEFAULT_MEMORY_LIMIT,
    MEMORY_LIMIT_ENV,
    connect,
    publish_connection,
)

# DuckDB reports a limit in binary units: 1GB (10^9 bytes) reads back as 953.6 MiB.
ONE_GB_AS_REPORTED = "953.6 MiB"


def test_the_warehouse_connection_takes_the_limit_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1GB")
    with connect(tmp_path / "w.duckdb") as con:
        assert con.execute("select current_setting('memory_limit')").fetchone() == (
            ONE_GB_AS_REPORTED,
        )
    monkeypatch.delenv(MEMORY_LIMIT_ENV)
    with connect(tmp_path / "w.duckdb") as con:
        default = con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert DEFAULT_MEMORY_LIMIT == "4GB" and default == "3.7 GiB"


def test_dbt_runs_under_the_same_limit(tmp_path):
    completed = subprocess.run(
        [dbt_executable(), "show", "--inline",
         "select current_setting('memory_limit') || ' order:'"
         " || current_setting('preserve_insertion_order') as m", "--output", "json",
         "--project-dir", str(REPO_ROOT), "--profiles-dir", str(PROFILES_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env={**os.environ, WAREHOUSE_ENV: str(tmp_path / "w.duckdb"), MEMORY_LIMIT_ENV: "1GB"},
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert f"{ONE_GB_AS_REPORTED} order:false" in completed.stdout


def test_the_publish_step_takes_the_limit_and_keeps_no_row_order(monkeypatch):
    # no order to keep lets DuckDB write the published tables and Parquet in parallel
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1GB")
    with publish_connection() as con:  # the connection publish() copies the marts on
        assert con.execute(
            "select current_setting('memory_limit'), current_setting('preserve_insertion_order')"
        ).fetchall() == [(ONE_GB_AS_REPORTED, False)]
