"""What a failed build says, in plain words (orchestration/report/failed_checks.py), on
failures and a reconciliation mart built by hand: each reconciliation line with both
figures and its likely cause, other tests with what they check and how many rows failed,
models that did not build, and where the report's figures come from. The words reach the
report, the CLI and Dagster through the slow tests of test_nightly_failures.py."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import duckdb
import pytest

from orchestration.build_failures import BuildFailure, load_failures, record_failures
from orchestration.report.failed_checks import failure_notice
from orchestration.report.html import render_html
from orchestration.report.markdown import render_markdown

RECONCILIATION = BuildFailure(
    "test.llm_cost_audit.assert_costs_reconcile_with_the_bill", "test",
    "assert_costs_reconcile_with_the_bill", "marts.cost_reconciliation", "error",
    "Runtime Error in test assert_costs_reconcile_with_the_bill (tests/dbt/x.sql)\n"
    "  Invalid Input Error: cost_reconciliation: 4 line(s) differ ...",
)  # fmt: skip
NOT_NULL = BuildFailure(
    "test.llm_cost_audit.not_null_fct_llm_usage_usage_id.1", "test",
    "not_null_fct_llm_usage_usage_id", "marts.fct_llm_usage", "fail", "Got 3 results",
    failed_rows=3, check_kind="not_null", check_arguments=json.dumps({"column_name": "usage_id"}),
)  # fmt: skip
SINGULAR_ERROR = BuildFailure(
    "test.llm_cost_audit.assert_scopes_tie_to_the_total", "test",
    "assert_scopes_tie_to_the_total", "marts.rpt_savings_by_scope", "error",
    "Runtime Error in test assert_scopes_tie_to_the_total (tests/dbt/x.sql)\n"
    "  Binder Error: column x not found\n  LINE 3: ...",
    description="each breakdown (workspace, API key, account) adds up to the total.",
)  # fmt: skip
MODEL_ERROR = BuildFailure(
    "model.llm_cost_audit.stg_openai__costs", "model", "stg_openai__costs",
    "staging.stg_openai__costs", "error",
    "Runtime Error in model stg_openai__costs (models/staging/openai/stg_openai__costs.sql)\n"
    '  Binder Error: Referenced column "token_type" not found in FROM clause!\n  LINE 23: ...',
)  # fmt: skip


def _skipped(name: str) -> BuildFailure:
    return BuildFailure(f"model.llm_cost_audit.{name}", "model", name, f"marts.{name}", "skipped")


@pytest.fixture
def warehouse():
    """A reconciliation mart by hand: one line per likely cause, and a line within the
    threshold that holds usage on 09-01."""
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.cost_reconciliation as
        select * exclude (computed, reported),
               cast(computed as decimal(38,16)) as computed_cost_usd,
               cast(reported as decimal(38,16)) as reported_cost_usd,
               cast(computed - reported as decimal(38,16)) as variance_usd
        from (values
            ('acme', date '2026-08-31', 'anthropic', 'claude-sonnet-4-5', 'tokens', 'output',
             'billed', 0.0, 10.42, 0, 'variance_over_threshold'),
            ('acme', date '2026-09-01', 'anthropic', 'claude-haiku-4-5', 'tokens', 'input',
             'billed', 0.0, 2.00, 0, 'variance_over_threshold'),
            ('acme', date '2026-09-01', 'anthropic', 'claude-sonnet-4-5', 'tokens', 'input',
             'billed', 3.00, 3.00, 24, 'ok'),
            ('acme', date '2026-09-02', 'anthropic', 'claude-opus-4-5', 'tokens', null,
             'billed', 4.00, 0.0, 7, 'variance_over_threshold'),
            ('globex', date '2026-09-01', 'anthropic', null, 'tokens', null,
             'list', 3.00, 3.50, 12, 'variance_over_threshold')
        ) as lines(account, cost_date, provider, model_id, cost_type, token_bucket,
                   comparison_basis, computed, reported, usage_row_count, status)
        """
    )
    yield con
    con.close()


