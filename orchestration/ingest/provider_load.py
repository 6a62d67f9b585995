"""Loading one provider export file (Anthropic and OpenAI today; Gemini, gateways later):
stage -> validate -> commit, the same steps and guarantees as the canonical format.

`load.py` decides the format and hands provider files here; the commit itself (raw
table, ledger, rejections) stays in `load.py`, so there is one writer of the ledger.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import duckdb

from orchestration.ingest.bounds import SHAPES, LoadOptions, out_of_bounds
from orchestration.ingest.detect import DetectedFormat
from orchestration.ingest.formats.provider import (
    PROVIDER_FORMATS,
    FileContext,
    ProviderStagingError,
    account_for,
    date_folder_day,
    first_error_line,
)
from orchestration.ingest.gx_runner import ExpectationErrored
from orchestration.ingest.validate_provider import known_service_tier_keys, validate_provider_file

# commit(con, final_table, path, content_sha256, source_format, raw_table, key_column)
Commit = Callable[..., int]
# Without a `date=` folder or --undated-day, records that carry no time are staged on this
# day, so the format's own checks still run and their problems are reported beside the
# missing day; the file is refused, so the day never reaches raw.
UNDATED_PLACEHOLDER = "1970-01-01"
KEY_COLUMNS = {
    "raw.anthropic_usage": "usage_id",
    "raw.anthropic_costs": "cost_id",
    "raw.openai_usage": "usage_id",
    "raw.openai_costs": "cost_id",
    "raw.request_logs": "usage_id",
}


def file_context(path: Path, detected: DetectedFormat, options: LoadOptions) -> FileContext:
    return FileContext(
        path=path,
        account=account_for(path),
        source_format=detected.source_format,
        undated_day=date_folder_day(path) or options.undated_day,
        delimiter=detected.delimiter,
    )


def undated_error(con: duckdb.DuckDBPyConnection, staged: str, time_column: str) -> str | None:
    """Where a record without a time of its own got no day (staged on the placeholder):
    the first such record and how many, or None."""
    columns = {c[0] for c in con.execute(f"select * from {staged} limit 0").description}
    if "time_from_file" not in columns:
        return None
    row = con.execute(
        f"""
        select location, count(*) over () from {staged}
        where time_from_file and {time_column} = date '{UNDATED_PLACEHOLDER}'
        order by source_record limit 1
        """
    ).fetchone()
    if row is None:
        return None
    return (
        f"{row[0]}: the record carries no time of its own ({row[1]} such record(s) in the "
        "file); put the file under a folder named date=YYYY-MM-DD (the day of its calls) "
        "or run with --undated-day YYYY-MM-DD"
    )


def load_provider_content(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    detected: DetectedFormat,
    *,
    content_sha256: str,
    display_name: str,
    repo_root: Path,
    reject: Callable[..., object],
    commit: Commit,
    options: LoadOptions,
) -> int | object:
    """Rows committed, or what `reject` returns for a bad file (nothing loaded)."""
    provider_format = PROVIDER_FORMATS[detected.family]
    shape = SHAPES[provider_format.raw_table]
    try:
        try:
            context = file_context(path, detected, options)
            dated = (
                context
                if context.undated_day
                else dataclasses.replace(context, undated_day=UNDATED_PLACEHOLDER)
            )
            staged = provider_format.stage(con, dated, detected.encoding)
        except ProviderStagingError as exc:
            return reject(f"{display_name}: {exc}", detected.source_format)
        except duckdb.Error as exc:
            return reject(
                f"{display_name}: cannot be parsed as {detected.source_format}: "
                f"{first_error_line(exc)}",
                detected.source_format,
            )
        undated = None if context.undated_day else undated_error(con, staged, shape.time)
        try:
            errors = validate_provider_file(
                con,
                staged,
                provider_format,
                display_name=display_name,
                service_tier_keys=known_service_tier_keys(con, provider_format.provider, repo_root),
            )
        except ExpectationErrored as exc:
            return reject(
                f"{display_name}: validation could not run: {exc}", detected.source_format
            )
        if undated is not None:
            errors = [f"{display_name}: {undated}", *errors]
        errors = errors or out_of_bounds(con, staged, shape, options, display_name=display_name)
        if errors:
            return reject("\n".join(errors), detected.source_format)
        final = provider_format.finalise(con, staged, context)
        return commit(
            con,
            final,
            path,
            content_sha256,
            detected.source_format,
            raw_table=provider_format.raw_table,
            key_column=KEY_COLUMNS[provider_format.raw_table],
        )
    finally:
        # the stager names its tables; a failure midway leaves some of them behind
        _drop_staging_tables(con, detected.family)


def _drop_staging_tables(con: duckdb.DuckDBPyConnection, family: str) -> None:
    names = con.execute(
        "select table_name from duckdb_tables() where temporary and starts_with(table_name, ?)",
        [f"_ingest_{family}_"],
    ).fetchall()
    for (name,) in names:
        con.execute(f'drop table if exists temp.main."{name}"')
