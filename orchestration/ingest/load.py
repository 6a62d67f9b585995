"""Idempotent, atomic loading of export files into `raw.*` (docs/internals.md).

Per file: content hash -> unchanged files are skipped; otherwise detect, stage (DuckDB
TEMP tables), validate (Great Expectations), and commit in one transaction that
replaces what the same path loaded before and any record of the same `usage_id` loaded
from another file (the one loaded last wins). A bad file is rejected whole and recorded
in `raw.rejected_files`; the walk goes on with the other files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb

from orchestration.ingest.bounds import LoadOptions, out_of_bounds
from orchestration.ingest.catalog import FORMATS, RAW_TABLES
from orchestration.ingest.detect import DetectedFormat, UnsupportedFormatError, detect_format
from orchestration.ingest.gx_runner import ExpectationErrored
from orchestration.ingest.registry import RawTable
from orchestration.ingest.staging import (
    FileContext,
    StagingError,
    account_for,
    date_folder_day,
    drop_staging_tables,
    first_error_line,
)

# The ledger: which file was loaded with which content, which were rejected, which usage
# days each load changed; then every raw table's own DDL (tables/).
LEDGER_DDL = (
    "create schema if not exists raw",
    """
    create table if not exists raw.loaded_files (
        source_file varchar primary key,
        content_sha256 varchar not null,
        file_mtime timestamp not null,
        source_format varchar not null,
        row_count bigint not null,
        loaded_at timestamp not null
    )
    """,
    # The usage days each load changed (rows added, replaced or removed), written in the
    # load's own transaction. The dbt build rebuilds these days incrementally and the
    # build step clears them once every model has been rebuilt (orchestration/build_state.py).
    "create sequence if not exists raw.change_ids",
    """
    create table if not exists raw.changed_days (
        change_id bigint not null default nextval('raw.change_ids'),
        usage_date date not null,
        source_file varchar not null,
        changed_at timestamp not null
    )
    """,
    """
    create table if not exists raw.rejected_files (
        source_file varchar not null,
        content_sha256 varchar not null,
        rejected_at timestamp not null,
        error varchar not null
    )
    """,
)
RAW_DDL = (*LEDGER_DDL, *(statement for table in RAW_TABLES.values() for statement in table.ddl))
# Every raw table a file's records can land in: a rewritten file replaces its rows in all.
RAW_RECORD_TABLES = tuple(table.qualified for table in RAW_TABLES.values())
# The time that puts a raw row on a usage day (raw.changed_days: what the incremental
# models rebuild): a record's own time; a provider bucket's start.
RECORD_TIME_COLUMNS = {table.qualified: table.time_column for table in RAW_TABLES.values()}
# Without a `date=` folder or --undated-day, records that carry no time are staged on this
# day, so the format's own checks still run and their problems are reported beside the
# missing day; the file is refused, so the day never reaches raw.
UNDATED_PLACEHOLDER = "1970-01-01"

# Files that live beside exports but are not data: skipped, not rejected.
NON_DATA_NAMES = frozenset({"thumbs.db", "desktop.ini"})
NON_DATA_PREFIXES = ("readme", "license", "licence", "changelog", "notice")
NON_DATA_SUFFIXES = (".md", ".rst")

Status = Literal["loaded", "unchanged", "rejected"]


@dataclass(frozen=True)
class FileOutcome:
    path: Path  # absolute
    display_name: str  # how messages name the file (e.g. `exports/usage.csv`)
    status: Status
    row_count: int  # rows committed (loaded), on the ledger (unchanged), 0 (rejected)
    source_format: str | None = None
    error: str | None = None  # one line per problem, each naming the file


@dataclass
class LoadResult:
    loaded: list[FileOutcome] = field(default_factory=list)
    unchanged: list[FileOutcome] = field(default_factory=list)
    rejected: list[FileOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """False when any file was rejected: a schedule or script must notice."""
        return not self.rejected

    @property
    def rows_loaded(self) -> int:
        return sum(outcome.row_count for outcome in self.loaded)

    def add(self, outcome: FileOutcome) -> None:
        {"loaded": self.loaded, "unchanged": self.unchanged, "rejected": self.rejected}[
            outcome.status
        ].append(outcome)


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    for statement in RAW_DDL:
        con.execute(statement)
    _drop_primary_keys(con)


def _drop_primary_keys(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse made while the raw record tables had a PRIMARY KEY loses it (see
    RAW_DDL): DuckDB cannot drop the constraint, so each such table is copied once, with
    its NOT NULL columns, and swapped in, in one transaction."""
    keyed = con.execute(
        "select distinct schema_name || '.' || table_name from duckdb_constraints()"
        " where constraint_type = 'PRIMARY KEY' and schema_name || '.' || table_name in"
        f" ({', '.join(_sql_str(table) for table in RAW_RECORD_TABLES)})"
    ).fetchall()
    for (table,) in keyed:
        schema, name = table.split(".")
        not_null = [
            column
            for (column,) in con.execute(
                "select column_name from duckdb_columns()"
                " where schema_name = ? and table_name = ? and not is_nullable"
                " order by column_index",
                [schema, name],
            ).fetchall()
        ]
        unkeyed = f"{table}__unkeyed"
        con.execute("begin transaction")
        try:
            con.execute(f"create table {unkeyed} as from {table}")
            for column in not_null:
                con.execute(f'alter table {unkeyed} alter column "{column}" set not null')
            con.execute(f"drop table {table}")
            con.execute(f"alter table {unkeyed} rename to {name}")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise


