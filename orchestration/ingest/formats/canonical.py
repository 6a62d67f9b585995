"""The canonical usage format (docs/formats.md): CSV, JSONL or Parquet, parsed by DuckDB.

Staging happens in TEMP tables of the caller's connection, so nothing of a file reaches
the warehouse file before it has been validated, and columns outside the canonical set
(prompt or completion text included) are never selected at all.

Two staging tables per file:
- `<t>_raw`: `source_record`, `source_line` and the canonical columns present in the
  file, as trimmed text (blank = NULL), so error messages can quote what was written;
- `<t>`: the same plus `parsed_*` typed columns (NULL where the text does not parse),
  which the Great Expectations suite checks and the insert reads.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import duckdb

from orchestration.ingest.checks import service_tier_keys_of_providers
from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import ENVELOPE_KEYS, DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import FileContext, StagedFile, StagingError
from orchestration.ingest.tables.canonical_usage import (  # noqa: F401 (the format's columns)
    CANONICAL_COLUMNS,
    INTEGER_COLUMNS,
    LATENCY_CLASSES,
    OPTIONAL_COLUMNS,
    OPTIONAL_TOKEN_COLUMNS,
    REQUIRED_COLUMNS,
    TABLE,
)
from orchestration.ingest.validate import validate_canonical

CANONICAL_DESCRIPTION = (
    "canonical usage (CSV, JSONL or Parquet with columns timestamp, provider, model, "
    "input_tokens, output_tokens, ...)"
)

# An integer written as such or as a float with a zero fraction (`3120.0`, what
# spreadsheets and pandas write); 18 digits always fit a BIGINT, so the cast cannot
# overflow.
_INTEGER_PATTERN = r"^\+?([0-9]{1,18})(\.0*)?$"
# An explicit UTC offset after the time part (`Z`, `+02:00`, `-0530`, `+02`). Without
# one, the time is UTC: it is cast to a naive TIMESTAMP, never through the session zone.
_OFFSET_PATTERN = (
    r"[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?\s*([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$"
)
_WHITESPACE = " \t\r\n"
_table_ids = itertools.count(1)


def stage(
    con: duckdb.DuckDBPyConnection, path: Path, encoding: str, delimiter: str = ","
) -> StagedFile:
    """Parse `path` with DuckDB into TEMP staging tables (see the module docstring);
    `delimiter`: a CSV's, as detected (`;` from a spreadsheet)."""
    table = f"_ingest_canonical_{next(_table_ids)}"
    try:
        if encoding == "csv":
            columns, has_lines = _stage_csv(con, path, table, delimiter)
        elif encoding == "jsonl":
            columns, has_lines = _stage_jsonl(con, path, table)
        elif encoding == "parquet":
            columns, has_lines = _stage_parquet(con, path, table)
        else:
            raise ValueError(f"unknown encoding {encoding!r}")
        con.execute(f"create temp table {table} as {_parsed_select(table + '_raw', columns)}")
    except duckdb.Error as exc:
        drop_staging(con, table)
        raise StagingError(f"cannot be parsed as {encoding.upper()}: {_first_line(exc)}") from exc
    except BaseException:
        drop_staging(con, table)
        raise
    (row_count,) = _fetchone(con, f"select count(*) from {table}")
    records = count_file_records(path, encoding, delimiter)
    return StagedFile(table, columns, int(row_count), has_lines, records)


def count_file_records(path: Path, encoding: str, delimiter: str = ",") -> int:
    """The number of records in the file, by a reader other than the one that staged it."""
    if encoding == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    with path.open(newline="", encoding="utf-8-sig") as handle:
        if encoding == "jsonl":
            return sum(1 for line in handle if line.strip(_WHITESPACE))
        rows = sum(
            1
            for record in csv.reader(handle, delimiter=delimiter)
            if any(v.strip() for v in record)
        )
    return max(rows - 1, 0)  # the header is not a record


def drop_staging(con: duckdb.DuckDBPyConnection, table: str) -> None:
    for suffix in ("", "_raw", "_rows", "_lines", "_final"):
        name = f"{table}{suffix}"
        (kind,) = con.execute(
            "select coalesce(max(case when table_type = 'VIEW' then 'view' else 'table' end),"
            " 'none') from information_schema.tables"
            " where table_catalog = 'temp' and table_name = ?",
            [name],
        ).fetchone() or ("none",)
        if kind != "none":
            con.execute(f"drop {kind} temp.main.{name}")


def known_service_tier_keys(
    con: duckdb.DuckDBPyConnection, staged: StagedFile, repo_root: Path
) -> list[str]:
    """`provider:spelling` pairs allowed for the providers in this file, from the curated
    seed (provider `*` = any provider). Compared lower-cased and trimmed, as staged."""
    if "provider" not in staged.columns:
        return []  # validation reports the missing column; nothing to look up here
    return service_tier_keys_of_providers(con, staged.table, repo_root)


