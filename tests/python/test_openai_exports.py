"""OpenAI exports end to end (real DuckDB, Great Expectations, dbt, Dagster): loaders,
bad input, keys and precedence, netting against request logs, attribution,
reconciliation. Expected costs are worked out by hand in openai_fixtures.py."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import audit, failure_notice_of, query, run_dbt
from openai_fixtures import (
    COST_CSV_HEADER,
    DAY,
    EXPECTED_COST,
    SEPT_1,
    USAGE_CSV_HEADER,
    bucket,
    chat_completion,
    cost_page,
    cost_result,
    day_columns,
    lines,
    page,
    usage_result,
    write,
    write_openai_exports,
)
from test_explain_silence import assert_the_report_shows_the_ladder_and_explains_any_silence

from orchestration.ingest import UnsupportedFormatError, detect_format, load_exports
from orchestration.project import NIGHTLY_EXCLUSIONS

REPO_ROOT = Path(__file__).resolve().parents[2]


def load_dir(directory: Path, database: Path | None = None):
    con = duckdb.connect(str(database) if database else ":memory:")
    return con, load_exports(con, directory, repo_root=REPO_ROOT)


@pytest.fixture(scope="module")
def openai_warehouse(tmp_path_factory) -> Path:
    """Both accounts' OpenAI exports audited once through the CLI."""
    root = tmp_path_factory.mktemp("openai")
    write_openai_exports(root / "exports")
    warehouse = root / "openai.duckdb"
    assert audit(root / "exports", warehouse) == 0
    return warehouse


# -- loaders ------------------------------------------------------------------------


def test_every_format_is_detected_by_content_and_loaded(tmp_path):
    write_openai_exports(tmp_path / "exports")
    con, result = load_dir(tmp_path / "exports")
    assert not result.rejected, [r.error for r in result.rejected]
    formats = {o.display_name.rsplit("/", 1)[1]: (o.source_format, o.row_count)
               for o in result.loaded}  # fmt: skip
    assert formats == {
        "usage_1d.json": ("openai_usage_api_json", 3),  # the empty bucket adds none
        "usage_1h.jsonl": ("openai_usage_api_json", 4),
        "costs.json": ("openai_costs_api_json", 8),
        "responses.jsonl": ("openai_responses_jsonl", 4),
        "batch_output.jsonl": ("openai_batch_output_jsonl", 4),  # 2 of them failed lines
        "usage_09_01.json": ("openai_usage_api_json", 2),
        "completions_usage_2026-09.csv": ("openai_dashboard_usage_csv", 4),  # empty row skipped
        "completions_usage_header_only.csv": ("openai_dashboard_usage_csv", 0),
        "cost_2026-09.csv": ("openai_dashboard_cost_csv", 6),
    }
    # amounts exact as written, exponent notation included; model and token type parsed
    costs = con.execute(
        "select line_item, model, token_type, billed_cost_usd, typeof(billed_cost_usd) "
        "from raw.openai_costs where account = 'acme' and bucket_start_at = '2026-09-01' "
        "order by source_record"
    ).fetchall()
    assert costs[1] == (
        "gpt-5-2025-08-07, cached input", "gpt-5-2025-08-07", "cached input",
        Decimal("0.125"), "DECIMAL(38,12)",
    )  # fmt: skip
    assert costs[2][3] == Decimal("1.005")
    assert costs[5][:3] == ("Web search tool calls", None, None)
    # tokens as OpenAI counts them, floats and TRUE/FALSE parsed, a quoted comma kept
    assert con.execute(
        "select user_id, is_batch, request_count, input_tokens, input_cached_tokens "
        "from raw.openai_usage where source_format = 'openai_dashboard_usage_csv' "
        "and bucket_start_at = '2026-09-01' order by model"
    ).fetchall() == [("ops, team", True, 2, 2_000_000, 1_000_000),
                     ("ops, team", False, 3, 3120, 0)]  # fmt: skip
    # a request's own time; no details object = nothing cached; the batch file is the flag
    rows = con.execute(
        "select usage_id, record_kind, custom_id, bucket_start_at, is_time_from_file, "
        "is_batch, service_tier, input_cached_tokens, error_code from raw.openai_usage "
        "where record_kind <> 'bucket' order by usage_id"
    ).fetchall()
    by_id = {r[0]: r[1:] for r in rows}
    kind, custom_id, at, from_file, is_batch, tier, cached, error = by_id[
        "openai:req:acme:chatcmpl-acme-3"
    ]
    assert (kind, custom_id, str(at), from_file, is_batch, tier, cached, error) == (
        "request", None, "2026-09-02 12:02:00", False, None, None, 0, None,
    )  # fmt: skip
    # batch lines keyed on the response id, never the repeated custom_id
    assert by_id["openai:req:acme:chatcmpl-batch-1"][:2] == ("request", "doc-1")
    assert by_id["openai:req:acme:resp_batch_2"][:2] == ("request", "doc-1")
    assert by_id["openai:req:acme:resp_batch_2"][4] is True
    # failed lines: counted with their error, no usage, no time of their own: the batch's
    # first dated line's (flagged), never the file's modification time
    assert by_id["openai:batch_req:acme:batch_req_3"][0] == "failed_request"
    assert by_id["openai:batch_req:acme:batch_req_3"][-1] == "string_above_max_length"
    assert by_id["openai:batch_req:acme:batch_req_4"][-1] == "batch_expired"
    assert by_id["openai:batch_req:acme:batch_req_4"][3] is True
    (first_dated,) = con.execute(
        "select min(bucket_start_at) from raw.openai_usage where record_kind = 'request' "
        "and source_format = 'openai_batch_output_jsonl'"
    ).fetchone()
    assert by_id["openai:batch_req:acme:batch_req_4"][2] == first_dated
    # completion text is never stored
    assert "SECRET COMPLETION TEXT" not in repr(
        con.execute("select * from raw.openai_usage").fetchall()
    )
    # each record carries its account from the folder
    assert con.execute("select distinct account from raw.openai_usage order by 1").fetchall() == [
        ("acme",), ("globex",),
    ]  # fmt: skip


