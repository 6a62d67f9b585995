"""`raw.openai_usage`: what every OpenAI usage format (Usage API completions pages,
dashboard usage CSV, Chat Completions / Responses API responses, Batch API output) is
staged to, checked against and keyed by.

Tokens stay as OpenAI counts them: `input_tokens` INCLUDES the cached and cache-write
tokens, `output_tokens` includes reasoning. stg_openai__usage turns them into the
disjoint buckets of docs/cost-semantics.md; the loader only checks that the parts fit in
the whole (`input_cached_tokens + input_cache_write_tokens <= input_tokens`). Breakdown
fields are never summed into a total.

Each stager writes a `<t>_rows` TEMP table of `source_record`, `location`,
`time_from_file` and trimmed text in `USAGE_TEXT_COLUMNS` (blank = NULL; a dimension
left NULL was not grouped by); `add_parsed_columns` types it, `usage_checks` is its
Great Expectations suite, `finalise_usage` keys it.

Keys (docs/formats.md): a bucket is `account + bucket start + width + every group-by
dimension` (a re-exported bucket replaces the earlier copy); a request is its response
id (`chatcmpl-...`, `resp_...`), a batch line without one its `batch_req_...` id, never
the batch `custom_id` (it repeats across batches).
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
    epoch_timestamp,
    integer,
    sql_str,
    stated_width_column,
    utc_timestamp,
)

RAW_TABLE = "raw.openai_usage"
RAW_DDL = f"""
    create table if not exists {RAW_TABLE} (
        usage_id varchar not null,
        request_id varchar,
        batch_request_id varchar,
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
        is_batch boolean,
        project_id varchar,
        user_id varchar,
        api_key_id varchar,
        request_count bigint not null,
        input_tokens bigint not null,
        input_cached_tokens bigint not null,
        input_cache_write_tokens bigint not null,
        input_uncached_tokens bigint,
        output_tokens bigint not null,
        reasoning_tokens bigint,
        input_audio_tokens bigint,
        output_audio_tokens bigint,
        status_code integer,
        error_code varchar,
        source_format varchar not null,
        source_file varchar not null,
        source_record bigint not null,
        loaded_at timestamp not null
    )