def load_exports(
    con: duckdb.DuckDBPyConnection,
    exports_dir: Path,
    *,
    repo_root: Path,
    progress: Callable[[str], None] | None = None,
    options: LoadOptions | None = None,
) -> LoadResult:
    """Load every data file under `exports_dir` (recursively, by modification time, then
    name) into `raw.*`. Never raises for a bad file: see `LoadResult.rejected`."""
    exports_dir = exports_dir.resolve()
    options = options or LoadOptions()  # one run time for every file
    ensure_raw_tables(con)
    result = LoadResult()
    for path in iter_export_files(exports_dir):
        display_name = f"{exports_dir.name}/{path.relative_to(exports_dir).as_posix()}"
        outcome = _load_file(con, path.resolve(), repo_root, display_name, options)
        result.add(outcome)
        if progress is not None:
            progress(_progress_line(outcome))
    return result


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    repo_root: Path,
    display_name: str | None = None,
    options: LoadOptions | None = None,
) -> FileOutcome:
    """Load one file (skipped when the ledger has this path with this content)."""
    ensure_raw_tables(con)
    path = path.resolve()
    return _load_file(
        con, path, repo_root, display_name or _default_display_name(path), options or LoadOptions()
    )


def _load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    repo_root: Path,
    display_name: str,
    options: LoadOptions,
) -> FileOutcome:
    """`load_file` once the raw tables exist: `load_exports` makes sure of them once, not
    for each file (about 11 ms a file, most of a nightly run's time on a file it already
    holds). `path` is resolved."""
    content_sha256 = _sha256(path)
    previous = con.execute(
        "select content_sha256, row_count, source_format from raw.loaded_files "
        "where source_file = ?",
        [str(path)],
    ).fetchone()
    if previous is not None and previous[0] == content_sha256:
        return FileOutcome(path, display_name, "unchanged", int(previous[1]), previous[2])

    def reject(error: str, source_format: str | None = None) -> FileOutcome:
        _record_rejection(con, path, content_sha256, error)
        return FileOutcome(path, display_name, "rejected", 0, source_format, error)

    try:
        return _load_content(con, path, content_sha256, display_name, repo_root, reject, options)
    except (duckdb.Error, OSError) as exc:
        # Anything else that goes wrong with one file (unreadable, a failed commit, which
        # was rolled back) rejects that file; the walk goes on.
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return reject(f"{display_name}: could not be loaded: {message}")


