"""OpenAI Admin API pages: Usage API (`/v1/organization/usage/completions`) and Costs API
(`/v1/organization/costs`).

Both are pages `{object: "page", data: [{object: "bucket", start_time, end_time,
results: [...]}], has_more, next_page}` with times in Unix seconds. A file may hold one
page, a JSON array of pages, pages one per line, or pretty-printed pages one after the
other (`read_json_objects` reads all of them). Empty buckets (`results: []`) add no rows.
A result's dimensions are null unless the export grouped by them.
"""

from __future__ import annotations

from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import (
    FileContext,
    epoch_timestamp,
    json_text,
    new_table_name,
    page_width_sql,
    sql_str,
)
from orchestration.ingest.tables import openai_costs, openai_usage

USAGE_PAGES = "openai_usage_api"
COST_PAGES = "openai_costs_api"
# Keys only these pages' results carry (Anthropic's buckets have `starting_at` instead).
USAGE_RESULT_KEYS = frozenset({"num_model_requests", "input_tokens", "output_tokens"})
COST_RESULT_KEYS = frozenset({"amount", "line_item"})


def _read_pages(con, context: FileContext, table: str, *exact_numbers: str) -> None:
    """`<table>_pages`: one row per page, as its own text; the numbers under
    `exact_numbers` quoted first, so they are read as written."""
    page = "json"
    if exact_numbers:
        page = openai_costs.quote_json_numbers("json", *exact_numbers)
    con.execute(
        f"create temp table {table}_pages as select {page} as page "
        f"from read_json_objects({sql_str(context.path)}, format = 'auto')"
    )


def _results_select(table: str, columns: dict[str, str]) -> str:
    """One row per result of every bucket of every page, in file order, `columns` (name ->
    JSON path in the result, `bucket:<path>` in the bucket, or `sql:<expression>` over
    `page`, `bucket` and `result`) as trimmed text."""
    selected = ",\n            ".join(
        f"{path.removeprefix('sql:')} as {name}"
        if path.startswith("sql:")
        else f"{json_text('bucket', path.removeprefix('bucket:'))} as {name}"
        if path.startswith("bucket:")
        else f"{json_text('result', path)} as {name}"
        for name, path in columns.items()
    )
    bucket_start = json_text("bucket", "$.start_time")
    return f"""
        with buckets as (
            select
                pages.rowid + 1 as page_number,
                cast(bucket.key as integer) as bucket_index,
                pages.page,
                bucket.value as bucket
            from {table}_pages as pages, json_each(pages.page, '$.data') as bucket
        ),
        results as (
            select
                page_number,
                bucket_index,
                cast(result.key as integer) as result_index,
                page,
                bucket,
                result.value as result
            from buckets, json_each(bucket, '$.results') as result
        )
        select
            row_number() over (order by page_number, bucket_index, result_index)
                as source_record,
            'page ' || page_number || ', bucket ' || coalesce({bucket_start}, '?')
                || coalesce(
                    ' (' || strftime({epoch_timestamp(bucket_start)}, '%Y-%m-%dT%H:%M:%SZ') || ')',
                    ''
                )
                || ', result ' || (result_index + 1) as location,
            {selected}
        from results
    """


