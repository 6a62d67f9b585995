"""The published copy analysts and BI tools open: every mart, in a DuckDB file an older
DuckDB (as BI drivers bundle) opens, and in Parquet; swapped in atomically, so a reader
holding it never blocks the nightly run and never sees a half-built state."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from conftest import audit, query, worked_example_rows, write_canonical_csv

from orchestration.project import REPO_ROOT
from orchestration.warehouse import PUBLISHED_STORAGE_VERSION, publish

CHECKS_PYTHON = REPO_ROOT / ".venv-checks" / "bin" / "python"


def _published(warehouse: Path) -> tuple[Path, Path]:
    directory = warehouse.parent / "published"
    return directory / warehouse.name, directory / "parquet"


def _mart_counts(database: Path) -> dict[str, int]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' "
                "union select view_name from duckdb_views() where schema_name = 'marts' "
                "and not internal"
            ).fetchall()
        ]
        return {n: con.execute(f'select count(*) from marts."{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def test_every_mart_is_published_with_the_same_rows(demo_warehouse):
    database, parquet = _published(demo_warehouse)
    counts = _mart_counts(demo_warehouse)
    assert {"fct_llm_usage", "savings_findings", "focus_llm_costs"} <= set(counts)
    assert _mart_counts(database) == counts
    con = duckdb.connect()
    try:
        con.execute(f"attach '{demo_warehouse}' as source (read_only)")
        con.execute(f"attach '{database}' as published (read_only)")
        for name in counts:
            # the same rows, value for value (exact decimals), in the file and in Parquet
            for copy in (f'published.marts."{name}"', f"'{parquet / (name + '.parquet')}'"):
                differences = con.execute(
                    f'(from source.marts."{name}" except all from {copy}) '
                    f'union all (from {copy} except all from source.marts."{name}")'
                ).fetchall()
                assert differences == [], (name, copy)
        storage = con.execute(
            "select tags['storage_version'] from duckdb_databases()"
            " where database_name = 'published'"
        ).fetchone()[0]
        assert storage.startswith(PUBLISHED_STORAGE_VERSION.removesuffix(".0"))
    finally:
        con.close()
    assert (parquet / "focus_llm_costs.csv").is_file()


def test_an_older_duckdb_opens_the_published_file(demo_warehouse):
    """BI drivers bundle DuckDB 1.x, which cannot open a file DuckDB 2 wrote as is."""
    if not CHECKS_PYTHON.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHECKS_PYTHON} missing: `make checks-setup` builds it")
        pytest.skip("`make checks-setup` builds .venv-checks")
    database, _ = _published(demo_warehouse)
    script = (
        "import duckdb, sys; print(duckdb.__version__); "
        "con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute('select count(*), sum(current_cost_usd) from marts.fct_llm_usage')"
        ".fetchone())"
    )
    completed = subprocess.run(
        [str(CHECKS_PYTHON), "-c", script, str(database)],
        capture_output=True,
        text=True,
        check=True,
    )
    version, totals = completed.stdout.splitlines()
    assert version.startswith("1.")
    count, total = query(
        demo_warehouse, "select count(*), sum(current_cost_usd) from marts.fct_llm_usage"
    )[0]
    assert totals == repr((count, total))


# A BI tool left open: holds a read-only connection on the published file, and answers
# each line on stdin with what it reads now through that same connection.
HOLD_PUBLISHED = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("holding", flush=True)
for _ in sys.stdin:
    print(con.execute("select count(*) from marts.fct_llm_usage").fetchone()[0], flush=True)
"""


@pytest.fixture(scope="module")
def republished(tmp_path_factory):
    root = tmp_path_factory.mktemp("publish")
    exports = root / "exports"
    october = datetime(2026, 10, 20, tzinfo=UTC)
    write_canonical_csv(exports / "a.csv", worked_example_rows(october, 10))
    warehouse = root / "w.duckdb"
    assert audit(exports, warehouse) == 0
    return root, exports, warehouse


def test_a_reader_on_the_published_file_survives_a_full_run(republished):
    _, exports, warehouse = republished
    database, _ = _published(warehouse)
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_PUBLISHED, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "holding"
        september = datetime(2026, 9, 1, tzinfo=UTC)
        write_canonical_csv(exports / "b.csv", worked_example_rows(september, 10))
        # the nightly run is not blocked by the reader...
        assert audit(exports, warehouse) == 0
        # ...the reader keeps its state, whole, through the same connection...
        reader.stdin.write("again\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "10"
        # ...and a new connection sees the new state
        assert _mart_counts(database)["fct_llm_usage"] == 20
        # the Parquet version a reader may still scan is kept one round, then pruned
        assert len(list(database.parent.glob(".parquet-*"))) == 2
    finally:
        reader.stdin.close()
        assert reader.wait(timeout=30) == 0, reader.stderr.read()


HOLD_WAREHOUSE = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(120)
"""


def test_a_failed_run_keeps_the_last_published_copy(republished):
    root, exports, warehouse = republished
    database, parquet = _published(warehouse)
    before = (database.stat().st_ino, os.readlink(parquet), _mart_counts(database))
    write_canonical_csv(
        exports / "c.csv", worked_example_rows(datetime(2026, 10, 25, tzinfo=UTC), 10)
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WAREHOUSE, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert audit(exports, warehouse) == 1  # the warehouse is locked: the run fails
    finally:
        holder.kill()
        holder.wait()
    assert (database.stat().st_ino, os.readlink(parquet), _mart_counts(database)) == before


def test_a_publish_that_fails_leaves_the_old_copy_and_no_debris(republished, tmp_path):
    _, _, warehouse = republished
    database, parquet = _published(warehouse)
    before = sorted(p.name for p in database.parent.iterdir())
    inode = database.stat().st_ino
    empty = tmp_path / warehouse.name  # same name, no marts: the publish fails half-way
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="no marts to publish"):
        publish(empty, database.parent)
    assert sorted(p.name for p in database.parent.iterdir()) == before
    assert database.stat().st_ino == inode and parquet.resolve().is_dir()