def _load_content(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    content_sha256: str,
    display_name: str,
    repo_root: Path,
    reject: Callable[..., FileOutcome],
    options: LoadOptions,
) -> FileOutcome:
    """Every format, one path: detect, stage, validate (the format's suite, then the
    bounds), finalise like its raw table, commit."""
    try:
        detected = detect_format(path)
    except UnsupportedFormatError as exc:
        return reject(f"{display_name}: unsupported format: {exc.reason}")
    export_format = FORMATS[detected.family]
    table = export_format.table
    source_format = detected.source_format
    try:
        try:
            context = file_context(path, detected, options, table)
            dated = (
                context
                if context.undated_day
                else dataclasses.replace(context, undated_day=UNDATED_PLACEHOLDER)
            )
            staged = export_format.stage(con, dated, detected.encoding)
        except StagingError as exc:
            return reject(f"{display_name}: {exc}", source_format)
        except duckdb.Error as exc:
            return reject(
                f"{display_name}: cannot be parsed as {source_format}: {first_error_line(exc)}",
                source_format,
            )
        undated = None if context.undated_day else undated_error(con, staged, table.shape.time)
        try:
            errors = export_format.validate_file(
                con, staged, context, display_name=display_name, repo_root=repo_root
            )
        except ExpectationErrored as exc:
            # GE could not evaluate a check: never a pass, so the file is not loaded.
            return reject(f"{display_name}: validation could not run: {exc}", source_format)
        if undated is not None:
            errors = [f"{display_name}: {undated}", *errors]
        errors = errors or out_of_bounds(
            con, staged, table.shape, options, display_name=display_name
        )
        if errors:
            return reject("\n".join(errors), source_format)
        final = table.finalise(con, staged, context)
        row_count = _commit(con, final, path, content_sha256, source_format, table)
    finally:
        # the stager names its tables; a failure midway leaves some of them behind
        drop_staging_tables(con, detected.family)
    return FileOutcome(path, display_name, "loaded", row_count, source_format)


