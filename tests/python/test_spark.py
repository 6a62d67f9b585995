"""The same dbt project on Apache Spark (README: "Past one machine").

A warehouse is audited on DuckDB through the CLI from the demo month and both providers'
fixture exports (request logs, buckets, cost reports); its raw tables are exported as the
Parquet lake (orchestration/lake.py); `dbt build --target spark` then builds the whole
project from that lake on a local Spark session (seeds, models, data tests, unit tests),
and every mart must equal DuckDB's: every row, counts exactly, money to the last of its
decimals. One Spark build for the module (a few minutes on two cores), then one
incremental run on its tables that brings all three things a night can bring: a late call
joining a cache stream, a day never seen before, and a day whose rows all leave. Both
commands run in one process (class SparkDbt), so the run starts on the build's warm Spark
session, where a real night starts its own; what the run reads of the build (tables,
partitions) it reads from the metastore and the table files either way."""

import json
import os
import select
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import audit, declared_dbt_unit_tests, write_canonical_csv

from orchestration.ingest.load import load_exports
from orchestration.lake import PARTITION_COLUMN, export_raw_lake, read_lake_table
from orchestration.project import (
    NIGHTLY_EXCLUSIONS,
    PROFILES_DIR,
    REPO_ROOT,
    WAREHOUSE_ENV,
    dbt_executable,
)
from orchestration.settings import load_settings

pytestmark = pytest.mark.slow  # a Spark build: `make test` only

SPARK_PYTHON = REPO_ROOT / ".venv-spark" / "bin" / "python"
MARTS = sorted(path.stem for path in (REPO_ROOT / "models" / "marts").glob("*.sql"))


@pytest.fixture(scope="module")
def duckdb_warehouse(tmp_path_factory, settings_dir) -> Path:
    from anthropic_fixtures import write_anthropic_exports
    from gateway_fixtures import write_gateway_exports
    from openai_fixtures import write_openai_exports

    from orchestration.demo import generate_demo

    root = tmp_path_factory.mktemp("spark_fixture")
    generate_demo(root / "exports" / "demo", scale=0.02)
    write_anthropic_exports(root / "exports" / "anthropic")
    write_openai_exports(root / "exports" / "openai")
    write_gateway_exports(root / "exports" / "gateways")
    # a day only this file holds: the next night rewrites the file and the day empties
    write_canonical_csv(root / "exports" / "late" / "late_calls.csv", [NEW_DAY_CALL])
    warehouse = root / "audit.duckdb"
    assert audit(root / "exports", warehouse, config=settings_dir) == 0
    return warehouse


@pytest.fixture(scope="module")
def settings_dir(tmp_path_factory) -> Path:
    """The user's settings both engines read (`--config` on DuckDB, `--vars` on Spark): a
    rule and a contracted discount that change the marts, in the files' own quirks (a BOM,
    a quoted comma)."""
    settings = tmp_path_factory.mktemp("settings")
    (settings / "attribution_rules.csv").write_text(
        "rule_order,match_column,match_pattern,task_class,latency_class,feature,note\n"
        '1,feature,lead-tagger,classification,async,,"tags leads, overnight"\n',
        encoding="utf-8-sig",
    )
    (settings / "contracted_discounts.csv").write_text(
        "provider,model_pattern,discount_percent,valid_from,valid_to,note\n"
        "anthropic,claude-sonnet-%,15,2026-10-10,,\n"
    )
    return settings


@pytest.fixture(scope="module")
def lake(duckdb_warehouse, tmp_path_factory) -> Path:
    lake_dir = tmp_path_factory.mktemp("lake")
    with duckdb.connect(str(duckdb_warehouse), read_only=True) as con:
        export_raw_lake(con, lake_dir)
    return lake_dir


