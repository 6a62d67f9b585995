"""OpenRouter activity: daily totals per model, as the Activity API returns them
(`GET /api/v1/activity`: `{data: [{date, model, model_permaslug, endpoint_id,
provider_name, usage, byok_usage_inference, requests, prompt_tokens, completion_tokens,
reasoning_tokens}]}`; the TypeScript and Go SDKs write the same fields camelCased:
`modelPermaslug`, `promptTokens`, ...) or as the dashboard's activity CSV (`Date, Slug,
Usage, BYOK Usage, Requests, Prompt Tokens, Completion Tokens, Reasoning Tokens`).

A row is one UTC day of one model (and, in the API, one endpoint: the upstream provider
that served it) with the credits OpenRouter charged. It lands in `raw.request_logs` as a
bucket: `bucket_end_at` the next midnight, `request_count` its requests (request_logs.py
BUCKET_COLUMNS). OpenRouter sells these calls at its own prices, so the provider is
`openrouter`, as for its generations; OpenRouter's generations of the same day and model
net against these buckets (the remainder is what the generations do not cover), and an
API export and a CSV of the same day are one export shape each: one is kept
(int_usage_deduplicated).

- Tokens: `prompt_tokens` is every input token, cached or not (the activity export has
  no cache count), so cache reads are priced as input: list cost exceeds the credits
  charged where caching happened. `reasoning_tokens` is inside `completion_tokens`.
- `usage` (credits charged, USD) is kept as `gateway_cost_usd`, never used to price.
  `byok_usage_inference` is what calls on the team's own provider keys (BYOK) cost at
  that provider; not read: OpenRouter's tokens do not say which calls were BYOK, so they
  are all priced at OpenRouter's price (docs/formats.md).
- Model: `model_permaslug` (`openai/gpt-4.1-2025-04-14`, dated), else the slug; the CSV
  has the slug only.
- Key: day, model and endpoint (the CSV: day and slug): a re-export replaces the day.
"""

from __future__ import annotations

from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import (
    FileContext,
    StagingError,
    json_text,
    new_table_name,
    sql_str,
    text,
)
from orchestration.ingest.tables import request_logs

ACTIVITY = "openrouter_activity"
# staged column -> the API's field names (snake_case, then the SDKs' camelCase)
API_FIELDS = {
    "day": ("date",),
    "model": ("model_permaslug", "modelPermaslug", "model"),
    "endpoint": ("endpoint_id", "endpointId"),
    "upstream_provider": ("provider_name", "providerName"),
    "gateway_cost": ("usage",),
    "request_count": ("requests",),
    "input_total": ("prompt_tokens", "promptTokens"),
    "output_base": ("completion_tokens", "completionTokens"),
    "reasoning": ("reasoning_tokens", "reasoningTokens"),
}
# the dashboard CSV's columns -> staged column
CSV_COLUMNS = {
    "day": "Date",
    "model": "Slug",
    "gateway_cost": "Usage",
    "request_count": "Requests",
    "input_total": "Prompt Tokens",
    "output_base": "Completion Tokens",
    "reasoning": "Reasoning Tokens",
}
CSV_REQUIRED = ("Date", "Slug", "Requests", "Prompt Tokens", "Completion Tokens")
SIGNATURE = ("date", "model_permaslug", "requests", "prompt_tokens", "completion_tokens", "usage")
FIELD_NAMES = {
    "request_time": "date",
    "bucket_end_time": "date",
    "request_count": "requests",
    "model": "model_permaslug",
    "provider": "provider",
    "cache_hit": "cache_hit",
    "input_total": "prompt_tokens",
    "output_base": "completion_tokens",
    "reasoning": "reasoning_tokens",
}


