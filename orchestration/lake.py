"""The raw tables as a Parquet lake, one folder per table, partitioned by usage day
(`<lake>/<table>/usage_date=YYYY-MM-DD/*.parquet`): what a distributed engine reads
(the dbt `spark` target registers these folders as its `raw.*` tables, macro
register_raw_lake) and DuckDB reads as well (`read_parquet(..., hive_partitioning=true)`).

A table with no rows still gets a folder: one empty file in a placeholder day, so its
columns are known to the reader. Each table is written beside its folder and swapped in,
so a reader never sees half a table."""

import shutil
from pathlib import Path

import duckdb

from orchestration.ingest.load import RECORD_TIME_COLUMNS

LAKE_ENV = "LLM_COST_AUDIT_LAKE"
PARTITION_COLUMN = "usage_date"
# a day no usage has: the folder holding an empty table's one empty file
EMPTY_PARTITION = f"{PARTITION_COLUMN}=1970-01-01"

# Every raw table the dbt sources read, and the time that puts a row on its usage day
# (raw.changed_days names its days itself).
LAKE_TABLES = {**RECORD_TIME_COLUMNS, "raw.changed_days": None}


def _rows(con: duckdb.DuckDBPyConnection, table: str, time_column: str | None) -> str:
    if time_column is None:
        return f"select * from {table}"
    return f"select *, cast({time_column} as date) as {PARTITION_COLUMN} from {table}"


def export_raw_lake(con: duckdb.DuckDBPyConnection, lake_dir: Path) -> dict[str, int]:
    """Write every raw table under `lake_dir`; the row count per table."""
    lake_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table, time_column in LAKE_TABLES.items():
        name = table.split(".", 1)[1]
        staged, final = lake_dir / f".{name}.staged", lake_dir / name
        shutil.rmtree(staged, ignore_errors=True)
        query = _rows(con, table, time_column)
        (count,) = con.execute(f"select count(*) from ({query})").fetchone()
        if count:
            con.execute(
                f"copy ({query}) to '{staged}' (format parquet, partition_by ({PARTITION_COLUMN}))"
            )
        else:
            (staged / EMPTY_PARTITION).mkdir(parents=True)
            empty = f"select * exclude ({PARTITION_COLUMN}) from ({query}) limit 0"
            con.execute(f"copy ({empty}) to '{staged / EMPTY_PARTITION / 'empty.parquet'}'")
        shutil.rmtree(final, ignore_errors=True)
        staged.rename(final)
        counts[name] = count
    return counts


def read_lake_table(con: duckdb.DuckDBPyConnection, lake_dir: Path, name: str):
    """One lake table as DuckDB reads it (the partition column comes back as a DATE)."""
    return con.sql(
        f"select * from read_parquet('{lake_dir / name}/*/*.parquet', hive_partitioning = true)"
    )
