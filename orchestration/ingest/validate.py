"""Great Expectations suites for a staged canonical file and for the committed raw rows
of the days the next dbt build rebuilds.

Both run in DuckDB, on the staging table or on `raw.*` (gx_runner.run_suite_on_query):
a file or a night of tens of millions of rows is never copied into pandas. The staging
table holds the raw text next to the `parsed_*` typed columns, so each expectation is a
plain column check, and the records it flags carry their record number, CSV/JSONL line
and raw values into the error message.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import great_expectations.expectations as gxe

from orchestration.ingest.formats.canonical import (
    INTEGER_COLUMNS,
    LATENCY_CLASSES,
    REQUIRED_COLUMNS,
    StagedFile,
)
from orchestration.ingest.gx_runner import run_suite_on_query

# Raw columns the suite checks (and quotes in its messages), and the typed columns
# staging derives from them.
CHECKED_COLUMNS = (*REQUIRED_COLUMNS, *INTEGER_COLUMNS[2:], "service_tier", "latency_class")
PARSED_COLUMNS = (
    "parsed_usage_at",
    *(f"parsed_{c}" for c in INTEGER_COLUMNS),
    "service_tier_key",
    "parsed_latency_class",
)
OPTIONAL_INTEGER_COLUMNS = tuple(c for c in INTEGER_COLUMNS if c not in REQUIRED_COLUMNS)
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Check:
    expectation: gxe.Expectation
    # The problem for one offending record, in words, from its staged values.
    describe: Callable[[Row], str]


def validate_canonical(
    con: duckdb.DuckDBPyConnection,
    staged: StagedFile,
    *,
    display_name: str,
    service_tier_keys: Sequence[str],
) -> list[str]:
    """Error messages for a staged file (empty list = valid). Raises ExpectationErrored
    when GE could not evaluate an expectation."""
    # Only what the checks read or quote: free text and api keys stay out of GE's results.
    quoted = [c for c in CHECKED_COLUMNS if c in staged.columns]
    selected = ", ".join(
        [
            "source_record",
            "source_line",
            *(f'"{c}"' for c in quoted),
            *PARSED_COLUMNS,
            *(_effective_value(c) for c in OPTIONAL_INTEGER_COLUMNS if c in staged.columns),
        ]
    )
    query = f"select {selected} from {staged.table} order by source_record"
    existence = [
        gxe.ExpectColumnToExist(column=column, meta={"check": index})
        for index, column in enumerate(REQUIRED_COLUMNS)
    ]
    checks = _row_checks(staged.columns, service_tier_keys)
    if staged.file_records is not None:
        checks.append(
            Check(
                gxe.ExpectTableRowCountToEqual(value=staged.file_records),
                lambda row: "",  # a table-level expectation flags no record
            )
        )
    for index, check in enumerate(checks, start=len(existence)):
        check.expectation.meta = {"check": index}
    index_columns = ["source_record", "source_line", *quoted]
    results = run_suite_on_query(
        con, query, [*existence, *(c.expectation for c in checks)], index_columns
    )

    missing = [
        REQUIRED_COLUMNS[i]
        for i, result in enumerate(results[: len(existence)])
        if not result.success
    ]
    if missing:
        return [f"{display_name}: missing required column(s): {', '.join(missing)}"]
    errors: list[str] = []
    for check, result in zip(checks, results[len(existence) :], strict=True):
        if result.success:
            continue
        if isinstance(check.expectation, gxe.ExpectTableRowCountToEqual):
            errors.append(
                f"{display_name}: {result.result.get('observed_value')} record(s) parsed, "
                f"but the file holds {staged.file_records} (row count against the file)"
            )
        else:
            errors.extend(_describe_failure(display_name, check, result.result))
    return errors


def _row_checks(present: Sequence[str], service_tier_keys: Sequence[str]) -> list[Check]:
    checks: list[Check] = []
    # Required values: present and, for typed ones, parseable. `parsed_*` is NULL both
    # when the text is blank and when it does not parse; the message tells them apart.
    if "timestamp" in present:
        checks.append(
            Check(
                gxe.ExpectColumnValuesToNotBeNull(column="parsed_usage_at"),
                lambda row: _empty_or(row, "timestamp", "is not an ISO 8601 timestamp"),
            )
        )
    for column in ("provider", "model"):
        if column in present:
            checks.append(
                Check(
                    gxe.ExpectColumnValuesToNotBeNull(column=column),
                    functools.partial(lambda row, c: f"{c} is empty", c=column),
                )
            )
    for column in INTEGER_COLUMNS:
        if column not in present:
            continue
        describe = functools.partial(
            lambda row, c: _empty_or(row, c, "is not a non-negative integer"), c=column
        )
        # An optional count must parse only where the file wrote one (blank = default).
        checked = f"parsed_{column}" if column in REQUIRED_COLUMNS else f"effective_{column}"
        checks.append(Check(gxe.ExpectColumnValuesToNotBeNull(column=checked), describe))
    if "request_count" in present:
        checks.append(
            Check(
                gxe.ExpectColumnValuesToBeBetween(column="parsed_request_count", min_value=1),
                lambda row: f"request_count '{row['request_count']}' is less than 1",
            )
        )
    if "service_tier" in present:
        # Keyed by provider: a provider-specific spelling (OpenAI's `auto`) is only
        # known for that provider; `*` rows of the seed are known for every provider.
        checks.append(
            Check(
                gxe.ExpectColumnValuesToBeInSet(
                    column="service_tier_key", value_set=list(service_tier_keys)
                ),
                functools.partial(_unknown_tier, keys=service_tier_keys),
            )
        )
    if "latency_class" in present:
        checks.append(
            Check(
                gxe.ExpectColumnValuesToBeInSet(
                    column="parsed_latency_class", value_set=list(LATENCY_CLASSES)
                ),
                lambda row: (
                    f"latency_class '{row['latency_class']}' is not one of "
                    + " or ".join(LATENCY_CLASSES)
                ),
            )
        )
    return checks


def _effective_value(column: str) -> str:
    """An optional count that is NULL only where the file wrote something that is not a
    count (a blank takes the loader's default, stood in for by 0), so the check needs no
    `row_condition` (whose syntax differs per GE engine)."""
    return f'case when "{column}" is null then 0 else parsed_{column} end as effective_{column}'


def _describe_failure(display_name: str, check: Check, result: Mapping[str, Any]) -> list[str]:
    rows = [
        {key: _clean(value) for key, value in row.items()}
        for row in result.get("partial_unexpected_index_list") or []
    ]
    unexpected = int(result.get("unexpected_count") or len(rows))
    if not rows:  # GE gave no records (should not happen for column map checks)
        name = type(check.expectation).__name__
        return [f"{display_name}: {unexpected} record(s) fail {name}"]
    messages = [f"{display_name}: {_location(row)}: {check.describe(row)}" for row in rows]
    if unexpected > len(rows):
        messages.append(
            f"{display_name}: ... and {unexpected - len(rows)} more record(s) with the same problem"
        )
    return messages


def _location(row: Row) -> str:
    record = row.get("source_record")
    line = row.get("source_line")
    return f"record {record}" if line is None else f"line {line} (record {record})"


def _empty_or(row: Row, column: str, problem: str) -> str:
    value = row.get(column)
    return f"{column} is empty" if value is None else f"{column} '{value}' {problem}"


def _unknown_tier(row: Row, keys: Sequence[str]) -> str:
    provider = str(row.get("provider") or "").lower()
    known = sorted(k.split(":", 1)[1] for k in keys if k.split(":", 1)[0] == provider)
    return (
        f"service_tier '{row.get('service_tier')}' is not a known service tier for provider "
        f"'{row.get('provider')}' (known: {', '.join(known)})"
    )


def _clean(value: Any) -> Any:
    """numpy scalars and NaN from pandas -> plain Python values and None."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return int(value)
    return value


# -- committed rows --------------------------------------------------------------------

COMMITTED_TOKEN_COLUMNS = tuple(c for c in INTEGER_COLUMNS if c != "request_count")


def validate_changed_canonical_rows(
    con: duckdb.DuckDBPyConnection, *, service_tier_keys_for: Callable[[StagedFile], list[str]]
) -> tuple[int, list[str]]:
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
        staged = StagedFile(table, ("provider",), 0, has_line_numbers=False)
        keys = service_tier_keys_for(staged)
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
        for index, check in enumerate(checks):
            check.expectation.meta = {"check": index}
        index_columns = [
            "source_file",
            "source_record",
            *COMMITTED_TOKEN_COLUMNS,
            "request_count",
            "service_tier",
            "latency_class",
        ]
        # unordered: sorting a night of rows to quote five would cost more than the checks
        results = run_suite_on_query(
            con, f"select * from {table}", [c.expectation for c in checks], index_columns
        )
        errors: list[str] = []
        for check, result in zip(checks, results, strict=True):
            if not result.success:
                errors.extend(_describe_failure("raw.canonical_usage", check, result.result))
        return int(row_count), errors
    finally:
        con.execute(f"drop view if exists {table}")


def validate_changed_rows(
    con: duckdb.DuckDBPyConnection, family: str, *, repo_root: Path
) -> tuple[int, list[str]]:
    """The committed-row suite of a source family (see validate_changed_canonical_rows).
    A family registered without one fails here rather than skip the check."""
    from orchestration.ingest.formats import canonical

    if family == "canonical":
        return validate_changed_canonical_rows(
            con,
            service_tier_keys_for=lambda staged: canonical.known_service_tier_keys(
                con, staged, repo_root
            ),
        )
    if family in PROVIDER_COMMITTED_ROWS:
        return validate_changed_provider_rows(con, family, *PROVIDER_COMMITTED_ROWS[family])
    return 0, [f"no committed-row suite for source family {family!r}"]


# Provider raw tables: (columns that are never negative, columns never null) on committed
# rows; the per-file suites (validate_provider.py) check everything else at the door.
PROVIDER_COMMITTED_ROWS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "anthropic_usage": (
        (
            "input_tokens",
            "cache_write_5m_tokens",
            "cache_write_1h_tokens",
            "cache_read_tokens",
            "output_tokens",
        ),
        ("account", "bucket_start_at"),
    ),
    "anthropic_costs": ((), ("account", "bucket_start_at", "billed_cost_usd", "currency")),
    "openai_usage": (
        (
            "input_tokens",
            "input_cached_tokens",
            "input_cache_write_tokens",
            "output_tokens",
            "request_count",
        ),
        ("account", "bucket_start_at"),
    ),
    "openai_costs": ((), ("account", "bucket_start_at", "billed_cost_usd", "currency")),
    "request_logs": (
        (
            "input_tokens",
            "cache_write_5m_tokens",
            "cache_write_1h_tokens",
            "cache_read_tokens",
            "output_tokens",
        ),
        ("account", "bucket_start_at", "provider", "model"),
    ),
}


def validate_changed_provider_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    nonnegative: tuple[str, ...],
    not_null: tuple[str, ...],
) -> tuple[int, list[str]]:
    """A provider raw table's rows on the days the next dbt build rebuilds, against what
    dbt relies on (see validate_changed_canonical_rows). Returns (rows checked, errors)."""
    query = f"""
        select source_file, source_record, {", ".join((*nonnegative, *not_null))}
        from raw.{table}
        where cast(bucket_start_at as date) in (select usage_date from raw.changed_days)
    """
    (row_count,) = con.execute(f"select count(*) from ({query})").fetchone() or (0,)
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
            for column in nonnegative
        ),
        *(
            Check(
                gxe.ExpectColumnValuesToNotBeNull(column=column),
                functools.partial(lambda row, c: f"{row['source_file']}: {c} is empty", c=column),
            )
            for column in not_null
        ),
    ]
    for index, check in enumerate(checks):
        check.expectation.meta = {"check": index}
    results = run_suite_on_query(
        con, query, [c.expectation for c in checks], ["source_file", "source_record"]
    )
    errors: list[str] = []
    for check, result in zip(checks, results, strict=True):
        if not result.success:
            errors.extend(_describe_failure(f"raw.{table}", check, result.result))
    return int(row_count), errors