class SparkDbt:
    """The module's dbt commands on Spark, one after another in one process
    (spark_dbt_session.py): the next night's run reuses the full build's Spark session and
    its warmed-up JVM (benchmarks/TEST_SUITE.md, session 16). Each command is answered as
    the `dbt` command would be: its exit code, and its console output as `stdout`."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.console = log.open("w")
        self.process = subprocess.Popen(
            [str(SPARK_PYTHON), str(Path(__file__).with_name("spark_dbt_session.py"))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.console, text=True,
        )  # fmt: skip

    def run(self, args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
        start = self.log.stat().st_size
        request = {"args": args, "env": env, "cwd": str(cwd)}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], 1800)
        reply = self.process.stdout.readline() if ready else ""
        # no reply: the session died or hung; its log says why
        returncode = json.loads(reply)["returncode"] if reply else -1
        with self.log.open(errors="replace") as output:
            output.seek(start)
            return subprocess.CompletedProcess(args, returncode, output.read(), "")

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.console.close()


@pytest.fixture(scope="module")
def spark_dbt(tmp_path_factory):
    assert SPARK_PYTHON.exists(), "the Spark venv is missing: run `make spark-setup`"
    session = SparkDbt(tmp_path_factory.mktemp("spark_session") / "console.log")
    yield session
    session.close()


@pytest.fixture(scope="module")
def spark_build(spark_dbt, lake, settings_dir, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("spark")
    # a first build: `--full-refresh` so every data test reads every row, as the pipeline's
    # first build does (an incremental run's tests read the rebuilt days only)
    completed = _run_spark_dbt(spark_dbt, "build", lake, root, settings_dir, "--full-refresh")
    results = root / "target" / "run_results.json"  # the incremental run rewrites it
    return {
        "completed": completed,
        "root": root,
        "results": json.loads(results.read_text()) if results.exists() else None,
    }


def _run_spark_dbt(
    spark_dbt: SparkDbt,
    command: str,
    lake: Path,
    spark_dir: Path,
    settings_dir: Path,
    *flags: str,
) -> subprocess.CompletedProcess:
    # the same settings files the DuckDB audit read, as `llm-cost-audit settings` gives them
    settings = load_settings(settings_dir)
    env = {
        **os.environ,
        "LLM_COST_AUDIT_LAKE": str(lake),
        "LLM_COST_AUDIT_SPARK_DIR": str(spark_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    return spark_dbt.run(
        [command, "--target", "spark", "--project-dir", str(REPO_ROOT),
         "--profiles-dir", str(PROFILES_DIR), "--target-path", str(spark_dir / "target"),
         "--log-path", str(spark_dir / "logs"), *flags, *settings.dbt_args()],
        env, spark_dir,
    )  # fmt: skip


def _succeeded(completed: subprocess.CompletedProcess) -> bool:
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-3000:]
    return True


def _connect(duckdb_warehouse: Path, spark_dir: Path) -> duckdb.DuckDBPyConnection:
    """One connection that sees DuckDB's marts (`duck.marts.*`) and Spark's, read from
    the Parquet files of Spark's tables (`spark_<mart>` views)."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")  # Spark writes UTC instants
    con.execute(f"attach '{duckdb_warehouse}' as duck (read_only)")
    for mart in MARTS:
        files = spark_dir / "spark-warehouse" / "marts.db" / mart
        con.execute(
            f"create view spark_{mart} as select * from read_parquet("
            f"'{files}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
        )
    return con


