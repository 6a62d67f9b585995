"""Helicone request export (`npx @helicone/export`, also the dashboard's export): JSONL
(one `HeliconeRequest` per line, as `POST /v1/request/query-clickhouse` returns it) or
CSV (the tool's fixed header: `response_id, response_created_at, response_status,
request_created_at, request_body, request_properties, request_user_id, model,
prompt_tokens, completion_tokens, latency, cost_usd`; older versions wrote `cost`).

One row per request Helicone proxied or was sent by its async logger. The seller is the
provider Helicone called (`provider`: `OPENAI`, `ANTHROPIC`, ...; the CSV has no provider
column, so the seller is read from the model id, request_logs.provider_from_model), so
these records net against that provider's buckets, like LiteLLM's.

- Tokens: Helicone counts `prompt_tokens` as the fresh, uncached input, with
  `prompt_cache_read_tokens` and `prompt_cache_write_tokens` beside it (its own cost
  function prices the three apart: packages/cost/index.ts, `costOfPrompt`); cache writes
  are 5-minute writes. Reasoning is inside `completion_tokens`. Audio token counts are
  not read: a call with audio is priced as text (docs/formats.md).
- `costUSD` (JSONL) / `cost_usd` (CSV) is kept as `gateway_cost_usd`, never used to price.
  The older CSV's `cost` is not read: the tool renamed it to say its unit, and Helicone
  stores costs internally multiplied by 10^9.
- Key: `request_id` (the CSV has only `response_id`, Helicone's id of the same row).
- Attribution: `request_properties` (Helicone's custom properties, `Helicone-Property-*`
  headers) kept as JSON text, the metadata attribution rules match; its `feature`
  property is the declared feature; `request_user_id` is the end user, not read.
- `request_body`, `response_body` and `signed_body_url` carry prompt and completion text
  (or a link to it): never selected. The export tool asks for `isCached: false`, so
  Helicone's own response-cache hits are not in it.
"""

from __future__ import annotations

from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import (
    FileContext,
    StagingError,
    json_text,
    new_table_name,
    text,
)
from orchestration.ingest.tables import request_logs

HELICONE = "helicone_requests"
# Columns every version of the export carries (the CSV's header is fixed by the tool).
REQUIRED = ("request_created_at", "model", "prompt_tokens", "completion_tokens")
KEY_COLUMNS = ("request_id", "response_id")
# Fields no other supported format has: a file with them and the required ones is Helicone's.
MARKERS = frozenset({"request_created_at", "response_created_at", "response_status"})
# What is read (JSONL key or CSV column) -> staged column; the first present wins.
FIELDS = {
    "request_id": ("request_id",),
    "response_id": ("response_id",),
    "request_time": ("request_created_at",),
    "model": ("model", "response_model", "request_model"),
    "provider": ("provider",),
    "status": ("response_status",),
    "input_total": ("prompt_tokens",),
    "cache_read": ("prompt_cache_read_tokens",),
    "cache_write_5m": ("prompt_cache_write_tokens",),
    "output_base": ("completion_tokens",),
    "reasoning": ("reasoning_tokens",),
    "gateway_cost": ("costUSD", "cost_usd"),
}
FIELD_NAMES = {
    "request_time": "request_created_at",
    "model": "model",
    "provider": "provider",
    "cache_hit": "cache_hit",
    "input_total": "prompt_tokens",
    "cache_read": "prompt_cache_read_tokens",
    "cache_write_5m": "prompt_cache_write_tokens",
    "output_base": "completion_tokens",
    "reasoning": "reasoning_tokens",
}


def _rows_select(source: str) -> str:
    """The staged columns from `source` (text fields + `properties` as JSON)."""
    return f"""
        select
            row_number() over (order by source_line) as source_record,
            location,
            source_line,
            bad_line,
            false as time_from_file,
            request_time,
            coalesce(request_id, response_id) as record_key,
            cast(null as varchar) as request_id,
            'helicone' as channel,
            coalesce(provider, {request_logs.provider_from_model("model")}) as provider,
            -- a `<provider>/` prefix is the seller only where Helicone does not name one
            -- (via OpenRouter, `openai/gpt-4o` is OpenRouter's own model id)
            case when provider is null then {request_logs.model_without_prefix("model")}
                else model end as model,
            cast(null as varchar) as service_tier,
            cast(null as varchar) as api_key,
            cast(null as varchar) as workspace,
            {json_text("properties", "$.feature")} as feature,
            cast(null as varchar) as request_tags,
            case when json_type(properties) = 'OBJECT' and properties::varchar <> '{{}}'
                then cast(properties as varchar) end as request_metadata,
            cast(null as varchar) as upstream_provider,
            status,
            cast(null as varchar) as cache_hit,
            'beside' as cache_convention,
            input_total,
            cache_read,
            cache_write_5m,
            cast(null as varchar) as cache_write_1h,
            cast(null as varchar) as extra_input,
            output_base,
            cast(null as varchar) as output_extra,
            reasoning,
            gateway_cost
        from {source}
    """


