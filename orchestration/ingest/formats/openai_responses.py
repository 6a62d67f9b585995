"""OpenAI request-level logs: Chat Completions and Responses API responses (JSONL, one
response per line, both APIs may share a file) and Batch API output files.

Only `id`, `model`, `created`/`created_at`, `service_tier` and `usage` are read: the
messages and output text are never selected. Chat Completions counts `prompt_tokens`
with `prompt_tokens_details{cached_tokens, cache_write_tokens}` inside; the Responses API
the same as `input_tokens` / `input_tokens_details`; reasoning tokens are inside the
completion/output tokens. A missing `*_details` object means no cached tokens.
`service_tier` is the tier the request ran on (`default` = standard).

Batch output: `{id: batch_req_..., custom_id, response: {status_code, body}, error}`;
the body does not say it was batch, the file does: every line is on the batch tier. A
line with an `error` or a non-200 status carries no usage: it is kept as a
`failed_request` (status and error code, no tokens), counted, never priced. The key is
the body's response id, else the `batch_req_...` id, never the `custom_id`.

A response without `created` / `created_at` takes the day of a `date=YYYY-MM-DD` folder
above the file, else `run --undated-day` (flagged `is_time_from_file`); with neither the
file is refused. A failed batch line takes the time of the batch's first dated line.
"""

from __future__ import annotations

from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import (
    FileContext,
    integer,
    json_text,
    new_table_name,
    read_json_lines,
)
from orchestration.ingest.tables import openai_usage

RESPONSES = "openai_responses"
BATCH_OUTPUT = "openai_batch_output"
RESPONSE_KEYS = frozenset({"id", "model", "usage"})
RESPONSE_BODY_KEYS = frozenset({"choices", "output"})  # Chat Completions / Responses API
BATCH_KEYS = frozenset({"custom_id", "response"})


def _response_rows(table: str, undated_time: str, *, batch: bool) -> str:
    """One staged usage row per line; the response is the line itself, or a batch line's
    `response.body`."""
    body = "json_extract(line, '$.response.body')" if batch else "line"
    usage = f"json_extract({body}, '$.usage')"

    def either(chat_path: str, responses_path: str) -> str:
        return f"coalesce({json_text(usage, chat_path)}, {json_text(usage, responses_path)})"

    created = f"coalesce({json_text(body, '$.created')}, {json_text(body, '$.created_at')})"
    if batch:
        status = json_text("line", "$.response.status_code")
        succeeded = f"({status} = '200' and coalesce(json_type(line, '$.error'), 'NULL') = 'NULL')"
        kind = f"case when {succeeded} then 'request' else 'failed_request' end"
        error_code = (
            f"coalesce({json_text('line', '$.error.code')}, "
            f"{json_text(body, '$.error.code')}, {json_text(body, '$.error.type')})"
        )
        batch_request_id = json_text("line", "$.id")
        custom_id = json_text("line", "$.custom_id")
    else:
        status = error_code = batch_request_id = custom_id = "cast(null as varchar)"
        kind = "'request'"
    return f"""
        select
            row_number() over (order by source_line) as source_record,
            'line ' || source_line as location,
            {created} is null as time_from_file,
            {kind} as record_kind,
            {created} as bucket_start,
            cast(null as varchar) as bucket_end,
            -- no time of its own: the `date=` folder's or --undated-day's day (flagged)
            case when {created} is null then {undated_time} end as bucket_start_iso,
            cast(null as varchar) as bucket_end_iso,
            cast(null as varchar) as result_object,
            {json_text(body, "$.id")} as request_id,
            {batch_request_id} as batch_request_id,
            {custom_id} as custom_id,
            {json_text(body, "$.model")} as model,
            {json_text(body, "$.service_tier")} as service_tier,
            {"'true'" if batch else "cast(null as varchar)"} as batch,
            cast(null as varchar) as project_id,
            cast(null as varchar) as user_id,
            cast(null as varchar) as api_key_id,
            {either("$.prompt_tokens", "$.input_tokens")} as input_tokens,
            {either("$.prompt_tokens_details.cached_tokens",
                    "$.input_tokens_details.cached_tokens")} as input_cached_tokens,
            {either("$.prompt_tokens_details.cache_write_tokens",
                    "$.input_tokens_details.cache_write_tokens")} as input_cache_write_tokens,
            cast(null as varchar) as input_uncached_tokens,
            {either("$.completion_tokens", "$.output_tokens")} as output_tokens,
            {either("$.completion_tokens_details.reasoning_tokens",
                    "$.output_tokens_details.reasoning_tokens")} as reasoning_tokens,
            {either("$.prompt_tokens_details.audio_tokens",
                    "$.input_tokens_details.audio_tokens")} as input_audio_tokens,
            {either("$.completion_tokens_details.audio_tokens",
                    "$.output_tokens_details.audio_tokens")} as output_audio_tokens,
            cast(null as varchar) as num_model_requests,
            {status} as status_code,
            {error_code} as error_code
        from {table}_lines
    """  # fmt: skip


def _stage(con, context: FileContext, family: str, *, batch: bool) -> str:
    table = new_table_name(family)
    read_json_lines(con, context, table)
    rows = _response_rows(table, context.undated_time_sql, batch=batch)
    if batch:  # a failed line's body holds an error, not usage: its counts stay empty
        rows = f"""
            select * replace (
                -- a failed line has no body and no time: the batch's first dated line's
                -- (it is not billed; only an all-failed file needs a `date=` day)
                coalesce(bucket_start, case when record_kind = 'failed_request' then
                    cast(min({integer("bucket_start")}) over () as varchar) end)
                    as bucket_start,
                {", ".join(
                    f"case when record_kind = 'request' then {c} end as {c}"
                    for c in ("input_tokens", "input_cached_tokens", "input_cache_write_tokens",
                              "output_tokens", "reasoning_tokens", "input_audio_tokens",
                              "output_audio_tokens")
                )}
            )
            from ({rows})
        """  # fmt: skip
    con.execute(f"create temp table {table}_rows as {rows}")
    openai_usage.add_parsed_columns(con, table)
    return table


def stage_responses(con, context: FileContext, encoding: str) -> str:
    return _stage(con, context, RESPONSES, batch=False)


def stage_batch_output(con, context: FileContext, encoding: str) -> str:
    return _stage(con, context, BATCH_OUTPUT, batch=True)


def detect_openai_responses(sniff: FileSniff) -> Match | None:
    if sniff.encoding != "jsonl":
        return None
    keys = set(sniff.columns)
    if BATCH_KEYS <= keys:
        return Match(DetectedFormat(BATCH_OUTPUT, "jsonl"), complete=True)
    if RESPONSE_KEYS <= keys and keys & RESPONSE_BODY_KEYS and "stop_reason" not in keys:
        return Match(DetectedFormat(RESPONSES, "jsonl"), complete=True)
    return None


FORMATS = (
    ExportFormat(
        family=RESPONSES,
        description=(
            "OpenAI Chat Completions / Responses API responses (JSONL, one response per line)"
        ),
        table=openai_usage.TABLE,
        detect=detect_openai_responses,
        stage=stage_responses,
        signature=Signature(("id", "model", "created", "usage", "choices"), ("jsonl",)),
    ),
    ExportFormat(
        family=BATCH_OUTPUT,
        description="OpenAI Batch API output (JSONL, batch tier)",
        table=openai_usage.TABLE,
        detect=detect_openai_responses,
        stage=stage_batch_output,
        signature=Signature(tuple(sorted(BATCH_KEYS)), ("jsonl",)),
    ),
)