def _assert_same_mart(con: duckdb.DuckDBPyConnection, mart: str) -> int:
    """Spark's mart has DuckDB's columns, decimal types and rows (as a multiset); the
    row count."""
    duck_columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = 'duck' and table_schema = 'marts' and table_name = ? "
        "order by ordinal_position",
        [mart],
    ).fetchall()
    spark_types = {
        name.lower(): column_type
        for name, column_type, *_ in con.execute(f"describe spark_{mart}").fetchall()
    }
    assert set(spark_types) == {name.lower() for name, _ in duck_columns}
    # money and prices stay DECIMAL on Spark, at DuckDB's precision and scale
    for name, data_type in duck_columns:
        if data_type.startswith("DECIMAL"):
            assert spark_types[name.lower()] == data_type, (name, spark_types[name.lower()])
    duck_rows = ", ".join(f'"{name}"' for name, _ in duck_columns)
    spark_rows = ", ".join(f'cast("{name}" as {data_type})' for name, data_type in duck_columns)
    count = con.execute(f"select count(*) from duck.marts.{mart}").fetchone()[0]
    assert con.execute(f"select count(*) from spark_{mart}").fetchone()[0] == count
    duck_select = f"select {duck_rows} from duck.marts.{mart}"
    spark_select = f"select {spark_rows} from spark_{mart}"
    only_duckdb = con.execute(f"{duck_select} except all {spark_select}").fetchall()
    only_spark = con.execute(f"{spark_select} except all {duck_select}").fetchall()
    assert only_duckdb == only_spark == [], (mart, only_duckdb[:3], only_spark[:3])
    return count


@pytest.fixture(scope="module")
def compared(duckdb_warehouse, spark_build) -> duckdb.DuckDBPyConnection:
    assert _succeeded(spark_build["completed"])
    return _connect(duckdb_warehouse, spark_build["root"])


def test_the_lake_holds_every_raw_table_by_day_and_duckdb_reads_it_back(duckdb_warehouse, lake):
    with duckdb.connect() as con:
        con.execute(f"attach '{duckdb_warehouse}' as audit (read_only)")
        for table in ("canonical_usage", "anthropic_usage", "anthropic_costs", "openai_usage",
                      "openai_costs", "changed_days"):  # fmt: skip
            raw = con.sql(f"select * from audit.raw.{table}")
            if table == "changed_days":  # it names its days itself: emptied by the build
                assert raw.shape[0] == 0
                assert (lake / table / "usage_date=1970-01-01" / "empty.parquet").exists()
                continue
            back = read_lake_table(con, lake, table)
            columns = ", ".join(f'"{c}"' for c in raw.columns)
            assert back.columns == [*raw.columns, PARTITION_COLUMN]
            assert raw.shape[0] > 0, table
            raw.create_view("raw_rows", replace=True)
            back.create_view("lake_rows", replace=True)
            for one, other in (("raw_rows", "lake_rows"), ("lake_rows", "raw_rows")):
                missing = con.sql(
                    f"select {columns} from {one} except all select {columns} from {other}"
                )
                assert missing.shape[0] == 0, (table, missing.fetchall()[:3])
            # each row sits in the folder of its own UTC day
            time_column = "usage_at" if table == "canonical_usage" else "bucket_start_at"
            misplaced = back.filter(f"cast({time_column} as date) <> {PARTITION_COLUMN}")
            assert misplaced.shape[0] == 0
            days = {p.name for p in (lake / table).iterdir()}
            lake_days = con.sql(f"select distinct {PARTITION_COLUMN} from lake_rows").fetchall()
            assert days == {f"{PARTITION_COLUMN}={day}" for (day,) in lake_days}


def test_the_whole_project_builds_on_spark(spark_build):
    completed = spark_build["completed"]
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-3000:]
    results = spark_build["results"]
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    assert set(statuses.values()) <= {"success", "pass"}, {
        node: status for node, status in statuses.items() if status not in ("success", "pass")
    }
    by_type: dict[str, int] = {}
    for node in statuses:
        kind = node.split(".", 1)[0]
        by_type[kind] = by_type.get(kind, 0) + 1
    seeds = len(list((REPO_ROOT / "seeds").rglob("*.csv")))
    models = len(list((REPO_ROOT / "models").rglob("*.sql")))
    unit_tests = declared_dbt_unit_tests()
    assert by_type["seed"] == seeds
    assert by_type["model"] == models
    assert by_type["unit_test"] == unit_tests > 0
    assert by_type["test"] > 100  # every data test, the singular ones included
    # Spark's metastore, derby.log and table files went to LLM_COST_AUDIT_SPARK_DIR
    assert (spark_build["root"] / "metastore_db").is_dir()
    assert (spark_build["root"] / "derby.log").exists()
    for leftover in ("metastore_db", "derby.log", "spark-warehouse"):
        assert not (REPO_ROOT / leftover).exists(), leftover