def test_loading_again_changes_nothing_and_a_re_export_replaces_its_buckets(tmp_path):
    exports = write_openai_exports(tmp_path / "exports")
    con, _ = load_dir(exports, tmp_path / "w.duckdb")
    snapshot = "select * exclude (loaded_at) from raw.{} order by 1"
    before = {
        t: con.execute(snapshot.format(t)).fetchall() for t in ("openai_usage", "openai_costs")
    }
    result = load_exports(con, exports, repo_root=REPO_ROOT)
    assert not result.loaded and not result.rejected and len(result.unchanged) == 9
    after = {
        t: con.execute(snapshot.format(t)).fetchall() for t in ("openai_usage", "openai_costs")
    }
    assert after == before
    # 09-02's bucket re-exported larger in another file: same key, the later one wins
    write(
        exports / "account=acme" / "later" / "usage_09_02.json",
        json.dumps(page(bucket(SEPT_1 + DAY, DAY,
            usage_result("gpt-5-2025-08-07", input=1_100_000, cached=200_000, write=100_000,
                         output=55_000, requests=110))),
        ),
    )  # fmt: skip
    load_exports(con, exports, repo_root=REPO_ROOT)
    assert con.execute(
        "select input_tokens, source_file like '%later%' from raw.openai_usage "
        "where record_kind = 'bucket' and bucket_start_at = '2026-09-02' and account = 'acme'"
    ).fetchall() == [(1_100_000, True)]
    assert (
        len(before["openai_usage"])
        == con.execute("select count(*) from raw.openai_usage").fetchone()[0]
    )