# -- staging per encoding ------------------------------------------------------------


def _stage_csv(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, delimiter: str
) -> tuple[tuple[str, ...], bool]:
    # Dialect fixed (the detected delimiter, double quotes) rather than DuckDB-sniffed: the
    # sniffer can pick another delimiter on odd files, and all values stay text here.
    # `skip = 0`: otherwise, on a ragged file, the sniffer silently skips the header.
    reader = (
        f"read_csv({_sql_str(path)}, all_varchar = true, header = true, skip = 0, "
        f"delim = {_sql_str(delimiter)}, quote = '\"', escape = '\"')"
    )
    header = [
        name
        for (name,) in con.execute(
            f"select column_name from (describe select * from {reader})"
        ).fetchall()
    ]
    columns = tuple(c for c in CANONICAL_COLUMNS if c in header)
    selected = ", ".join(_quote(c) for c in columns) or "null as _no_columns"
    # Insertion order is preserved, so rowid + 1 is the data row number.
    con.execute(f"create temp table {table}_rows as select {selected} from {reader}")
    # Physical line of each record: a line starts a record when it is not blank and an
    # even number of quote characters precede it (odd = inside a quoted multi-line value;
    # an escaped "" adds two, so parity holds). Line 1's record is the header.
    con.execute(
        f"""
        create temp table {table}_lines as
        with source as (
            select string_split(content, chr(10)) as lines from read_text({_sql_str(path)})
        ),
        numbered as (
            select unnest(lines) as line, generate_subscripts(lines, 1) as line_number
            from source
        ),
        quote_parity as (
            select
                line_number,
                line,
                coalesce(sum(length(line) - length(replace(line, '"', ''))) over (
                    order by line_number rows between unbounded preceding and 1 preceding
                ), 0) as quotes_before
            from numbered
        )
        select
            line_number as source_line,
            row_number() over (order by line_number) - 1 as source_record
        from quote_parity
        where quotes_before % 2 = 0 and rtrim(line, chr(13)) <> ''
        """
    )
    (rows, lines) = _fetchone(
        con,
        f"select (select count(*) from {table}_rows), "
        f"(select count(*) from {table}_lines where source_record > 0)",
    )
    # If the line map disagrees with DuckDB's parse (an exotic quoting), report records
    # only rather than wrong line numbers.
    has_lines = rows == lines
    line_expr = "lines.source_line" if has_lines else "cast(null as bigint)"
    con.execute(
        f"""
        create temp table {table}_raw as
        select
            rows.rowid + 1 as source_record,
            {line_expr} as source_line,
            {_trimmed_text(columns, "rows")}
        from {table}_rows as rows
        left join {table}_lines as lines on lines.source_record = rows.rowid + 1
        """
    )
    return columns, has_lines


def _stage_jsonl(
    con: duckdb.DuckDBPyConnection, path: Path, table: str
) -> tuple[tuple[str, ...], bool]:
    # Each non-blank line is one record; reading lines ourselves keeps line numbers and
    # lets each value be taken as text (numbers, strings, nested JSON alike).
    con.execute(
        f"""
        create temp table {table}_lines as
        with source as (
            select string_split(content, chr(10)) as lines from read_text({_sql_str(path)})
        ),
        numbered as (
            select unnest(lines) as line, generate_subscripts(lines, 1) as line_number
            from source
        )
        select
            line_number as source_line,
            row_number() over (order by line_number) as source_record,
            -- a UTF-8 byte order mark survives in the first line's text
            ltrim(rtrim(line, chr(13)), chr(65279)) as line
        from numbered
        where trim(ltrim(rtrim(line, chr(13)), chr(65279)), '{_WHITESPACE}') <> ''
        """
    )
    bad = con.execute(
        f"""
        select source_line
        from {table}_lines
        where (case when json_valid(line) then json_type(line) end) is distinct from 'OBJECT'
        order by source_line
        limit 1
        """
    ).fetchone()
    if bad is not None:
        raise StagingError(f"line {bad[0]}: not a JSON object (expected one JSON object per line)")
    keys = {
        k
        for (k,) in con.execute(
            f"select distinct unnest(json_keys(line)) from {table}_lines"
        ).fetchall()
    }
    columns = tuple(c for c in CANONICAL_COLUMNS if c in keys)
    extracted = ", ".join(
        f"nullif(trim(json_extract_string(line, {_sql_str('$.' + _quote(c))}), "
        f"'{_WHITESPACE}'), '') as {_quote(c)}"
        for c in columns
    )
    con.execute(
        f"create temp table {table}_raw as "
        f"select source_record, source_line{', ' + extracted if extracted else ''} "
        f"from {table}_lines"
    )
    return columns, True


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, table: str
) -> tuple[tuple[str, ...], bool]:
    reader = f"read_parquet({_sql_str(path)}, file_row_number = true)"
    types = dict(
        con.execute(
            f"select column_name, column_type from (describe select * from {reader})"
        ).fetchall()
    )
    columns = tuple(c for c in CANONICAL_COLUMNS if c in types)

    def as_text(column: str) -> str:
        # A zoned timestamp is rendered in UTC with its offset, whatever the session zone.
        if types[column] == "TIMESTAMP WITH TIME ZONE":
            return f"cast(timezone('UTC', {_quote(column)}) as varchar) || '+00:00'"
        return f"cast({_quote(column)} as varchar)"

    texts = ", ".join(
        f"nullif(trim({as_text(c)}, '{_WHITESPACE}'), '') as {_quote(c)}" for c in columns
    )
    # a view, not a table: the typed staging table reads the file once, through it
    con.execute(
        f"create temp view {table}_raw as "
        f"select file_row_number + 1 as source_record, cast(null as bigint) as source_line"
        f"{', ' + texts if texts else ''} from {reader}"
    )
    return columns, False


