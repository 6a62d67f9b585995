"""`raw.anthropic_usage`: what every Anthropic usage format (usage report, Console token
CSV, Messages responses, batch results) is staged to, checked against and keyed by.

Each stager writes a `<t>_rows` TEMP table of `source_record`, `location` (how an error
names the record), `time_from_file` (the record has no time of its own) and trimmed
text in `USAGE_TEXT_COLUMNS` (blank = NULL; a dimension left NULL was not grouped by);
`add_parsed_columns` types it, `usage_checks` is its Great Expectations suite,
`finalise_usage` keys it.

Keys (docs/formats.md): a bucket is `account + bucket start + width + every group-by
dimension`, so a re-exported bucket replaces the earlier copy (last loaded wins); a
request is its message id (`msg_...`), never a batch `custom_id` alone.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import duckdb
import great_expectations.expectations as gxe

from orchestration.ingest.bounds import StagedShape, sum_of
from orchestration.ingest.checks import Check, changed_rows_suite
from orchestration.ingest.registry import RawTable
from orchestration.ingest.staging import (
    FileContext,
    bucket_grouping_sql,
    bucket_usage_id_sql,
    bucket_width_sql,
    empty_or,
    integer,
    sql_str,
    stated_width_column,
    utc_timestamp,
)

RAW_TABLE = "raw.anthropic_usage"
RAW_DDL = f"""
    create table if not exists {RAW_TABLE} (
        usage_id varchar not null,
        request_id varchar,
        custom_id varchar,
        record_kind varchar not null,
        account varchar not null,
        bucket_start_at timestamp not null,
        bucket_end_at timestamp not null,
        bucket_width varchar,
        bucket_grouping varchar,
        is_time_from_file boolean not null,
        model varchar,
        service_tier varchar,
        context_window varchar,
        api_key_id varchar,
        api_key_name varchar,
        workspace_id varchar,
        workspace_name varchar,
        inference_geo varchar,
        speed varchar,
        input_tokens bigint not null,
        cache_write_5m_tokens bigint not null,
        cache_write_1h_tokens bigint not null,
        cache_read_tokens bigint not null,
        output_tokens bigint not null,
        web_search_requests bigint,
        source_format varchar not null,
        source_file varchar not null,
        source_record bigint not null,
        loaded_at timestamp not null
    )
