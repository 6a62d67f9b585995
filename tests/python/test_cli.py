"""The CLI on user-shaped input: a bad file among good ones, overlapping exports, a locked
warehouse."""

import subprocess
import sys
from datetime import UTC, datetime

import duckdb
import pytest
from conftest import audit, query, worked_example_rows, write_canonical_csv


@pytest.mark.slow
def test_bad_file_is_named_the_rest_loads_and_exit_is_nonzero(tmp_path, capsys):
    exports = tmp_path / "exports"
    write_canonical_csv(
        exports / "good.csv", worked_example_rows(datetime(2026, 10, 20, tzinfo=UTC), 10)
    )
    bad_rows = worked_example_rows(datetime(2026, 10, 21, tzinfo=UTC), 5)
    bad_rows[3]["input_tokens"] = "-3"
    write_canonical_csv(exports / "bad.csv", bad_rows)
    warehouse = tmp_path / "w.duckdb"

    code = audit(exports, warehouse, tmp_path / "reports")

    assert code == 1
    captured = capsys.readouterr()
    err = captured.err
    assert "bad.csv" in err and "input_tokens" in err and "-3" in err
    # progress while it works: files loaded, models built; then the summary
    out = captured.out
    assert "loaded exports/good.csv (10 rows)" in out
    assert "rejected exports/bad.csv" in out
    assert "built marts.fct_llm_usage" in out
    assert out.index("built marts.fct_llm_usage") < out.index("LLM cost audit")
    assert query(warehouse, "select count(*) from marts.fct_llm_usage") == [(10,)]


def test_missing_exports_directory_is_a_clear_error(tmp_path, capsys):
    code = audit(tmp_path / "nope", tmp_path / "w.duckdb")
    assert code == 2
    assert "exports directory not found" in capsys.readouterr().err


@pytest.mark.slow
def test_same_file_twice_and_overlapping_exports_change_no_figure(tmp_path):
    exports = tmp_path / "exports"
    rows = worked_example_rows(datetime(2026, 10, 20, tzinfo=UTC), 40)
    write_canonical_csv(exports / "october.csv", rows)
    warehouse = tmp_path / "w.duckdb"
    totals_sql = (
        "select count(*), sum(current_cost_usd), sum(optimized_cost_usd) from marts.fct_llm_usage"
    )

    assert audit(exports, warehouse, tmp_path / "r1") == 0
    before = query(warehouse, totals_sql)
    # the same records again under another name, and an export overlapping half of them
    write_canonical_csv(exports / "october-copy.csv", rows)
    write_canonical_csv(exports / "late-october.csv", rows[20:])
    assert audit(exports, warehouse, tmp_path / "r2") == 0

    assert query(warehouse, totals_sql) == before
    assert before[0][0] == 40


def test_a_locked_warehouse_fails_with_the_reason(tmp_path, capsys):
    """A BI tool holding the file: the run stops and says why, not just 'step failed'."""
    exports = tmp_path / "exports"
    write_canonical_csv(
        exports / "a.csv", worked_example_rows(datetime(2026, 10, 20, tzinfo=UTC), 3)
    )
    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_READ_LOCK, str(warehouse)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        code = audit(exports, warehouse)
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    err = capsys.readouterr().err
    assert "FAILED step load_export_files" in err
    assert "Could not set lock" in err


HOLD_READ_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("holding", flush=True)
time.sleep(120)
"""
