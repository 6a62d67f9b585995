"""What a raw table and an export format declare: the two records the loader, the
detector, the Dagster assets and the docs all read (`catalog.py` collects them).

- A `RawTable` (one module per table in `tables/`): its DDL, its key, the time that puts
  a row on a usage day, where the bounds read a staged row, the last step that shapes a
  staged file like the table (`finalise`), the per-file suite its formats share, the
  suite its committed rows run before dbt, and its description (the Dagster asset's).
- An `ExportFormat` (one module per export in `formats/`): its detector, its stager,
  its signature (what an unrecognised file is compared with) and the table it lands in;
  its checks are the table's unless it brings its own.

This module imports no table and no format: they import it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.bounds import StagedShape
from orchestration.ingest.checks import Check, known_service_tier_keys, validate_staged_file
from orchestration.ingest.sniff import Encoding, FileSniff, Match
from orchestration.ingest.staging import FileContext, Stager

Detector = Callable[[FileSniff], Match | None]
# (con, staged table, context) -> a TEMP table shaped exactly like the raw table
Finaliser = Callable[[duckdb.DuckDBPyConnection, str, FileContext], str]
# the known `provider:spelling` service tier keys -> the checks of a staged file
Suite = Callable[[Sequence[str]], list[Check]]
# (con, repo_root) -> (rows checked, errors) over the rows of the days dbt rebuilds next
CommittedSuite = Callable[[duckdb.DuckDBPyConnection, Path], tuple[int, list[str]]]
# (con, staged table, context, display name, repo_root) -> errors; a format whose file
# suite is not a list of row checks (the canonical one: required columns, row count)
Validator = Callable[[duckdb.DuckDBPyConnection, str, FileContext, str, Path], list[str]]


@dataclass(frozen=True)
class RawTable:
    name: str  # in schema raw; the dbt source (`source('<block>', name)`) and the asset
    description: str  # the raw-load asset's, in the Dagster UI
    ddl: tuple[str, ...]  # `create table if not exists` and its migrations, in order
    key_column: str  # unique by construction: a commit replaces every row of a key it adds
    time_column: str  # puts a row on a usage day (raw.changed_days, the Parquet lake)
    shape: StagedShape  # where the bounds read a staged row
    finalise: Finaliser
    check_committed: CommittedSuite
    checks: Suite | None = None  # the per-file suite of the formats landing here
    quoted_columns: tuple[str, ...] = ()  # staged text the error messages quote
    parsed_columns: tuple[str, ...] = ()  # staged typed columns the checks read
    provider: str = ""  # whose service tier spellings the checks accept
    # records without a time of their own take the day of a `date=` folder above the file
    dated_by_folder: bool = True

    @property
    def qualified(self) -> str:
        return f"raw.{self.name}"


@dataclass(frozen=True)
class Signature:
    """What a format's records carry: an unrecognised file is told which format it comes
    closest to and what it lacks (detect.closest_format)."""

    columns: tuple[str, ...]
    encodings: tuple[Encoding, ...]


@dataclass(frozen=True)
class ExportFormat:
    family: str  # `DetectedFormat.family`; `source_format` adds the encoding
    description: str  # one line of `llm-cost-audit formats`
    table: RawTable
    detect: Detector  # may tell several formats of one module apart (shared)
    stage: Stager
    signature: Signature
    checks: Suite | None = None  # the table's suite unless given
    validate: Validator | None = None  # instead of the row checks

    def validate_file(
        self,
        con: duckdb.DuckDBPyConnection,
        staged: str,
        context: FileContext,
        *,
        display_name: str,
        repo_root: Path,
    ) -> list[str]:
        """Error messages for a staged file (empty list = valid)."""
        if self.validate is not None:
            return self.validate(con, staged, context, display_name, repo_root)
        suite = self.checks or self.table.checks
        if suite is None:
            raise ValueError(f"format {self.family!r} has no checks and its table none either")
        # a table whose suite checks no service tier (request logs) names no provider
        provider = self.table.provider
        keys = known_service_tier_keys(con, provider, repo_root) if provider else []
        return validate_staged_file(
            con,
            staged,
            suite(keys),
            quoted_columns=self.table.quoted_columns,
            parsed_columns=self.table.parsed_columns,
            display_name=display_name,
        )