def _as_json(expression: str) -> str:
    """A JSON value that may itself be JSON text (the CSV writes objects as text)."""
    return (
        f"case when json_valid({expression}) and json_type({expression}) = 'VARCHAR' "
        f"and json_valid(json_extract_string({expression}, '$')) "
        f"then json(json_extract_string({expression}, '$')) "
        f"when json_valid({expression}) then json({expression}) end"
    )


def stage_jsonl(con, context: FileContext) -> str:
    table = new_table_name(HELICONE)

    def field(names: tuple[str, ...]) -> str:
        return f"coalesce({', '.join(json_text('doc', '$.' + n) for n in names)})"

    fields = ",\n                ".join(
        f"{field(names)} as {column}" for column, names in FIELDS.items()
    )
    con.execute(
        f"""
        create temp table {table}_rows as
        with records as ({request_logs.jsonl_records(context)}),
        source as (
            select
                source_line,
                'line ' || source_line as location,
                doc is null as bad_line,
                {fields},
                {_as_json("json_extract(doc, '$.request_properties')")} as properties
            from records
        )
        {_rows_select("source")}
        """
    )
    request_logs.raise_on_bad_lines(con, table)
    request_logs.add_parsed_columns(con, table)
    return table


def stage_csv(con, context: FileContext) -> str:
    table = new_table_name(HELICONE)
    header = request_logs.csv_header(con, context)
    missing = [name for name in REQUIRED if name not in header]
    if not any(name in header for name in KEY_COLUMNS):
        missing.append("response_id")
    if missing:
        raise StagingError(f"missing required column(s): {', '.join(missing)}")
    wanted = {name for names in FIELDS.values() for name in names} | {"request_properties"}
    # only the columns named here are read (never request_body), in file order
    read = [name for name in header if name in wanted]
    con.execute(
        f"create temp table {table}_lines as select "
        + ", ".join(f'"{name}"' for name in read)
        + f" from {request_logs.csv_reader(context)}"
    )

    def column(names: tuple[str, ...]) -> str:
        present = [text(f'"{n}"') for n in names if n in header]
        return f"coalesce({', '.join(present)})" if present else "cast(null as varchar)"

    fields = ",\n                ".join(
        f"{column(names)} as {name}" for name, names in FIELDS.items()
    )
    properties = column(("request_properties",))
    con.execute(
        f"""
        create temp table {table}_rows as
        with lines as (
            select
                rowid + 1 as source_line,
                'row ' || (rowid + 1) || ' (line ' || (rowid + 2) || ')' as location,
                false as bad_line,
                {fields},
                {_as_json(properties)} as properties
            from {table}_lines
        )
        {_rows_select("lines")}
        """
    )
    request_logs.add_parsed_columns(con, table)
    return table


def stage(con, context: FileContext, encoding: str) -> str:
    return stage_csv(con, context) if encoding == "csv" else stage_jsonl(con, context)


def detect_helicone(sniff: FileSniff) -> Match | None:
    if sniff.encoding not in ("jsonl", "csv") or not MARKERS <= set(sniff.columns):
        return None
    complete = set(REQUIRED) <= set(sniff.columns)
    return Match(DetectedFormat(HELICONE, sniff.encoding), complete=complete)


FORMATS = (
    ExportFormat(
        family=HELICONE,
        description=(
            "Helicone request export (JSONL or CSV from @helicone/export: request_id / "
            "response_id, request_created_at, model, provider, prompt_tokens, "
            "prompt_cache_read_tokens, ...)"
        ),
        table=request_logs.TABLE,
        detect=detect_helicone,
        stage=stage,
        signature=Signature(REQUIRED, ("jsonl", "csv")),
        checks=request_logs.request_checks(FIELD_NAMES, ("input_total", "output_base")),
    ),
)
