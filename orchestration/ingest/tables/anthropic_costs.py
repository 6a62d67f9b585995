"""`raw.anthropic_costs`: what the provider says it billed (cost report API, Console cost
CSV), staged, checked and keyed like `anthropic_usage`.

Amounts stay exact: read as text, cast to DECIMAL; the cost report's cents become
dollars by multiplying by a decimal literal (never a division, which DuckDB turns into
a DOUBLE). Key: account + day + every dimension of the row.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import great_expectations.expectations as gxe

from orchestration.ingest.bounds import StagedShape
from orchestration.ingest.checks import Check, changed_rows_suite
from orchestration.ingest.registry import RawTable
from orchestration.ingest.staging import (
    FileContext,
    empty_or,
    money,
    sql_str,
    utc_timestamp,
)

RAW_TABLE = "raw.anthropic_costs"
RAW_DDL = f"""
    create table if not exists {RAW_TABLE} (
        cost_id varchar not null,
        account varchar not null,
        bucket_start_at timestamp not null,
        bucket_end_at timestamp not null,
        cost_type varchar,
        token_type varchar,
        description varchar,
        model varchar,
        service_tier varchar,
        context_window varchar,
        workspace_id varchar,
        workspace_name varchar,
        api_key_id varchar,
        api_key_name varchar,
        inference_geo varchar,
        speed varchar,
        currency varchar not null,
        billed_cost_usd decimal(38, 12) not null,
        list_cost_usd decimal(38, 12),
        source_format varchar not null,
        source_file varchar not null,
        source_record bigint not null,
        loaded_at timestamp not null
    )
"""

DIMENSIONS = (
    "cost_type",
    "token_type",
    "description",
    "model",
    "service_tier",
    "context_window",
    "workspace_id",
    "workspace_name",
    "api_key_id",
    "api_key_name",
    "inference_geo",
    "speed",
)
# `amount_unit` is 'cents' (cost report API) or 'usd' (Console CSV).
COST_TEXT_COLUMNS = (
    "bucket_start",
    "bucket_end",
    "amount",
    "amount_unit",
    "list_amount",
    "currency",
    *DIMENSIONS,
)
QUOTED_COLUMNS = ("bucket_start", "amount", "list_amount", "currency")
PARSED_COLUMNS = ("parsed_bucket_start_at", "parsed_amount", "parsed_list_amount")


def add_parsed_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(
        f"""
        create temp table {table} as
        select
            *,
            {utc_timestamp("bucket_start")} as parsed_bucket_start_at,
            {utc_timestamp("bucket_end")} as parsed_bucket_end_at,
            {money("amount")} as parsed_amount,
            {money("list_amount")} as parsed_list_amount
        from {table}_rows
        """
    )


def cost_checks(service_tier_keys: Sequence[str]) -> list[Check]:
    del service_tier_keys  # costs carry the tier as a dimension only
    return [
        Check(
            gxe.ExpectColumnValuesToNotBeNull(column="parsed_bucket_start_at"),
            lambda row: empty_or(row, "bucket_start", "is not a date or RFC 3339 time"),
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(column="parsed_amount"),
            lambda row: empty_or(row, "amount", "is not a decimal amount"),
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(
                column="parsed_list_amount",
                row_condition="list_amount.notnull()",
                condition_parser="pandas",
            ),
            lambda row: empty_or(row, "list_amount", "is not a decimal amount"),
        ),
        Check(
            # money in another currency would be compared with USD prices: refuse it
            gxe.ExpectColumnValuesToBeInSet(column="currency", value_set=["USD", "usd"]),
            lambda row: f"currency '{row.get('currency')}' is not USD",
        ),
    ]


def finalise_costs(con: duckdb.DuckDBPyConnection, staged: str, context: FileContext) -> str:
    final = f"{staged}_final"
    dims = ", ".join(f"coalesce({d}, '')" for d in DIMENSIONS)
    family = context.source_format.rsplit("_", 1)[0]
    account = sql_str(context.account)
    con.execute(
        f"""
        create temp table {final} as
        with keyed as (
            select
                'anthropic:cost:{family}:' || {account} || ':'
                    || strftime(parsed_bucket_start_at, '%Y-%m-%dT%H:%M:%S') || ':'
                    || left(sha256(concat_ws(chr(31), {dims})), 24) as cost_id,
                *
            from {staged}
        )
        select
            cost_id,
            {account} as account,
            parsed_bucket_start_at as bucket_start_at,
            coalesce(parsed_bucket_end_at, parsed_bucket_start_at + interval 1 day)
                as bucket_end_at,
            lower(cost_type) as cost_type,
            token_type,
            description,
            model,
            lower(service_tier) as service_tier,
            context_window,
            workspace_id,
            workspace_name,
            api_key_id,
            case
                when lower(api_key_name) like 'sk-%'
                    then 'redacted:' || left(sha256(api_key_name), 16)
                else api_key_name
            end as api_key_name,
            lower(inference_geo) as inference_geo,
            speed,
            upper(currency) as currency,
            cast(
                case when amount_unit = 'cents' then parsed_amount * 0.01 else parsed_amount end
                as decimal(38, 12)
            ) as billed_cost_usd,
            cast(parsed_list_amount as decimal(38, 12)) as list_cost_usd,
            {sql_str(context.source_format)} as source_format,
            {sql_str(context.path)} as source_file,
            source_record,
            timezone('UTC', now()) as loaded_at
        from keyed
        qualify row_number() over (partition by cost_id order by source_record desc) = 1
        """
    )
    return final


TABLE = RawTable(
    name="anthropic_costs",
    description="Anthropic cost report pages and Console cost CSVs (what the provider billed), "
    "each file validated before it is committed.",
    ddl=(RAW_DDL,),
    key_column="cost_id",
    time_column="bucket_start_at",
    shape=StagedShape(time="parsed_bucket_start_at"),
    finalise=finalise_costs,
    # on committed rows; the per-file suite checks everything else at the door
    check_committed=changed_rows_suite(
        "anthropic_costs",
        nonnegative=(),
        not_null=("account", "bucket_start_at", "billed_cost_usd", "currency"),
    ),
    checks=cost_checks,
    quoted_columns=QUOTED_COLUMNS,
    parsed_columns=PARSED_COLUMNS,
    provider="anthropic",
)
