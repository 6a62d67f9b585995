"""Gemini responses and gateway logs (LiteLLM, OpenRouter, OTel GenAI spans) end to end
(real DuckDB, Great Expectations, dbt, Dagster): detection, bad input, keys, netting
against provider buckets, the seller of each record, prompt text never stored. Expected
costs are worked out by hand in gateway_fixtures.py."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from anthropic_fixtures import message, write
from conftest import audit, query, table_contents
from gateway_fixtures import (
    EXPECTED_COST,
    HAIKU_SPAN,
    LITELLM_CSV_HEADER,
    OPENROUTER_HEADER,
    PROMPT_MARKER,
    gemini_response,
    jsonl,
    otlp,
    span,
    write_gateway_exports,
)

from orchestration.ingest import detect_format, load_exports
from orchestration.ingest.detect import supported_formats

REPO_ROOT = Path(__file__).resolve().parents[2]


def load_dir(directory: Path):
    con = duckdb.connect(":memory:")
    return con, load_exports(con, directory, repo_root=REPO_ROOT)


@pytest.fixture(scope="module")
def gateway_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gateways")
    write_gateway_exports(root / "exports")
    warehouse = root / "gateways.duckdb"
    assert audit(root / "exports", warehouse) == 0
    return warehouse


# -- loaders ------------------------------------------------------------------------


def test_every_format_is_detected_by_content_and_loaded(tmp_path):
    exports = tmp_path / "exports"
    write_gateway_exports(exports)
    families = {
        path.name: detect_format(path).source_format
        for path in exports.rglob("*")
        if path.is_file() and path.name != "usage_report.json"
    }
    assert families == {
        "gemini_responses.jsonl": "gemini_responses_jsonl",
        "litellm_spend_logs.csv": "litellm_spend_logs_csv",
        "spend.jsonl": "litellm_spend_logs_jsonl",
        "openrouter.csv": "openrouter_generations_csv",
        "openrouter_empty.csv": "openrouter_generations_csv",
        "spans-1.otlp.jsonl": "otel_genai_spans_jsonl",
        "spans-2.otlp.jsonl": "otel_genai_spans_jsonl",
    }
    con, result = load_dir(exports)
    assert result.ok, [o.error for o in result.rejected]
    counts = {o.path.name: o.row_count for o in result.loaded}
    # g2's first streamed chunk is replaced by its last; the failed line and the HTTP span
    # are not usage; the header-only file loads nothing
    assert counts["gemini_responses.jsonl"] == 2
    assert counts["spans-1.otlp.jsonl"] == 2
    assert counts["openrouter_empty.csv"] == 0
    # every token bucket disjoint, as staged (hand-checked against gateway_fixtures.py)
    rows = con.execute(
        "select usage_id, provider, model, input_tokens, cache_write_5m_tokens, "
        "cache_write_1h_tokens, cache_read_tokens, output_tokens from raw.request_logs "
        "where not is_gateway_cache_hit order by usage_id"
    ).fetchall()
    assert rows == [
        ("gemini:acme:g1", "google", "gemini-2.5-flash", 62_000, 0, 0, 40_000, 15_000),
        ("gemini:acme:g2", "google", "gemini-2.5-pro", 1_000, 0, 0, 0, 3_120),
        ("litellm:acme:lite-1", "anthropic", "claude-sonnet-4-6", 50_000, 4_000, 6_000, 50_000,
         2_000),
        ("litellm:acme:lite-3", "gemini", "gemini-2.5-flash", 3_120, 0, 0, 0, 1_000),
        ("litellm:acme:lite-4", "azure", "gpt-4o", 700, 0, 0, 0, 300),
        ("litellm:globex:chatcmpl-globex-1", "openai", "gpt-5-2025-08-07", 12_000, 0, 0, 8_000,
         5_000),
        ("openrouter:globex:gen-1", "openrouter", "anthropic/claude-4.6-sonnet-20260217", 6_000,
         0, 0, 4_000, 1_000),
        ("openrouter:globex:gen-2", "openrouter", "openai/gpt-5-2025-08-07", 2_000, 0, 0, 0, 100),
        ("otel:acme:aaaa0000000000000000000000000001:bbbb000000000001", "anthropic",
         "claude-haiku-4-5", 500, 2_000, 0, 1_000, 100),
        ("otel:acme:aaaa0000000000000000000000000002:bbbb000000000002", "openai",
         "gpt-4o-mini-2024-07-18", 1_000, 0, 0, 0, 200),
    ]  # fmt: skip
    # LiteLLM's reported spend is kept as the gateway's figure, exactly (not a float)
    assert con.execute(
        "select cast(gateway_cost_usd as varchar) from raw.request_logs "
        "where usage_id = 'litellm:globex:chatcmpl-globex-1'"
    ).fetchone() == ("0.000010240000",)


def test_the_supported_formats_list_names_the_new_ones():
    listed = "\n".join(supported_formats())
    for name in ("Google Gemini", "LiteLLM spend logs", "OpenRouter generations", "OpenTelemetry"):
        assert name in listed


def test_loading_again_or_an_overlapping_export_changes_nothing(tmp_path):
    exports = tmp_path / "exports"
    write_gateway_exports(exports)
    database = tmp_path / "w.duckdb"
    con = duckdb.connect(str(database))
    first = load_exports(con, exports, repo_root=REPO_ROOT)
    rows = "select * exclude (loaded_at, source_file) from raw.request_logs order by 1"
    before = con.execute(rows).fetchall()
    again = load_exports(con, exports, repo_root=REPO_ROOT)
    assert not again.loaded and len(again.unchanged) == len(first.loaded)
    # an overlapping export: the same LiteLLM rows under another name, another folder
    shutil.copy(exports / "account=acme" / "litellm_spend_logs.csv",
                exports / "account=acme" / "litellm_spend_logs (1).csv")  # fmt: skip
    overlap = load_exports(con, exports, repo_root=REPO_ROOT)
    assert [o.row_count for o in overlap.loaded] == [4]
    assert con.execute(rows).fetchall() == before  # the copy replaced the same records
    con.close()


BAD_FILES = {
    "gemini_not_json.jsonl": (
        jsonl(gemini_response("x1", "gemini-2.5-flash", {"promptTokenCount": 1})) + "{not json\n",
        ["unsupported format: line 2 is not valid JSON"],
    ),
    "gemini_no_usage.jsonl": (
        jsonl(
            gemini_response("x1", "gemini-2.5-flash", {"promptTokenCount": 1}),
            {"candidates": [], "modelVersion": "gemini-2.5-flash", "responseId": "x2"},
        ),
        ["line 2: usageMetadata is missing"],
    ),
    "gemini_cache_exceeds_prompt.jsonl": (
        jsonl(
            gemini_response(
                "x1", "gemini-2.5-flash", {"promptTokenCount": 100, "cachedContentTokenCount": 500}
            )
        ),
        [
            "line 1: cached tokens (usageMetadata.cachedContentTokenCount 500, cache writes 0) "
            "exceed usageMetadata.promptTokenCount 100, which includes them"
        ],
    ),
    "litellm_bad_tokens.csv": (
        LITELLM_CSV_HEADER + "\n"
        "r1,acompletion,k,0,,12x,5,2026-09-14T10:00:00Z,,gpt-5,,openai,,,False,,,,,,,success\n"
        "r2,acompletion,k,0,,1,5,2026-09-14T10:00:00Z,,gpt-5,,openai,,,maybe,,,,,,,success\n",
        [
            "row 1 (line 2): prompt_tokens '12x' is not a non-negative integer",
            "row 2 (line 3): cache_hit 'maybe' is not true or false",
        ],
    ),
    "openrouter_missing_column.csv": (
        "generation_id,created_at,tokens_prompt,model_permaslug\ngen-1,2026-09-14,1,openai/gpt-5\n",
        ["missing required column(s): tokens_completion"],
    ),
    "openrouter_bad_time.csv": (
        OPENROUTER_HEADER + "\n"
        "gen-1,yesterday,0,0,0,0,0,10,1,0,0,openai/gpt-5,OpenAI,standard,false,true,,,,1,1,"
        "false,k,app\n",
        ["row 1 (line 2): created_at 'yesterday' is not a time"],
    ),
    "otel_bad_span.jsonl": (
        jsonl(
            otlp(
                "svc",
                span("t1", "s1", 0, {"gen_ai.usage.input_tokens": 5})
                | {"startTimeUnixNano": "abc"},
            )
        ),
        [
            "line 1, resourceSpans[0].scopeSpans[0].spans[0]: "
            "startTimeUnixNano 'abc' is not a time",
            "line 1, resourceSpans[0].scopeSpans[0].spans[0]: "
            "gen_ai.response.model / gen_ai.request.model is empty",
            "line 1, resourceSpans[0].scopeSpans[0].spans[0]: "
            "gen_ai.provider.name / gen_ai.system is empty",
        ],
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
        assert f"exports/{name}: {problem}" in error, error
    assert con.execute("select count(*) from raw.request_logs").fetchone() == (0,)


# -- the warehouse ---------------------------------------------------------------------


def test_costs_per_account_and_day_match_the_hand_computed_figures(gateway_warehouse):
    rows = query(
        gateway_warehouse,
        "select account, cast(usage_date as varchar), sum(current_cost_usd) "
        "from marts.fct_llm_usage group by 1, 2",
    )
    assert {(a, d): cost for a, d, cost in rows} == EXPECTED_COST


def test_unmapped_models_are_reported_by_name_with_their_tokens(gateway_warehouse):
    assert query(
        gateway_warehouse,
        "select provider, model, unpriced_reason, total_tokens from marts.rpt_unpriced_usage",
    ) == [("azure", "gpt-4o", "unknown_model", 1000)]


def test_gateway_logs_net_against_the_provider_bucket_of_the_same_day(gateway_warehouse):
    rows = query(
        gateway_warehouse,
        "select usage_id like 'remainder:%', source_format, request_count, input_tokens, "
        "cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens "
        "from marts.fct_llm_usage where model_id = 'claude-sonnet-4-6' order by 1",
    )
    assert rows == [
        (False, "litellm_spend_logs_csv", 1, 50_000, 4_000, 6_000, 50_000, 2_000),
        (True, "anthropic_usage_report_json", 0, 30_000, 0, 0, 0, 3_000),
    ]
    statuses = query(
        gateway_warehouse,
        "select token_bucket, remainder_tokens, status from marts.rpt_bucket_remainders "
        "where model_id = 'claude-sonnet-4-6' order by 1",
    )
    assert statuses == [
        ("cache_read", 0, "fully_covered"),
        ("cache_write_1h", 0, "fully_covered"),
        ("cache_write_5m", 0, "fully_covered"),
        ("input", 30_000, "remainder_kept"),
        ("output", 3_000, "remainder_kept"),
    ]


def test_each_record_is_sold_by_its_seller(gateway_warehouse):
    rows = query(
        gateway_warehouse,
        "select source_format, provider, model_id, feature, workspace, api_key "
        "from marts.fct_llm_usage where source_format not like 'anthropic%' order by all",
    )
    assert rows == [
        ("gemini_responses_jsonl", "google", "gemini-2.5-flash", None, None, None),
        ("gemini_responses_jsonl", "google", "gemini-2.5-pro", None, None, None),
        ("litellm_spend_logs_csv", "anthropic", "claude-sonnet-4-6", "api_key:search, prod",
         "≤200k team", "search, prod"),
        ("litellm_spend_logs_csv", "azure", None, "api_key:88ablite-4", None, "88ablite-4"),
        ("litellm_spend_logs_csv", "google", "gemini-2.5-flash", "api_key:88ablite-3", None,
         "88ablite-3"),
        ("litellm_spend_logs_jsonl", "openai", "gpt-5", "api_key:6f0c1de5abec", None,
         "6f0c1de5abec"),
        ("openrouter_generations_csv", "openrouter", "anthropic/claude-sonnet-4.6",
         "api_key:eval, nightly", None, "eval, nightly"),
        ("openrouter_generations_csv", "openrouter", "openai/gpt-5", None, None, None),
        ("otel_genai_spans_jsonl", "anthropic", "claude-haiku-4-5", "workspace:search-api",
         "search-api", None),
        ("otel_genai_spans_jsonl", "openai", "gpt-4o-mini", None, None, None),
    ]  # fmt: skip


def test_a_gateway_cache_hit_is_kept_in_raw_but_is_not_usage(gateway_warehouse):
    assert query(
        gateway_warehouse,
        "select usage_id from raw.request_logs where is_gateway_cache_hit",
    ) == [("litellm:acme:lite-2",)]
    assert query(
        gateway_warehouse,
        "select count(*) from marts.fct_llm_usage where usage_id = 'litellm:acme:lite-2'",
    ) == [(0,)]


def test_prompt_text_never_reaches_the_warehouse(gateway_warehouse):
    con = duckdb.connect(str(gateway_warehouse), read_only=True)
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' or data_type like '%JSON%'"
        ).fetchall()
        assert len({(s, t) for s, t, _ in columns}) > 20  # raw, staging, marts, seeds
        hits = [
            f"{schema}.{table}.{column}"
            for schema, table, column in columns
            if con.execute(
                f'select count(*) from "{schema}"."{table}" where "{column}" like ?',
                [f"%{PROMPT_MARKER}%"],
            ).fetchone()[0]
        ]
    finally:
        con.close()
    assert hits == []
    # the fixtures do carry it: the test would see it if it were stored
    assert PROMPT_MARKER in json.dumps(HAIKU_SPAN)


def test_gemini_batch_results_load_on_the_batch_tier_without_the_prompt(tmp_path):
    exports = tmp_path / "exports"
    response = gemini_response("b1", "gemini-2.5-flash", {"promptTokenCount": 7})
    prompt = {"contents": [{"role": "user", "parts": [{"text": PROMPT_MARKER}]}]}
    # neither carries a time (`createTime` is Vertex AI's online responses' only): the day
    # is the `date=` folder's
    day = exports / "date=2026-09-02"
    write(
        day / "vertex_batch.jsonl",
        jsonl(
            {"request": prompt, "status": "", "response": response},
            {"request": prompt, "status": "quota", "response": {"error": {"code": 429}}},
        ),
    )
    write(day / "gemini_batch.jsonl", jsonl({"key": "k1", "response": response}))
    con, result = load_dir(exports)
    assert result.ok, [o.error for o in result.rejected]
    rows = con.execute(
        "select source_format, service_tier, input_tokens, output_tokens, is_time_from_file "
        "from raw.request_logs order by all"
    ).fetchall()
    # both files hold response b1: one record, from the file loaded last
    assert len(rows) == 1 and rows[0][1:] == ("batch", 7, 0, True)


def test_tags_and_metadata_are_labels_the_attribution_rules_can_match(gateway_warehouse):
    # lite-1 (CSV): request_tags ["prod", "answer-gen"], spend_logs_metadata with two pairs;
    # chatcmpl-globex-1 (JSONL, metadata as JSON text): one pair; lite-2 is a cache hit
    assert query(
        gateway_warehouse,
        "select usage_id, label_kind, label_key, label_value from intermediate.int_usage_labels "
        "order by all",
    ) == [
        ("litellm:acme:lite-1", "metadata", "cost_center", "cc-42"),
        ("litellm:acme:lite-1", "metadata", "team", "search"),
        ("litellm:acme:lite-1", "tag", None, "answer-gen"),
        ("litellm:acme:lite-1", "tag", None, "prod"),
        ("litellm:globex:chatcmpl-globex-1", "metadata", "team", "research"),
    ]


@pytest.mark.slow
def test_the_same_call_logged_by_two_tools_counts_once(tmp_path):
    # HAIKU_SPAN traces Anthropic response msg_otel_1; the same call is also in the
    # provider's own response log (loaded first, then again after the span): one record,
    # the provider's own, priced once. Haiku 4.5: 500 x $1 + 2,000 x $1.25 (5m write)
    # + 1,000 x $0.10 (read) + 100 x $5 per million = $0.0036.
    acme = tmp_path / "exports" / "account=acme"
    usage = {"input_tokens": 500, "cache_creation_input_tokens": 2_000,
             "cache_read_input_tokens": 1_000, "output_tokens": 100}  # fmt: skip
    # a Messages response carries no time: its day is its folder's (its mtime, the order
    # the files load in)
    write(acme / "date=2026-09-14" / "messages.jsonl",
          jsonl(message("msg_otel_1", "claude-haiku-4-5", usage)), mtime=1_789_400_000)  # fmt: skip
    write(acme / "spans.otlp.jsonl", jsonl(otlp("search-api", HAIKU_SPAN)), mtime=1_789_400_100)
    warehouse = tmp_path / "w.duckdb"
    assert audit(tmp_path / "exports", warehouse) == 0
    assert query(
        warehouse,
        "select request_id, source_format, input_tokens, cache_write_5m_tokens, "
        "cache_read_tokens, output_tokens, current_cost_usd from marts.fct_llm_usage",
    ) == [("msg_otel_1", "anthropic_messages_jsonl", 500, 2_000, 1_000, 100, Decimal("0.0036"))]
    assert query(warehouse, "select count(*) from raw.request_logs") == [(1,)]


@pytest.mark.slow
def test_a_second_log_of_a_call_on_another_day_is_caught_by_the_nightly_run(tmp_path):
    # night 1: the OTel span of msg_otel_1 (2026-09-14 13:00); night 2: the provider's own
    # response log of the same call, dated by its folder (2026-09-16): the kept copy moves
    # to 09-16, so the nightly run must reopen 09-14 too. Both nights equal a clean build.
    acme = tmp_path / "exports" / "account=acme"
    write(acme / "spans.otlp.jsonl", jsonl(otlp("search-api", HAIKU_SPAN)), mtime=1_789_400_100)
    warehouse = tmp_path / "nightly.duckdb"
    assert audit(tmp_path / "exports", warehouse) == 0
    assert query(warehouse, "select source_format, cast(usage_date as varchar) from "
                 "marts.fct_llm_usage") == [("otel_genai_spans_jsonl", "2026-09-14")]  # fmt: skip
    usage = {"input_tokens": 500, "cache_creation_input_tokens": 2_000,
             "cache_read_input_tokens": 1_000, "output_tokens": 100}  # fmt: skip
    sept_16 = 1_789_560_000  # 2026-09-16T12:00:00Z
    write(acme / "date=2026-09-16" / "messages.jsonl",
          jsonl(message("msg_otel_1", "claude-haiku-4-5", usage)), mtime=sept_16)  # fmt: skip
    assert audit(tmp_path / "exports", warehouse) == 0
    assert query(warehouse, "select source_format, cast(usage_date as varchar) from "
                 "marts.fct_llm_usage") == [("anthropic_messages_jsonl", "2026-09-16")]  # fmt: skip
    clean = tmp_path / "clean" / "clean.duckdb"
    assert audit(tmp_path / "exports", clean) == 0
    for schema in ("marts", "intermediate"):
        assert table_contents(warehouse, schema) == table_contents(clean, schema), schema
