"""LiteLLM proxy spend logs (`LiteLLM_SpendLogs`): JSONL or CSV (a table export), or the
JSON array of rows the proxy's `GET /spend/logs` endpoint returns.

One row per request the proxy handled. The seller is the provider LiteLLM called
(`custom_llm_provider`, mapped to a provider id in staging): the proxy is not a seller, so
these records net against that provider's buckets like its own request logs do.

- Tokens: `prompt_tokens` includes cache reads and writes (LiteLLM reports usage the
  OpenAI way); the real cache counts are in `metadata.usage_object`
  (`prompt_tokens_details.cached_tokens` / `cache_read_input_tokens`,
  `cache_creation_input_tokens` with its 5m/1h breakdown; without one, 5-minute writes).
  Reasoning is inside `completion_tokens`.
- `spend` is kept as `gateway_cost_usd` only: LiteLLM's pricing has known bugs, the cost
  is recomputed from tokens.
- `cache_hit` is LiteLLM's own response cache, not prompt caching: such a request made no
  provider call. It is loaded (flagged `is_gateway_cache_hit`) and left out of usage by
  the staging model: it cost nothing at the provider.
- Attribution: the key alias (else the key's sha256 hash LiteLLM stores), the team alias
  (else team id) as the workspace, `metadata.spend_logs_metadata.feature` as the declared
  feature; `request_tags` and `metadata.spend_logs_metadata` kept as JSON text, the
  tags and metadata the attribution rules match (`tag`, `metadata`).
- `messages`, `response` and `proxy_server_request` carry prompt and completion text:
  never selected, not even into a staging table.

`metadata` and `request_tags` are JSON objects in JSONL and JSON text in CSV (or JSON
text inside JSONL, from some exports): both are read.
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

SPEND_LOGS = "litellm_spend_logs"
REQUIRED = ("request_id", "startTime", "model", "prompt_tokens", "completion_tokens")
READ_COLUMNS = frozenset({
    *REQUIRED, "custom_llm_provider", "api_key", "team_id", "status", "cache_hit", "spend",
    "metadata", "request_tags",
})  # fmt: skip
MARKERS = frozenset({"request_id", "call_type", "spend", "startTime", "custom_llm_provider"})
FIELD_NAMES = {
    "request_time": "startTime",
    "model": "model",
    "provider": "custom_llm_provider",
    "cache_hit": "cache_hit",
    "input_total": "prompt_tokens",
    "cache_read": "metadata.usage_object cached tokens",
    "cache_write_5m": "metadata.usage_object cache_creation_input_tokens",
    "cache_write_1h": "metadata.usage_object 1h cache writes",
    "output_base": "completion_tokens",
    "reasoning": "metadata.usage_object reasoning_tokens",
}


def _as_json(expression: str) -> str:
    """A JSON value that may itself be JSON text (a string holding an object)."""
    return (
        f"case when json_type({expression}) = 'VARCHAR' "
        f"and json_valid(json_extract_string({expression}, '$')) "
        f"then json(json_extract_string({expression}, '$')) else {expression} end"
    )


def _rows_select(source: str) -> str:
    """The staged columns from `source`: text top-level fields, JSON `metadata`/`tags`."""
    usage = "json_extract(metadata, '$.usage_object')"
    details = f"json_extract({usage}, '$.prompt_tokens_details')"
    breakdown = (
        f"coalesce(json_extract({details}, '$.cache_creation_token_details'), "
        f"json_extract({usage}, '$.cache_creation'))"
    )
    has_breakdown = f"coalesce(json_type({breakdown}) = 'OBJECT', false)"
    writes = (
        f"coalesce({json_text(usage, '$.cache_creation_input_tokens')}, "
        f"{json_text(details, '$.cache_creation_tokens')})"
    )
    return f"""
        select
            row_number() over (order by source_line) as source_record,
            location,
            source_line,
            bad_line,
            false as time_from_file,
            start_time as request_time,
            request_id as record_key,
            request_id,
            'litellm' as channel,
            provider,
            -- `gemini/gemini-2.5-flash`: the provider prefix is not part of the model id
            case when starts_with(lower(model), lower(provider) || '/')
                then substr(model, length(provider) + 2) else model end as model,
            cast(null as varchar) as service_tier,
            coalesce({json_text("metadata", "$.user_api_key_alias")}, api_key) as api_key,
            coalesce({json_text("metadata", "$.user_api_key_team_alias")}, team_id)
                as workspace,
            {json_text("metadata", "$.spend_logs_metadata.feature")} as feature,
            case when json_type(request_tags) = 'ARRAY' and json_array_length(request_tags) > 0
                then cast(request_tags as varchar) end as request_tags,
            -- the caller's own labels (`metadata.spend_logs_metadata`), for attribution rules
            case when json_type(metadata, '$.spend_logs_metadata') = 'OBJECT'
                then cast(json_extract(metadata, '$.spend_logs_metadata') as varchar)
            end as request_metadata,
            cast(null as varchar) as upstream_provider,
            status,
            cache_hit,
            'inside' as cache_convention,
            prompt_tokens as input_total,
            coalesce({json_text(details, "$.cached_tokens")},
                     {json_text(usage, "$.cache_read_input_tokens")}) as cache_read,
            case when {has_breakdown}
                then {json_text(breakdown, "$.ephemeral_5m_input_tokens")} else {writes}
            end as cache_write_5m,
            case when {has_breakdown}
                then {json_text(breakdown, "$.ephemeral_1h_input_tokens")} end as cache_write_1h,
            cast(null as varchar) as extra_input,
            completion_tokens as output_base,
            cast(null as varchar) as output_extra,
            {json_text(usage, "$.completion_tokens_details.reasoning_tokens")} as reasoning,
            spend as gateway_cost
        from {source}
    """


def json_array_records(context: FileContext) -> str:
    """SQL of `(source_line, doc)` for a JSON array of rows (`/spend/logs`): `source_line`
    numbers the rows from 1. The array exists only inside the query (it holds `messages`
    and `response`)."""
    return f"""
        with source as (
            select cast(json(ltrim(content, chr(65279))) as json[]) as items
            from read_text({sql_str(context.path)})
        )
        select source_line, case when json_type(doc) = 'OBJECT' then doc end as doc
        from (
            select unnest(items) as doc, generate_subscripts(items, 1) as source_line
            from source
        )
    """


def stage_jsonl(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(SPEND_LOGS)
    array = encoding == "json_array"
    records = json_array_records(context) if array else request_logs.jsonl_records(context)
    where = "'record ' || source_line || ' of the array'" if array else "'line ' || source_line"
    fields = ", ".join(
        f"{json_text('doc', '$.' + name)} as {alias}"
        for name, alias in (
            ("request_id", "request_id"),
            ("startTime", "start_time"),
            ("model", "model"),
            ("custom_llm_provider", "provider"),
            ("api_key", "api_key"),
            ("team_id", "team_id"),
            ("status", "status"),
            ("cache_hit", "cache_hit"),
            ("prompt_tokens", "prompt_tokens"),
            ("completion_tokens", "completion_tokens"),
            ("spend", "spend"),
        )
    )
    con.execute(
        f"""
        create temp table {table}_rows as
        with records as ({records}),
        source as (
            select
                source_line,
                {where} as location,
                doc is null as bad_line,
                {fields},
                {_as_json("json_extract(doc, '$.metadata')")} as metadata,
                {_as_json("json_extract(doc, '$.request_tags')")} as request_tags
            from records
        )
        {_rows_select("source")}
        """
    )
    request_logs.raise_on_bad_lines(con, table)
    request_logs.add_parsed_columns(con, table)
    return table


def stage_csv(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(SPEND_LOGS)
    header = request_logs.csv_header(con, context)
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise StagingError(f"missing required column(s): {', '.join(missing)}")

    def column(name: str) -> str:
        return text(f'"{name}"') if name in header else "cast(null as varchar)"

    def json_column(name: str) -> str:
        value = column(name)
        return f"case when json_valid({value}) then json({value}) end"

    # only the columns named here are read (never `messages` or `response`), in file order
    read = [name for name in header if name in READ_COLUMNS]
    con.execute(
        f"create temp table {table}_lines as select "
        + ", ".join(f'"{name}"' for name in read)
        + f" from {request_logs.csv_reader(context)}"
    )
    con.execute(
        f"""
        create temp table {table}_rows as
        with lines as (
            select
                rowid + 1 as source_line,
                'row ' || (rowid + 1) || ' (line ' || (rowid + 2) || ')' as location,
                false as bad_line,
                {column("request_id")} as request_id,
                {column("startTime")} as start_time,
                {column("model")} as model,
                {column("custom_llm_provider")} as provider,
                {column("api_key")} as api_key,
                {column("team_id")} as team_id,
                {column("status")} as status,
                {column("cache_hit")} as cache_hit,
                {column("prompt_tokens")} as prompt_tokens,
                {column("completion_tokens")} as completion_tokens,
                {column("spend")} as spend,
                {json_column("metadata")} as metadata,
                {json_column("request_tags")} as request_tags
            from {table}_lines
        )
        {_rows_select("lines")}
        """
    )
    request_logs.add_parsed_columns(con, table)
    return table


def detect_litellm(sniff: FileSniff) -> Match | None:
    if sniff.encoding not in ("jsonl", "csv", "json_array"):
        return None
    present = MARKERS & set(sniff.columns)
    if len(present) == len(MARKERS):
        return Match(DetectedFormat(SPEND_LOGS, sniff.encoding), complete=True)
    if len(present) >= 3:
        return Match(DetectedFormat(SPEND_LOGS, sniff.encoding), complete=False)
    return None


def stage(con, context: FileContext, encoding: str) -> str:
    return (stage_csv if encoding == "csv" else stage_jsonl)(con, context, encoding)


FORMATS = (
    ExportFormat(
        family=SPEND_LOGS,
        description=(
            "LiteLLM spend logs (LiteLLM_SpendLogs as JSONL, CSV or the /spend/logs JSON array: "
            "request_id, startTime, model, custom_llm_provider, prompt_tokens, "
            "metadata.usage_object, ...)"
        ),
        table=request_logs.TABLE,
        detect=detect_litellm,
        stage=stage,
        signature=Signature(REQUIRED, ("jsonl", "csv", "json_array")),
        checks=request_logs.request_checks(FIELD_NAMES, ("input_total", "output_base")),
    ),
)
