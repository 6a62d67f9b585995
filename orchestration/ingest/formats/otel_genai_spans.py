"""OpenTelemetry GenAI spans in OTLP/JSON (`resourceSpans[].scopeSpans[].spans[]`, one
export request per line, as the OTel collector's file exporter writes them).

Attributes are `{key, value: {stringValue | intValue | doubleValue | boolValue}}` lists;
int64 values are strings; times are Unix-nanosecond strings. Only spans that carry GenAI
usage (`gen_ai.usage.input_tokens`/`output_tokens`, or the older `prompt_tokens`/
`completion_tokens`) are usage records; other spans (HTTP, database, ...) are skipped.

- Provider: `gen_ai.provider.name`, else the older `gen_ai.system` (mapped to a provider
  id in staging: `gcp.gen_ai` -> google, `aws.bedrock` -> aws, ...). The span records a
  call to that provider, so it nets against the provider's buckets.
- Model: `gen_ai.response.model`, else `gen_ai.request.model`.
- Cache: the semantic conventions put cache tokens inside `gen_ai.usage.input_tokens`;
  many Anthropic instrumentations put them beside it. `cache_convention = 'auto'`: inside
  when the input holds them, beside when it is smaller than they are (request_logs.py).
  Reasoning (`gen_ai.usage.reasoning.output_tokens`) is inside the output.
- Tier: `openai.response.service_tier` (or the older `gen_ai.openai.response.service_tier`).
- Workspace: the resource's `service.name` (the application that made the call).
- Key: trace id + span id (a span exported twice is one record); `gen_ai.response.id` is
  kept as the request id. Span names, events and prompt/completion attributes
  (`gen_ai.input.messages`, ...) are never read.
"""

from __future__ import annotations

from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import (
    FileContext,
    StagingError,
    new_table_name,
    sql_str,
    text,
)
from orchestration.ingest.tables import request_logs

SPANS = "otel_genai_spans"
USAGE_KEYS = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.prompt_tokens",
    "gen_ai.usage.completion_tokens",
)
# staged column -> the attribute keys that fill it, first present wins
ATTRIBUTES = {
    "provider": ("gen_ai.provider.name", "gen_ai.system"),
    "model": ("gen_ai.response.model", "gen_ai.request.model"),
    "request_id": ("gen_ai.response.id",),
    "service_tier": ("openai.response.service_tier", "gen_ai.openai.response.service_tier"),
    "input_total": ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
    "cache_read": (
        "gen_ai.usage.cache_read.input_tokens",
        "gen_ai.usage.cache_read_input_tokens",
    ),
    "cache_write_5m": (
        "gen_ai.usage.cache_creation.input_tokens",
        "gen_ai.usage.cache_creation_input_tokens",
    ),
    "output_base": ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"),
    "reasoning": ("gen_ai.usage.reasoning.output_tokens",),
}
FIELD_NAMES = {
    "request_time": "startTimeUnixNano",
    "model": "gen_ai.response.model / gen_ai.request.model",
    "provider": "gen_ai.provider.name / gen_ai.system",
    "cache_hit": "cache_hit",
    "input_total": "gen_ai.usage.input_tokens",
    "cache_read": "gen_ai.usage.cache_read.input_tokens",
    "cache_write_5m": "gen_ai.usage.cache_creation.input_tokens",
    "output_base": "gen_ai.usage.output_tokens",
    "reasoning": "gen_ai.usage.reasoning.output_tokens",
}
ATTRIBUTE_VALUE = (
    "coalesce(json_extract_string(attribute, '$.value.stringValue'), "
    "json_extract_string(attribute, '$.value.intValue'), "
    "json_extract_string(attribute, '$.value.doubleValue'), "
    "json_extract_string(attribute, '$.value.boolValue'))"
)


def _unnested(source: str, keep: str, member: str, name: str) -> str:
    """One row per element of the JSON array `member` of `source`, with its 1-based index."""
    return f"""
        select {keep}, unnest(items) as {name}, generate_subscripts(items, 1) as {name}_index
        from (
            select *, coalesce(cast(json_extract({source}, '{member}') as json[]), [])
                as items
            from {{from}}
        )
    """


