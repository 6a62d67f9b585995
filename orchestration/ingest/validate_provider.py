"""Great Expectations on a staged provider file: the format's own checks (`ProviderFormat
.checks`), on a pandas DataFrame: the checks use pandas `row_condition`s, and provider
exports are pages and daily buckets, not tens of millions of calls.

Errors name the file, the record (`line 4`, `row 3 (line 4)`, or `page 1, bucket
2026-09-14T00:00:00Z, result 2` for API pages) and the problem in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingest.formats.provider import ProviderFormat, sql_str
from orchestration.ingest.gx_runner import MAX_REPORTED_RECORDS, run_suite_on_frame
from orchestration.ingest.validate import _clean

SERVICE_TIER_SPELLINGS = Path("seeds/curated/service_tier_spellings.csv")


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


def validate_provider_file(
    con: duckdb.DuckDBPyConnection,
    staged: str,
    provider_format: ProviderFormat,
    *,
    display_name: str,
    service_tier_keys: Sequence[str],
) -> list[str]:
    """Error messages for a staged provider file (empty list = valid)."""
    quoted = list(provider_format.quoted_columns)
    selected = ", ".join(["source_record", "location", *quoted, *provider_format.parsed_columns])
    frame = con.execute(f"select {selected} from {staged} order by source_record").df()
    if frame.empty:
        return []  # a header-only file or empty pages: nothing to check, nothing to load
    checks = provider_format.checks(service_tier_keys)
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
            {key: _clean(value) for key, value in row.items()}
            for row in result.result.get("partial_unexpected_index_list") or []
        ]
        errors.extend(f"{display_name}: {row['location']}: {check.describe(row)}" for row in rows)
        unexpected = int(result.result.get("unexpected_count") or len(rows))
        if unexpected > min(len(rows), MAX_REPORTED_RECORDS) or not rows:
            errors.append(
                f"{display_name}: ... {unexpected} record(s) in all with the same problem"
            )
    return errors
