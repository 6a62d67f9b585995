"""The Great Expectations suite of a staged canonical file.

It runs in DuckDB, on the staging table (gx_runner.run_suite_on_query): a file of tens
of millions of rows is never copied into pandas. The staging
table holds the raw text next to the `parsed_*` typed columns, so each expectation is a
plain column check, and the records it flags carry their record number, CSV/JSONL line
and raw values into the error message.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import duckdb
import great_expectations.expectations as gxe

from orchestration.ingest.checks import Check, Row, describe_failure
from orchestration.ingest.gx_runner import run_suite_on_query
from orchestration.ingest.staging import StagedFile
from orchestration.ingest.tables.canonical_usage import (
    INTEGER_COLUMNS,
    LATENCY_CLASSES,
    REQUIRED_COLUMNS,
)

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
            errors.extend(describe_failure(display_name, check, result.result))
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
