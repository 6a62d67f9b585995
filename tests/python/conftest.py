"""Shared fixtures: warehouses built once per session through the real pipeline (Dagster
in-process, dbt on DuckDB), read by many tests."""

import csv
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.ingest.formats.canonical import CANONICAL_COLUMNS
from orchestration.project import (
    PROFILES_DIR,
    REPO_ROOT,
    WAREHOUSE_ENV,
    dbt_executable,
    quiet_environment,
)

quiet_environment()  # no telemetry from dbt or Dagster, from the first import on


def write_canonical_csv(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [c for c in CANONICAL_COLUMNS if any(c in row for row in rows)]
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def audit(exports: Path, warehouse: Path, report_dir: Path | None = None) -> int:
    """`llm-cost-audit run` on a directory, as a user types it; the exit status. The
    report goes beside the warehouse unless told otherwise, never into the checkout."""
    report_dir = report_dir or warehouse.parent / "reports"
    return main(
        ["run", "--exports", str(exports), "--warehouse", str(warehouse),
         "--report-dir", str(report_dir)]
    )  # fmt: skip


def worked_example_rows(start: datetime, calls: int = 1000) -> list[dict]:
    """50M input + 10M output tokens of async-tolerant classification on Opus 4.5."""
    return [
        {
            "request_id": f"we-{start:%Y%m%d}-{n}",
            "timestamp": (start + timedelta(minutes=n)).isoformat().replace("+00:00", "Z"),
            "provider": "anthropic",
            "model": "claude-opus-4-5",
            "feature": "ticket-classifier",
            "task_class": "classification",
            "latency_class": "async",
            "service_tier": "standard",
            "input_tokens": 50_000_000 // calls,
            "output_tokens": 10_000_000 // calls,
        }
        for n in range(calls)
    ]


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """The demo's pipeline end to end on a small generated month."""
    from orchestration.demo import generate_demo

    root = tmp_path_factory.mktemp("demo")
    generate_demo(root / "exports", scale=0.02)
    warehouse = root / "demo.duckdb"
    assert audit(root / "exports", warehouse, root / "reports") == 0
    return warehouse


@pytest.fixture(scope="session")
def worked_example_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("worked")
    # after genai-prices' batch variants begin (2026-10-14) and before (the batch rule)
    write_canonical_csv(
        root / "exports" / "after.csv", worked_example_rows(datetime(2026, 10, 20, tzinfo=UTC))
    )
    write_canonical_csv(
        root / "exports" / "before.csv", worked_example_rows(datetime(2026, 9, 1, tzinfo=UTC))
    )
    warehouse = root / "worked.duckdb"
    assert audit(root / "exports", warehouse, root / "reports") == 0
    return warehouse


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_contents(warehouse: Path, schema: str) -> dict[str, list[tuple]]:
    """Every row of every table in a schema, in a fixed order, values exact; `loaded_at`
    (when the loader committed a record, which two warehouses never share) left out."""
    names = query(
        warehouse,
        "select table_name from duckdb_tables() where schema_name = ? order by 1",
        [schema],
    )
    contents = {}
    for (name,) in names:
        columns = [
            c
            for (c,) in query(
                warehouse, f"select name from pragma_table_info('{schema}.\"{name}\"')"
            )
        ]
        select = "* exclude (loaded_at)" if "loaded_at" in columns else "*"
        contents[name] = query(warehouse, f'select {select} from {schema}."{name}" order by all')
    return contents


def run_dbt(warehouse: Path, workdir: Path, *args: str) -> None:
    """dbt itself on a warehouse, as a person would run it (own target and log folders)."""
    workdir.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [dbt_executable(), *args, "--project-dir", str(REPO_ROOT),
         "--profiles-dir", str(PROFILES_DIR), "--target-path", str(workdir / "target"),
         "--log-path", str(workdir / "logs")],
        env={**os.environ, WAREHOUSE_ENV: str(warehouse)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:]


_SCREENSHOTS = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory, pytestconfig) -> Path:
    """Where browser tests leave screenshots for a person to look at; printed at the end."""
    path = tmp_path_factory.mktemp("screenshots")
    pytestconfig.stash[_SCREENSHOTS] = path
    return path


def pytest_terminal_summary(terminalreporter, config) -> None:
    path = config.stash.get(_SCREENSHOTS, None)
    if path is not None:
        for png in sorted(path.glob("*.png")):
            terminalreporter.write_line(f"report screenshot: {png}")


@pytest.fixture(scope="session")
def anthropic_warehouse(tmp_path_factory) -> Path:
    """Both accounts' Anthropic exports (tests/python/anthropic_fixtures.py) audited once
    through the CLI: provider buckets, request logs, cost reports."""
    from anthropic_fixtures import write_anthropic_exports

    root = tmp_path_factory.mktemp("anthropic")
    write_anthropic_exports(root / "exports")
    warehouse = root / "anthropic.duckdb"
    assert audit(root / "exports", warehouse) == 0
    return warehouse
