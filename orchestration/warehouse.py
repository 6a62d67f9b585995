"""The DuckDB warehouse file: one writer at a time, opened and closed per step so dbt
(a separate process) can take the lock in between; and the published read-only copy
that analysts and BI tools open instead, so they never block the nightly run."""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

# DuckDB 2.x writes a format DuckDB 1.x cannot open, and BI drivers bundle older DuckDBs:
# the published file is written in the v1.4 storage format (docs/operating.md).
PUBLISHED_STORAGE_VERSION = "v1.4.0"
PUBLISHED_SCHEMA = "marts"
# Parquet exports also as CSV, for FinOps tools that ingest CSV.
CSV_EXPORTS = ("focus_llm_costs",)


# DuckDB takes up to 80% of RAM per process by default, and the loader and dbt each run one:
# a bounded limit makes big joins spill to disk instead. dbt's profile reads the same vars.
MEMORY_LIMIT_ENV = "LLM_COST_AUDIT_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "4GB"


def duckdb_settings() -> dict[str, str]:
    return {"memory_limit": os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT}


def publish_settings() -> dict[str, str]:
    # No mart promises a row order, and keeping insertion order makes DuckDB write each
    # published table and Parquet file on one thread (about a quarter of the publish at 10M).
    return {**duckdb_settings(), "preserve_insertion_order": "false"}


def publish_connection() -> duckdb.DuckDBPyConnection:
    """The publish step's connection: in memory, as it only reads the warehouse."""
    return duckdb.connect(config=publish_settings())


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only, config=duckdb_settings())
    try:
        yield con
    finally:
        con.close()


@dataclass(frozen=True)
class Published:
    database: Path  # the DuckDB file BI tools open read-only
    parquet_dir: Path  # one <mart>.parquet per mart (a symlink swapped per publish)
    marts: tuple[str, ...]


def published_database(warehouse: Path, publish_dir: Path) -> Path:
    return publish_dir / warehouse.name


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def publish(warehouse: Path, publish_dir: Path) -> Published:
    """Copy every mart into a new DuckDB file and new Parquet files, then swap them in
    with one rename each: a reader on the old file keeps reading it, a new connection
    sees the new state, and a publish that fails half-way leaves the old one in place."""
    publish_dir.mkdir(parents=True, exist_ok=True)
    database = published_database(warehouse, publish_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staging_database = publish_dir / f".{database.name}.{stamp}.tmp"
    parquet_version = publish_dir / f".parquet-{stamp}"
    parquet_version.mkdir()
    try:
        marts = _copy_marts(warehouse, staging_database, parquet_version)
        os.replace(staging_database, database)
        link = publish_dir / "parquet"
        staging_link = publish_dir / f".parquet-link-{stamp}"
        staging_link.symlink_to(parquet_version.name)
        os.replace(staging_link, link)
    except BaseException:
        staging_database.unlink(missing_ok=True)
        shutil.rmtree(parquet_version, ignore_errors=True)
        raise
    _prune_parquet_versions(publish_dir, keep=parquet_version.name)
    return Published(database, publish_dir / "parquet", marts)


def _copy_marts(warehouse: Path, target: Path, parquet_dir: Path) -> tuple[str, ...]:
    con = publish_connection()
    try:
        con.execute(f"attach {_sql_str(warehouse)} as source (read_only)")
        con.execute(
            f"attach {_sql_str(target)} as published "
            f"(storage_version {_sql_str(PUBLISHED_STORAGE_VERSION)})"
        )
        marts = tuple(
            name
            for (name,) in con.execute(
                """
                select table_name from duckdb_tables()
                where database_name = 'source' and schema_name = ?
                union
                select view_name from duckdb_views()
                where database_name = 'source' and schema_name = ? and not internal
                order by 1
                """,
                [PUBLISHED_SCHEMA, PUBLISHED_SCHEMA],
            ).fetchall()
        )
        if not marts:
            raise RuntimeError(f"{warehouse} has no {PUBLISHED_SCHEMA} to publish")
        con.execute(f"create schema published.{PUBLISHED_SCHEMA}")
        for name in marts:
            source = f'source.{PUBLISHED_SCHEMA}."{name}"'
            # views become tables: a BI reader needs neither dbt nor the upstream layers
            con.execute(f'create table published.{PUBLISHED_SCHEMA}."{name}" as from {source}')
            con.execute(
                f"copy (from {source}) to {_sql_str(parquet_dir / f'{name}.parquet')} "
                "(format parquet)"
            )
            if name in CSV_EXPORTS:
                con.execute(
                    f"copy (from {source}) to {_sql_str(parquet_dir / f'{name}.csv')} "
                    "(format csv, header true)"
                )
        con.execute("detach published")  # checkpoints: no WAL left beside the file
        return marts
    finally:
        con.close()


def _prune_parquet_versions(publish_dir: Path, keep: str) -> None:
    # the previous version stays one more round for a reader still scanning it
    versions = sorted(p for p in publish_dir.glob(".parquet-2*") if p.is_dir())
    for stale in [v for v in versions if v.name != keep][:-1]:
        shutil.rmtree(stale, ignore_errors=True)