def _rows_select(source: str) -> str:
    """The staged columns from `source` (day, model, endpoint, ... as text)."""
    day = "try_cast(day as date)"
    return f"""
        select
            row_number() over (order by source_line) as source_record,
            location,
            false as time_from_file,
            -- the day's start, written out (`2026-11-02` alone ends like a `-02` offset)
            coalesce(strftime({day}, '%Y-%m-%d %H:%M:%S'), day) as request_time,
            strftime({day} + interval 1 day, '%Y-%m-%d %H:%M:%S') as bucket_end_time,
            request_count,
            'day:' || day || ':' || model || coalesce(':' || endpoint, '') as record_key,
            cast(null as varchar) as request_id,
            'openrouter' as channel,
            'openrouter' as provider,
            model,
            cast(null as varchar) as service_tier,
            cast(null as varchar) as api_key,
            cast(null as varchar) as workspace,
            cast(null as varchar) as feature,
            cast(null as varchar) as request_tags,
            cast(null as varchar) as request_metadata,
            upstream_provider,
            cast(null as varchar) as status,
            cast(null as varchar) as cache_hit,
            'inside' as cache_convention,
            input_total,
            cast(null as varchar) as cache_read,
            cast(null as varchar) as cache_write_5m,
            cast(null as varchar) as cache_write_1h,
            cast(null as varchar) as extra_input,
            output_base,
            cast(null as varchar) as output_extra,
            reasoning,
            -- the dashboard may write money as `$0.015`
            nullif(regexp_replace(gateway_cost, '[$,]', '', 'g'), '') as gateway_cost
        from {source}
    """


def stage_pages(con, context: FileContext) -> str:
    table = new_table_name(ACTIVITY)
    fields = ",\n                ".join(
        f"coalesce({', '.join(json_text('item.value', '$.' + n) for n in names)}) as {column}"
        for column, names in API_FIELDS.items()
    )
    con.execute(
        f"""
        create temp table {table}_rows as
        with pages as (
            select row_number() over () as page_number, json as page
            from read_json_objects({sql_str(context.path)}, format = 'auto')
        ),
        source as (
            select
                page_number * 1000000 + cast(item.key as integer) as source_line,
                'page ' || page_number || ', data[' || item.key || ']' as location,
                {fields}
            from pages, json_each(pages.page, '$.data') as item
        )
        {_rows_select("source")}
        """
    )
    request_logs.add_parsed_columns(con, table)
    return table


def stage_csv(con, context: FileContext) -> str:
    table = new_table_name(ACTIVITY)
    header = request_logs.csv_header(con, context)
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        raise StagingError(f"missing required column(s): {', '.join(missing)}")
    read = [name for name in header if name in CSV_COLUMNS.values()]
    con.execute(
        f"create temp table {table}_lines as select "
        + ", ".join(f'"{name}"' for name in read)
        + f" from {request_logs.csv_reader(context)}"
    )
    fields = ",\n                ".join(
        f"{text(chr(34) + name + chr(34)) if name in header else 'cast(null as varchar)'}"
        f" as {column}"
        for column, name in CSV_COLUMNS.items()
    )
    con.execute(
        f"""
        create temp table {table}_rows as
        with source as (
            select
                rowid + 1 as source_line,
                'row ' || (rowid + 1) || ' (line ' || (rowid + 2) || ')' as location,
                {fields},
                cast(null as varchar) as endpoint,
                cast(null as varchar) as upstream_provider
            from {table}_lines
        )
        {_rows_select("source")}
        """
    )
    request_logs.add_parsed_columns(con, table)
    return table


def stage(con, context: FileContext, encoding: str) -> str:
    return stage_csv(con, context) if encoding == "csv" else stage_pages(con, context)


def detect_openrouter_activity(sniff: FileSniff) -> Match | None:
    columns = set(sniff.columns)
    if sniff.encoding == "csv" and {"Date", "Slug"} <= columns:
        complete = set(CSV_REQUIRED) <= columns
        return Match(DetectedFormat(ACTIVITY, "csv"), complete=complete)
    if sniff.encoding == "json" and columns == {"data"}:  # `{"data": []}`: no activity
        return Match(DetectedFormat(ACTIVITY, "json"), complete=False)
    if sniff.encoding != "json" or "date" not in columns or "meta" in columns:
        return None
    complete = "requests" in columns and bool(
        {"model_permaslug", "modelPermaslug", "model"} & columns
    )
    return Match(DetectedFormat(ACTIVITY, "json"), complete=complete)


FORMATS = (
    ExportFormat(
        family=ACTIVITY,
        description=(
            "OpenRouter activity (GET /api/v1/activity pages: data[] with date, model_permaslug, "
            "requests, prompt_tokens, usage, ...; or the dashboard CSV: Date, Slug, Usage, "
            "Requests, Prompt Tokens, ...), daily per model"
        ),
        table=request_logs.TABLE,
        detect=detect_openrouter_activity,
        stage=stage,
        signature=Signature(SIGNATURE, ("json", "csv")),
        checks=request_logs.request_checks(FIELD_NAMES, ("input_total", "output_base")),
    ),
)
