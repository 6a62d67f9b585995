"""`raw.openai_costs`: what OpenAI says it billed (Costs API pages, dashboard cost CSV),
staged, checked and keyed like `openai_usage`.

Amounts are dollars, exact: the API writes `amount.value` as a JSON *number*, so its
stager quotes the number in the page text before any JSON parsing (a double would round
it) and the text is cast to DECIMAL, exponent notation (`1.5e-05`) included.

The Costs API has no model dimension: `line_item` (`"gpt-5-2025-08-07, input"`,
`", cached input"`, `", output"`) is split here into `model` and `token_type` where it
has that shape; a trailing `(batch)`-like note becomes `service_tier`. Lines of another
shape (tool calls, storage) keep `line_item` only. Key: account + day + every dimension.
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
    epoch_timestamp,
    sql_str,
    utc_timestamp,
)

RAW_TABLE = "raw.openai_costs"
RAW_DDL = f"""
    create table if not exists {RAW_TABLE} (
        cost_id varchar not null,
        account varchar not null,
        bucket_start_at timestamp not null,
        bucket_end_at timestamp not null,
        line_item varchar,
        model varchar,
        token_type varchar,
        service_tier varchar,
        project_id varchar,
        api_key_id varchar,
        organization_id varchar,
        quantity decimal(38, 12),
        quantity_unit varchar,
        currency varchar not null,
        billed_cost_usd decimal(38, 12) not null,
        source_format varchar not null,
        source_file varchar not null,
        source_record bigint not null,
        loaded_at timestamp not null
    )
"""

DIMENSIONS = ("line_item", "project_id", "api_key_id", "organization_id")
COST_TEXT_COLUMNS = (
    "bucket_start",  # Unix seconds ...
    "bucket_end",
    "bucket_start_iso",  # ... or ISO 8601 (CSV), when the seconds are absent
    "bucket_end_iso",
    "amount",
    "currency",
    "quantity",
    "quantity_unit",
    *DIMENSIONS,
)
QUOTED_COLUMNS = ("bucket_start", "bucket_start_iso", "amount", "currency", "quantity")
PARSED_COLUMNS = ("parsed_bucket_start_at", "parsed_amount", "parsed_quantity")
# An exact decimal written plainly or in exponent notation (JSON numbers may be).
AMOUNT_PATTERN = r"^[+-]?([0-9]{1,20}(\.[0-9]{0,20})?|\.[0-9]{1,20})([eE][+-]?[0-9]{1,2})?$"
# `"<model>, <token type>"`, the token type optionally followed by a `(note)`.
LINE_ITEM_PATTERN = r"^(.+), *([^,()]+?) *(\(([^()]*)\))?$"


def exact_amount(expression: str) -> str:
    """An exact decimal from text (never through a float), NULL where it is not one."""
    return (
        f"case when regexp_matches({expression}, '{AMOUNT_PATTERN}') "
        f"then cast({expression} as decimal(38, 12)) end"
    )


def quote_json_numbers(page_text: str, *keys: str) -> str:
    """SQL: the JSON text with the numbers under `keys` written as strings, so a JSON
    parser never turns them into doubles."""
    names = "|".join(keys)
    return (
        f"""regexp_replace({page_text}, '("(?:{names})"\\s*:\\s*)(-?[0-9][0-9.eE+-]*)', """
        """'\\1"\\2"', 'g')"""
    )


def add_parsed_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(
        f"""
        create temp table {table} as
        select
            *,
            coalesce({epoch_timestamp("bucket_start")}, {utc_timestamp("bucket_start_iso")})
                as parsed_bucket_start_at,
            coalesce({epoch_timestamp("bucket_end")}, {utc_timestamp("bucket_end_iso")})
                as parsed_bucket_end_at,
            {exact_amount("amount")} as parsed_amount,
            {exact_amount("quantity")} as parsed_quantity
        from {table}_rows
        """
    )


def cost_checks(service_tier_keys: Sequence[str]) -> list[Check]:
    del service_tier_keys  # a line item's tier note is a dimension only
    return [
        Check(
            gxe.ExpectColumnValuesToNotBeNull(column="parsed_bucket_start_at"),
            lambda row: (
                empty_or(row, "bucket_start", "is not a Unix time in seconds")
                if row.get("bucket_start") is not None or row.get("bucket_start_iso") is None
                else empty_or(row, "bucket_start_iso", "is not an ISO 8601 time")
            ),
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(column="parsed_amount"),
            lambda row: empty_or(row, "amount", "is not a decimal amount"),
        ),
        Check(
            gxe.ExpectColumnValuesToNotBeNull(
                column="parsed_quantity",
                row_condition="quantity.notnull()",
                condition_parser="pandas",
            ),
            lambda row: empty_or(row, "quantity", "is not a number"),
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
    pattern = sql_str(LINE_ITEM_PATTERN)
    con.execute(
        f"""
        create temp table {final} as
        with keyed as (
            select
                'openai:cost:{family}:' || {account} || ':'
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
            line_item,
            nullif(trim(regexp_extract(line_item, {pattern}, 1)), '') as model,
            nullif(lower(trim(regexp_extract(line_item, {pattern}, 2))), '') as token_type,
            nullif(lower(trim(regexp_extract(line_item, {pattern}, 4))), '') as service_tier,
            project_id,
            api_key_id,
            organization_id,
            cast(parsed_quantity as decimal(38, 12)) as quantity,
            quantity_unit,
            upper(currency) as currency,
            cast(parsed_amount as decimal(38, 12)) as billed_cost_usd,
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
    name="openai_costs",
    description="OpenAI Costs API pages and dashboard cost CSVs (what the provider billed), each "
    "file validated before it is committed.",
    ddl=(RAW_DDL,),
    key_column="cost_id",
    time_column="bucket_start_at",
    shape=StagedShape(time="parsed_bucket_start_at"),
    finalise=finalise_costs,
    # on committed rows; the per-file suite checks everything else at the door
    check_committed=changed_rows_suite(
        "openai_costs",
        nonnegative=(),
        not_null=("account", "bucket_start_at", "billed_cost_usd", "currency"),
    ),
    checks=cost_checks,
    quoted_columns=QUOTED_COLUMNS,
    parsed_columns=PARSED_COLUMNS,
    provider="openai",
)
