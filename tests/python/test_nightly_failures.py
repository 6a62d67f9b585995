"""What a nightly run does when something goes wrong: bad rows inside raw stop dbt (the
warehouse and the published copy keep their last good state); a failed check or a model
that does not build still writes the report, with what failed at the top, and leaves the
published copy as it was; a rerun after failed runs (a locked warehouse, a build that died
half-way) ends equal to a clean run."""

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from anthropic_fixtures import bucket, cost_line, page, write
from conftest import (
    audit,
    query,
    run_dbt,
    table_contents,
    worked_example_rows,
    write_canonical_csv,
)
from test_cli import HOLD_READ_LOCK
from test_incremental import NIGHTS, write_night

from orchestration.definitions import build_definitions
from orchestration.ingest.load import ensure_raw_tables, load_exports
from orchestration.project import REPO_ROOT
from orchestration.report.console import format_summary
from orchestration.report.summary import load_summary
from orchestration.warehouse import connect

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


def _published_state(published_dir: Path, warehouse: Path) -> tuple:
    """The published file (its inode and time) and the Parquet version it points to."""
    database = published_dir / warehouse.name
    stat = database.stat()
    return stat.st_ino, stat.st_mtime_ns, os.readlink(published_dir / "parquet")


def _summary_text(database: Path) -> str:
    with connect(database, read_only=True) as con:
        return format_summary(load_summary(con))


MISSING_DAY_LINE = (
    "acme 2026-08-31 anthropic claude-sonnet-4-5 tokens output: computed $0.00 vs billed "
    "$10.42 (100.0% below). Likely cause: no usage in the exports for that day: a usage "
    "day missing from the exports."
)


def test_a_failed_reconciliation_still_writes_the_report_with_the_line_at_the_top(
    anthropic_warehouse, tmp_path, capsys
):
    root = tmp_path / "anthropic"
    shutil.copytree(anthropic_warehouse.parent, root, symlinks=True)
    exports, warehouse = root / "exports", root / anthropic_warehouse.name
    published_before = _published_state(root / "published", warehouse)
    builds_before = query(warehouse, "select count(*) from raw.dbt_builds")
    # a cost report billing a day the usage exports lack (a partial export)
    write(
        exports / "account=acme" / "cost_report_august.json",
        json.dumps(page(bucket("2026-08-31T00:00:00Z", "2026-09-01T00:00:00Z",
                               cost_line("1042", "output_tokens")))),
    )  # fmt: skip
    capsys.readouterr()

    assert audit(exports, warehouse) == 1

    out, err = capsys.readouterr()
    headline = "1 check failed. The figures are this run's; the published copy for analysts"
    markdown = (root / "reports" / "findings.md").read_text()
    assert markdown.startswith(f"# LLM cost audit: findings\n\n## What failed\n\n**{headline}")
    assert markdown.index(MISSING_DAY_LINE) < markdown.index("## Headline")
    html = (root / "reports" / "findings.html").read_text()
    assert (
        html.index('id="what-failed"') < html.index(MISSING_DAY_LINE) < html.index('id="headline"')
    )
    # the figures are this run's (the new bill is in the reconciliation), and the CLI
    # prints the same summary and the same words
    assert "2026-08-31" in html[html.index('id="reconciliation"') :]
    assert _summary_text(warehouse) in out
    assert f"FAILED: {headline}" in err and MISSING_DAY_LINE in err
    # the published copy stays the last good one; the new day stays pending
    assert _published_state(root / "published", warehouse) == published_before
    assert query(warehouse, "select count(*) from raw.dbt_builds") == builds_before
    assert ("2026-08-31",) in query(
        warehouse, "select distinct cast(usage_date as varchar) from raw.changed_days"
    )


# A raw table's column renamed by hand: its staging model (a view) cannot be created, and
# the mart reading it is skipped. The canonical exports of these tests never touch it.
BREAK_A_MODEL = "alter table raw.openai_costs rename column token_type to token_kind"
MEND_THE_MODEL = "alter table raw.openai_costs rename column token_kind to token_type"
MODEL_FAILED = (
    "- Model staging.stg_openai__costs did not build: Binder Error: Referenced column "
    '"token_type" not found in FROM clause!\n'
    "- Not built, because something they depend on failed: marts.cost_reconciliation."
)


