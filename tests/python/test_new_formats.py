"""The five export formats issue 23 found refused: OpenRouter's activity (API pages and
the dashboard CSV), LiteLLM's `/spend/logs` JSON array, Helicone's request export (JSONL
and CSV) and Langfuse's observation pages, loaded by the real loader into DuckDB.

Where each fixture's shape comes from (tests/python/fixtures/new_formats/):
- `activity_*.json`: OpenRouter's `GET /api/v1/activity` reference (OpenAPI and the Python
  SDK's `ActivityItem`: date, model, model_permaslug, endpoint_id, provider_name, usage,
  byok_usage_inference, requests, prompt_tokens, completion_tokens, reasoning_tokens);
  `activity_sdk.jsonl` is the TypeScript SDK's camelCased `ActivityResponse` example,
  one page per line with an empty page; `openrouter_activity.csv` the dashboard's header
  as the issue quotes it, with a BOM and CRLF.
- `spend_logs.json`: LiteLLM's `LiteLLM_SpendLogs` columns (BerriAI/litellm
  schema.prisma) as `/spend/logs` returns them, a JSON array; `metadata` once an object,
  once JSON text, as the proxy writes either.
- `helicone_export.*`: Helicone's `HeliconeRequest` (Helicone/helicone, the request
  type `/v1/request/query-clickhouse` returns, which `@helicone/export` writes as JSONL)
  and the export tool's fixed CSV header (`examples/export/typescript/index.ts`: `cost`
  in older versions, `cost_usd` now).
- `langfuse_observations.json`: `GET /api/public/observations` pages (the langfuse
  Python package's API models: `usageDetails`, `costDetails`, `calculatedTotalCost`, the
  older `usage` {input, output, total, unit}; its usage parsers keep cached and reasoning
  tokens beside `input` / `output`), with a SPAN of zero usage, an EVENT, a failed
  GENERATION without usage and an empty last page.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import genai_prices
import pytest
from conftest import built_once, load_and_build, query
from genai_prices import Usage

from orchestration.ingest import detect_format, load_exports
from orchestration.ingest.bounds import LoadOptions
from orchestration.ingest.detect import supported_formats

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "new_formats"
TEXT_MARKERS = ("PROMPT-TEXT-NEVER-STORED", "COMPLETION-TEXT-NEVER-STORED")
TOKENS = (
    "select usage_id, provider, model, request_count, input_tokens, cache_write_5m_tokens, "
    "cache_write_1h_tokens, cache_read_tokens, output_tokens, reasoning_tokens, "
    "cast(gateway_cost_usd as varchar) from raw.request_logs order by usage_id"
)


def load(exports: Path, database: Path | str = ":memory:"):
    con = duckdb.connect(str(database))
    return con, load_exports(con, exports, repo_root=REPO_ROOT)


def test_each_file_is_detected_by_its_content():
    found = {
        path.name: detect_format(path).source_format
        for path in sorted(FIXTURES.rglob("*"))
        if path.is_file()
    }
    assert found == {
        "activity_2026-11-02.json": "openrouter_activity_json",
        "activity_empty.json": "openrouter_activity_json",
        "activity_sdk.jsonl": "openrouter_activity_json",
        "openrouter_activity.csv": "openrouter_activity_csv",
        "spend_logs.json": "litellm_spend_logs_json_array",
        "helicone_export.jsonl": "helicone_requests_jsonl",
        "helicone_export.csv": "helicone_requests_csv",
        "helicone_old.csv": "helicone_requests_csv",
        "langfuse_observations.json": "langfuse_observations_json",
    }
    listed = "\n".join(supported_formats())
    for name in ("OpenRouter activity", "/spend/logs JSON array", "Helicone", "Langfuse"):
        assert name in listed


def test_tokens_load_exact_in_disjoint_buckets():
    """Hand-checked against the fixtures: each source's convention turned into uncached
    input, cache writes (5m, 1h), cache reads and output (reasoning inside)."""
    con, result = load(FIXTURES)
    assert result.ok, [o.error for o in result.rejected]
    counts = {o.path.name: o.row_count for o in result.loaded}
    # the empty page loads nothing; Langfuse's SPAN, EVENT and failed call are not calls
    assert counts["activity_empty.json"] == 0
    assert counts["langfuse_observations.json"] == 4
    assert con.execute(TOKENS).fetchall() == [
        # Helicone: prompt_tokens is the fresh input, cache counts beside it
        ("helicone:acme:2b1e6f0e-9f3a-4c11-8d2a-000000000010", "openai", "gpt-4.1-2025-04-14",
         None, 5000, 0, 0, 0, 1000, None, "0.018000000000"),
        ("helicone:acme:2b1e6f0e-9f3a-4c11-8d2a-000000000011", "anthropic",
         "claude-haiku-4-5-20251001", None, 800, 0, 0, 0, 200, None, None),
        ("helicone:acme:2b1e6f0e-9f3a-4c11-8d2a-000000000020", "openai", "gpt-4o-mini", None,
         1200, 0, 0, 0, 100, None, None),  # the old CSV's `cost` is not read
        ("helicone:acme:7c3d1a90-0000-4000-8000-000000000001", "anthropic",
         "claude-sonnet-4-5-20250929", None, 1500, 4000, 0, 20000, 600, None, "0.025800000000"),
        ("helicone:acme:7c3d1a90-0000-4000-8000-000000000002", "openai",
         "gpt-4o-mini-2024-07-18", None, 1000, 0, 0, 0, 300, None, None),
        ("helicone:acme:7c3d1a90-0000-4000-8000-000000000003", "openai",
         "gpt-4o-mini-2024-07-18", None, 0, 0, 0, 0, 0, None, "0.000000000000"),
        # through OpenRouter: OpenRouter sells it, under its own model id
        ("helicone:acme:7c3d1a90-0000-4000-8000-000000000004", "openrouter",
         "openai/gpt-4o-mini", None, 2000, 0, 0, 0, 100, None, "0.000360000000"),
        # Langfuse: usage types disjoint; reasoning added back to the output
        ("langfuse:acme:obs-gen-anthropic-1", "anthropic", "claude-haiku-4-5-20251001", None,
         300, 2000, 500, 6000, 500, None, "0.006225000000"),
        ("langfuse:acme:obs-gen-old-usage", "openai", "gpt-4o-mini-2024-07-18", None, 900, 0, 0,
         0, 120, None, None),
        ("langfuse:acme:obs-gen-openai-1", "openai", "gpt-4o-2024-08-06", None, 1800, 0, 0, 1200,
         250, 0, "0.008500000000"),
        ("langfuse:acme:obs-gen-reasoning", "openai", "o4-mini-2025-04-16", None, 400, 0, 0, 0,
         1200, 1000, "0.005720000000"),
        # LiteLLM: cache counts inside prompt_tokens; the provider prefix leaves the model
        ("litellm:acme:chatcmpl-CXa1", "openai", "gpt-4o-mini-2024-07-18", None, 1576, 0, 0,
         1024, 400, 0, "0.000525000000"),
        ("litellm:acme:msg_01CXa2", "anthropic", "claude-haiku-4-5-20251001", None, 2000, 2000,
         0, 8000, 800, None, "0.000000000000"),
        # OpenRouter activity: a day per model and endpoint, with its requests and credits
        ("openrouter:globex:day:2026-11-02:anthropic/claude-4.5-sonnet-20250929:"
         "6d3c1d2e-0000-4000-8000-00000000a001", "openrouter",
         "anthropic/claude-4.5-sonnet-20250929", 12, 100000, 0, 0, 0, 5760, 0, "0.386400000000"),
        ("openrouter:globex:day:2026-11-02:anthropic/claude-4.5-sonnet-20250929:"
         "6d3c1d2e-0000-4000-8000-00000000a002", "openrouter",
         "anthropic/claude-4.5-sonnet-20250929", 1, 10000, 0, 0, 0, 700, None, "0.002050000000"),
        ("openrouter:globex:day:2026-11-02:openai/gpt-4.1-2025-04-14:"
         "6d3c1d2e-0000-4000-8000-00000000b001", "openrouter", "openai/gpt-4.1-2025-04-14", 3,
         2000, 0, 0, 0, 400, 0, "0.007200000000"),
        ("openrouter:globex:day:2026-11-03:openai/gpt-4o-mini-2024-07-18:"
         "550e8400-e29b-41d4-a716-446655440000", "openrouter", "openai/gpt-4o-mini-2024-07-18",
         5, 5000, 0, 0, 0, 125, 0, "0.000825000000"),
        ("openrouter:globex:day:2026-11-04:google/gemini-2.5-flash", "openrouter",
         "google/gemini-2.5-flash", 2, 4000, 0, 0, 0, 660, 160, "0.002850000000"),
        ("openrouter:globex:day:2026-11-04:openai/gpt-4.1-2025-04-14", "openrouter",
         "openai/gpt-4.1-2025-04-14", 4, 3000, 0, 0, 0, 700, 0, "0.011600000000"),
    ]  # fmt: skip
    # an activity row is a day: its bucket ends at the next midnight; a request's has no end
    assert con.execute(
        "select distinct date_diff('hour', bucket_start_at, bucket_end_at) from raw.request_logs "
        "where source_format like 'openrouter_activity%'"
    ).fetchall() == [(24,)]
    assert con.execute(
        "select count(*) from raw.request_logs where source_format not like 'openrouter_activity%'"
        " and (bucket_end_at is not null or request_count is not null)"
    ).fetchone() == (0,)


def test_prompt_and_completion_text_never_reach_the_warehouse(tmp_path):
    """Helicone and Langfuse exports (and LiteLLM's array) carry the text: no column of
    any table of the warehouse file holds it after a load."""
    database = tmp_path / "w.duckdb"
    con, result = load(FIXTURES, database)
    assert result.ok
    con.close()
    con = duckdb.connect(str(database), read_only=True)
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR'"
    ).fetchall()
    assert columns
    for schema, table, column in columns:
        for marker in TEXT_MARKERS:
            (hits,) = con.execute(
                f'select count(*) from "{schema}"."{table}" where contains("{column}", ?)',
                [marker],
            ).fetchone()
            assert hits == 0, (schema, table, column, marker)
    # the request metadata kept is the caller's labels, not the body
    assert con.execute(
        "select request_metadata from raw.request_logs "
        "where usage_id = 'helicone:acme:7c3d1a90-0000-4000-8000-000000000001'"
    ).fetchone() == ('{"feature":"support-bot","Helicone-Session-Id":"s-1"}',)
    con.close()


def test_loading_again_changes_nothing(tmp_path):
    exports = tmp_path / "exports"
    shutil.copytree(FIXTURES, exports)
    con, first = load(exports, tmp_path / "w.duckdb")
    before = con.execute(TOKENS).fetchall()
    again = load_exports(con, exports, repo_root=REPO_ROOT)
    assert not again.loaded and len(again.unchanged) == len(first.loaded)
    # the same activity re-exported under another name replaces the same days
    shutil.copy(exports / "account=globex" / "activity_2026-11-02.json",
                exports / "account=globex" / "activity (1).json")  # fmt: skip
    overlap = load_exports(con, exports, repo_root=REPO_ROOT)
    assert [o.row_count for o in overlap.loaded] == [3]
    assert con.execute(TOKENS).fetchall() == before
    con.close()


def test_langfuse_v2_cursor_pages_load_the_same_way(tmp_path):
    """`GET /api/public/v2/observations` (the langfuse package's `ObservationV2`): the same
    observation keys, cursor pagination (`meta: {cursor}`), input/output as raw strings."""
    page = {
        "data": [{"id": "o-v2", "traceId": "t-v2", "type": "GENERATION",
                  "startTime": "2026-11-05T16:00:00.000Z", "model": "gpt-4o-mini-2024-07-18",
                  "input": "PROMPT-TEXT-NEVER-STORED", "output": "COMPLETION-TEXT-NEVER-STORED",
                  "usageDetails": {"input": 100, "output": 20, "total": 120},
                  "costDetails": {"total": 0.000027}, "totalCost": 0.000027}],
        "meta": {"cursor": "eyJsYXN0SWQiOiJvLXYyIn0="},
    }  # fmt: skip
    (tmp_path / "observations_v2.json").write_text(json.dumps(page))
    con, result = load(tmp_path)
    assert [o.source_format for o in result.loaded] == ["langfuse_observations_json"]
    assert con.execute(TOKENS).fetchall() == [
        ("langfuse:default:o-v2", "openai", "gpt-4o-mini-2024-07-18", None, 100, 0, 0, 0, 20,
         None, "0.000027000000"),
    ]  # fmt: skip


def _observation(**fields) -> dict:
    return {"id": "obs-1", "traceId": "t-1", "type": "GENERATION",
            "startTime": "2026-11-05T11:00:00Z", "model": "gpt-4o-mini", **fields}  # fmt: skip


BAD_FILES = {
    "langfuse_no_usage.json": (
        json.dumps({"data": [_observation(usageDetails={})], "meta": {"page": 1}}),
        ["page 1, data[0] (observation obs-1): a GENERATION without usage"],
    ),
    "langfuse_characters.json": (
        json.dumps({"data": [_observation(usage={"input": 12, "output": 30, "unit":
                                                 "CHARACTERS"})], "meta": {"page": 1}}),
        ["page 1, data[0] (observation obs-1): usage is in CHARACTERS, not TOKENS"],
    ),
    "langfuse_total_only.json": (
        json.dumps({"data": [_observation(usageDetails={"total": 40})], "meta": {"page": 1}}),
        ["usage has only a total (40)"],
    ),
    "helicone_bad_tokens.jsonl": (
        json.dumps({"request_id": "r1", "request_created_at": "2026-11-05T10:00:00Z",
                    "response_created_at": "2026-11-05T10:00:01Z", "response_status": 200,
                    "model": "gpt-4o-mini", "provider": "OPENAI", "prompt_tokens": "12k",
                    "completion_tokens": 3}) + "\n",
        ["line 1", "prompt_tokens '12k' is not a non-negative integer"],
    ),
    "helicone_no_tokens.csv": (
        "response_id,response_created_at,response_status,request_created_at,model,cost_usd\n"
        "r1,2026-11-06T08:00:02Z,200,2026-11-06T08:00:00Z,gpt-4o-mini,0.1\n",
        ["missing required column(s): prompt_tokens, completion_tokens"],
    ),
    "activity_bad_day.csv": (
        "Date,Slug,Usage,BYOK Usage,Requests,Prompt Tokens,Completion Tokens,Reasoning Tokens\n"
        "2026-11-04,openai/gpt-4.1,0.01,0,1,100,10,0\n"
        "Nov 5,openai/gpt-4.1,0.01,0,1,100,10,0\n",
        ["row 2 (line 3)", "date 'Nov 5' is not a time"],
    ),
    "activity_bad_requests.json": (
        json.dumps({"data": [{"date": "2026-11-02", "model": "openai/gpt-4.1",
                              "model_permaslug": "openai/gpt-4.1-2025-04-14", "requests": -3,
                              "prompt_tokens": 10, "completion_tokens": 2, "usage": 0.0}]}),
        ["page 1, data[0]", "requests '-3' is not a non-negative integer"],
    ),
    "spend_cache_exceeds.json": (
        json.dumps([{"request_id": "c1", "call_type": "completion", "spend": 0.1,
                     "startTime": "2026-11-05T09:00:00Z", "model": "gpt-4o-mini",
                     "custom_llm_provider": "openai", "prompt_tokens": 100,
                     "completion_tokens": 5, "metadata": {"usage_object": {
                         "prompt_tokens_details": {"cached_tokens": 500}}}}]),
        ["record 1 of the array", "exceed prompt_tokens 100"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_rejected_whole_naming_the_record_and_the_problem(tmp_path, name):
    content, expected = BAD_FILES[name]
    (tmp_path / name).write_text(content)
    con, result = load(tmp_path)
    assert not result.loaded and len(result.rejected) == 1
    error = result.rejected[0].error
    assert name in error
    for part in expected:
        assert part in error, error
    tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
    if "request_logs" in tables:
        assert con.execute("select count(*) from raw.request_logs").fetchone() == (0,)


# -- one build: the five formats priced as genai-prices prices the same records ----------

# One OpenRouter generation on a day the activity export covers (the generations CSV's
# header as tests/python/gateway_fixtures.py has it, fewer columns: they are optional).
GENERATION = (
    "generation_id,created_at,cost_total,tokens_prompt,tokens_completion,tokens_reasoning,"
    "tokens_cached,model_permaslug,provider_name,variant,cancelled,api_key_name,app_name\n"
    "gen-n1,2026-11-02 14:00:00.000,0.105,30000,1000,0,0,"
    "anthropic/claude-4.5-sonnet-20250929,Anthropic,standard,false,prod,globex-app\n"
)
NETTED_DAY = "openrouter:globex:day:2026-11-02:anthropic/claude-4.5-sonnet-20250929:"


def _build(root: Path) -> dict:
    exports = root / "exports"
    shutil.copytree(FIXTURES, exports)
    (exports / "account=globex" / "generations.csv").write_text(GENERATION)
    warehouse = root / "w.duckdb"
    load_and_build(exports, warehouse, "fct_llm_usage", "rpt_scope_ladder")
    raw = query(
        warehouse,
        "select usage_id, provider, model, bucket_start_at, input_tokens, "
        "cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens "
        "from raw.request_logs where not is_gateway_cache_hit",
    )
    fact = query(
        warehouse,
        "select usage_id, input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, "
        "cache_read_tokens, output_tokens, current_cost_usd, unpriced_reason "
        "from marts.fct_llm_usage",
    )
    ladder = query(
        warehouse,
        "select scope_type, scope_value, rung_order, current_cost_usd from marts.rpt_scope_ladder",
    )
    return {"raw": raw, "fact": {row[0]: row[1:] for row in fact}, "ladder": ladder}


@pytest.fixture(scope="module")
def new_formats_build(tmp_path_factory) -> dict:
    return built_once(tmp_path_factory, "new_formats_build", _build)


def _genai_price(provider, model, at, uncached, w5, w1, read, output) -> Decimal:
    return genai_prices.calc_price(
        Usage(
            input_tokens=uncached + w5 + w1 + read,  # genai's input is the total
            cache_write_tokens=w5 + w1,
            cache_write_1h_tokens=w1 or None,
            cache_read_tokens=read,
            output_tokens=output,
        ),
        model,
        provider_id=provider,
        genai_request_timestamp=at,
    ).total_price


@pytest.mark.slow
def test_every_record_is_priced_as_genai_prices_prices_it(new_formats_build):
    """Each record reaches the priced fact with its tokens, its list cost genai-prices'
    `calc_price` of the same tokens, model and seller, exactly. The OpenRouter generation
    nets against the activity buckets of its day and model: the generation and the
    buckets' remainder cost what the two buckets cost."""
    raw, fact = new_formats_build["raw"], new_formats_build["fact"]
    assert len(raw) == 20
    netted = Decimal(0)
    for usage_id, provider, model, at, *tokens in raw:
        expected = _genai_price(provider, model, at, *tokens)
        if usage_id.startswith(NETTED_DAY):
            netted += expected
            continue
        *fact_tokens, cost, unpriced = fact[usage_id]
        assert fact_tokens == tokens, usage_id
        assert unpriced is None and isinstance(cost, Decimal), (usage_id, unpriced)
        assert cost == expected, (usage_id, cost, expected)
    generation = fact["openrouter:globex:gen-n1"][5]
    remainder = fact["remainder:openrouter:globex:2026-11-02:anthropic/claude-sonnet-4.5:standard"]
    assert remainder[:5] == (110_000 - 30_000, 0, 0, 0, 6_460 - 1_000)
    assert generation + remainder[5] == netted == Decimal("0.4269")


ACTIVITY_HEADER = "Date,Slug,Usage,BYOK Usage,Requests,Prompt Tokens,Completion Tokens,"
ACTIVITY_HEADER += "Reasoning Tokens\n"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        # a busy day: 50M prompt tokens in 100 calls is 500k a call, within the window
        ("2026-11-04,openai/gpt-4.1,1.0,0,100,50000000,10000,0", None),
        # 50M in 10 calls is 5M a call: more than any window holds
        ("2026-11-04,openai/gpt-4.1,1.0,0,10,50000000,10000,0", "prompt tokens in 10 calls"),
        # more tokens than the day's seconds times max_tokens_per_second (1,000 here)
        ("2026-11-04,openai/gpt-4.1,1.0,0,100000,90000000,10000,0", "max_tokens_per_second"),
    ],
)
def test_a_day_of_activity_is_bounded_per_call_and_per_second(tmp_path, row, problem):
    """A daily bucket (raw.request_logs' first) holds many calls: the context-window bound
    is per call, as for a canonical row of several calls, and the rate bound per second
    of the day, as for a provider's usage bucket."""
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "activity.csv").write_text(ACTIVITY_HEADER + row + "\n")
    options = LoadOptions(max_context_tokens=1_000_000, max_tokens_per_second=1_000)
    with duckdb.connect() as con:
        result = load_exports(con, exports, repo_root=REPO_ROOT, options=options)
    if problem is None:
        assert result.ok and result.rows_loaded == 1
    else:
        assert not result.loaded and problem in (result.rejected[0].error or "")


def test_every_rung_of_the_ladder_holds_all_of_its_scopes_spend(new_formats_build):
    """OpenRouter is a seller with no tier ladder: its spend stays at its cost on every rung
    of a scope that also runs a vendor's large or medium model (it once fell off the rungs,
    so a scope's cheaper rungs started from less than it spends)."""
    current = {}
    rungs = []
    for scope_type, value, order, cost in new_formats_build["ladder"]:
        if order == 0:
            current[scope_type, value] = cost
        else:
            rungs.append((scope_type, value, cost))
    mixed = [r for r in rungs if r[0] == "service_tier"]
    assert mixed, "no scope runs a laddered model beside OpenRouter: the test bites nothing"
    fact_openrouter = sum(
        row[5] for usage_id, row in new_formats_build["fact"].items()
        if usage_id.startswith(("openrouter", "remainder:openrouter:"))
    )  # fmt: skip
    assert fact_openrouter > 0
    for scope_type, value, cost in rungs:
        assert cost == current[scope_type, value], (scope_type, value)
