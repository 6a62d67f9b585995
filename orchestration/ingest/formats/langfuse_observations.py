"""Langfuse observations: the pages `GET /api/public/observations` returns,
`{data: [observation, ...], meta: {page, limit, totalItems, totalPages}}` (the v2
endpoint's cursor pages, `meta: {cursor}`, carry the same observation keys), saved one
page per file, as a JSON array of pages, or one page per line.

An observation is a GENERATION, SPAN, EVENT (or, newer, AGENT, TOOL, EMBEDDING, ...).
Usage records are the observations that carry token usage: `usageDetails` (an object of
counts by usage type), else the older `usage` `{input, output, total, unit}`. A SPAN or
EVENT without usage is not a call and is skipped; a GENERATION without usage (Langfuse
neither received nor could infer counts) rejects the file, naming it, unless its `level`
is ERROR (a failed call): never a silent $0.

- Tokens: Langfuse's usage types are disjoint, and `total` is their sum: `input` is the
  uncached input (its SDKs and ingestion subtract `prompt_tokens_details` such as
  `cached_tokens` from it and keep them as `input_cached_tokens`), cache reads
  (`input_cached_tokens`, `input_cache_read`, `cache_read_input_tokens`) and writes
  (`cache_creation_input_tokens`, `input_cache_creation`, `input_cache_write`; the 5m/1h
  split as `cache_creation_ephemeral_5m_input_tokens` / `..._1h_...`) are beside it;
  `output` excludes reasoning (`output_reasoning_tokens`, `output_reasoning`), which is
  added back to the output. The older `usage` in another unit than TOKENS (CHARACTERS,
  IMAGES, SECONDS, ...) rejects the file: it cannot be priced per token.
- Seller and model: Langfuse records the model name only (`model`); the seller is read
  from it (request_logs.provider_from_model), so records net against that provider's
  buckets. A dated model id is kept as written.
- `costDetails.total` (else `calculatedTotalCost`, `totalCost`: Langfuse's own price of
  the call from its model table) is kept as `gateway_cost_usd`, never used to price.
- Key: the observation `id` (a page fetched twice is one record). The observation's
  `name`, `environment` and `promptName` are kept as JSON labels (`request_metadata`)
  the attribution rules can match.
- `input`, `output` and `metadata` carry prompt and completion text: never selected. The
  pages are read inside the one query that extracts the fields; no table holds them.
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
)
from orchestration.ingest.tables import request_logs

OBSERVATIONS = "langfuse_observations"
# What an observation carries, whatever its type (the signature for near misses too).
OBSERVATION_KEYS = ("id", "traceId", "type", "startTime")
SIGNATURE = ("data", "meta", *OBSERVATION_KEYS, "model", "usageDetails")
# staged column -> usage types, the first present wins
USAGE_TYPES = {
    "input": ("input",),
    "output": ("output",),
    "cache_read": ("input_cached_tokens", "input_cache_read", "cache_read_input_tokens"),
    "cache_write": ("cache_creation_input_tokens", "input_cache_creation", "input_cache_write"),
    "cache_write_5m": ("cache_creation_ephemeral_5m_input_tokens",),
    "cache_write_1h": ("cache_creation_ephemeral_1h_input_tokens",),
    "reasoning": ("output_reasoning_tokens", "output_reasoning"),
}
FIELD_NAMES = {
    "request_time": "startTime",
    "model": "model",
    "provider": "model (the seller it names)",
    "cache_hit": "cache_hit",
    "input_total": "usageDetails.input",
    "cache_read": "usageDetails.input_cached_tokens",
    "cache_write_5m": "usageDetails.cache_creation_input_tokens",
    "cache_write_1h": "usageDetails.cache_creation_ephemeral_1h_input_tokens",
    "output_base": "usageDetails.output",
    "output_extra": "usageDetails.output_reasoning_tokens",
    "reasoning": "usageDetails.output_reasoning_tokens",
}


def _usage(column: str, details: str = "details") -> str:
    return f"coalesce({', '.join(json_text(details, '$.' + k) for k in USAGE_TYPES[column])})"


def stage(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(OBSERVATIONS)
    cost = ", ".join(
        json_text("obs", path)
        for path in ("$.costDetails.total", "$.calculatedTotalCost", "$.totalCost")
    )
    labels = ", ".join(
        f"{sql_str(name)}, {json_text('obs', '$.' + name)}"
        for name in ("name", "environment", "promptName")
    )
    con.execute(
        f"""
        create temp table {table}_items as
        with pages as (
            select row_number() over () as page_number, json as page
            from read_json_objects({sql_str(context.path)}, format = 'auto')
        ),
        items as (
            select page_number, cast(item.key as integer) as item_index, item.value as obs
            from pages, json_each(pages.page, '$.data') as item
        )
        select
            page_number,
            item_index,
            {json_text("obs", "$.id")} as id,
            upper({json_text("obs", "$.type")}) as type,
            upper({json_text("obs", "$.level")}) as level,
            {json_text("obs", "$.startTime")} as start_time,
            {json_text("obs", "$.model")} as model,
            case when json_type(obs, '$.usageDetails') = 'OBJECT'
                and json_extract(obs, '$.usageDetails') <> '{{}}'
                then json_extract(obs, '$.usageDetails') end as details,
            case when json_type(obs, '$.usage') = 'OBJECT'
                then json_extract(obs, '$.usage') end as usage,
            coalesce({cost}) as cost,
            json_object({labels}) as labels
        from items
        """
    )
    where = (
        "'page ' || page_number || ', data[' || item_index || '] (observation '"
        " || coalesce(id, '?') || ')'"
    )
    old_input = f"coalesce({json_text('usage', '$.input')}, {json_text('usage', '$.promptTokens')})"
    old_output = (
        f"coalesce({json_text('usage', '$.output')}, {json_text('usage', '$.completionTokens')})"
    )
    con.execute(
        f"""
        create temp table {table}_usage as
        select
            *,
            {where} as location,
            case when details is not null then {_usage("input")} else {old_input} end
                as input_total,
            case when details is not null then {_usage("output")} else {old_output} end
                as output_base,
            coalesce({json_text("details", "$.total")}, {json_text("usage", "$.total")}) as total,
            case when details is null then upper({json_text("usage", "$.unit")}) end as unit
        from {table}_items
        """
    )
    _raise_on_unusable(con, table)
    breakdown = (
        f"({_usage('cache_write_5m')} is not null or {_usage('cache_write_1h')} is not null)"
    )
    con.execute(
        f"""
        create temp table {table}_rows as
        select
            row_number() over (order by page_number, item_index) as source_record,
            location,
            false as time_from_file,
            start_time as request_time,
            id as record_key,
            cast(null as varchar) as request_id,
            'langfuse' as channel,
            {request_logs.provider_from_model("model")} as provider,
            {request_logs.model_without_prefix("model")} as model,
            cast(null as varchar) as service_tier,
            cast(null as varchar) as api_key,
            cast(null as varchar) as workspace,
            cast(null as varchar) as feature,
            cast(null as varchar) as request_tags,
            -- a merge patch drops the labels the observation does not carry (nulls)
            nullif(cast(json_merge_patch('{{}}', labels) as varchar), '{{}}')
                as request_metadata,
            cast(null as varchar) as upstream_provider,
            level as status,
            cast(null as varchar) as cache_hit,
            'beside' as cache_convention,
            input_total,
            {_usage("cache_read")} as cache_read,
            case when {breakdown} then {_usage("cache_write_5m")} else {_usage("cache_write")}
                end as cache_write_5m,
            case when {breakdown} then {_usage("cache_write_1h")} end as cache_write_1h,
            cast(null as varchar) as extra_input,
            output_base,
            {_usage("reasoning")} as output_extra,
            {_usage("reasoning")} as reasoning,
            cost as gateway_cost
        from {table}_usage
        -- a span or event with zero counts (older pages give every observation a usage
        -- of zeros) is not a call
        where (input_total is not null or output_base is not null)
            and (type in ('GENERATION', 'EMBEDDING') or greatest(
                coalesce(try_cast(input_total as double), 0),
                coalesce(try_cast(output_base as double), 0)) > 0)
        """
    )
    request_logs.add_parsed_columns(con, table)
    return table


def _raise_on_unusable(con, table: str) -> None:
    """A record whose usage cannot be priced per token rejects the file, named."""
    problems = {
        "unit is not null and unit <> 'TOKENS'": (
            "usage is in {unit}, not TOKENS: it cannot be priced per token"
        ),
        "input_total is null and output_base is null and total is not null": (
            "usage has only a total ({total}): input and output cannot be told apart"
        ),
        "input_total is null and output_base is null and total is null "
        "and type = 'GENERATION' and level is distinct from 'ERROR'": (
            "a GENERATION without usage (no usageDetails or usage): Langfuse neither "
            "received nor inferred its token counts, so it cannot be priced; send usage "
            "with the generation or leave the call out of the export"
        ),
    }
    for condition, problem in problems.items():
        row = con.execute(
            f"select location, unit, total, count(*) over () from {table}_usage "
            f"where {condition} order by page_number, item_index limit 1"
        ).fetchone()
        if row is not None:
            location, unit, total, count = row
            more = f" ({count} such records in the file)" if count > 1 else ""
            raise StagingError(f"{location}: {problem.format(unit=unit, total=total)}{more}")


def detect_langfuse(sniff: FileSniff) -> Match | None:
    if sniff.encoding != "json" or "meta" not in sniff.columns:
        return None
    columns = set(sniff.columns)
    if columns <= {"data", "meta"}:  # empty pages: the `meta` envelope is Langfuse's
        return Match(DetectedFormat(OBSERVATIONS, "json"), complete=True)
    if "traceId" not in columns:
        return None
    complete = set(OBSERVATION_KEYS) <= columns
    return Match(DetectedFormat(OBSERVATIONS, "json"), complete=complete)


FORMATS = (
    ExportFormat(
        family=OBSERVATIONS,
        description=(
            "Langfuse observations (GET /api/public/observations pages: data[] with id, traceId, "
            "type, startTime, model, usageDetails or usage; meta)"
        ),
        table=request_logs.TABLE,
        detect=detect_langfuse,
        stage=stage,
        signature=Signature(SIGNATURE, ("json",)),
        checks=request_logs.request_checks(FIELD_NAMES, ()),
    ),
)
