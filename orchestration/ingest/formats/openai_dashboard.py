"""OpenAI dashboard CSV exports: `completions_usage_*.csv` and `cost_*.csv`.

Columns are mapped by header name, never by position (the dashboard has added columns
over time). Counts may be written as floats (`3120.0`), `batch` as `TRUE`/`FALSE`, a
UTF-8 byte order mark is allowed, quoted names may hold commas. An empty bucket is a row
with only its time columns filled: it adds nothing and is skipped. A header-only file is
valid and loads nothing. Times: `start_time` in Unix seconds, else `start_time_iso`.
"""

from __future__ import annotations

from collections.abc import Sequence

from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import (
    FileContext,
    StagingError,
    csv_column,
    new_table_name,
    read_csv_header,
    require_columns,
)
from orchestration.ingest.tables import openai_costs, openai_usage

DASHBOARD_USAGE = "openai_dashboard_usage"
DASHBOARD_COST = "openai_dashboard_cost"
TIME_COLUMNS = ("start_time", "end_time", "start_time_iso", "end_time_iso")
USAGE_REQUIRED = ("input_tokens", "output_tokens")
COST_REQUIRED = ("amount_value",)


def _require_times(header: Sequence[str]) -> None:
    if "start_time" not in header and "start_time_iso" not in header:
        raise StagingError("missing required column(s): start_time (or start_time_iso)")


def _not_an_empty_bucket(header: Sequence[str]) -> str:
    """SQL: the row has a value in some column besides the time columns."""
    others = [csv_column(header, name) for name in header if name not in TIME_COLUMNS]
    return " or ".join(f"{column} is not null" for column in others) or "false"


def _time_columns(header: Sequence[str]) -> str:
    c = lambda name: csv_column(header, name)  # noqa: E731
    return (
        f"{c('start_time')} as bucket_start, {c('end_time')} as bucket_end, "
        f"{c('start_time_iso')} as bucket_start_iso, {c('end_time_iso')} as bucket_end_iso"
    )


def _numbered(table: str, header: Sequence[str]) -> str:
    """The CSV rows with their record number and location (line = row + 1 for the
    header), empty buckets left out."""
    return f"""
        select
            *,
            rowid + 1 as source_record,
            'row ' || (rowid + 1) || ' (line ' || (rowid + 2) || ')' as location
        from {table}_lines
        where {_not_an_empty_bucket(header)}
    """


def stage_dashboard_usage(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(DASHBOARD_USAGE)
    header = read_csv_header(con, context, table)
    _require_times(header)
    require_columns(header, USAGE_REQUIRED)
    c = lambda *names: csv_column(header, *names)  # noqa: E731
    con.execute(
        f"""
        create temp table {table}_rows as
        select
            source_record,
            location,
            false as time_from_file,
            'bucket' as record_kind,
            {_time_columns(header)},
            cast(null as varchar) as result_object,
            cast(null as varchar) as request_id,
            cast(null as varchar) as batch_request_id,
            cast(null as varchar) as custom_id,
            {c("model")} as model,
            {c("service_tier")} as service_tier,
            {c("batch")} as batch,
            {c("project_id")} as project_id,
            {c("user_id")} as user_id,
            {c("api_key_id")} as api_key_id,
            {c("input_tokens")} as input_tokens,
            {c("input_cached_tokens")} as input_cached_tokens,
            {c("input_cache_write_tokens")} as input_cache_write_tokens,
            {c("input_uncached_tokens")} as input_uncached_tokens,
            {c("output_tokens")} as output_tokens,
            cast(null as varchar) as reasoning_tokens,
            {c("input_audio_tokens")} as input_audio_tokens,
            {c("output_audio_tokens")} as output_audio_tokens,
            {c("num_model_requests")} as num_model_requests,
            cast(null as varchar) as status_code,
            cast(null as varchar) as error_code
        from ({_numbered(table, header)})
        """
    )
    openai_usage.add_parsed_columns(con, table)
    return table


def stage_dashboard_cost(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(DASHBOARD_COST)
    header = read_csv_header(con, context, table)
    _require_times(header)
    require_columns(header, COST_REQUIRED)
    c = lambda *names: csv_column(header, *names)  # noqa: E731
    con.execute(
        f"""
        create temp table {table}_rows as
        select
            source_record,
            location,
            {_time_columns(header)},
            {c("amount_value")} as amount,
            coalesce({c("amount_currency")}, 'usd') as currency,
            {c("quantity")} as quantity,
            {c("quantity_unit")} as quantity_unit,
            {c("line_item")} as line_item,
            {c("project_id")} as project_id,
            {c("api_key_id")} as api_key_id,
            {c("organization_id")} as organization_id
        from ({_numbered(table, header)})
        """
    )
    openai_costs.add_parsed_columns(con, table)
    return table


def detect_openai_dashboard(sniff: FileSniff) -> Match | None:
    columns = set(sniff.columns)
    # a bucket's two bounds (a lone `start_time` column is a canonical file's near miss)
    bounds = {"start_time", "end_time"} <= columns or {"start_time_iso", "end_time_iso"} <= columns
    if sniff.encoding != "csv" or not bounds:
        return None
    if "amount_value" in columns:
        return Match(DetectedFormat(DASHBOARD_COST, "csv"), complete=True)
    if columns & {"num_model_requests", "input_tokens", "output_tokens"}:
        # the canonical format has no `start_time`: the file is ours even when a required
        # column is missing, and its rejection names that column
        return Match(DetectedFormat(DASHBOARD_USAGE, "csv"), complete=True)
    return None


FORMATS = (
    ExportFormat(
        family=DASHBOARD_USAGE,
        description=(
            "OpenAI dashboard usage CSV (completions_usage_*.csv: start_time, model, batch, "
            "input_tokens, input_cached_tokens, output_tokens, ...)"
        ),
        table=openai_usage.TABLE,
        detect=detect_openai_dashboard,
        stage=stage_dashboard_usage,
        signature=Signature(("start_time", "end_time", *USAGE_REQUIRED), ("csv",)),
    ),
    ExportFormat(
        family=DASHBOARD_COST,
        description=(
            "OpenAI dashboard cost CSV (cost_*.csv: start_time, amount_value, line_item, ...)"
        ),
        table=openai_costs.TABLE,
        detect=detect_openai_dashboard,
        stage=stage_dashboard_cost,
        signature=Signature(("start_time", "end_time", *COST_REQUIRED), ("csv",)),
    ),
)
