"""Anthropic request-level logs: Messages API responses and Message Batches results (JSONL).

A response carries no time of its own: the record takes the day of a `date=YYYY-MM-DD`
folder above the file, else `run --undated-day`, flagged `is_time_from_file`; with
neither the file is refused (never its modification time: docs/formats.md). Only `id`,
`model` and `usage` are read: `content` (the completion text) is never selected.
`usage.input_tokens` already excludes cache reads and writes (Anthropic counts them
beside input). Without the `cache_creation` breakdown, `cache_creation_input_tokens` are
5-minute writes (docs/formats.md).

Batch results: one line per request, `{custom_id, result: {type, message?}}`; only
`succeeded` lines carry usage (the others are skipped), on the batch tier. The key is the
message id: `custom_id` repeats across batches.
"""

from __future__ import annotations

from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import (
    FileContext,
    json_text,
    new_table_name,
    read_json_lines,
    sql_str,
)
from orchestration.ingest.tables import anthropic_usage

MESSAGES = "anthropic_messages"
BATCH_RESULTS = "anthropic_batch_results"
MESSAGE_KEYS = frozenset({"id", "model", "usage", "stop_reason"})
BATCH_KEYS = frozenset({"custom_id", "result"})


def _message_rows(table: str, message: str, where: str, default_tier: str | None) -> str:
    """One staged usage row per line whose message (JSON path `message`) passes `where`."""
    m = f"json_extract(line, {sql_str(message)})"
    usage = f"json_extract({m}, '$.usage')"
    has_breakdown = f"coalesce(json_type({usage}, '$.cache_creation') not in ('NULL'), false)"
    tier = json_text(usage, "$.service_tier")
    if default_tier is not None:
        tier = f"coalesce({tier}, {sql_str(default_tier)})"
    return f"""
        select
            row_number() over (order by source_line) as source_record,
            'line ' || source_line as location,
            true as time_from_file,
            'request' as record_kind,
            {{undated}} as bucket_start,
            cast(null as varchar) as bucket_end,
            {json_text(m, "$.id")} as request_id,
            {json_text("line", "$.custom_id")} as custom_id,
            {json_text(m, "$.model")} as model,
            {tier} as service_tier,
            cast(null as varchar) as context_window,
            cast(null as varchar) as api_key_id,
            cast(null as varchar) as api_key_name,
            cast(null as varchar) as workspace_id,
            cast(null as varchar) as workspace_name,
            coalesce({json_text(usage, "$.inference_geo")}, {json_text(m, "$.inference_geo")})
                as inference_geo,
            cast(null as varchar) as speed,
            {json_text(usage, "$.input_tokens")} as input_tokens,
            case when {has_breakdown}
                then {json_text(usage, "$.cache_creation.ephemeral_5m_input_tokens")}
                else {json_text(usage, "$.cache_creation_input_tokens")}
            end as cache_write_5m_tokens,
            case when {has_breakdown}
                then {json_text(usage, "$.cache_creation.ephemeral_1h_input_tokens")}
            end as cache_write_1h_tokens,
            {json_text(usage, "$.cache_read_input_tokens")} as cache_read_tokens,
            {json_text(usage, "$.output_tokens")} as output_tokens,
            {json_text(usage, "$.server_tool_use.web_search_requests")} as web_search_requests
        from {table}_lines
        where {where}
    """


def stage_messages(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(MESSAGES)
    read_json_lines(con, context, table)
    rows = _message_rows(table, "$", "true", None).replace("{undated}", context.undated_time_sql)
    con.execute(f"create temp table {table}_rows as {rows}")
    anthropic_usage.add_parsed_columns(con, table)
    return table


def stage_batch_results(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(BATCH_RESULTS)
    read_json_lines(con, context, table)
    # errored, canceled and expired requests are not billed and carry no usage
    succeeded = "json_extract_string(line, '$.result.type') = 'succeeded'"
    rows = _message_rows(table, "$.result.message", succeeded, "batch").replace(
        "{undated}", context.undated_time_sql
    )
    con.execute(f"create temp table {table}_rows as {rows}")
    anthropic_usage.add_parsed_columns(con, table)
    return table


def detect_anthropic_messages(sniff: FileSniff) -> Match | None:
    if sniff.encoding != "jsonl":
        return None
    keys = set(sniff.columns)
    if BATCH_KEYS <= keys and "response" not in keys:  # OpenAI batch output has `response`
        return Match(DetectedFormat(BATCH_RESULTS, "jsonl"), complete=True)
    if MESSAGE_KEYS <= keys and "choices" not in keys:  # OpenAI chat completions
        return Match(DetectedFormat(MESSAGES, "jsonl"), complete=True)
    return None


FORMATS = (
    ExportFormat(
        family=MESSAGES,
        description="Anthropic Messages API responses (JSONL, one message per line)",
        table=anthropic_usage.TABLE,
        detect=detect_anthropic_messages,
        stage=stage_messages,
        signature=Signature(tuple(sorted(MESSAGE_KEYS)), ("jsonl",)),
    ),
    ExportFormat(
        family=BATCH_RESULTS,
        description="Anthropic Message Batches results (JSONL)",
        table=anthropic_usage.TABLE,
        detect=detect_anthropic_messages,
        stage=stage_batch_results,
        signature=Signature(tuple(sorted(BATCH_KEYS)), ("jsonl",)),
    ),
)