def test_spark_reads_the_same_settings_files(compared):
    """The settings changed DuckDB's marts (a rule, a discount): Spark's equal them only if
    it read the same files."""
    for engine in ("duck.marts.fct_llm_usage", "spark_fct_llm_usage"):
        ruled, discounted = compared.execute(
            "select count(*) filter (where feature = 'lead-tagger' and task_class_source = 'rule'"
            " and latency_class = 'async'), count(*) filter (where contract_rate = 0.85) "
            f"from {engine}"
        ).fetchone()
        assert ruled > 0 and discounted > 0, engine


@pytest.mark.parametrize("mart", MARTS)
def test_every_mart_on_spark_equals_duckdb(compared, mart):
    count = _assert_same_mart(compared, mart)
    assert count > 0, f"{mart} is empty on both engines: the fixture proves nothing"


LATE_CALL_BASE = {"account": "northwind", "provider": "anthropic", "service_tier": "standard"}
LATE_STREAM_CALL = {
    **LATE_CALL_BASE, "request_id": "late-stream-call", "timestamp": "2026-10-20T12:00:00Z",
    "model": "claude-sonnet-4-5", "feature": "support-chat", "prefix_hash": "sp-support-v4",
    "prefix_tokens": 6250, "input_tokens": 6500, "output_tokens": 200,
}  # fmt: skip
NEW_DAY_CALL = {
    **LATE_CALL_BASE, "request_id": "new-day-call", "timestamp": "2026-11-02T09:30:00Z",
    "model": "claude-haiku-4-5", "feature": "lead-tagger", "input_tokens": 1800,
    "output_tokens": 50,
}  # fmt: skip
INCREMENTAL_MODELS = sorted(
    (path.parent.name, path.stem)
    for path in (REPO_ROOT / "models").rglob("*.sql")
    if "usage_incremental_config(" in path.read_text()
)
EMPTIED_DAY = "2026-11-02"  # NEW_DAY_CALL's day, left by it on the next night
# rows only where provider buckets and request logs overlap: none in these canonical files
OVERLAP_ONLY_MODELS = {("intermediate", "int_bucket_remainders")}


def _next_night(
    warehouse: Path, late_calls: Path, rows: list[dict], workdir: Path, settings_dir: Path
) -> Path:
    """Write `late_calls` (a new file, or one rewritten in place) and load it into the
    DuckDB warehouse; export the raw tables as a new lake; rebuild DuckDB from scratch
    on them (the oracle). The lake."""
    write_canonical_csv(late_calls, rows)
    with duckdb.connect(str(warehouse)) as con:
        loaded = load_exports(con, late_calls.parent, repo_root=REPO_ROOT)
        assert not loaded.rejected and len(loaded.loaded) == 1
        assert con.execute("select count(*) from raw.changed_days").fetchone()[0] > 0
    lake = workdir / "lake"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        export_raw_lake(con, lake)
    completed = subprocess.run(
        # the oracle's build: its unit tests ran in the Spark build and in test_dbt_unit_tests
        [dbt_executable(), "build", "--full-refresh", *NIGHTLY_EXCLUSIONS,
         "--project-dir", str(REPO_ROOT),
         "--profiles-dir", str(PROFILES_DIR), "--target-path", str(workdir / "target"),
         "--log-path", str(workdir / "logs"), *load_settings(settings_dir).dbt_args()],
        env={**os.environ, WAREHOUSE_ENV: str(warehouse)}, capture_output=True, text=True,
    )  # fmt: skip
    assert _succeeded(completed)
    return lake


