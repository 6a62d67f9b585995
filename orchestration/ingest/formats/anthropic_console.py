"""Anthropic Console CSV exports: daily or hourly token usage, and daily cost.

Columns are mapped by header name, never by position: the two files order them
differently and older exports (2024) have one `usage_input_tokens_cache_write` column
(5-minute writes, the only TTL then) and no `context_window`. `api_key` is the key's
name and may hold commas (quoted); `context_window` is written `≤ 200k` / `> 200k`; a
UTF-8 byte order mark is allowed. A header-only file is valid and loads nothing. An hourly
export writes `usage_date_utc` as `2026-04-02 04:00`: each row is then a 1h bucket.
"""

from __future__ import annotations

from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import (
    FileContext,
    csv_column,
    new_table_name,
    read_csv_header,
    require_columns,
    sql_str,
)
from orchestration.ingest.tables import anthropic_costs, anthropic_usage

CONSOLE_USAGE = "anthropic_console_usage"
CONSOLE_COST = "anthropic_console_cost"
USAGE_REQUIRED = ("usage_date_utc", "model_version", "usage_input_tokens_no_cache",
                  "usage_output_tokens")  # fmt: skip
COST_REQUIRED = ("usage_date_utc", "cost_usd")
SERVICE_TIERS = ("standard", "batch", "priority", "flex")


# The width of a row's bucket is the form of its `usage_date_utc`: a date is a day, a
# date and an hour (`2026-04-02 04:00`, hourly exports list only hours with usage) an hour.
DAY_FORM = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
HOUR_FORM = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:00)?Z?$"


def _bucket_bounds(header: list[str]) -> str:
    start = csv_column(header, "usage_date_utc")
    hour = f"try_cast(rtrim({start}, 'Z') as timestamp)"
    return f"""
        {start} as bucket_start,
        case
            when regexp_matches({start}, '{DAY_FORM}')
                then strftime(try_cast({start} as date) + interval 1 day, '%Y-%m-%d')
            when regexp_matches({start}, '{HOUR_FORM}')
                then strftime({hour} + interval 1 hour, '%Y-%m-%d %H:%M')
        end as bucket_end,
        case
            when regexp_matches({start}, '{DAY_FORM}') then '1d'
            when regexp_matches({start}, '{HOUR_FORM}') then '1h'
        end as stated_bucket_width"""


def stage_console_usage(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(CONSOLE_USAGE)
    header = read_csv_header(con, context, table)
    require_columns(header, USAGE_REQUIRED)
    c = lambda *names: csv_column(header, *names)  # noqa: E731
    con.execute(
        f"""
        create temp table {table}_rows as
        select
            rowid + 1 as source_record,
            'row ' || (rowid + 1) || ' (line ' || (rowid + 2) || ')' as location,
            false as time_from_file,
            'bucket' as record_kind,
            {_bucket_bounds(header)},
            cast(null as varchar) as request_id,
            cast(null as varchar) as custom_id,
            {c("model_version")} as model,
            {c("usage_type")} as service_tier,
            {c("context_window")} as context_window,
            {c("api_key_id")} as api_key_id,
            {c("api_key")} as api_key_name,
            cast(null as varchar) as workspace_id,
            {c("workspace")} as workspace_name,
            {c("inference_geo")} as inference_geo,
            {c("speed")} as speed,
            {c("usage_input_tokens_no_cache")} as input_tokens,
            {c("usage_input_tokens_cache_write_5m", "usage_input_tokens_cache_write")}
                as cache_write_5m_tokens,
            {c("usage_input_tokens_cache_write_1h")} as cache_write_1h_tokens,
            {c("usage_input_tokens_cache_read")} as cache_read_tokens,
            {c("usage_output_tokens")} as output_tokens,
            {c("web_search_count")} as web_search_requests
        from {table}_lines
        """
    )
    anthropic_usage.add_parsed_columns(con, table)
    return table


def stage_console_cost(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(CONSOLE_COST)
    header = read_csv_header(con, context, table)
    require_columns(header, COST_REQUIRED)
    c = lambda *names: csv_column(header, *names)  # noqa: E731
    tiers = ", ".join(sql_str(t) for t in SERVICE_TIERS)
    con.execute(
        f"""
        create temp table {table}_rows as
        select
            rowid + 1 as source_record,
            'row ' || (rowid + 1) || ' (line ' || (rowid + 2) || ')' as location,
            {_bucket_bounds(header)},
            {c("cost_usd")} as amount,
            'usd' as amount_unit,
            {c("list_price_usd")} as list_amount,
            coalesce({c("currency")}, 'USD') as currency,
            -- the Console writes `token`; the API `tokens`
            case lower({c("cost_type")}) when 'token' then 'tokens'
                else lower({c("cost_type")}) end as cost_type,
            {c("token_type")} as token_type,
            cast(null as varchar) as description,
            {c("model")} as model,
            -- `usage_type` is `message` here; only a tier spelling says the tier
            case when lower({c("usage_type")}) in ({tiers}) then lower({c("usage_type")}) end
                as service_tier,
            {c("context_window")} as context_window,
            cast(null as varchar) as workspace_id,
            {c("workspace")} as workspace_name,
            {c("api_key_id")} as api_key_id,
            {c("api_key")} as api_key_name,
            {c("inference_geo")} as inference_geo,
            {c("speed")} as speed
        from {table}_lines
        """
    )
    anthropic_costs.add_parsed_columns(con, table)
    return table


def detect_anthropic_console(sniff: FileSniff) -> Match | None:
    if sniff.encoding != "csv" or "usage_date_utc" not in sniff.columns:
        return None
    columns = set(sniff.columns)
    if "cost_usd" in columns:
        return Match(DetectedFormat(CONSOLE_COST, "csv"), complete=True)
    complete = set(USAGE_REQUIRED) <= columns
    return Match(DetectedFormat(CONSOLE_USAGE, "csv"), complete=complete)


FORMATS = (
    ExportFormat(
        family=CONSOLE_USAGE,
        description=(
            "Anthropic Console usage CSV (usage_date_utc, model_version, "
            "usage_input_tokens_*, ...; 2024 and current headers)"
        ),
        table=anthropic_usage.TABLE,
        detect=detect_anthropic_console,
        stage=stage_console_usage,
        signature=Signature(USAGE_REQUIRED, ("csv",)),
    ),
    ExportFormat(
        family=CONSOLE_COST,
        description=(
            "Anthropic Console cost CSV (usage_date_utc, token_type, cost_usd, list_price_usd, ...)"
        ),
        table=anthropic_costs.TABLE,
        detect=detect_anthropic_console,
        stage=stage_console_cost,
        signature=Signature(COST_REQUIRED, ("csv",)),
    ),
)