def file_context(
    path: Path, detected: DetectedFormat, options: LoadOptions, table: RawTable
) -> FileContext:
    folder_day = date_folder_day(path) if table.dated_by_folder else None
    return FileContext(
        path=path,
        account=account_for(path),
        source_format=detected.source_format,
        undated_day=folder_day or options.undated_day,
        delimiter=detected.delimiter,
        encoding=detected.encoding,
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


def iter_export_files(exports_dir: Path) -> list[Path]:
    """Data files under `exports_dir`, oldest modification first, then by relative name."""
    files = [
        (path.stat().st_mtime_ns, path.relative_to(exports_dir).as_posix(), path)
        for path in _walk(exports_dir)
    ]
    return [path for _, _, path in sorted(files)]


def _walk(directory: Path) -> Iterator[Path]:
    for root, dirs, names in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # .git, .ipynb_checkpoints...
        for name in names:
            if not _is_non_data(name):
                yield Path(root) / name


def _is_non_data(name: str) -> bool:
    lowered = name.lower()
    return (
        name.startswith(".")  # hidden files, .DS_Store
        or lowered in NON_DATA_NAMES
        or lowered.startswith(NON_DATA_PREFIXES)
        or lowered.endswith(NON_DATA_SUFFIXES)
    )


def _commit(
    con: duckdb.DuckDBPyConnection,
    final: str,
    path: Path,
    content_sha256: str,
    source_format: str,
    table: RawTable,
) -> int:
    raw_table, key_column = table.qualified, table.key_column
    (row_count,) = con.execute(f"select count(*) from {final}").fetchone() or (0,)
    mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(tzinfo=None)
    touched = f"{final}_touched"
    con.execute("begin transaction")
    try:
        # One scan of the target table finds what the commit replaces (the path's earlier
        # rows, and records also loaded from another file: last loaded wins) and the other
        # logs of the same calls (int_usage_deduplicated keeps one copy of a call logged by
        # two tools, wherever each copy's day is): the table grows to tens of millions of
        # rows, and each scan of it costs a file's load.
        con.execute(
            f"""
            create or replace temp table {touched} as
            select
                rowid as row_id,
                cast({RECORD_TIME_COLUMNS[raw_table]} as date) as usage_date,
                source_file = ? or {key_column} in (select {key_column} from {final})
                    as is_replaced
            from {raw_table}
            where source_file = ?
                or {key_column} in (select {key_column} from {final})
                {_other_copies_condition(con, final, raw_table, path, raw_table)}
            """,
            [str(path), str(path)],
        )
        # Every day the commit touches: the new rows', those of the rows it touched, and
        # those of other copies in the other raw tables.
        con.execute(
            f"""
            insert into raw.changed_days (usage_date, source_file, changed_at)
            select distinct usage_date, ?, timezone('UTC', now())
            from (
                select usage_date from {touched}
                union all
                select cast({RECORD_TIME_COLUMNS[raw_table]} as date) from {final}
                {_days_of_other_copies(con, final, raw_table, path)}
            )
            """,
            [str(path)],
        )
        replaced = f"select row_id from {touched} where is_replaced"
        con.execute(f"delete from {raw_table} where rowid in ({replaced})")
        # The path's earlier content is replaced whole in the other tables too (a file
        # rewritten in place as another format).
        for table in RAW_RECORD_TABLES:
            if table != raw_table:
                con.execute(f"delete from {table} where source_file = ?", [str(path)])
        con.execute(f"insert into {raw_table} by name select * from {final}")
        con.execute(
            """
            insert or replace into raw.loaded_files
            values (?, ?, ?, ?, ?, timezone('UTC', now()))
            """,
            [str(path), content_sha256, mtime, source_format, row_count],
        )
        # The file is good now: its earlier rejections no longer apply.
        con.execute("delete from raw.rejected_files where source_file = ?", [str(path)])
        con.execute(f"drop table {touched}")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return int(row_count)


def _calls_of(final: str, raw_table: str, path: Path) -> str:
    """The calls (account + request id) a commit adds or removes."""
    return (
        f"select account, request_id from {final} where request_id is not null"
        f" union select account, request_id from {raw_table}"
        f" where source_file = {_sql_str(str(path))} and request_id is not null"
    )


def _other_copies_condition(
    con: duckdb.DuckDBPyConnection, final: str, raw_table: str, path: Path, table: str
) -> str:
    """An `or` branch matching the rows of `table` that log a call the commit adds or
    removes. Empty when the file or the table has no request ids."""
    if "request_id" not in _columns(con, final) or "request_id" not in _columns(con, table):
        return ""
    return (
        f" or ({table}.request_id is not null and exists (select 1 from"
        f" ({_calls_of(final, raw_table, path)}) as calls"
        f" where calls.account = {table}.account and calls.request_id = {table}.request_id))"
    )


def _days_of_other_copies(
    con: duckdb.DuckDBPyConnection, final: str, raw_table: str, path: Path
) -> str:
    """`union all` branches: the days of rows in the other raw usage tables that log a call
    the commit adds or removes (the commit's own table is scanned once, in _commit)."""
    conditions = {
        table: _other_copies_condition(con, final, raw_table, path, table)
        for table in RAW_RECORD_TABLES
        if table != raw_table
    }
    return "".join(
        f" union all select cast({RECORD_TIME_COLUMNS[table]} as date) from {table}"
        f" where false {condition}"
        for table, condition in conditions.items()
        if condition
    )


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {column[0] for column in con.execute(f"select * from {table} limit 0").description}


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _record_rejection(
    con: duckdb.DuckDBPyConnection, path: Path, content_sha256: str, error: str
) -> None:
    # One row per path and content: re-running over the same bad file updates it
    # instead of piling up copies.
    con.execute("begin transaction")
    try:
        con.execute(
            "delete from raw.rejected_files where source_file = ? and content_sha256 = ?",
            [str(path), content_sha256],
        )
        con.execute(
            "insert into raw.rejected_files values (?, ?, timezone('UTC', now()), ?)",
            [str(path), content_sha256, error],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _default_display_name(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _progress_line(outcome: FileOutcome) -> str:
    if outcome.status == "rejected":
        return f"rejected {outcome.display_name}:\n{outcome.error}"
    return f"{outcome.status} {outcome.display_name} ({outcome.row_count} rows)"