def test_a_model_that_does_not_build_reports_from_the_last_published_copy(tmp_path, capsys):
    exports, warehouse = tmp_path / "exports", tmp_path / "audit.duckdb"
    report_dir, published_dir = tmp_path / "reports", tmp_path / "published"
    write_canonical_csv(
        exports / "a.csv", worked_example_rows(datetime(2026, 10, 20, tzinfo=UTC), 10)
    )
    with connect(warehouse) as con:
        ensure_raw_tables(con)
        con.execute(BREAK_A_MODEL)

    # 1. nothing published yet: the nightly job (no CLI) writes what failed, alone, and
    # Dagster fails the run in the same words
    job = build_definitions(str(warehouse), str(exports), str(report_dir)).resolve_job_def(
        "audit_job"
    )
    result = job.execute_in_process(raise_on_error=False)
    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    headline = (
        "A model did not build and nothing has been published yet, so this report has no "
        "figures: only what failed."
    )
    assert failure.step_key == "audit_dbt_assets"
    assert failure.event_specific_data.user_failure_data.description == (
        f"{headline}\n{MODEL_FAILED}"
    )
    assert (report_dir / "findings.md").read_text() == (
        f"# LLM cost audit: findings\n\n## What failed\n\n**{headline}**\n\n{MODEL_FAILED}\n"
    )
    assert headline in (report_dir / "findings.html").read_text()
    assert not published_dir.exists()

    # 2. mended: the run builds and publishes
    with connect(warehouse) as con:
        con.execute(MEND_THE_MODEL)
    assert audit(exports, warehouse, report_dir) == 0
    published = published_dir / warehouse.name
    published_before = _published_state(published_dir, warehouse)
    published_summary = _summary_text(published)

    # 3. broken again, with a new day to load: the report (and the CLI) shows the last
    # published copy's figures, and says so
    write_canonical_csv(
        exports / "b.csv", worked_example_rows(datetime(2026, 10, 25, tzinfo=UTC), 10)
    )
    with connect(warehouse) as con:
        con.execute(BREAK_A_MODEL)
    capsys.readouterr()
    assert audit(exports, warehouse, report_dir) == 1
    out, err = capsys.readouterr()
    markdown = (report_dir / "findings.md").read_text()
    published_at = datetime.fromtimestamp(published.stat().st_mtime, UTC)
    headline = (
        f"A model did not build, so the figures are from the last published copy ({published}, "
        f"published {published_at:%Y-%m-%d %H:%M:%S} UTC), not from this run; that copy was "
        "left as it was."
    )
    assert markdown.startswith(
        f"# LLM cost audit: findings\n\n## What failed\n\n**{headline}**\n\n{MODEL_FAILED}\n"
    )
    assert "## Headline" in markdown
    assert published_summary in out and f"FAILED: {headline}\n{MODEL_FAILED}" in err
    # the working warehouse holds the new day, the report and the published copy do not
    assert _summary_text(warehouse) not in out and "2026-10-25" not in markdown
    assert query(warehouse, "select count(*) from marts.fct_llm_usage") == [(20,)]
    assert query(published, "select count(*) from marts.fct_llm_usage") == [(10,)]
    assert _published_state(published_dir, warehouse) == published_before
    assert query(
        warehouse, "select distinct cast(usage_date as varchar) from raw.changed_days"
    ) == [("2026-10-25",)]

    # 4. mended: the rerun builds the pending day and publishes it
    with connect(warehouse) as con:
        con.execute(MEND_THE_MODEL)
    assert audit(exports, warehouse, report_dir) == 0
    assert query(warehouse, "select count(*) from raw.changed_days") == [(0,)]
    assert query(published, "select count(*) from marts.fct_llm_usage") == [(20,)]
    assert "## What failed" not in (report_dir / "findings.md").read_text()
