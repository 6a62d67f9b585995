"""`raw.canonical_usage`: what the canonical format (docs/formats.md,
`formats/canonical.py`) is staged to, checked against and keyed by. Its columns are the
format's: a canonical record is a row of this table, defaults applied.

Keys (docs/internals.md): a record with a `request_id` is `account + request_id`, so the
same call exported twice is one row; one without is keyed by file and position.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe

from orchestration.ingest.bounds import StagedShape, sum_of
from orchestration.ingest.checks import Check, run_committed_checks, service_tier_keys_of_providers
from orchestration.ingest.registry import RawTable
from orchestration.ingest.staging import FileContext, StagedFile

# The canonical format's columns in the documented order (files may order them freely).
CANONICAL_COLUMNS = (
    "request_id",
    "timestamp",
    "account",
    "provider",
    "model",
    "feature",
    "task_class",
    "latency_class",
    "service_tier",
    "request_count",
    "input_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "cache_read_tokens",
    "output_tokens",
    "prefix_hash",
    "prefix_tokens",
    "workspace",
    "api_key",
    "inference_geo",
)
REQUIRED_COLUMNS = ("timestamp", "provider", "model", "input_tokens", "output_tokens")
OPTIONAL_COLUMNS = tuple(c for c in CANONICAL_COLUMNS if c not in REQUIRED_COLUMNS)
OPTIONAL_TOKEN_COLUMNS = ("cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens")
# Columns whose text must be a non-negative integer (when present, for the optional ones).
INTEGER_COLUMNS = (
    "input_tokens",
    "output_tokens",
    *OPTIONAL_TOKEN_COLUMNS,
    "request_count",
    "prefix_tokens",
)
LATENCY_CLASSES = ("realtime", "async")

# Each raw record table is keyed by its id (usage_id, cost_id), unique by construction: a
# file's repeats are collapsed when staged, and a commit deletes every row with an id it
# inserts. The sources' `unique` tests check it on every build. No PRIMARY KEY: DuckDB's
# index on it took 45% of the raw file and a sixth of a 10M-call load (benchmarks/RESULTS.md).
RAW_DDL = (
    """
    create table if not exists raw.canonical_usage (
        usage_id varchar not null,
        request_id varchar,
        usage_at timestamp not null,
        account varchar not null,
        provider varchar not null,
        model varchar not null,
        feature varchar,
        task_class varchar,
        latency_class varchar,
        workspace varchar,
        api_key varchar,
        prefix_hash varchar,
        service_tier varchar not null,
        request_count bigint not null,
        input_tokens bigint not null,
        cache_write_5m_tokens bigint not null,
        cache_write_1h_tokens bigint not null,
        cache_read_tokens bigint not null,
        output_tokens bigint not null,
        prefix_tokens bigint,
        source_format varchar not null,
        source_file varchar not null,
        source_record bigint not null,
        loaded_at timestamp not null,
        inference_geo varchar
    )
    """,
    # a warehouse made before a column was added gets it (inserts go by name)
    "alter table raw.canonical_usage add column if not exists inference_geo varchar",
)


def finalise(con: duckdb.DuckDBPyConnection, staged: str, context: FileContext) -> str:
    """The staged file's final table (create_final_table), for the loader."""
    present = {c[0] for c in con.execute(f"select * from {staged} limit 0").description}
    columns = tuple(c for c in CANONICAL_COLUMNS if c in present)
    return create_final_table(
        con,
        StagedFile(staged, columns, 0, has_line_numbers=False),  # reads table and columns
        source_file=str(context.path),
        source_format=context.source_format,
    )


def create_final_table(
    con: duckdb.DuckDBPyConnection, staged: StagedFile, *, source_file: str, source_format: str
) -> str:
    """TEMP table shaped exactly like `raw.canonical_usage`: defaults applied, secrets
    redacted, one row per usage_id (the file's last occurrence wins)."""
    final = f"{staged.table}_final"
    # Records without their own id are keyed by file and position (docs/internals.md).
    path_hash = hashlib.sha256(source_file.encode()).hexdigest()[:16]
    request_id, account = _ref("request_id", staged), _ref("account", staged)
    con.execute(
        f"""
        create temp table {final} as
        with keyed as (
            select
                case
                    when {request_id} is not null
                        then 'canonical:req:' || coalesce({account}, 'default')
                            || ':' || {request_id}
                    else 'canonical:pos:{path_hash}:' || source_record
                end as usage_id,
                *
            from {staged.table}
        ),
        last_occurrence as (
            -- a record repeated within one file: the later one is the correction
            select *
            from keyed
            qualify row_number() over (partition by usage_id order by source_record desc) = 1
        )
        select
            usage_id,
            {_ref("request_id", staged)} as request_id,
            parsed_usage_at as usage_at,
            coalesce({_ref("account", staged)}, 'default') as account,
            provider,
            model,
            {_ref("feature", staged)} as feature,
            {_ref("task_class", staged)} as task_class,
            parsed_latency_class as latency_class,
            {_ref("workspace", staged)} as workspace,
            -- a live-looking key is never stored as is: a short hash still groups by key
            case
                when lower({_ref("api_key", staged)}) like 'sk-%'
                    then 'redacted:' || left(sha256({_ref("api_key", staged)}), 16)
                else {_ref("api_key", staged)}
            end as api_key,
            {_ref("prefix_hash", staged)} as prefix_hash,
            lower({_ref("inference_geo", staged)}) as inference_geo,
            coalesce(parsed_service_tier, 'standard') as service_tier,
            coalesce(parsed_request_count, 1) as request_count,
            parsed_input_tokens as input_tokens,
            coalesce(parsed_cache_write_5m_tokens, 0) as cache_write_5m_tokens,
            coalesce(parsed_cache_write_1h_tokens, 0) as cache_write_1h_tokens,
            coalesce(parsed_cache_read_tokens, 0) as cache_read_tokens,
            parsed_output_tokens as output_tokens,
            parsed_prefix_tokens as prefix_tokens,
            {_sql_str(source_format)} as source_format,
            {_sql_str(source_file)} as source_file,
            source_record,
            timezone('UTC', now()) as loaded_at
        from last_occurrence
        """
    )
    return final


