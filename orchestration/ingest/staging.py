"""What every export format's stager shares: the file's context (account, undated day,
delimiter), the staging error, the folder conventions and the SQL helpers.

A stager parses a file with DuckDB into TEMP tables named `_ingest_<family>_<n>...`
(text as written, and `parsed_*` typed columns); nothing reaches `raw.*` before the file
has passed its checks (`load.py`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

# A folder named `account=<name>` anywhere above a file says which organization the
# file belongs to (the nearest one wins); files outside such a folder belong to
# `default`, as canonical records without an `account` do.
ACCOUNT_FOLDER = re.compile(r"^account=(.+)$")
DEFAULT_ACCOUNT = "default"
# A folder named `date=<YYYY-MM-DD>` above a file gives the UTC day of its records that
# carry no time (Messages responses, batch results): the nearest one wins.
DATE_FOLDER = re.compile(r"^date=(.*)$")

# A non-negative integer written as such or as a float with a zero fraction (`3120.0`).
INTEGER_PATTERN = r"^\+?([0-9]{1,18})(\.0*)?$"
# A decimal amount (money): digits with an optional fraction, optionally signed.
DECIMAL_PATTERN = r"^[+-]?([0-9]{1,20}(\.[0-9]{0,12})?|\.[0-9]{1,12})$"
WHITESPACE = " \t\r\n"
_table_ids = itertools.count(1)


class StagingError(ValueError):
    """The file cannot be parsed at all; the message says where (e.g. `line 4: ...`)."""


@dataclass(frozen=True)
class StagedFile:
    """A staged canonical file: its table and what its checks need to know of it."""

    table: str  # TEMP table with the raw text and parsed_* columns
    columns: tuple[str, ...]  # canonical columns present in the file
    row_count: int
    has_line_numbers: bool  # CSV and JSONL: physical line of each record is known
    # records in the file counted apart from DuckDB's parse (Python's csv module, JSON
    # lines, the Parquet footer): the suite expects the staged row count to equal it
    file_records: int | None = None


@dataclass(frozen=True)
class FileContext:
    path: Path
    account: str
    source_format: str
    # the day (ISO) of records without a time of their own: the `date=` folder's, else
    # `run --undated-day`'s; None: such records are refused (never the file's mtime)
    undated_day: str | None = None
    delimiter: str = ","  # a CSV's, as detected
    encoding: str = ""  # as detected: csv, jsonl, parquet, json

    @property
    def undated_time_sql(self) -> str:
        """SQL text literal of the undated records' time (the day's start), or NULL."""
        if self.undated_day is None:
            return "cast(null as varchar)"
        return sql_str(f"{self.undated_day} 00:00:00")


# parse a file (an encoding) into a staged TEMP table; returns its name
Stager = Callable[[duckdb.DuckDBPyConnection, FileContext, str], str]


def account_for(path: Path) -> str:
    """The account a file belongs to, by the `account=<name>` folder convention."""
    for parent in path.resolve().parents:
        match = ACCOUNT_FOLDER.match(parent.name)
        if match and match.group(1).strip():
            return match.group(1).strip()
    return DEFAULT_ACCOUNT


def date_folder_day(path: Path) -> str | None:
    """The day of the nearest `date=YYYY-MM-DD` folder above `path`, or None;
    StagingError for such a folder that does not name a day."""
    for parent in path.resolve().parents:
        match = DATE_FOLDER.match(parent.name)
        if match:
            text = match.group(1).strip()
            try:
                if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                    return date.fromisoformat(text).isoformat()
                raise ValueError(text)
            except ValueError:
                raise StagingError(
                    f"folder {parent.name!r} does not name a day (date=YYYY-MM-DD)"
                ) from None
    return None


def new_table_name(family: str) -> str:
    return f"_ingest_{family}_{next(_table_ids)}"


def drop_staging_tables(con: duckdb.DuckDBPyConnection, family: str) -> None:
    """Drop every TEMP table and view a stager of `family` made (`new_table_name`): a
    failure midway leaves some of them behind."""
    prefix = f"_ingest_{family}_"
    for kind, catalog in (("view", "duckdb_views()"), ("table", "duckdb_tables()")):
        names = con.execute(
            f"select view_name from {catalog} where temporary and starts_with(view_name, ?)"
            if kind == "view"
            else f"select table_name from {catalog} where temporary and starts_with(table_name, ?)",
            [prefix],
        ).fetchall()
        for (name,) in names:
            con.execute(f'drop {kind} if exists temp.main."{name}"')


def text(expression: str) -> str:
    """Trimmed text, blank = NULL."""
    return f"nullif(trim(cast({expression} as varchar), '{WHITESPACE}'), '')"


def integer(expression: str) -> str:
    """A non-negative integer from text, NULL where it is not one."""
    return f"try_cast(regexp_extract({expression}, '{INTEGER_PATTERN}', 1) as bigint)"


def money(expression: str) -> str:
    """An exact decimal from text (never through a float), NULL where it is not one."""
    return (
        f"case when regexp_matches({expression}, '{DECIMAL_PATTERN}') "
        f"then cast({expression} as decimal(38, 12)) end"
    )


def utc_timestamp(expression: str) -> str:
    """An RFC 3339 time (`Z` or an offset) or a naive one (UTC) as a naive UTC timestamp."""
    return (
        f"case when regexp_matches({expression}, '([zZ]|[+-][0-9]{{2}}:?[0-9]{{2}})$') "
        f"then timezone('UTC', try_cast({expression} as timestamptz)) "
        f"else try_cast({expression} as timestamp) end"
    )


def epoch_timestamp(expression: str) -> str:
    """Unix seconds written as text (`1789344000`, `1789344000.0`) as a naive UTC
    timestamp, NULL where it is not one."""
    return f"make_timestamp({integer(expression)} * 1000000)"


# Bucket widths the usage APIs offer, by name.
WIDTH_SECONDS = {"1m": 60, "1h": 3600, "1d": 86400}


def bucket_width_sql(typed: str, stated: str) -> str:
    """`typed` (a select with record_kind and parsed_bucket_start_at / _end_at) plus
    `parsed_bucket_width` and `bucket_width_problem` (NULL when the width is fine).

    A bucket is 1m, 1h or 1d wide, or partial: an export whose window starts or ends
    mid-bucket (the Usage APIs' first bucket starts at the requested `start_time`) has a
    shorter bucket within one bucket of the export's width. It keeps its real start and
    end and takes that width: the one the page states (`stated`, SQL text), else the
    widest full bucket of the file. A file of partial buckets only, stating no width, is
    refused: the width could be any."""
    names = " ".join(f"when {sql_str(n)} then {sec}" for n, sec in WIDTH_SECONDS.items())
    to_name = " ".join(f"when {sec} then {sql_str(n)}" for n, sec in WIDTH_SECONDS.items())
    full = ", ".join(str(sec) for sec in WIDTH_SECONDS.values())
    seconds = "date_diff('second', parsed_bucket_start_at, parsed_bucket_end_at)"
    return f"""
        with spaced as (
            select
                *,
                {seconds} as bucket_seconds,
                case lower({stated}) {names} end as stated_seconds,
                max(case when record_kind = 'bucket' and {seconds} in ({full})
                    then {seconds} end) over () as widest_full_seconds
            from ({typed})
        ),
        nominal as (
            select
                *,
                coalesce(
                    stated_seconds,
                    case when bucket_seconds in ({full}) then bucket_seconds end,
                    widest_full_seconds
                ) as nominal_seconds
            from spaced
        ),
        widths as (
            select
                *,
                case
                    when bucket_seconds = nominal_seconds then nominal_seconds
                    -- partial: shorter, and within one bucket of the nominal width
                    when bucket_seconds > 0 and bucket_seconds < nominal_seconds
                        and floor(epoch(parsed_bucket_start_at) / nominal_seconds)
                            = floor((epoch(parsed_bucket_end_at) - 1) / nominal_seconds)
                        then nominal_seconds
                end as width_seconds
            from nominal
        )
        select
            * exclude (stated_seconds, widest_full_seconds, nominal_seconds, width_seconds),
            case width_seconds {to_name} end as parsed_bucket_width,
            case
                when record_kind <> 'bucket' or width_seconds is not null
                    or bucket_seconds is null then null
                when nominal_seconds is null and bucket_seconds > 0 then
                    'is a partial bucket (' || bucket_seconds || ' s, the export started or'
                    || ' ended mid-bucket), and the file states no bucket_width and holds no'
                    || ' full 1m, 1h or 1d bucket to take the width from: export a window'
                    || ' starting on a bucket boundary, or with more than one bucket'
                else 'is not 1m, 1h or 1d wide, nor part of one '
                    || coalesce(case nominal_seconds {to_name} end, '?')
                    || ' bucket (the export''s width)'
            end as bucket_width_problem
        from widths
    """


def page_width_sql(con: duckdb.DuckDBPyConnection, pages_table: str, start: str, end: str) -> str:
    """SQL text: the width a partial bucket of these API pages takes, the page's own
    `bucket_width`, else the widest full bucket of the file's pages (empty buckets
    included: they carry no result rows). `start` / `end`: a bucket's times, SQL over
    `bucket`."""
    full = ", ".join(str(sec) for sec in WIDTH_SECONDS.values())
    (widest,) = con.execute(
        f"""
        select max(seconds) from (
            select date_diff('second', {start}, {end}) as seconds
            from {pages_table} as pages, json_each(pages.page, '$.data') as buckets(key, bucket)
        ) where seconds in ({full})
        """
    ).fetchone() or (None,)
    spacing = {sec: name for name, sec in WIDTH_SECONDS.items()}.get(widest)
    spacing_sql = sql_str(spacing) if spacing else "null"
    return f"coalesce({json_text('page', '$.bucket_width')}, {spacing_sql})"


def stated_width_column(con: duckdb.DuckDBPyConnection, rows_table: str) -> str:
    """The staged rows' `stated_bucket_width` (the page's `bucket_width`) or NULL."""
    columns = {c[0] for c in con.execute(f"select * from {rows_table} limit 0").description}
    return "stated_bucket_width" if "stated_bucket_width" in columns else "cast(null as varchar)"


def sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def json_text(json_expr: str, path: str) -> str:
    """A JSON member as trimmed text (numbers and strings alike): money stays exact."""
    return text(f"json_extract_string({json_expr}, {sql_str(path)})")


def first_error_line(exc: BaseException) -> str:
    lines = [
        line.strip()
        for line in str(exc).splitlines()
        if line.strip() and not line.strip().startswith("Original Line")
    ]
    return "; ".join(lines[:2]) if lines else type(exc).__name__


def read_json_lines(con: duckdb.DuckDBPyConnection, context: FileContext, table: str) -> None:
    """`<table>_lines`: (source_line, line) per non-blank line of a JSONL file, BOM and CR
    removed; StagingError naming the first line that is not a JSON object."""
    con.execute(
        f"""
        create temp table {table}_lines as
        with source as (
            select string_split(content, chr(10)) as lines
            from read_text({sql_str(context.path)})
        ),
        numbered as (
            select unnest(lines) as line, generate_subscripts(lines, 1) as line_number
            from source
        )
        select
            line_number as source_line,
            -- a UTF-8 byte order mark survives in the first line's text
            ltrim(rtrim(line, chr(13)), chr(65279)) as line
        from numbered
        where trim(ltrim(rtrim(line, chr(13)), chr(65279)), ' \t\r\n') <> ''
        """
    )
    bad = con.execute(
        f"""
        select source_line from {table}_lines
        where (case when json_valid(line) then json_type(line) end) is distinct from 'OBJECT'
        order by source_line limit 1
        """
    ).fetchone()
    if bad is not None:
        raise StagingError(f"line {bad[0]}: not a JSON object (expected one JSON object per line)")


def read_csv_header(con: duckdb.DuckDBPyConnection, context: FileContext, table: str) -> list[str]:
    """`<table>_lines`: the CSV's rows as text (BOM allowed, header kept by name); returns
    the header. Same fixed dialect as the canonical loader; an `account=<name>` folder is
    not a Hive partition column of the file."""
    reader = (
        f"read_csv({sql_str(context.path)}, all_varchar = true, header = true, skip = 0, "
        f"delim = {sql_str(context.delimiter)}, quote = '\"', escape = '\"', "
        "hive_partitioning = false)"
    )
    con.execute(f"create temp table {table}_lines as select * from {reader}")
    return [
        name
        for (name,) in con.execute(
            f"select column_name from (describe select * from {table}_lines)"
        ).fetchall()
    ]


def csv_column(header: Sequence[str], *names: str) -> str:
    """The first of `names` the header has, as trimmed text; NULL when none is there.
    Columns are mapped by header name, never by position."""
    for name in names:
        if name in header:
            return text('"' + name.replace('"', '""') + '"')
    return "cast(null as varchar)"


def require_columns(header: Sequence[str], required: Sequence[str]) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise StagingError(f"missing required column(s): {', '.join(missing)}")


def empty_or(row: Mapping[str, object], column: str, problem: str, label: str | None = None) -> str:
    """An offending record's problem in words: the column (or `label`) is empty, or its
    value (quoted as the file wrote it) has `problem`."""
    value = row.get(column)
    name = label or column
    return f"{name} is empty" if value is None else f"{name} '{value}' {problem}"


def bucket_grouping_sql(dimensions: Sequence[str]) -> str:
    """The file's group-by, as SQL over its staged rows: the dimensions any of its
    buckets carries (a NULL dimension means the export was not grouped by it)."""
    return " || ".join(
        f"case when bool_or({d} is not null) filter (where record_kind = 'bucket') "
        f"then '{d},' else '' end"
        for d in dimensions
    )


def bucket_usage_id_sql(provider: str, family: str, account: str, dimensions_sql: str) -> str:
    """A bucket's key: provider, format family, account, start, width and a hash of its
    dimension values (`dimensions_sql`: text expressions, NULLs already coalesced). A
    partial bucket is keyed on the start of the whole bucket it is part of: the whole one,
    exported later, replaces it (and the reverse: the copy loaded last wins), never both."""
    cases = " ".join(f"when {sql_str(n)} then {sec}" for n, sec in WIDTH_SECONDS.items())
    width = f"(case parsed_bucket_width {cases} end)"
    start = (
        f"case when bucket_seconds < {width} then make_timestamp(cast(floor("
        f"epoch(parsed_bucket_start_at) / {width}) * {width} as bigint) * 1000000)"
        " else parsed_bucket_start_at end"
    )
    return (
        f"'{provider}:bucket:{family}:' || {account} || ':'"
        f" || strftime({start}, '%Y-%m-%dT%H:%M:%S') || ':'"
        " || parsed_bucket_width || ':'"
        f" || left(sha256(concat_ws(chr(31), {dimensions_sql})), 24)"
    )
