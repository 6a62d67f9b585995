"""Anthropic exports end to end (real DuckDB, Great Expectations, dbt, Dagster): loaders,
bad input, keys and precedence, attribution, reconciliation. Expected costs are worked
out by hand in anthropic_fixtures.py."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from anthropic_fixtures import (
    CONSOLE_COST_HEADER,
    CONSOLE_USAGE_HEADER,
    EXPECTED_COST,
    bucket,
    message,
    page,
    usage_result,
    write,
    write_acme,
    write_anthropic_exports,
    write_globex,
)
from conftest import audit, failure_notice_of, query, run_dbt, table_contents
from test_explain_silence import assert_the_report_shows_the_ladder_and_explains_any_silence

from orchestration.ingest import UnsupportedFormatError, detect_format, load_exports
from orchestration.project import NIGHTLY_EXCLUSIONS

REPO_ROOT = Path(__file__).resolve().parents[2]


def load_dir(directory: Path, database: Path | None = None):
    con = duckdb.connect(str(database) if database else ":memory:")
    return con, load_exports(con, directory, repo_root=REPO_ROOT)


# -- loaders ------------------------------------------------------------------------


def test_every_format_is_detected_by_content_and_loaded(tmp_path):
    write_anthropic_exports(tmp_path / "exports")
    con, result = load_dir(tmp_path / "exports")
    assert not result.rejected, [r.error for r in result.rejected]
    formats = {o.display_name.rsplit("/", 1)[1]: (o.source_format, o.row_count)
               for o in result.loaded}  # fmt: skip
    assert formats == {
        "usage_1d.json": ("anthropic_usage_report_json", 3),  # the empty bucket adds none
        "usage_1h.jsonl": ("anthropic_usage_report_json", 2),
        "cost_report.json": ("anthropic_cost_report_json", 12),
        "responses.jsonl": ("anthropic_messages_jsonl", 2),
        "batch_results.jsonl": ("anthropic_batch_results_jsonl", 1),  # only `succeeded`
        "usage_2024_header.csv": ("anthropic_console_usage_csv", 1),
        "usage.csv": ("anthropic_console_usage_csv", 2),
        "usage_header_only.csv": ("anthropic_console_usage_csv", 0),
        "cost.csv": ("anthropic_console_cost_csv", 4),
    }
    # cents as exact dollars; the Console's dollars as written
    amounts = dict(
        con.execute(
            "select source_record, billed_cost_usd from raw.anthropic_costs "
            "where source_format = 'anthropic_cost_report_json'"
        ).fetchall()
    )
    assert amounts[2] == Decimal("0.375") and amounts[4] == Decimal("3.015")
    assert con.execute(
        "select distinct typeof(billed_cost_usd) from raw.anthropic_costs"
    ).fetchall() == [("DECIMAL(38,12)",)]
    # a key name with a comma, the Console's `≤`, a float count, the 2024 cache column
    assert con.execute(
        "select api_key_name, context_window, input_tokens from raw.anthropic_usage "
        "where source_format = 'anthropic_console_usage_csv' and model like 'claude-sonnet%'"
    ).fetchall() == [("batch, eval", "≤ 200k", 3120)]
    assert con.execute(
        "select cache_write_5m_tokens from raw.anthropic_usage where model like 'claude-haiku%' "
        "and source_format = 'anthropic_console_usage_csv'"
    ).fetchall() == [(400_000,)]
    # no time of its own: the day of the date= folder above, flagged; custom_id kept, never
    # a key
    rows = con.execute(
        "select usage_id, custom_id, bucket_start_at, is_time_from_file, service_tier, "
        "cache_write_5m_tokens from raw.anthropic_usage where record_kind = 'request' "
        "order by usage_id"
    ).fetchall()
    assert [r[0] for r in rows] == [
        "anthropic:msg:acme:msg_acme_1",
        "anthropic:msg:acme:msg_acme_2",
        "anthropic:msg:acme:msg_acme_batch_1",
    ]
    assert {(str(r[2]), r[3]) for r in rows} == {("2026-09-02 00:00:00", True)}
    assert rows[2][1] == "ticket-1" and rows[2][4] == "batch"
    assert rows[1][5] == 10_000  # no breakdown: 5-minute writes
    # completion text is never stored
    raw_text = con.execute("select * from raw.anthropic_usage").fetchall()
    assert "SECRET COMPLETION TEXT" not in repr(raw_text)
    # each record carries its account from the folder
    assert set(con.execute("select distinct account from raw.anthropic_usage").fetchall()) == {
        ("acme",),
        ("globex",),
    }


def test_loading_again_changes_nothing_and_a_re_export_replaces_its_buckets(tmp_path):
    exports = write_anthropic_exports(tmp_path / "exports")
    database = tmp_path / "w.duckdb"
    con, _ = load_dir(exports, database)
    before = con.execute(
        "select * exclude (loaded_at) from raw.anthropic_usage order by 1"
    ).fetchall()
    result = load_exports(con, exports, repo_root=REPO_ROOT)
    assert not result.loaded and len(result.unchanged) == 9
    # the newest bucket re-exported larger in another file: same key, the later one wins
    write(
        exports / "account=acme" / "later" / "usage_09_03.json",
        json.dumps(
            page(
                bucket(
                    "2026-09-03T00:00:00Z",
                    "2026-09-04T00:00:00Z",
                    usage_result(input=150_000, output=12_000),
                )
            )
        ),  # fmt: skip
    )
    load_exports(con, exports, repo_root=REPO_ROOT)
    after = con.execute(
        "select input_tokens, source_file like '%later%' from raw.anthropic_usage "
        "where bucket_start_at = '2026-09-03' and account = 'acme'"
    ).fetchall()
    assert after == [(150_000, True)]
    assert len(before) == con.execute("select count(*) from raw.anthropic_usage").fetchone()[0]


BAD_FILES = {
    "usage_report.json": (
        json.dumps(
            page(
                bucket(
                    "2026-09-01T00:00:00Z", "2026-09-01T06:00:00Z", usage_result(input=-5, output=1)
                )
            )
        ),  # fmt: skip
        [
            # the file's only bucket: 6 h of a day, a partial bucket of no stated width
            "page 1, bucket 2026-09-01T00:00:00Z, result 1: bucket from '2026-09-01T00:00:00Z' "
            "to '2026-09-01T06:00:00Z' is a partial bucket (21600 s",
            "page 1, bucket 2026-09-01T00:00:00Z, result 1: input_tokens '-5' is not a "
            "non-negative integer",
        ],
    ),
    "cost_report.json": (
        json.dumps(
            page(
                bucket(
                    "2026-09-01T00:00:00Z",
                    "2026-09-02T00:00:00Z",
                    {"amount": "12,5", "currency": "EUR", "cost_type": "tokens"},
                )
            )
        ),  # fmt: skip
        [
            "page 1, bucket 2026-09-01T00:00:00Z, result 1: amount '12,5' is not a decimal amount",
            "page 1, bucket 2026-09-01T00:00:00Z, result 1: currency 'EUR' is not USD",
        ],
    ),
    "console_usage.csv": (
        "usage_date_utc,model_version,usage_output_tokens\n2026-09-01,claude-haiku-4-5,1\n",
        ["missing required column(s): usage_input_tokens_no_cache"],
    ),
    "console_cost.csv": (
        CONSOLE_COST_HEADER + "2026-13-01,Claude Haiku 4.5,,k,message,,output,1.0,,token,,,,\n",
        ["row 1 (line 2): bucket_start '2026-13-01' is not a date or RFC 3339 time"],
    ),
    "console_usage_tier.csv": (
        CONSOLE_USAGE_HEADER + "2026-09-01,claude-haiku-4-5,k,W,turbo,≤ 200k,1,0,0,0,1,0,,\n",
        ["row 1 (line 2): service_tier 'turbo' is not a known Anthropic service tier"],
    ),
    "messages.jsonl": (
        json.dumps(message("msg_1", "claude-haiku-4-5", {"input_tokens": 3, "output_tokens": 1}))
        + "\n"
        + json.dumps(
            {
                "id": "msg_2",
                "model": "claude-haiku-4-5",
                "usage": {"output_tokens": 2},
                "stop_reason": "end_turn",
            }
        )  # fmt: skip
        + "\n",
        ["line 2: input_tokens is empty"],
    ),
    "batch.jsonl": (
        json.dumps(
            {
                "custom_id": "a",
                "result": {
                    "type": "succeeded",
                    "message": {"id": "msg_b", "usage": {"input_tokens": 1, "output_tokens": 1}},
                },
            }
        )
        + "\n",  # fmt: skip
        ["line 1: model is empty"],
    ),
}


def test_provider_loads_mark_the_days_the_nightly_run_rebuilds(tmp_path):
    """The incremental models rebuild the days in raw.changed_days: a provider file's
    commit records its buckets' days, and a re-export records the days it replaces."""
    exports = write_anthropic_exports(tmp_path / "exports")
    con, _ = load_dir(exports, tmp_path / "w.duckdb")
    marked = {
        d for (d,) in con.execute("select distinct usage_date from raw.changed_days").fetchall()
    }
    loaded = {
        d
        for (d,) in con.execute(
            "select distinct cast(bucket_start_at as date) from raw.anthropic_usage"
            " union select distinct cast(bucket_start_at as date) from raw.anthropic_costs"
        ).fetchall()
    }
    assert loaded and loaded <= marked
    con.execute("delete from raw.changed_days")  # as a complete build leaves it
    write(
        exports / "account=acme" / "later" / "usage_09_03.json",
        json.dumps(page(bucket("2026-09-03T00:00:00Z", "2026-09-04T00:00:00Z",
                               usage_result(input=150_000, output=12_000)))),
    )  # fmt: skip
    load_exports(con, exports, repo_root=REPO_ROOT)
    days = con.execute(
        "select distinct cast(usage_date as varchar) from raw.changed_days"
    ).fetchall()
    assert days == [("2026-09-03",)]


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_rejected_whole_with_the_record_and_the_problem(tmp_path, name):
    content, problems = BAD_FILES[name]
    exports = tmp_path / "exports"
    write(exports / name, content)
    con, result = load_dir(exports)
    assert not result.loaded and len(result.rejected) == 1
    error = result.rejected[0].error
    for problem in problems:
        assert f"exports/{name}: {problem}" in error, error
    assert con.execute("select count(*) from raw.anthropic_usage").fetchone() == (0,)
    assert con.execute("select count(*) from raw.anthropic_costs").fetchone() == (0,)


