"""Anthropic Admin API reports: usage report (`usage_report/messages`) and cost report.

Both are pages `{data: [{starting_at, ending_at, results: [...]}], has_more, next_page}`.
A file may hold one page, a JSON array of pages, pages one per line, or pretty-printed
pages one after the other; DuckDB's `read_json_objects` reads all of them. Pages split
over several files load file by file: each bucket is keyed on its own. Values are taken
as text (`json_extract_string`), so cents like `"1146.35712"` never pass through a float.
"""

from __future__ import annotations

from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import (
    FileContext,
    json_text,
    new_table_name,
    page_width_sql,
    sql_str,
    utc_timestamp,
)
from orchestration.ingest.tables import anthropic_costs, anthropic_usage

USAGE_REPORT = "anthropic_usage_report"
COST_REPORT = "anthropic_cost_report"
# Keys only these reports' results carry.
USAGE_RESULT_KEYS = frozenset({"uncached_input_tokens", "cache_read_input_tokens"})
COST_RESULT_KEYS = frozenset({"amount", "cost_type"})


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
            'page ' || page_number || ', bucket '
                || coalesce(json_extract_string(bucket, '$.starting_at'), '?')
                || ', result ' || (result_index + 1) as location,
            {selected}
        from results
    """


def _read_pages(con, context: FileContext, table: str) -> None:
    con.execute(
        f"create temp table {table}_pages as "
        f"select json as page from read_json_objects({sql_str(context.path)}, format = 'auto')"
    )


def stage_usage_report(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(USAGE_REPORT)
    _read_pages(con, context, table)
    columns = {
        "bucket_start": "bucket:$.starting_at",
        "bucket_end": "bucket:$.ending_at",
        # the width a partial first or last bucket is part of
        "stated_bucket_width": "sql:"
        + page_width_sql(
            con,
            f"{table}_pages",
            utc_timestamp(json_text("bucket", "$.starting_at")),
            utc_timestamp(json_text("bucket", "$.ending_at")),
        ),
        "model": "$.model",
        "service_tier": "$.service_tier",
        "context_window": "$.context_window",
        "api_key_id": "$.api_key_id",
        "workspace_id": "$.workspace_id",
        "inference_geo": "$.inference_geo",
        "speed": "$.speed",
        "input_tokens": "$.uncached_input_tokens",
        "cache_write_5m_tokens": "$.cache_creation.ephemeral_5m_input_tokens",
        "cache_write_1h_tokens": "$.cache_creation.ephemeral_1h_input_tokens",
        "cache_read_tokens": "$.cache_read_input_tokens",
        "output_tokens": "$.output_tokens",
        "web_search_requests": "$.server_tool_use.web_search_requests",
    }
    con.execute(
        f"""
        create temp table {table}_rows as
        select
            source_record, location, false as time_from_file, 'bucket' as record_kind,
            bucket_start, bucket_end, stated_bucket_width,
            cast(null as varchar) as request_id, cast(null as varchar) as custom_id,
            model, service_tier, context_window, api_key_id,
            cast(null as varchar) as api_key_name, workspace_id,
            cast(null as varchar) as workspace_name, inference_geo, speed,
            input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens,
            output_tokens, web_search_requests
        from ({_results_select(table, columns)})
        """
    )
    anthropic_usage.add_parsed_columns(con, table)
    return table


def stage_cost_report(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(COST_REPORT)
    _read_pages(con, context, table)
    columns = {
        "bucket_start": "bucket:$.starting_at",
        "bucket_end": "bucket:$.ending_at",
        "amount": "$.amount",
        "currency": "$.currency",
        "cost_type": "$.cost_type",
        "token_type": "$.token_type",
        "description": "$.description",
        "model": "$.model",
        "service_tier": "$.service_tier",
        "context_window": "$.context_window",
        "workspace_id": "$.workspace_id",
        "inference_geo": "$.inference_geo",
        "speed": "$.speed",
    }
    con.execute(
        f"""
        create temp table {table}_rows as
        select
            source_record, location, bucket_start, bucket_end, amount,
            'cents' as amount_unit, cast(null as varchar) as list_amount, currency,
            cost_type, token_type, description, model, service_tier, context_window,
            workspace_id, cast(null as varchar) as workspace_name,
            cast(null as varchar) as api_key_id, cast(null as varchar) as api_key_name,
            inference_geo, speed
        from ({_results_select(table, columns)})
        """
    )
    anthropic_costs.add_parsed_columns(con, table)
    return table


def detect_anthropic_reports(sniff: FileSniff) -> Match | None:
    if sniff.encoding != "json" or "starting_at" not in sniff.columns:
        return None
    records = set(sniff.record_keys)
    if records & COST_RESULT_KEYS == COST_RESULT_KEYS:
        return Match(DetectedFormat(COST_REPORT, "json"), complete=True)
    # a page of empty buckets (`results: []`) holds no usage: load it as a usage report
    if not records or records & USAGE_RESULT_KEYS:
        return Match(DetectedFormat(USAGE_REPORT, "json"), complete=True)
    return None


FORMATS = (
    ExportFormat(
        family=USAGE_REPORT,
        description="Anthropic usage report JSON (Admin API usage_report/messages pages)",
        table=anthropic_usage.TABLE,
        detect=detect_anthropic_reports,
        stage=stage_usage_report,
        signature=Signature(
            ("starting_at", "ending_at", "results", *sorted(USAGE_RESULT_KEYS)), ("json",)
        ),
    ),
    ExportFormat(
        family=COST_REPORT,
        description="Anthropic cost report JSON (Admin API cost_report pages, amounts in cents)",
        table=anthropic_costs.TABLE,
        detect=detect_anthropic_reports,
        stage=stage_cost_report,
        signature=Signature(
            ("starting_at", "ending_at", "results", *sorted(COST_RESULT_KEYS)), ("json",)
        ),
    ),
)