"""

# The group-by dimensions of a bucket: part of its key, and of the file's grouping.
DIMENSIONS = (
    "model",
    "service_tier",
    "context_window",
    "api_key_id",
    "api_key_name",
    "workspace_id",
    "workspace_name",
    "inference_geo",
    "speed",
)
TOKEN_COLUMNS = (
    "input_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "cache_read_tokens",
    "output_tokens",
)
REQUIRED_TOKEN_COLUMNS = ("input_tokens", "output_tokens")
USAGE_TEXT_COLUMNS = (
    "record_kind",  # 'bucket' or 'request'
    "bucket_start",
    "bucket_end",  # NULL for a request
    "request_id",
    "custom_id",
    *DIMENSIONS,
    *TOKEN_COLUMNS,
    "web_search_requests",
)
# Spellings of the context window: the API's and the Console's (with a Unicode `≤`).
CONTEXT_WINDOWS = {
    "0-200k": False,
    "≤ 200k": False,
    "≤200k": False,
    "<= 200k": False,
    "200k-1m": True,
    "> 200k": True,
    ">200k": True,
}


def add_parsed_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """`<table>` = `<table>_rows` + typed `parsed_*` columns (NULL where text won't parse)."""
    context_cases = " ".join(
        f"when {sql_str(spelling)} then {str(flag).lower()}"
        for spelling, flag in CONTEXT_WINDOWS.items()
    )
    tokens = ",\n            ".join(f"{integer(c)} as parsed_{c}" for c in TOKEN_COLUMNS)
    typed = f"""
            select
                *,
                {utc_timestamp("bucket_start")} as parsed_bucket_start_at,
                {utc_timestamp("bucket_end")} as parsed_bucket_end_at,
                {tokens},
                {integer("web_search_requests")} as parsed_web_search_requests,
                'anthropic:' || lower(service_tier) as service_tier_key,
                case lower(context_window) {context_cases} end as parsed_long_context
            from {table}_rows
    """
    widths = bucket_width_sql(typed, stated_width_column(con, f"{table}_rows"))
    con.execute(f"create temp table {table} as {widths}")


def usage_checks(service_tier_keys: Sequence[str]) -> list[Check]:
    checks = [
        Check(
            gxe.ExpectColumnValuesToNotBeNull(column="parsed_bucket_start_at"),
            lambda row: empty_or(row, "bucket_start", "is not an RFC 3339 time"),
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(
                column="parsed_bucket_width",
                row_condition='record_kind=="bucket"',
                condition_parser="pandas",
            ),
            lambda row: (
                f"bucket from '{row.get('bucket_start')}' to '{row.get('bucket_end')}' "
                + (row.get("bucket_width_problem") or "has no end")
            ),
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(
                column="model", row_condition='record_kind=="request"', condition_parser="pandas"
            ),
            lambda row: "model is empty",
        ),
    ]
    for column in TOKEN_COLUMNS:
        describe = functools.partial(
            lambda row, c: empty_or(row, c, "is not a non-negative integer"), c=column
        )
        if column in REQUIRED_TOKEN_COLUMNS:
            expectation = gxe.ExpectColumnValuesToNotBeNull(column=f"parsed_{column}")
        else:
            expectation = gxe.ExpectColumnValuesToNotBeNull(
                column=f"parsed_{column}",
                row_condition=f"{column}.notnull()",
                condition_parser="pandas",
            )
        checks.append(Check(expectation, describe))
    checks += [
        Check(
            gxe.ExpectColumnValuesToBeInSet(
                column="service_tier_key", value_set=list(service_tier_keys)
            ),
            lambda row: (
                f"service_tier '{row.get('service_tier')}' is not a known Anthropic service tier"
                f" (known: {', '.join(k.split(':', 1)[1] for k in service_tier_keys)})"
            ),
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(
                column="parsed_long_context",
                row_condition="context_window.notnull()",
                condition_parser="pandas",
            ),
            lambda row: (
                f"context_window '{row.get('context_window')}' is not one of "
                "0-200k, 200k-1M, ≤ 200k, > 200k"
            ),
        ),
    ]
    return checks


CHECKED_TEXT_COLUMNS = (
    "record_kind",
    "bucket_start",
    "bucket_end",
    "bucket_width_problem",
    "model",
    "service_tier",
    "context_window",
    *TOKEN_COLUMNS,
)
PARSED_COLUMNS = (
    "parsed_bucket_start_at",
    "parsed_bucket_width",
    *(f"parsed_{c}" for c in TOKEN_COLUMNS),
    "service_tier_key",
    "parsed_long_context",
)


def finalise_usage(con: duckdb.DuckDBPyConnection, staged: str, context: FileContext) -> str:
    """TEMP table shaped like `raw.anthropic_usage`, one row per usage_id (a record
    repeated within the file: the later one is the correction)."""
    final = f"{staged}_final"
    dims = ", ".join(f"coalesce({d}, '')" for d in DIMENSIONS)
    # The file's group-by: the dimensions any of its buckets carries.
    grouping = bucket_grouping_sql(DIMENSIONS)
    family = context.source_format.rsplit("_", 1)[0]
    account = sql_str(context.account)
    con.execute(
        f"""
        create temp table {final} as
        with file_grouping as (
            select nullif(rtrim({grouping}, ','), '') as bucket_grouping from {staged}
        ),
        keyed as (
            select
                case
                    when record_kind = 'bucket'
                        then {bucket_usage_id_sql("anthropic", family, account, dims)}
                    when request_id is not null
                        then 'anthropic:msg:' || {account} || ':' || request_id
                    else 'anthropic:pos:' || left(sha256({sql_str(context.path)}), 16)
                        || ':' || source_record
                end as usage_id,
                *
            from {staged}
        ),
        last_occurrence as (
            select *
            from keyed
            qualify row_number() over (partition by usage_id order by source_record desc) = 1
        )
        select
            usage_id,
            request_id,
            custom_id,
            record_kind,
            {account} as account,
            parsed_bucket_start_at as bucket_start_at,
            coalesce(parsed_bucket_end_at, parsed_bucket_start_at) as bucket_end_at,
            parsed_bucket_width as bucket_width,
            case when record_kind = 'bucket' then file_grouping.bucket_grouping end
                as bucket_grouping,
            coalesce(time_from_file, false) as is_time_from_file,
            model,
            lower(service_tier) as service_tier,
            context_window,
            api_key_id,
            -- a live-looking key is never stored as is: a short hash still groups by key
            case
                when lower(api_key_name) like 'sk-%'
                    then 'redacted:' || left(sha256(api_key_name), 16)
                else api_key_name
            end as api_key_name,
            workspace_id,
            workspace_name,
            lower(inference_geo) as inference_geo,
            speed,
            parsed_input_tokens as input_tokens,
            coalesce(parsed_cache_write_5m_tokens, 0) as cache_write_5m_tokens,
            coalesce(parsed_cache_write_1h_tokens, 0) as cache_write_1h_tokens,
            coalesce(parsed_cache_read_tokens, 0) as cache_read_tokens,
            parsed_output_tokens as output_tokens,
            parsed_web_search_requests as web_search_requests,
            {sql_str(context.source_format)} as source_format,
            {sql_str(context.path)} as source_file,
            source_record,
            timezone('UTC', now()) as loaded_at
        from last_occurrence
        cross join file_grouping
        """
    )
    return final


# tokens read by the model: input and cache
_PROMPT = sum_of(
    "parsed_input_tokens",
    "parsed_cache_write_5m_tokens",
    "parsed_cache_write_1h_tokens",
    "parsed_cache_read_tokens",
)

TABLE = RawTable(
    name="anthropic_usage",
    description="Anthropic usage: usage report pages, Console token CSVs, Messages API responses "
    "and Message Batches results, each file validated before it is committed.",
    ddl=(RAW_DDL,),
    key_column="usage_id",
    time_column="bucket_start_at",
    shape=StagedShape(
        time="parsed_bucket_start_at",
        end="case when record_kind = 'bucket' then parsed_bucket_end_at end",
        prompt_tokens=f"case when record_kind = 'request' then {_PROMPT} end",
        total_tokens=f"{_PROMPT} + {sum_of('parsed_output_tokens')}",
        is_bucket="record_kind = 'bucket'",
    ),
    finalise=finalise_usage,
    # on committed rows; the per-file suite checks everything else at the door
    check_committed=changed_rows_suite(
        "anthropic_usage",
        nonnegative=TOKEN_COLUMNS,
        not_null=("account", "bucket_start_at"),
    ),
    checks=usage_checks,
    quoted_columns=CHECKED_TEXT_COLUMNS,
    parsed_columns=PARSED_COLUMNS,
    provider="anthropic",
)