def test_an_unknown_file_names_the_closest_format_and_what_it_lacks(tmp_path):
    path = write(tmp_path / "x.json", json.dumps(page(bucket("a", "b", {"foo": 1}))))
    with pytest.raises(UnsupportedFormatError) as raised:
        detect_format(path)
    reason = raised.value.reason
    assert "closest format: Anthropic usage report JSON" in reason, reason
    assert "missing cache_read_input_tokens, uncached_input_tokens" in reason, reason
    # every format is one command away, not a 1,600-character line
    assert "`llm-cost-audit formats` lists every supported format" in reason
    assert "Anthropic Console cost CSV" not in reason and len(reason) < 600


# -- the warehouse: keys, precedence, attribution, costs ------------------------------


def test_costs_per_account_and_day_match_the_hand_computed_figures(anthropic_warehouse):
    rows = query(
        anthropic_warehouse,
        "select account, cast(usage_date as varchar), sum(current_cost_usd), "
        "count(*) filter (where not is_priced) from marts.fct_llm_usage group by 1, 2",
    )
    assert {(a, d): cost for a, d, cost, _ in rows} == EXPECTED_COST
    assert {(a, d): n for a, d, _, n in rows if n} == {("globex", "2026-09-02"): 1}


def test_an_unmapped_model_is_reported_by_name_with_its_tokens(anthropic_warehouse):
    assert query(
        anthropic_warehouse,
        "select provider, model, unpriced_reason, total_tokens from marts.rpt_unpriced_usage",
    ) == [("anthropic", "claude-mystery-9", "unknown_model", 1000)]