"""

# The group-by dimensions of a bucket: part of its key, and of the file's grouping.
DIMENSIONS = ("model", "service_tier", "batch", "project_id", "user_id", "api_key_id")
TOKEN_COLUMNS = (
    "input_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "input_uncached_tokens",
    "output_tokens",
    "reasoning_tokens",
    "input_audio_tokens",
    "output_audio_tokens",
    "num_model_requests",
)
REQUIRED_TOKEN_COLUMNS = ("input_tokens", "output_tokens")
USAGE_TEXT_COLUMNS = (
    "record_kind",  # 'bucket', 'request' or 'failed_request' (a batch line with no usage)
    "bucket_start",  # Unix seconds (API, CSV `start_time`) ...
    "bucket_end",
    "bucket_start_iso",  # ... or ISO 8601 (CSV `start_time_iso`), when the seconds are absent
    "bucket_end_iso",
    "result_object",  # the API result's `object`: only completions usage is taken
    "request_id",
    "batch_request_id",
    "custom_id",
    *DIMENSIONS,
    *TOKEN_COLUMNS,
    "status_code",
    "error_code",
)
COMPLETIONS_RESULT = "organization.usage.completions.result"
BATCH_SPELLINGS = {"true": True, "false": False, "1": True, "0": False}


def add_parsed_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """`<table>` = `<table>_rows` + typed `parsed_*` columns (NULL where text won't parse)."""
    batch_cases = " ".join(
        f"when {sql_str(spelling)} then {str(flag).lower()}"
        for spelling, flag in BATCH_SPELLINGS.items()
    )
    tokens = ",\n                ".join(f"{integer(c)} as parsed_{c}" for c in TOKEN_COLUMNS)
    typed = f"""
            select
                *,
                coalesce({epoch_timestamp("bucket_start")}, {utc_timestamp("bucket_start_iso")})
                    as parsed_bucket_start_at,
                coalesce({epoch_timestamp("bucket_end")}, {utc_timestamp("bucket_end_iso")})
                    as parsed_bucket_end_at,
                {tokens},
                case lower(batch) {batch_cases} end as parsed_is_batch,
                'openai:' || lower(service_tier) as service_tier_key,
                -- cached and cache-write tokens are parts of input_tokens: they must fit in it
                coalesce(parsed_input_cached_tokens, 0)
                    + coalesce(parsed_input_cache_write_tokens, 0)
                    <= parsed_input_tokens as parsed_input_parts_fit
            from {table}_rows
    """
    widths = bucket_width_sql(typed, stated_width_column(con, f"{table}_rows"))
    con.execute(f"create temp table {table} as {widths}")


def usage_checks(service_tier_keys: Sequence[str]) -> list[Check]:
    checks = [
        Check(
            gxe.ExpectColumnValuesToNotBeNull(column="parsed_bucket_start_at"),
            lambda row: (
                empty_or(row, "bucket_start", "is not a Unix time in seconds")
                if row.get("bucket_start") is not None or row.get("bucket_start_iso") is None
                else empty_or(row, "bucket_start_iso", "is not an ISO 8601 time")
            ),
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(
                column="parsed_bucket_width",
                row_condition='record_kind=="bucket"',
                condition_parser="pandas",
            ),
            lambda row: (
                "bucket has no end time"
                if row.get("bucket_end") is None and row.get("bucket_end_iso") is None
                else f"bucket from '{row.get('bucket_start') or row.get('bucket_start_iso')}' to "
                f"'{row.get('bucket_end') or row.get('bucket_end_iso')}' "
                + (row.get("bucket_width_problem") or "is not 1m, 1h or 1d wide")
            ),
        ),
        Check(
            gxe.ExpectColumnValuesToBeInSet(column="result_object", value_set=[COMPLETIONS_RESULT]),
            lambda row: (
                f"result object '{row.get('result_object')}' is not completions usage "
                f"({COMPLETIONS_RESULT}): export usage/completions"
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
            expectation = gxe.ExpectColumnValuesToNotBeNull(
                column=f"parsed_{column}",
                row_condition='record_kind!="failed_request"',
                condition_parser="pandas",
            )
        else:
            expectation = gxe.ExpectColumnValuesToNotBeNull(
                column=f"parsed_{column}",
                row_condition=f"{column}.notnull()",
                condition_parser="pandas",
            )
        checks.append(Check(expectation, describe))
    checks += [
        Check(
            gxe.ExpectColumnValuesToBeInSet(column="parsed_input_parts_fit", value_set=[True]),
            lambda row: (
                f"cached ({row.get('input_cached_tokens') or 0}) and cache-write "
                f"({row.get('input_cache_write_tokens') or 0}) tokens exceed input_tokens "
                f"({row.get('input_tokens')}), which include them"
            ),
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(
                column="parsed_is_batch",
                row_condition="batch.notnull()",
                condition_parser="pandas",
            ),
            lambda row: f"batch '{row.get('batch')}' is not TRUE or FALSE",
        ),
        Check(
            gxe.ExpectColumnValuesToBeInSet(
                column="service_tier_key", value_set=list(service_tier_keys)
            ),
            lambda row: (
                f"service_tier '{row.get('service_tier')}' is not a known OpenAI service tier"
                f" (known: {', '.join(k.split(':', 1)[1] for k in service_tier_keys)})"
            ),
        ),
    ]
    return checks


CHECKED_TEXT_COLUMNS = (
    "record_kind",
    "bucket_start",
    "bucket_end",
    "bucket_width_problem",
    "bucket_start_iso",
    "bucket_end_iso",
    "result_object",
    "model",
    "service_tier",
    "batch",
    *TOKEN_COLUMNS,
)
PARSED_COLUMNS = (
    "parsed_bucket_start_at",
    "parsed_bucket_width",
    *(f"parsed_{c}" for c in TOKEN_COLUMNS),
    "parsed_input_parts_fit",
    "parsed_is_batch",
    "service_tier_key",
)


def finalise_usage(con: duckdb.DuckDBPyConnection, staged: str, context: FileContext) -> str:
    """TEMP table shaped like `raw.openai_usage`, one row per usage_id (a record
    repeated within the file: the later one is the correction)."""
    final = f"{staged}_final"
    dims = ", ".join(
        "coalesce(cast(parsed_is_batch as varchar), '')" if d == "batch" else f"coalesce({d}, '')"
        for d in DIMENSIONS
    )
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
                        then {bucket_usage_id_sql("openai", family, account, dims)}
                    when request_id is not null
                        then 'openai:req:' || {account} || ':' || request_id
                    when batch_request_id is not null
                        then 'openai:batch_req:' || {account} || ':' || batch_request_id
                    else 'openai:pos:' || left(sha256({sql_str(context.path)}), 16)
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
            batch_request_id,
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
            parsed_is_batch as is_batch,
            project_id,
            user_id,
            api_key_id,
            case when record_kind = 'bucket' then coalesce(parsed_num_model_requests, 0)
                when record_kind = 'request' then 1 else 0 end as request_count,
            coalesce(parsed_input_tokens, 0) as input_tokens,
            coalesce(parsed_input_cached_tokens, 0) as input_cached_tokens,
            coalesce(parsed_input_cache_write_tokens, 0) as input_cache_write_tokens,
            parsed_input_uncached_tokens as input_uncached_tokens,
            coalesce(parsed_output_tokens, 0) as output_tokens,
            parsed_reasoning_tokens as reasoning_tokens,
            parsed_input_audio_tokens as input_audio_tokens,
            parsed_output_audio_tokens as output_audio_tokens,
            try_cast(status_code as integer) as status_code,
            error_code,
            {sql_str(context.source_format)} as source_format,
            {sql_str(context.path)} as source_file,
            source_record,
            timezone('UTC', now()) as loaded_at
        from last_occurrence
        cross join file_grouping
        """
    )
    return final


TABLE = RawTable(
    name="openai_usage",
    description="OpenAI usage: Usage API completions pages, dashboard usage CSVs, Chat Completions "
    "and Responses API responses and Batch API output, each file validated before it "
    "is committed.",
    ddl=(RAW_DDL,),
    key_column="usage_id",
    time_column="bucket_start_at",
    shape=StagedShape(
        time="parsed_bucket_start_at",
        end="case when record_kind = 'bucket' then parsed_bucket_end_at end",
        # input_tokens include the cached and cache-write tokens
        prompt_tokens="case when record_kind = 'request' then parsed_input_tokens end",
        total_tokens=sum_of("parsed_input_tokens", "parsed_output_tokens"),
        is_bucket="record_kind = 'bucket'",
    ),
    finalise=finalise_usage,
    # on committed rows; the per-file suite checks everything else at the door
    check_committed=changed_rows_suite(
        "openai_usage",
        nonnegative=(
            "input_tokens",
            "input_cached_tokens",
            "input_cache_write_tokens",
            "output_tokens",
            "request_count",
        ),
        not_null=("account", "bucket_start_at"),
    ),
    checks=usage_checks,
    quoted_columns=CHECKED_TEXT_COLUMNS,
    parsed_columns=PARSED_COLUMNS,
    provider="openai",
)
