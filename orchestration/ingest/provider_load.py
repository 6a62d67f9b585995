"""Loading one provider export file (Anthropic and OpenAI today; Gemini, gateways later):
stage -> validate -> commit, the same steps and guarantees as the canonical format.

`load.py` decides the format and hands provider files here; the commit itself (raw
table, ledger, rejections) stays in `load.py`, so there is one writer of the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.ingest.detect import DetectedFormat
from orchestration.ingest.formats.provider import (
    PROVIDER_FORMATS,
    FileContext,
    ProviderStagingError,
    account_for,
    first_error_line,
)
from orchestration.ingest.gx_runner import ExpectationErrored
from orchestration.ingest.validate_provider import known_service_tier_keys, validate_provider_file

# commit(con, final_table, path, content_sha256, source_format, raw_table, key_column)
Commit = Callable[..., int]
KEY_COLUMNS = {
    "raw.anthropic_usage": "usage_id",
    "raw.anthropic_costs": "cost_id",
    "raw.openai_usage": "usage_id",
    "raw.openai_costs": "cost_id",
    "raw.request_logs": "usage_id",
}


def file_context(path: Path, source_format: str) -> FileContext:
    mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(tzinfo=None)
    return FileContext(
        path=path,
        account=account_for(path),
        source_format=source_format,
        file_mtime_text=mtime.isoformat(sep=" "),
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
) -> int | object:
    """Rows committed, or what `reject` returns for a bad file (nothing loaded)."""
    provider_format = PROVIDER_FORMATS[detected.family]
    context = file_context(path, detected.source_format)
    try:
        try:
            staged = provider_format.stage(con, context, detected.encoding)
        except ProviderStagingError as exc:
            return reject(f"{display_name}: {exc}", detected.source_format)
        except duckdb.Error as exc:
            return reject(
                f"{display_name}: cannot be parsed as {detected.source_format}: "
                f"{first_error_line(exc)}",
                detected.source_format,
            )
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