def test_the_finest_bucket_width_is_kept_and_remainders_net_against_request_logs(
    anthropic_warehouse,
):
    day1 = query(
        anthropic_warehouse,
        "select epoch(bucket_end_at - bucket_start_at), input_tokens from marts.fct_llm_usage "
        "where account = 'acme' and usage_date = '2026-09-01' order by bucket_start_at",
    )
    assert day1 == [(3600.0, 600_000), (3600.0, 400_000)]  # the 1d copy dropped
    day2 = query(
        anthropic_warehouse,
        "select usage_id like 'remainder:%', feature, request_count, input_tokens, "
        "cache_write_5m_tokens, output_tokens from marts.fct_llm_usage "
        "where account = 'acme' and usage_date = '2026-09-02' and model_id = 'claude-sonnet-4-5' "
        "order by 1, input_tokens",
    )
    assert day2 == [
        (False, None, 1, 50_000, 10_000, 5_000),
        (False, None, 1, 100_000, 0, 20_000),
        (True, None, 0, 350_000, 0, 75_000),  # unattributed remainder
    ]
    negative = query(
        anthropic_warehouse,
        "select token_bucket, bucket_tokens, request_tokens, remainder_tokens, status "
        "from marts.rpt_bucket_remainders where status = 'logs_exceed_buckets'",
    )
    assert negative == [("cache_write_5m", 0, 10_000, -10_000, "logs_exceed_buckets")]


def test_provider_usage_is_attributed_to_its_key_or_workspace(anthropic_warehouse):
    rows = query(
        anthropic_warehouse,
        "select distinct account, feature, workspace, api_key, task_class_source "
        "from marts.fct_llm_usage where request_count = 0 and usage_id not like 'remainder:%' "
        "order by 1, 2",
    )
    assert rows == [
        # workspace_id null on every row: the export was not grouped by workspace
        ("acme", "api_key:apikey_acme_prod", None, "apikey_acme_prod", "default"),
        ("globex", "api_key:batch, eval", "Default", "batch, eval", "default"),
        ("globex", "api_key:lab", "Default", "lab", "default"),
        ("globex", "api_key:support-bot", "Support", "support-bot", "default"),
    ]


