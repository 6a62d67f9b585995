"""What a nightly run does when something goes wrong: bad rows inside raw stop dbt (the
warehouse and the published copy keep their last good state), and a rerun after failed
runs (a locked warehouse, a build that died half-way) ends equal to a clean run."""

import subprocess
import sys

import duckdb
import pytest
from conftest import audit, query, run_dbt, table_contents
from test_cli import HOLD_READ_LOCK
from test_incremental import NIGHTS, write_night

from orchestration.ingest.load import load_exports
from orchestration.project import REPO_ROOT

pytestmark = pytest.mark.slow  # several audits each: `make test` only


def test_bad_rows_inside_raw_fail_the_blocking_check_and_dbt_does_not_run(tmp_path, capsys):
    exports, warehouse = tmp_path / "exports", tmp_path / "audit.duckdb"
    write_night(exports, NIGHTS[0])
    assert audit(exports, warehouse) == 0
    published = tmp_path / "published" / "audit.duckdb"
    published_before = published.stat().st_mtime_ns
    marts_before = table_contents(warehouse, "marts")
    capsys.readouterr()

    # a row that reached raw without the loader (a hand edit, another writer)
    con = duckdb.connect(str(warehouse))
    con.execute(
        "insert into raw.canonical_usage select * replace ('hand-edit' as usage_id, "
        "-5 as input_tokens) from raw.canonical_usage where request_id = 's1-a'"
    )
    con.execute(
        "insert into raw.changed_days (usage_date, source_file, changed_at) "
        "values ('2026-10-20', 'by hand', now())"
    )
    con.close()

    assert audit(exports, warehouse) == 1
    err = capsys.readouterr().err
    assert "raw/canonical_usage:changed_rows_pass_expectations" in err
    assert "input_tokens -5 is negative" in err
    # dbt never ran: what analysts and BI read is the last good state
    assert table_contents(warehouse, "marts") == marts_before
    assert published.stat().st_mtime_ns == published_before
    assert query(warehouse, "select count(*) from raw.dbt_builds") == [(1,)]

    con = duckdb.connect(str(warehouse))
    con.execute("delete from raw.canonical_usage where usage_id = 'hand-edit'")
    con.close()
    assert audit(exports, warehouse) == 0
    assert table_contents(warehouse, "marts") == marts_before


def test_a_rerun_after_failed_runs_equals_a_clean_run(tmp_path, capsys):
    exports, warehouse = tmp_path / "exports", tmp_path / "audit.duckdb"
    write_night(exports, NIGHTS[0])
    assert audit(exports, warehouse) == 0
    write_night(exports, NIGHTS[1])

    # 1. a BI tool holds the file: the run fails before writing anything
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_READ_LOCK, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert audit(exports, warehouse) == 1
    finally:
        holder.kill()
        holder.wait()
    assert "Could not set lock" in capsys.readouterr().err

    # 2. a run that died half-way through dbt: new files loaded, the first models of the
    # chain rebuilt, the rest not (the changed days stay pending)
    con = duckdb.connect(str(warehouse))
    assert load_exports(con, exports, repo_root=REPO_ROOT).ok
    con.close()
    run_dbt(warehouse, tmp_path / "half", "run", "--select", "int_usage_heuristics",
            "int_usage_attributed", "int_usage_priced", "int_usage_cached")  # fmt: skip
    assert query(warehouse, "select count(*) from raw.changed_days")[0][0] > 0

    # 3. the rerun converges
    assert audit(exports, warehouse) == 0
    clean = tmp_path / "clean" / "audit.duckdb"
    assert audit(exports, clean) == 0
    for schema in ("marts", "intermediate"):
        assert table_contents(warehouse, schema) == table_contents(clean, schema), schema