# -- typed projection ----------------------------------------------------------------


def _parsed_select(raw_table: str, columns: tuple[str, ...]) -> str:
    def text(column: str) -> str:
        return _quote(column) if column in columns else "cast(null as varchar)"

    def integer(column: str) -> str:
        return f"try_cast(regexp_extract({text(column)}, '{_INTEGER_PATTERN}', 1) as bigint)"

    ts = text("timestamp")
    integers = ",\n            ".join(f"{integer(c)} as parsed_{c}" for c in INTEGER_COLUMNS)
    return f"""
        select
            *,
            case
                when regexp_matches({ts}, '{_OFFSET_PATTERN}')
                    then timezone('UTC', try_cast({ts} as timestamptz))
                else try_cast({ts} as timestamp)
            end as parsed_usage_at,
            {integers},
            lower({text("service_tier")}) as parsed_service_tier,
            lower({text("provider")}) || ':' || coalesce(lower({text("service_tier")}), 'standard')
                as service_tier_key,
            lower({text("latency_class")}) as parsed_latency_class
        from {raw_table}
    """


# -- helpers -------------------------------------------------------------------------


def _trimmed_text(columns: tuple[str, ...], alias: str) -> str:
    if not columns:
        return "cast(null as varchar) as _no_columns"
    return ", ".join(
        f"nullif(trim({alias}.{_quote(c)}, '{_WHITESPACE}'), '') as {_quote(c)}" for c in columns
    )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _fetchone(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row


def _first_line(exc: BaseException) -> str:
    """DuckDB's parse errors put the where on line 1 and the what on line 2
    (`CSV Error on Line: 7` / `Expected Number of Columns: 5 Found: 6`). The echoed
    `Original Line` is left out: it may carry prompt text into raw.rejected_files."""
    lines = [
        line.strip()
        for line in str(exc).splitlines()
        if line.strip() and not line.strip().startswith("Original Line")
    ]
    return "; ".join(lines[:2]) if lines else type(exc).__name__


# -- the format, for the loader ------------------------------------------------------


def detect_canonical(sniff: FileSniff) -> Match | None:
    columns = set(sniff.columns)
    if columns & ENVELOPE_KEYS or sniff.encoding == "json_array":
        return None
    present = columns & set(REQUIRED_COLUMNS)
    if len(present) == len(REQUIRED_COLUMNS):
        return Match(DetectedFormat("canonical", sniff.encoding, sniff.delimiter), complete=True)
    if len(present) >= 2:
        return Match(DetectedFormat("canonical", sniff.encoding, sniff.delimiter), complete=False)
    return None


def stage_file(con: duckdb.DuckDBPyConnection, context: FileContext, encoding: str) -> str:
    return stage(con, context.path, encoding, context.delimiter).table


def staged_file(con: duckdb.DuckDBPyConnection, table: str, context: FileContext) -> StagedFile:
    """What `stage` returned for `table`, found again from the table and the file."""
    present = {c[0] for c in con.execute(f"select * from {table} limit 0").description}
    (row_count, lines) = _fetchone(con, f"select count(*), count(source_line) from {table}")
    return StagedFile(
        table,
        tuple(c for c in CANONICAL_COLUMNS if c in present),
        int(row_count),
        bool(row_count) and lines == row_count,
        count_file_records(context.path, context.encoding, context.delimiter),
    )


def validate_file(
    con: duckdb.DuckDBPyConnection,
    table: str,
    context: FileContext,
    display_name: str,
    repo_root: Path,
) -> list[str]:
    staged = staged_file(con, table, context)
    return validate_canonical(
        con,
        staged,
        display_name=display_name,
        service_tier_keys=known_service_tier_keys(con, staged, repo_root),
    )


FORMATS = (
    ExportFormat(
        family="canonical",
        description=CANONICAL_DESCRIPTION,
        table=TABLE,
        detect=detect_canonical,
        stage=stage_file,
        signature=Signature(REQUIRED_COLUMNS, ("csv", "jsonl", "parquet")),
        validate=validate_file,
    ),
)