def test_reconciliation_compares_like_for_like_and_leaves_the_open_day_unjudged(
    anthropic_warehouse,
):
    rows = query(
        anthropic_warehouse,
        "select account, cast(cost_date as varchar), coalesce(model_id, cost_type), "
        "token_bucket, comparison_basis, reported_cost_usd, computed_cost_usd, variance_pct, "
        "status from marts.cost_reconciliation order by 1, 2, 3, 4",
    )
    by_line = {(r[0], r[1], r[2], r[3]): r[4:] for r in rows}
    assert by_line[("acme", "2026-09-01", "claude-sonnet-4-5", "output")] == (
        "billed", Decimal("3.015"), Decimal("3.000"), Decimal("-0.497512"), "ok",
    )  # fmt: skip
    assert by_line[("acme", "2026-09-02", "claude-haiku-4-5", "input")][1:] == (
        Decimal("0.5"), Decimal("0.5"), Decimal("0"), "ok",
    )  # fmt: skip
    assert by_line[("acme", "2026-09-02", "web_search", None)][-1] == "not_computed"
    assert {r[-1] for k, r in by_line.items() if k[1] == "2026-09-03"} == {"open_day"}
    assert by_line[("globex", "2026-09-01", "claude-haiku-4-5", "cache_write_5m")] == (
        "list", Decimal("0.5"), Decimal("0.5"), Decimal("0"), "ok",
    )  # fmt: skip
    assert {r[-1] for k, r in by_line.items() if k[:2] == ("globex", "2026-09-02")} == {"open_day"}
    judged = {r[-1] for r in by_line.values()}
    assert "variance_over_threshold" not in judged


def test_a_variance_over_the_threshold_fails_the_run_and_names_the_line(
    anthropic_warehouse, tmp_path
):
    # the same warehouse, judged at 0.1%: 09-01's output line (0.5% off) must fail
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(anthropic_warehouse, warehouse)
    completed = run_dbt(
        warehouse, tmp_path, "build", "--select", "cost_reconciliation+",
        *NIGHTLY_EXCLUSIONS,
        "--vars", "{reconciliation_max_variance_pct: 0.1}", check=False,
    )  # fmt: skip
    assert completed.returncode != 0
    assert (
        "cost_reconciliation: 1 line(s) differ from the provider bill by more than 0.1% "
        "(floor $1): acme 2026-09-01 anthropic claude-sonnet-4-5 tokens output: "
        "computed $3.000000 vs billed $3.015000 (-0.497512%)"
    ) in completed.stdout, completed.stdout[-3000:]
    # the run's report names it with both figures and the likely cause
    (check,) = failure_notice_of(warehouse, tmp_path / "target").checks
    assert check.details == (
        "acme 2026-09-01 anthropic claude-sonnet-4-5 tokens output: computed $3.00 vs billed "
        "$3.02 (0.5% below). "
        "Likely cause: the prices or discounts differ from the bill (a contracted rate not "
        "recorded?).",
    )


def test_the_report_shows_the_reconciliation(anthropic_warehouse):
    html = (anthropic_warehouse.parent / "reports" / "findings.html").read_text()
    assert "marts.cost_reconciliation" in html
    assert "variance_over_threshold" not in html and "open_day" in html


def test_reconciliation_money_columns_are_decimal(anthropic_warehouse):
    types = dict(
        query(
            anthropic_warehouse,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'cost_reconciliation' "
            "and column_name like '%_usd'",
        )
    )
    assert types == dict.fromkeys(
        ("reported_cost_usd", "computed_cost_usd", "variance_usd"), "DECIMAL(38,16)"
    )


@pytest.mark.slow
def test_nightly_runs_over_provider_exports_equal_a_full_rebuild(tmp_path):
    """Provider buckets, request logs and their remainders through the incremental chain:
    one account's exports one night, the other account's the next (on the same days);
    every mart and intermediate table then equals a clean build."""
    exports = tmp_path / "exports"
    write_acme(exports)
    warehouse = tmp_path / "nightly.duckdb"
    assert audit(exports, warehouse) == 0
    write_globex(exports)
    assert audit(exports, warehouse) == 0
    assert query(warehouse, "select count(*) from raw.changed_days") == [(0,)]
    clean = tmp_path / "clean" / "clean.duckdb"
    assert audit(exports, clean) == 0
    for schema in ("marts", "intermediate"):
        assert table_contents(warehouse, schema) == table_contents(clean, schema), schema


def test_the_report_shows_the_ladder_and_explains_any_silence(anthropic_warehouse):
    # Console usage CSVs (old and new headers), the usage report JSON, cost exports (issue 24)
    assert_the_report_shows_the_ladder_and_explains_any_silence(
        anthropic_warehouse, anthropic_warehouse.parent / "reports"
    )
