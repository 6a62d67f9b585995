"""Shared fixtures: warehouses built once per test run through the real pipeline (Dagster
in-process, dbt on DuckDB), read by many tests, whichever pytest-xdist worker runs them.

The tests that read a shared warehouse open it read-only (`query`) or work on a copy: two
workers may read it at once, and DuckDB lets no process write a file another one reads."""

import csv
import fcntl
import json
import os
import pickle
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.dbt_parse_cache import cached_parse, keep_parse, start_from_cached_parse
from orchestration.ingest.formats.canonical import CANONICAL_COLUMNS
from orchestration.ingest.load import load_exports
from orchestration.project import (
    PROFILES_DIR,
    REPO_ROOT,
    WAREHOUSE_ENV,
    pipeline_dbt_executable,
    quiet_environment,
)

quiet_environment()  # no telemetry from dbt or Dagster, from the first import on
# No debug-level file log from the suite's dbt processes (the pipeline keeps it for a
# failed night's diagnosis; no test reads it): about 2 of an audit's 16 CPU-s of dbt
# (benchmarks/TEST_SUITE.md, session 16). DBT_LOG_LEVEL_FILE=debug brings it back.
os.environ.setdefault("DBT_LOG_LEVEL_FILE", "none")


def write_canonical_csv(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = [c for c in CANONICAL_COLUMNS if any(c in row for row in rows)]
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def audit(
    exports: Path, warehouse: Path, report_dir: Path | None = None, config: Path | None = None
) -> int:
    """`llm-cost-audit run` on a directory, as a user types it; the exit status. The
    report goes beside the warehouse unless told otherwise, never into the checkout."""
    report_dir = report_dir or warehouse.parent / "reports"
    return main(
        ["run", "--exports", str(exports), "--warehouse", str(warehouse),
         "--report-dir", str(report_dir), *(["--config", str(config)] if config else [])]
    )  # fmt: skip


def worked_example_rows(start: datetime, calls: int = 1000) -> list[dict]:
    """50M input + 10M output tokens of async-tolerant classification on Opus 4.5. Fewer
    rows than 1,000 each stand for several calls (`request_count`): a call stays 50,000
    tokens, as a 5M-token call is refused as absurd (above any model's context window)."""
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
            "request_count": max(1, 1000 // calls),
            "input_tokens": 50_000_000 // calls,
            "output_tokens": 10_000_000 // calls,
        }
        for n in range(calls)
    ]


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]
):
    """`build(folder)`'s result, built once per test run: the first worker to ask builds
    it under a lock in the run's own temp folder, the others wait and read its result.
    Without pytest-xdist the run's folder is the session's own."""
    base = tmp_path_factory.getbasetemp()
    run_folder = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = run_folder / "built-once" / name
    folder.parent.mkdir(parents=True, exist_ok=True)
    result_file = folder.parent / f"{name}.pickle"
    with (folder.parent / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not result_file.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that failed half-way
            folder.mkdir()
            result_file.write_bytes(pickle.dumps(build(folder)))
        return pickle.loads(result_file.read_bytes())


def _audit_demo(root: Path) -> Path:
    from orchestration.demo import generate_demo

    generate_demo(root / "exports", scale=0.02)
    warehouse = root / "demo.duckdb"
    assert audit(root / "exports", warehouse, root / "reports") == 0
    return warehouse


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """The demo's pipeline end to end on a small generated month."""
    return built_once(tmp_path_factory, "demo", _audit_demo)


def _audit_worked_example(root: Path) -> Path:
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


@pytest.fixture(scope="session")
def worked_example_warehouse(tmp_path_factory) -> Path:
    return built_once(tmp_path_factory, "worked", _audit_worked_example)


_NOT_IN_A_CLONE = {".git", "target", "logs", "warehouse", "reports", "exports", "lake", "build"}


def checkout_files() -> list[Path]:
    """What a clone of this tree holds: tracked files and new ones not ignored; a plain
    walk where git is missing."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        files = [REPO_ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for folder, dirs, names in os.walk(REPO_ROOT):
            dirs[:] = [d for d in dirs if d not in _NOT_IN_A_CLONE and not d.startswith(".venv")]
            files.extend(Path(folder) / name for name in names)
    return sorted(path for path in files if path.is_file())


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


def declared_dbt_unit_tests() -> int:
    """How many dbt unit tests the models declare (`unit_tests:` entries, one `  - name:`
    line each in the `*unit_tests.yml` files)."""
    return sum(
        line.startswith("  - name:")
        for path in (REPO_ROOT / "models").rglob("*unit_tests.yml")
        for line in path.read_text().splitlines()
    )


def run_dbt(
    warehouse: Path, workdir: Path, *args: str, check: bool = True
) -> subprocess.CompletedProcess:
    """dbt on a warehouse, as the pipeline runs it: its dbt, started from the parse kept for
    the warehouse's name and `--vars` (dbt checks it and parses again where anything
    changed), with its own target and log folders. Fails the test on a failure unless
    `check` is false."""
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / "target"
    at = args.index("--vars") if "--vars" in args else len(args)
    parse = cached_parse(warehouse, args[at : at + 2])  # the key the pipeline uses
    start_from_cached_parse(target, parse)
    completed = subprocess.run(
        [pipeline_dbt_executable(), *args, "--project-dir", str(REPO_ROOT),
         "--profiles-dir", str(PROFILES_DIR), "--target-path", str(target),
         "--log-path", str(workdir / "logs")],
        env={**os.environ, WAREHOUSE_ENV: str(warehouse)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    keep_parse(target, parse)
    if check:
        assert completed.returncode == 0, completed.stdout[-3000:]
    return completed


def load_and_build(exports: Path, warehouse: Path, *select: str) -> None:
    """The pipeline's loader on `exports`, then `dbt build` of `select` and all it reads
    (seeds, models and their data tests; the unit tests run once, in
    test_dbt_unit_tests.py): the narrowest call for a test whose subject is what a model
    computes, not the pipeline around it (Dagster, the checks, the report, publishing)."""
    from orchestration.project import NIGHTLY_EXCLUSIONS

    with duckdb.connect(str(warehouse)) as con:
        loaded = load_exports(con, exports, repo_root=REPO_ROOT)
    assert loaded.ok and not loaded.rejected, [r.error for r in loaded.rejected]
    run_dbt(warehouse, warehouse.parent / "dbt", "build", "--select",
            *(f"+{name}" for name in select), *NIGHTLY_EXCLUSIONS)  # fmt: skip


def failure_notice_of(warehouse: Path, target: Path):
    """What a dbt run by hand (its target folder) left failing, in the report's words."""
    from orchestration.build_failures import failures_from_run_results
    from orchestration.report.failed_checks import failure_notice

    failures = failures_from_run_results(
        json.loads((target / "run_results.json").read_text()),
        json.loads((target / "manifest.json").read_text()),
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return failure_notice(con, failures, warehouse.parent / "published" / warehouse.name)
    finally:
        con.close()


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


def _audit_anthropic(root: Path) -> Path:
    from anthropic_fixtures import write_anthropic_exports

    write_anthropic_exports(root / "exports")
    warehouse = root / "anthropic.duckdb"
    assert audit(root / "exports", warehouse) == 0
    return warehouse


@pytest.fixture(scope="session")
def anthropic_warehouse(tmp_path_factory) -> Path:
    """Both accounts' Anthropic exports (tests/python/anthropic_fixtures.py) audited once
    through the CLI: provider buckets, request logs, cost reports."""
    return built_once(tmp_path_factory, "anthropic", _audit_anthropic)


# -- the two lanes and the order of the run ------------------------------------------
# `make test-fast` runs what is not marked slow. A test is slow when it needs one of these
# audited warehouses (its fixtures, however indirect) or is marked so itself (a test that
# runs a whole audit on its own, Spark, Chromium, the Dagster UI, the FOCUS validator). The
# worked example is the one whole audit the fast lane keeps (docs/developing.md).
SLOW_FIXTURES = frozenset(
    {
        "demo_warehouse",
        "anthropic_warehouse",
        "openai_warehouse",
        "gateway_warehouse",
        "oracle_warehouse",
        "resolution_warehouse",
        "contracted_warehouse",
        "republished",
        "nightly",
    }
)
# Modules that take longest go first, so that pytest-xdist (`--dist loadfile`, a module
# per worker at a time) never starts a long one last. Measured: Spark's module is the
# longest by far, then the nightly and provider-export modules.
LONGEST_MODULES_FIRST = (
    "test_spark.py",
    "test_nightly_failures.py",
    "test_incremental.py",
    "test_gateway_exports.py",
    "test_openai_exports.py",
    "test_anthropic_exports.py",
    "test_benchmarks.py",
    "test_cli.py",
    "test_dagster_ui.py",
)


@pytest.fixture(autouse=True)
def _stays_in_its_lane(request):
    """A test that reaches an audited warehouse without the `slow` mark (through
    `request.getfixturevalue`, which the marking above cannot see) fails: it would put a
    whole audit into the fast lane unnoticed."""
    yield
    reached = SLOW_FIXTURES.intersection(request.fixturenames)
    if reached and request.node.get_closest_marker("slow") is None:
        pytest.fail(f"{request.node.nodeid} reads {sorted(reached)}: mark it slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES.intersection(item.fixturenames):
            item.add_marker(pytest.mark.slow)

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return (
            LONGEST_MODULES_FIRST.index(name)
            if name in LONGEST_MODULES_FIRST
            else len(LONGEST_MODULES_FIRST)
        )

    items.sort(key=rank)  # stable: each module keeps its own order