BAD_FILES = {
    "usage_api.json": (
        json.dumps(
            page(
                bucket(
                    SEPT_1,
                    6 * 3600,
                    usage_result("gpt-5", input=-5, output=1),
                    usage_result("gpt-5", input=100, cached=90, write=20, output=1),
                )
            )
        ),  # fmt: skip
        [
            # the file's only bucket: 6 h of a day, a partial bucket of no stated width
            "page 1, bucket 1788220800 (2026-09-01T00:00:00Z), result 1: bucket from "
            "'1788220800' to '1788242400' is a partial bucket (21600 s",
            "page 1, bucket 1788220800 (2026-09-01T00:00:00Z), result 1: input_tokens '-5' is "
            "not a non-negative integer",
            "page 1, bucket 1788220800 (2026-09-01T00:00:00Z), result 2: cached (90) and "
            "cache-write (20) tokens exceed input_tokens (100), which include them",
        ],
    ),
    "usage_embeddings.json": (
        json.dumps(
            page(
                bucket(
                    SEPT_1,
                    DAY,
                    {
                        "object": "organization.usage.embeddings.result",
                        "input_tokens": 5,
                        "output_tokens": 0,
                        "num_model_requests": 1,
                        "model": "text-embedding-3-small",
                    },
                )
            )
        ),  # fmt: skip
        [
            "result 1: result object 'organization.usage.embeddings.result' is not "
            "completions usage (organization.usage.completions.result)"
        ],
    ),
    "costs_api.json": (
        cost_page((SEPT_1, [cost_result('"12,5"', "gpt-5, input")])).replace('"usd"', '"eur"'),
        [
            "result 1: amount '12,5' is not a decimal amount",
            "result 1: currency 'eur' is not USD",
        ],
    ),
    "usage.csv": (
        "start_time,end_time,model,output_tokens\n1788220800,1788307200,gpt-5,1\n",
        ["missing required column(s): input_tokens"],
    ),
    "usage_values.csv": (
        USAGE_CSV_HEADER + f"{day_columns(SEPT_1)},p,1.0,,k,gpt-5,MAYBE,turbo,10.5,1,0,10,0,0\n",
        [
            "row 1 (line 2): batch 'MAYBE' is not TRUE or FALSE",
            "row 1 (line 2): service_tier 'turbo' is not a known OpenAI service tier",
            "row 1 (line 2): input_tokens '10.5' is not a non-negative integer",
        ],
    ),
    "cost.csv": (
        COST_CSV_HEADER + 'yesterday,,,,1.0,usd,1,tokens,"gpt-5, input",p,o\n',
        ["row 1 (line 2): bucket_start 'yesterday' is not a Unix time in seconds"],
    ),
    "responses.jsonl": (
        lines(
            chat_completion(
                "chatcmpl-1", "gpt-5", SEPT_1, {"prompt_tokens": 3, "completion_tokens": 1}
            ),
            chat_completion("chatcmpl-2", "gpt-5", SEPT_1, {"completion_tokens": 2}),
        ),  # fmt: skip
        ["line 2: input_tokens is empty"],
    ),
    "not_json.jsonl": (
        lines(
            chat_completion(
                "chatcmpl-1", "gpt-5", SEPT_1, {"prompt_tokens": 3, "completion_tokens": 1}
            )
        )
        + "{not json\n",  # fmt: skip
        ["line 2 is not valid JSON"],
    ),
    "batch.jsonl": (
        lines(
            {
                "id": "batch_req_1",
                "custom_id": "a",
                "error": None,
                "response": {
                    "status_code": 200,
                    "body": {
                        "id": "chatcmpl-b",
                        "choices": [],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1},
                    },
                },
            }
        ),  # fmt: skip
        ["line 1: model is empty"],
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_rejected_whole_with_the_record_and_the_problem(tmp_path, name):
    content, problems = BAD_FILES[name]
    exports = tmp_path / "exports"
    write(exports / name, content)
    con, result = load_dir(exports)
    assert not result.loaded and len(result.rejected) == 1
    error = result.rejected[0].error
    for problem in problems:
        assert f"exports/{name}: " in error and problem in error, error
    assert con.execute("select count(*) from raw.openai_usage").fetchone() == (0,)
    assert con.execute("select count(*) from raw.openai_costs").fetchone() == (0,)


def test_a_bad_file_loses_nothing_already_loaded(tmp_path):
    exports = write_openai_exports(tmp_path / "exports")
    con, _ = load_dir(exports, tmp_path / "w.duckdb")
    before = con.execute("select count(*), sum(input_tokens) from raw.openai_usage").fetchone()
    content, _ = BAD_FILES["usage_api.json"]
    write(exports / "account=acme" / "bad.json", content)
    result = load_exports(con, exports, repo_root=REPO_ROOT)
    assert [r.display_name.rsplit("/", 1)[1] for r in result.rejected] == ["bad.json"]
    after = con.execute("select count(*), sum(input_tokens) from raw.openai_usage").fetchone()
    assert after == before


def test_an_unknown_file_names_the_closest_openai_format(tmp_path):
    path = write(tmp_path / "x.json", json.dumps(page(bucket(SEPT_1, DAY, {"foo": 1}))))
    with pytest.raises(UnsupportedFormatError) as raised:
        detect_format(path)
    reason = raised.value.reason
    # a JSON page: the closest format is one of JSON pages (the Costs API: 3 of its 5 keys),
    # never the dashboard CSV that shares start_time and end_time
    assert "closest format: OpenAI Costs API JSON" in reason, reason
    assert "(has start_time, end_time, results; missing amount, line_item)" in reason, reason
    assert "`llm-cost-audit formats` lists every supported format" in reason


# Whole export files as OpenAI's endpoints and dashboard write them (pretty-printed pages,
# a dashboard CSV with its own header, Batch API output, Chat Completions and Responses
# bodies), kept in the repository: detection must not lean on this module's own writers.
OPENAI_SAMPLES = Path(__file__).parent / "fixtures" / "openai_samples"


def test_whole_openai_export_files_are_detected_as_their_formats():
    samples = OPENAI_SAMPLES
    detected = {p.name: detect_format(p).source_format for p in samples.glob("openai_*")}
    assert detected == {
        "openai_batch_output.jsonl": "openai_batch_output_jsonl",
        "openai_chat_completions_responses.jsonl": "openai_responses_jsonl",
        "openai_costs.json": "openai_costs_api_json",
        "openai_dashboard_completions_usage.csv": "openai_dashboard_usage_csv",
        "openai_responses_api_responses.jsonl": "openai_responses_jsonl",
        "openai_usage_completions.json": "openai_usage_api_json",
    }


# -- the warehouse: keys, precedence, netting, attribution, costs ---------------------


def test_costs_per_account_and_day_match_the_hand_computed_figures(openai_warehouse):
    rows = query(
        openai_warehouse,
        "select account, cast(usage_date as varchar), sum(current_cost_usd), "
        "count(*) filter (where not is_priced) from marts.fct_llm_usage "
        "where provider = 'openai' group by 1, 2",
    )
    assert {(a, d): cost for a, d, cost, _ in rows} == EXPECTED_COST
    assert {(a, d): n for a, d, _, n in rows if n} == {("globex", "2026-09-03"): 1}


def test_disjoint_buckets_tiers_and_request_counts(openai_warehouse):
    rows = query(
        openai_warehouse,
        "select request_id, service_tier, request_count, input_tokens, cache_write_5m_tokens, "
        "cache_read_tokens, output_tokens from marts.fct_llm_usage "
        "where account = 'acme' and request_id is not null order by request_id",
    )
    assert rows == [
        # reasoning stays inside output; no details = nothing cached; no tier = default
        ("chatcmpl-acme-1", "standard", 1, 250_000, 0, 50_000, 10_000),
        ("chatcmpl-acme-3", "standard", 1, 100_000, 0, 0, 5_000),
        ("chatcmpl-batch-1", "batch", 1, 1_000_000, 0, 0, 100_000),
        ("resp_acme_2", "standard", 1, 50_000, 150_000, 50_000, 20_000),
        ("resp_acme_flex", "flex", 1, 1_000_000, 0, 0, 100_000),
        ("resp_batch_2", "batch", 1, 100_000, 0, 100_000, 10_000),
    ]


def test_an_unmapped_model_is_reported_by_name_with_its_tokens(openai_warehouse):
    assert query(
        openai_warehouse,
        "select provider, model, unpriced_reason, total_tokens from marts.rpt_unpriced_usage",
    ) == [("openai", "gpt-mystery-1", "unknown_model", 1000)]


def test_the_finest_width_and_the_last_loaded_shape_are_kept(openai_warehouse):
    acme = query(
        openai_warehouse,
        "select epoch(bucket_end_at - bucket_start_at), count(*), sum(input_tokens) "
        "from marts.fct_llm_usage where account = 'acme' and usage_date = '2026-09-01' "
        "group by 1",
    )
    assert acme == [(3600.0, 4, 5_000_000)]  # the 1d copy dropped (uncached 1M + 4M)
    globex = query(
        openai_warehouse,
        "select distinct source_format from marts.fct_llm_usage "
        "where account = 'globex' and usage_date = '2026-09-01'",
    )
    assert globex == [("openai_dashboard_usage_csv",)]  # the API page of it, loaded first


def test_bucket_remainders_net_against_request_logs(openai_warehouse):
    day2 = query(
        openai_warehouse,
        "select feature, request_count, input_tokens, cache_write_5m_tokens, "
        "cache_read_tokens, output_tokens from marts.fct_llm_usage "
        "where account = 'acme' and usage_date = '2026-09-02' and usage_id like 'remainder:%'",
    )
    assert day2 == [(None, 0, 300_000, 0, 100_000, 15_000)]  # unattributed
    negative = query(
        openai_warehouse,
        "select provider, model_id, token_bucket, bucket_tokens, request_tokens, "
        "remainder_tokens from marts.rpt_bucket_remainders where status = 'logs_exceed_buckets'",
    )
    assert negative == [("openai", "gpt-5", "cache_write_5m", 100_000, 150_000, -50_000)]


def test_provider_usage_is_attributed_to_its_key_or_project(openai_warehouse):
    rows = query(
        openai_warehouse,
        "select distinct account, feature, workspace, api_key from marts.fct_llm_usage "
        "where provider = 'openai' and request_count > 0 and request_id is null order by all",
    )
    assert rows == [
        ("acme", "workspace:proj_alpha", "proj_alpha", None),  # not grouped by key
        ("acme", "workspace:proj_beta", "proj_beta", None),
        ("globex", "api_key:key_g1", "proj_g", "key_g1"),
    ]


def test_reconciliation_compares_like_for_like_and_leaves_the_open_day_unjudged(
    openai_warehouse,
):
    rows = query(
        openai_warehouse,
        "select account, cast(cost_date as varchar), coalesce(model_id, cost_type), "
        "token_bucket, comparison_basis, reported_cost_usd, computed_cost_usd, variance_pct, "
        "status from marts.cost_reconciliation where provider = 'openai' order by 1, 2, 3, 4",
    )
    by_line = {(r[0], r[1], r[2], r[3]): r[4:] for r in rows}
    assert by_line[("acme", "2026-09-01", "gpt-5", "output")] == (
        "billed", Decimal("1.005"), Decimal("1.000"), Decimal("-0.497512"), "ok",
    )  # fmt: skip
    assert by_line[("acme", "2026-09-01", "gpt-5", "cache_read")][1:] == (
        Decimal("0.125"), Decimal("0.125"), Decimal("0"), "ok",
    )  # fmt: skip
    # batch usage against the line items, which name no tier: 4M x 0.125
    assert by_line[("acme", "2026-09-01", "gpt-5-mini", "input")][1:] == (
        Decimal("0.5"), Decimal("0.5"), Decimal("0"), "ok",
    )  # fmt: skip
    assert by_line[("acme", "2026-09-01", "web search tool calls", None)][-1] == "not_computed"
    assert {r[-1] for k, r in by_line.items() if k[1] == "2026-09-02"} == {"open_day"}
    assert {r[-1] for k, r in by_line.items() if k[:2] == ("globex", "2026-09-01")} == {"ok"}
    assert {r[-1] for k, r in by_line.items() if k[:2] == ("globex", "2026-09-03")} == {"open_day"}


def test_a_variance_over_the_threshold_fails_the_run_and_names_the_line(openai_warehouse, tmp_path):
    # the same warehouse, judged at 0.1%: 09-01's gpt-5 output line (0.5% off) must fail
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(openai_warehouse, warehouse)
    completed = run_dbt(
        warehouse, tmp_path, "build", "--select", "cost_reconciliation+",
        *NIGHTLY_EXCLUSIONS,
        "--vars", "{reconciliation_max_variance_pct: 0.1}", check=False,
    )  # fmt: skip
    assert completed.returncode != 0
    assert (
        "cost_reconciliation: 1 line(s) differ from the provider bill by more than 0.1% "
        "(floor $1): acme 2026-09-01 openai gpt-5 tokens output: "
        "computed $1.000000 vs billed $1.005000 (-0.497512%)"
    ) in completed.stdout, completed.stdout[-3000:]
    # the run's report names it with both figures and the likely cause
    (check,) = failure_notice_of(warehouse, tmp_path / "target").checks
    assert check.details == (
        "acme 2026-09-01 openai gpt-5 tokens output: computed $1.00 vs billed $1.00 "
        "(0.5% below). "
        "Likely cause: the prices or discounts differ from the bill (a contracted rate not "
        "recorded?).",
    )


def test_auditing_the_same_exports_again_changes_no_mart(openai_warehouse, tmp_path):
    warehouse = tmp_path / "again.duckdb"
    shutil.copy(openai_warehouse, warehouse)
    marts = "select * from marts.{} order by all"
    before = {t: query(warehouse, marts.format(t))
              for t in ("fct_llm_usage", "cost_reconciliation")}  # fmt: skip
    exports = openai_warehouse.parent / "exports"
    assert audit(exports, warehouse) == 0
    after = {t: query(warehouse, marts.format(t))
             for t in ("fct_llm_usage", "cost_reconciliation")}  # fmt: skip
    assert after == before


def test_the_report_shows_the_ladder_and_explains_any_silence(openai_warehouse):
    # the dashboard CSV and the Usage API JSON, with their cost exports (issue 24)
    assert_the_report_shows_the_ladder_and_explains_any_silence(
        openai_warehouse, openai_warehouse.parent / "reports"
    )