def _ref(column: str, staged: StagedFile) -> str:
    return _quote(column) if column in staged.columns else "cast(null as varchar)"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


COMMITTED_TOKEN_COLUMNS = tuple(c for c in INTEGER_COLUMNS if c != "request_count")


def validate_changed_rows(con: duckdb.DuckDBPyConnection, repo_root: Path) -> tuple[int, list[str]]:
    """The raw rows of the days the next dbt build rebuilds (`raw.changed_days`), against
    what dbt relies on: counts non-negative, at least one request, known service tiers
    and latency classes. Every file passed its own suite before commit; this catches what
    reached raw another way (a hand edit, another writer, a loader bug) before dbt reads
    it. Returns (rows checked, error messages)."""
    table = "_committed_canonical_rows"
    con.execute(
        f"""
        create or replace temp view {table} as
        select
            source_file,
            source_record,
            provider,
            {", ".join(COMMITTED_TOKEN_COLUMNS)},
            request_count,
            service_tier,
            lower(provider) || ':' || service_tier as service_tier_key,
            latency_class
        from raw.canonical_usage
        where cast(usage_at as date) in (select usage_date from raw.changed_days)
        """
    )
    try:
        keys = service_tier_keys_of_providers(con, table, repo_root)
        (row_count,) = con.execute(f"select count(*) from {table}").fetchone() or (0,)
        if not row_count:
            return 0, []
        checks = [
            *(
                Check(
                    gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0),
                    functools.partial(
                        lambda row, c: f"{row['source_file']}: {c} {row[c]} is negative", c=column
                    ),
                )
                for column in COMMITTED_TOKEN_COLUMNS
            ),
            Check(
                gxe.ExpectColumnValuesToBeBetween(column="request_count", min_value=1),
                lambda row: f"{row['source_file']}: request_count {row['request_count']} < 1",
            ),
            Check(
                gxe.ExpectColumnValuesToBeInSet(column="service_tier_key", value_set=list(keys)),
                lambda row: f"{row['source_file']}: unknown service_tier '{row['service_tier']}'",
            ),
            Check(
                gxe.ExpectColumnValuesToBeInSet(
                    column="latency_class", value_set=list(LATENCY_CLASSES)
                ),
                lambda row: (
                    f"{row['source_file']}: latency_class '{row['latency_class']}' "
                    "is not one of " + " or ".join(LATENCY_CLASSES)
                ),
            ),
        ]
        index_columns = [
            "source_file",
            "source_record",
            *COMMITTED_TOKEN_COLUMNS,
            "request_count",
            "service_tier",
            "latency_class",
        ]
        # unordered: sorting a night of rows to quote five would cost more than the checks
        errors = run_committed_checks(
            con, f"select * from {table}", checks, index_columns, "raw.canonical_usage"
        )
        return int(row_count), errors
    finally:
        con.execute(f"drop view if exists {table}")


TABLE = RawTable(
    name="canonical_usage",
    description="Usage records from canonical-format export files (CSV, JSONL, Parquet), "
    "loaded idempotently; each file validated by Great Expectations in a staging table "
    "before it is committed.",
    ddl=RAW_DDL,
    key_column="usage_id",
    time_column="usage_at",
    shape=StagedShape(
        time="parsed_usage_at",
        location="coalesce('line ' || source_line || ' (record ' || source_record || ')',"
        " 'record ' || source_record)",
        # a row of several calls: their average prompt cannot exceed the window either
        prompt_tokens=sum_of(
            "parsed_input_tokens",
            "parsed_cache_write_5m_tokens",
            "parsed_cache_write_1h_tokens",
            "parsed_cache_read_tokens",
        ),  # fmt: skip
        calls="greatest(coalesce(parsed_request_count, 1), 1)",
    ),
    finalise=finalise,
    check_committed=validate_changed_rows,
    # records carry their own time; a `date=` folder above a canonical file means nothing
    dated_by_folder=False,
)
