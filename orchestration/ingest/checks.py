"""Great Expectations checks as the raw tables and formats declare them: a `Check` (an
expectation and how to tell a failing record in words), the suite a staged provider file
runs, the suite committed rows run, and the service tier spellings the checks accept.

Errors name the file, the record (`line 4`, `row 3 (line 4)`, or `page 1, bucket
2026-09-14T00:00:00Z, result 2` for API pages) and the problem in words.
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

from orchestration.ingest.gx_runner import (
    MAX_REPORTED_RECORDS,
    run_suite_on_frame,
    run_suite_on_query,
)
from orchestration.ingest.staging import sql_str

SERVICE_TIER_SPELLINGS = Path("seeds/curated/service_tier_spellings.csv")
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Check:
    expectation: gxe.Expectation
    # The problem for one offending record, in words, from its staged values.
    describe: Callable[[Row], str]


def known_service_tier_keys(
    con: duckdb.DuckDBPyConnection, provider: str, repo_root: Path
) -> list[str]:
    """`provider:spelling` pairs the seed maps for `provider` (its own and `*` rows)."""
    rows = con.execute(
        f"""
        select distinct {sql_str(provider)} || ':' || lower(trim(spelling))
        from read_csv({sql_str(repo_root / SERVICE_TIER_SPELLINGS)}, all_varchar = true,
                      header = true)
        where lower(trim(provider)) in ('*', {sql_str(provider)})
        order by 1
        """
    ).fetchall()
    return [key for (key,) in rows]


def service_tier_keys_of_providers(
    con: duckdb.DuckDBPyConnection, table: str, repo_root: Path
) -> list[str]:
    """`provider:spelling` pairs allowed for the providers in `table`'s `provider` column,
    from the curated seed (provider `*` = any provider). Compared lower-cased and
    trimmed, as staged."""
    seed = sql_str(repo_root / SERVICE_TIER_SPELLINGS)
    rows = con.execute(
        f"""
        with spellings as (
            select lower(trim(provider)) as provider, lower(trim(spelling)) as spelling
            from read_csv({seed}, all_varchar = true, header = true)
        ),
        file_providers as (
            select distinct lower(provider) as provider
            from {table}
            where provider is not null
        )
        select distinct file_providers.provider || ':' || spellings.spelling
        from file_providers
        inner join spellings
            on spellings.provider = '*' or spellings.provider = file_providers.provider
        order by 1
        """
    ).fetchall()
    return [key for (key,) in rows]


def validate_staged_file(
    con: duckdb.DuckDBPyConnection,
    staged: str,
    checks: Sequence[Check],
    *,
    quoted_columns: Sequence[str],
    parsed_columns: Sequence[str],
    display_name: str,
) -> list[str]:
    """Error messages for a staged provider file (empty list = valid), on a pandas
    DataFrame: the checks use pandas `row_condition`s, and provider exports are pages and
    daily buckets, not tens of millions of calls."""
    quoted = list(quoted_columns)
    selected = ", ".join(["source_record", "location", *quoted, *parsed_columns])
    frame = con.execute(f"select {selected} from {staged} order by source_record").df()
    if frame.empty:
        return []  # a header-only file or empty pages: nothing to check, nothing to load
    for index, check in enumerate(checks):
        check.expectation.meta = {"check": index}
    results = run_suite_on_frame(
        frame, [c.expectation for c in checks], ["source_record", "location", *quoted]
    )
    errors: list[str] = []
    for check, result in zip(checks, results, strict=True):
        if result.success:
            continue
        rows = [
            {key: clean(value) for key, value in row.items()}
            for row in result.result.get("partial_unexpected_index_list") or []
        ]
        errors.extend(f"{display_name}: {row['location']}: {check.describe(row)}" for row in rows)
        unexpected = int(result.result.get("unexpected_count") or len(rows))
        if unexpected > min(len(rows), MAX_REPORTED_RECORDS) or not rows:
            errors.append(
                f"{display_name}: ... {unexpected} record(s) in all with the same problem"
            )
    return errors


def changed_rows_suite(
    table: str, nonnegative: tuple[str, ...], not_null: tuple[str, ...]
) -> Callable[[duckdb.DuckDBPyConnection, Path], tuple[int, list[str]]]:
    """The committed-row suite of a provider raw table: (con, repo_root) -> (rows
    checked, errors), see validate_changed_provider_rows."""

    def suite(con: duckdb.DuckDBPyConnection, repo_root: Path) -> tuple[int, list[str]]:
        return validate_changed_provider_rows(con, table, nonnegative, not_null)

    return suite


def validate_changed_provider_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    nonnegative: tuple[str, ...],
    not_null: tuple[str, ...],
) -> tuple[int, list[str]]:
    """A provider raw table's rows on the days the next dbt build rebuilds, against what
    dbt relies on: columns never negative, columns never null (the per-file suites check
    everything else at the door). Returns (rows checked, errors)."""
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
    return int(row_count), run_committed_checks(
        con, query, checks, ["source_file", "source_record"], f"raw.{table}"
    )


def run_committed_checks(
    con: duckdb.DuckDBPyConnection,
    query: str,
    checks: Sequence[Check],
    index_columns: list[str],
    table: str,
) -> list[str]:
    """Run `checks` on the committed rows `query` selects, in DuckDB; errors name `table`."""
    for index, check in enumerate(checks):
        check.expectation.meta = {"check": index}
    results = run_suite_on_query(con, query, [c.expectation for c in checks], index_columns)
    errors: list[str] = []
    for check, result in zip(checks, results, strict=True):
        if not result.success:
            errors.extend(describe_failure(table, check, result.result))
    return errors


def describe_failure(display_name: str, check: Check, result: Mapping[str, Any]) -> list[str]:
    rows = [
        {key: clean(value) for key, value in row.items()}
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


def clean(value: Any) -> Any:
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