def test_each_reconciliation_line_names_both_figures_and_its_likely_cause(warehouse, tmp_path):
    notice = failure_notice(warehouse, [RECONCILIATION], tmp_path / "published" / "w.duckdb")
    assert notice.headline == ("1 check failed. The figures are this run's; nothing was published.")
    (check,) = notice.checks
    assert check.title == (
        "Check assert_costs_reconcile_with_the_bill on marts.cost_reconciliation failed: "
        "4 lines differ from the provider's bill by more than the allowed variance."
    )
    assert check.details == (  # the biggest difference first
        "acme 2026-08-31 anthropic claude-sonnet-4-5 tokens output: computed $0.00 vs billed "
        "$10.42 (100.0% below). Likely cause: no usage in the exports for that day: a usage "
        "day missing from the exports.",
        "acme 2026-09-02 anthropic claude-opus-4-5 tokens all token types: computed $4.00 vs "
        "billed $0.00. Likely cause: usage the bill does not name: the cost export lacks "
        "this model or token type.",
        "acme 2026-09-01 anthropic claude-haiku-4-5 tokens input: computed $0.00 vs billed "
        "$2.00 (100.0% below). Likely cause: a bill with no matching usage line: this model "
        "or token type is missing from that day's usage exports.",
        "globex 2026-09-01 anthropic all models tokens all token types: computed $3.00 vs "
        "billed (list price) $3.50 (14.3% below). Likely cause: the prices or discounts "
        "differ from the bill (a contracted rate not recorded?).",
    )


def test_other_failed_tests_say_what_they_check_and_how_many_rows_failed(warehouse, tmp_path):
    notice = failure_notice(warehouse, [NOT_NULL, SINGULAR_ERROR], tmp_path / "none.duckdb")
    assert notice.headline.startswith("2 checks failed.")
    assert [check.title for check in notice.checks] == [
        "Check not_null_fct_llm_usage_usage_id on marts.fct_llm_usage failed (it checks that "
        "usage_id is never empty): 3 rows failed it.",
        "Check assert_scopes_tie_to_the_total on marts.rpt_savings_by_scope could not run (it "
        "checks that each breakdown (workspace, API key, account) adds up to the total): "
        "Binder Error: column x not found",
    ]


def test_a_model_that_did_not_build_says_where_the_figures_come_from(warehouse, tmp_path):
    failures = [MODEL_ERROR, *(_skipped(f"mart_{n:02d}") for n in range(12)), NOT_NULL]
    published = tmp_path / "published" / "w.duckdb"

    nothing_published = failure_notice(warehouse, failures, published)
    assert nothing_published.headline == (
        "A model did not build and nothing has been published yet, so this report has no "
        "figures: only what failed."
    )
    published.parent.mkdir()
    published.touch()
    at = datetime(2026, 9, 3, 2, 15, tzinfo=UTC).timestamp()
    os.utime(published, (at, at))
    notice = failure_notice(warehouse, failures, published)
    assert notice.headline == (
        f"A model did not build, so the figures are from the last published copy ({published}, "
        "published 2026-09-03 02:15:00 UTC), not from this run; that copy was left as it was."
    )
    assert [check.title for check in notice.checks] == [
        "Model staging.stg_openai__costs did not build: Binder Error: Referenced column "
        '"token_type" not found in FROM clause!',
        "Not built, because something they depend on failed: marts.mart_00, marts.mart_01, "
        "marts.mart_02, marts.mart_03, marts.mart_04, marts.mart_05, marts.mart_06, "
        "marts.mart_07, marts.mart_08, marts.mart_09 and 2 more.",
        "Check not_null_fct_llm_usage_usage_id on marts.fct_llm_usage failed (it checks that "
        "usage_id is never empty): 3 rows failed it.",
    ]


def test_what_failed_alone_is_the_whole_report_when_there_are_no_figures(warehouse, tmp_path):
    notice = failure_notice(warehouse, [MODEL_ERROR], tmp_path / "none.duckdb")
    markdown = render_markdown(None, notice)
    assert markdown == (
        "# LLM cost audit: findings\n\n## What failed\n\n"
        f"**{notice.headline}**\n\n- {notice.checks[0].title}\n"
    )
    html = render_html(None, notice)
    assert '<section class="failed" id="what-failed">' in html
    assert "&quot;token_type&quot; not found" in html and "Headline" not in html


def test_each_build_replaces_what_the_last_one_left_failing(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw")
    assert load_failures(con) == ()  # never built
    record_failures(con, [MODEL_ERROR, NOT_NULL])
    assert set(load_failures(con)) == {MODEL_ERROR, NOT_NULL}
    # a partial build (a few assets from the UI) replaces only the nodes it ran
    record_failures(con, [], ran=[NOT_NULL.unique_id, "model.llm_cost_audit.other"])
    assert load_failures(con) == (MODEL_ERROR,)
    record_failures(con, [])  # a build of the whole project that passed
    assert load_failures(con) == ()
    con.close()