@pytest.fixture(scope="module")
def late_load(
    duckdb_warehouse, spark_dbt, spark_build, compared, settings_dir, tmp_path_factory
) -> dict:
    """The next night, after the full build: the late file is rewritten in place with a
    call joining a cache stream and its Nov 2 call moved to Nov 3 (a day not seen before),
    so Nov 2 has no row left. The raw data is loaded into a copy of the DuckDB warehouse,
    Spark runs incrementally on the full build's tables, and DuckDB builds the same raw
    data from scratch (the oracle). Which incremental models held Nov 2 before the run
    is recorded for the emptied-day test."""
    workdir = tmp_path_factory.mktemp("late_load")
    warehouse = workdir / "after.duckdb"
    shutil.copyfile(duckdb_warehouse, warehouse)
    tables = spark_build["root"] / "spark-warehouse"
    held_before = {
        (schema, model): (tables / f"{schema}.db" / model / f"usage_date={EMPTIED_DAY}").is_dir()
        for schema, model in INCREMENTAL_MODELS
    }
    late_calls = duckdb_warehouse.parent / "exports" / "late" / "late_calls.csv"
    moved = {**NEW_DAY_CALL, "timestamp": "2026-11-03T09:30:00Z"}
    lake = _next_night(warehouse, late_calls, [LATE_STREAM_CALL, moved], workdir, settings_dir)
    assert _succeeded(_run_spark_dbt(spark_dbt, "run", lake, spark_build["root"], settings_dir))
    return {"warehouse": warehouse, "held_before": held_before}


def test_an_incremental_run_on_spark_equals_a_full_duckdb_build(late_load, spark_build):
    """The late load: a call joining a cache stream that runs from Oct 16 to Oct 30 (its
    cache choice can change on every day it has a call) and a call on a day not seen
    before. Spark rebuilds the changed day partitions (insert_overwrite); DuckDB builds the
    same raw data from scratch: the marts must be the same."""
    con = _connect(late_load["warehouse"], spark_build["root"])
    assert (
        con.execute(
            "select count(*) from spark_fct_llm_usage where request_id in "
            "('late-stream-call', 'new-day-call')"
        ).fetchone()[0]
        == 2
    )
    for mart in MARTS:
        _assert_same_mart(con, mart)


def _rows_by_day(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple]:
    return con.execute(
        f"select cast(usage_date as varchar), count(*) from {relation} group by all order by 1"
    ).fetchall()


def test_a_day_whose_rows_all_left_is_emptied_on_spark(late_load, spark_build):
    """The late file rewritten in place, its Nov 2 call moved to Nov 3: Nov 2 has no row
    left, so no new row names its partition in `insert overwrite`. Every incremental model
    must drop it, as DuckDB deletes it, and equal a full build day for day."""
    spark_dir = spark_build["root"]
    tables = spark_dir / "spark-warehouse"
    for schema, model in INCREMENTAL_MODELS:  # the day was there before: the test bites
        if (schema, model) in OVERLAP_ONLY_MODELS:
            continue
        assert late_load["held_before"][(schema, model)], model
    con = _connect(late_load["warehouse"], spark_dir)
    for schema, model in INCREMENTAL_MODELS:
        files = tables / f"{schema}.db" / model
        assert not (files / f"usage_date={EMPTIED_DAY}").exists(), model
        spark_rows = f"read_parquet('{files}/**/*.parquet', hive_partitioning = true)"
        by_day = _rows_by_day(con, spark_rows)
        assert EMPTIED_DAY not in {day for day, _ in by_day}, model
        assert by_day == _rows_by_day(con, f"duck.{schema}.{model}"), model
    assert con.execute(
        "select cast(usage_at as date) from spark_fct_llm_usage where request_id = 'new-day-call'"
    ).fetchall() == [(date(2026, 11, 3),)]
    for mart in MARTS:
        _assert_same_mart(con, mart)