def stage_usage_pages(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(USAGE_PAGES)
    _read_pages(con, context, table)
    columns = {
        "bucket_start": "bucket:$.start_time",
        "bucket_end": "bucket:$.end_time",
        # the width a partial first or last bucket is part of
        "stated_bucket_width": "sql:"
        + page_width_sql(
            con,
            f"{table}_pages",
            epoch_timestamp(json_text("bucket", "$.start_time")),
            epoch_timestamp(json_text("bucket", "$.end_time")),
        ),
        "result_object": "$.object",
        "model": "$.model",
        "service_tier": "$.service_tier",
        "batch": "$.batch",
        "project_id": "$.project_id",
        "user_id": "$.user_id",
        "api_key_id": "$.api_key_id",
        "num_model_requests": "$.num_model_requests",
        "input_tokens": "$.input_tokens",
        "input_cached_tokens": "$.input_cached_tokens",
        "input_cache_write_tokens": "$.input_cache_write_tokens",
        "input_uncached_tokens": "$.input_uncached_tokens",
        "output_tokens": "$.output_tokens",
        "input_audio_tokens": "$.input_audio_tokens",
        "output_audio_tokens": "$.output_audio_tokens",
    }
    con.execute(
        f"""
        create temp table {table}_rows as
        select
            source_record, location, false as time_from_file, 'bucket' as record_kind,
            bucket_start, bucket_end, stated_bucket_width,
            cast(null as varchar) as bucket_start_iso, cast(null as varchar) as bucket_end_iso,
            result_object,
            cast(null as varchar) as request_id, cast(null as varchar) as batch_request_id,
            cast(null as varchar) as custom_id,
            model, service_tier, batch, project_id, user_id, api_key_id,
            input_tokens, input_cached_tokens, input_cache_write_tokens, input_uncached_tokens,
            output_tokens, cast(null as varchar) as reasoning_tokens,
            input_audio_tokens, output_audio_tokens, num_model_requests,
            cast(null as varchar) as status_code, cast(null as varchar) as error_code
        from ({_results_select(table, columns)})
        """
    )
    openai_usage.add_parsed_columns(con, table)
    return table


def stage_cost_pages(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(COST_PAGES)
    _read_pages(con, context, table, "value", "quantity")
    columns = {
        "bucket_start": "bucket:$.start_time",
        "bucket_end": "bucket:$.end_time",
        "amount": "$.amount.value",
        "currency": "$.amount.currency",
        "quantity": "$.quantity",
        "line_item": "$.line_item",
        "project_id": "$.project_id",
        "api_key_id": "$.api_key_id",
        "organization_id": "$.organization_id",
    }
    con.execute(
        f"""
        create temp table {table}_rows as
        select
            source_record, location, bucket_start, bucket_end,
            cast(null as varchar) as bucket_start_iso, cast(null as varchar) as bucket_end_iso,
            amount, coalesce(currency, 'usd') as currency, quantity,
            cast(null as varchar) as quantity_unit,
            line_item, project_id, api_key_id, organization_id
        from ({_results_select(table, columns)})
        """
    )
    openai_costs.add_parsed_columns(con, table)
    return table


def detect_openai_reports(sniff: FileSniff) -> Match | None:
    if sniff.encoding != "json" or "start_time" not in sniff.columns:
        return None
    records = set(sniff.record_keys)
    if records & COST_RESULT_KEYS == COST_RESULT_KEYS:
        return Match(DetectedFormat(COST_PAGES, "json"), complete=True)
    # a page of empty buckets (`results: []`) holds nothing: load it as usage (no rows)
    if not records or records & USAGE_RESULT_KEYS:
        return Match(DetectedFormat(USAGE_PAGES, "json"), complete=True)
    return None


FORMATS = (
    ExportFormat(
        family=USAGE_PAGES,
        description="OpenAI Usage API JSON (usage/completions pages, Unix-second buckets)",
        table=openai_usage.TABLE,
        detect=detect_openai_reports,
        stage=stage_usage_pages,
        signature=Signature(
            ("start_time", "end_time", "results", *sorted(USAGE_RESULT_KEYS)), ("json",)
        ),
    ),
    ExportFormat(
        family=COST_PAGES,
        description=(
            "OpenAI Costs API JSON (organization/costs pages, amount.value in dollars, line_item)"
        ),
        table=openai_costs.TABLE,
        detect=detect_openai_reports,
        stage=stage_cost_pages,
        signature=Signature(
            ("start_time", "end_time", "results", *sorted(COST_RESULT_KEYS)), ("json",)
        ),
    ),
)