def stage(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(SPANS)
    bad = con.execute(
        f"select min(source_line) from ({request_logs.jsonl_records(context)}) where doc is null"
    ).fetchone()
    if bad is not None and bad[0] is not None:
        raise StagingError(
            f"line {bad[0]}: not a JSON object (expected one OTLP/JSON export per line)"
        )
    resource_spans = _unnested("doc", "source_line", "$.resourceSpans", "rs").replace(
        "{from}", "records"
    )
    scope_spans = _unnested(
        "rs",
        "source_line, rs_index, json_extract(rs, '$.resource.attributes') as resource_attributes",
        "$.scopeSpans",
        "ss",
    ).replace("{from}", "resource_spans")
    spans = _unnested(
        "ss", "source_line, rs_index, ss_index, resource_attributes", "$.spans", "span"
    ).replace("{from}", "scope_spans")
    picked = ",\n            ".join(
        f"coalesce({', '.join(f'max(value) filter (where key = {sql_str(k)})' for k in keys)})"
        f" as {column}"
        for column, keys in ATTRIBUTES.items()
    )
    usage_keys = ", ".join(sql_str(k) for k in USAGE_KEYS)
    nanos = "json_extract_string(span, '$.startTimeUnixNano')"
    con.execute(
        f"""
        create temp table {table}_rows as
        with records as ({request_logs.jsonl_records(context)}),
        resource_spans as ({resource_spans}),
        scope_spans as ({scope_spans}),
        spans as ({spans}),
        attributes as (
            select
                source_line, rs_index, ss_index, span_index,
                json_extract_string(attribute, '$.key') as key,
                {ATTRIBUTE_VALUE} as value
            from (
                select *, unnest(coalesce(cast(json_extract(span, '$.attributes') as json[]),
                    [])) as attribute
                from spans
            )
        ),
        span_usage as (
            select
                source_line, rs_index, ss_index, span_index,
                {picked}
            from attributes
            group by source_line, rs_index, ss_index, span_index
            having count(*) filter (where key in ({usage_keys})) > 0
        ),
        service as (
            select source_line, rs_index, max({ATTRIBUTE_VALUE}) as service_name
            from (
                select source_line, rs_index,
                    unnest(coalesce(cast(resource_attributes as json[]), [])) as attribute
                from (select distinct source_line, rs_index, resource_attributes from spans)
            )
            where json_extract_string(attribute, '$.key') = 'service.name'
            group by source_line, rs_index
        )
        select
            row_number() over (
                order by spans.source_line, spans.rs_index, spans.ss_index, spans.span_index
            ) as source_record,
            'line ' || spans.source_line || ', resourceSpans[' || (spans.rs_index - 1)
                || '].scopeSpans[' || (spans.ss_index - 1) || '].spans['
                || (spans.span_index - 1) || ']' as location,
            false as time_from_file,
            case
                when regexp_matches({nanos}, '^[0-9]{{1,19}}$')
                    then strftime(make_timestamp(cast({nanos} as bigint) // 1000),
                        '%Y-%m-%d %H:%M:%S.%f')
                else {nanos}
            end as request_time,
            {text("json_extract_string(span, '$.traceId')")} || ':'
                || {text("json_extract_string(span, '$.spanId')")} as record_key,
            {text("span_usage.request_id")} as request_id,
            'otel' as channel,
            {text("span_usage.provider")} as provider,
            {text("span_usage.model")} as model,
            {text("span_usage.service_tier")} as service_tier,
            cast(null as varchar) as api_key,
            {text("service.service_name")} as workspace,
            cast(null as varchar) as feature,
            cast(null as varchar) as request_tags,
            cast(null as varchar) as request_metadata,
            cast(null as varchar) as upstream_provider,
            cast(null as varchar) as status,
            cast(null as varchar) as cache_hit,
            'auto' as cache_convention,
            {text("span_usage.input_total")} as input_total,
            {text("span_usage.cache_read")} as cache_read,
            {text("span_usage.cache_write_5m")} as cache_write_5m,
            cast(null as varchar) as cache_write_1h,
            cast(null as varchar) as extra_input,
            {text("span_usage.output_base")} as output_base,
            cast(null as varchar) as output_extra,
            {text("span_usage.reasoning")} as reasoning,
            cast(null as varchar) as gateway_cost
        from span_usage
        inner join spans
            on spans.source_line = span_usage.source_line
            and spans.rs_index = span_usage.rs_index
            and spans.ss_index = span_usage.ss_index
            and spans.span_index = span_usage.span_index
        left join service
            on service.source_line = spans.source_line and service.rs_index = spans.rs_index
        """
    )
    request_logs.add_parsed_columns(con, table)
    return table


def detect_otel(sniff: FileSniff) -> Match | None:
    if sniff.encoding == "jsonl" and "resourceSpans" in sniff.columns:
        return Match(DetectedFormat(SPANS, "jsonl"), complete=True)
    return None


FORMATS = (
    ExportFormat(
        family=SPANS,
        description=(
            "OpenTelemetry GenAI spans (OTLP/JSON lines with resourceSpans; gen_ai.usage.* "
            "attributes)"
        ),
        table=request_logs.TABLE,
        detect=detect_otel,
        stage=stage,
        signature=Signature(("resourceSpans",), ("jsonl",)),
        checks=request_logs.request_checks(FIELD_NAMES, ()),
    ),
)
