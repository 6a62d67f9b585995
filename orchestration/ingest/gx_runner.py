"""Running a Great Expectations suite (GX Core 1.24, called directly) on a pandas
DataFrame or on a DuckDB query.

Big inputs (a staged canonical file, the committed rows of a night) are validated where
they are, in DuckDB through SQLAlchemy: no DataFrame of millions of rows. GE is lent the
caller's own connection, so it sees the caller's TEMP staging tables; two things make GE
1.24 work on it (docs/operating.md): DuckDB is registered as a persisted-connection dialect (GE
would otherwise read results after closing the connection and find none), and GE may not
begin, commit, roll back or close that connection, so each query autocommits and the
caller's transactions stay the caller's. Small provider files still go through pandas:
their suites use pandas `row_condition`s.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from typing import Any

import duckdb
import great_expectations as gx
import great_expectations.execution_engine.sqlalchemy_execution_engine as gx_sql_engine
import great_expectations.expectations as gxe
from duckdb_engine import ConnectionWrapper
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

# Offending records quoted per failed expectation; the rest are counted.
MAX_REPORTED_RECORDS = 5
# Each query suite gets a datasource of its own name (deleted after the run).
_query_sources = itertools.count()


class ExpectationErrored(RuntimeError):
    """An expectation raised instead of evaluating: GE reports that only as
    `success: False` with `exception_info`, which must never be read as a pass or as a
    data problem."""


class _DuckDBDialect(str):
    """How GE spells a dialect in its persisted-connection list (it reads `.value`)."""

    value = "duckdb"


if "duckdb" not in gx_sql_engine._PERSISTED_CONNECTION_DIALECTS:
    gx_sql_engine._PERSISTED_CONNECTION_DIALECTS = (
        *gx_sql_engine._PERSISTED_CONNECTION_DIALECTS,
        _DuckDBDialect("duckdb"),
    )


class _LentConnection(ConnectionWrapper):
    """The caller's DuckDB connection as SQLAlchemy's DBAPI connection: transactions and
    closing stay with the caller."""

    def begin(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


def run_suite_on_frame(
    frame: Any, expectations: list[gxe.Expectation], index_columns: list[str]
) -> list:
    """Results in the order of `expectations` (each carries meta {"check": i})."""
    batch = _pandas_batch_definition().get_batch(batch_parameters={"dataframe": frame})
    return _validate(batch, expectations, index_columns)


def run_suite_on_query(
    con: duckdb.DuckDBPyConnection,
    query: str,
    expectations: list[gxe.Expectation],
    index_columns: list[str],
) -> list:
    """The suite on the rows of `query`, run in DuckDB on `con`. An `order by` in the
    query orders the quoted offending records."""
    context = _context()
    name = f"duckdb_query_{next(_query_sources)}"
    source = context.data_sources.add_sql(
        name,
        connection_string="duckdb:///:memory:",  # names the dialect; the creator connects
        kwargs={"creator": lambda: _LentConnection(con)},
    )
    try:
        asset = source.add_query_asset("rows", query=query)
        batch = asset.add_batch_definition_whole_table("all_rows").get_batch()
        return _validate(batch, expectations, index_columns)
    finally:
        context.data_sources.delete(name)


def _validate(batch: Any, expectations: list[gxe.Expectation], index_columns: list[str]) -> list:
    """Every expectation's verdict first, with nothing else computed (GE's BOOLEAN_ONLY:
    one unexpected-record count each); then only the failed ones again, for the records
    they flag. A valid file, the usual case, pays for the verdicts alone (the figures:
    benchmarks/TEST_SUITE.md, session 17)."""
    results = _run(batch, expectations, {"result_format": "BOOLEAN_ONLY"})
    failed = [i for i, result in enumerate(results) if not result.success]
    if failed:
        detail = {
            "result_format": "SUMMARY",
            "unexpected_index_column_names": index_columns,
            "partial_unexpected_count": MAX_REPORTED_RECORDS,
        }
        again = _run(batch, [expectations[i] for i in failed], detail)
        for i, result in zip(failed, again, strict=True):
            results[i] = result
    return results


def _run(batch: Any, expectations: list[gxe.Expectation], result_format: dict) -> list:
    """The results of `expectations` on `batch`, in their order (GE's is its own: each is
    found again by its meta {"check": i})."""
    suite = gx.ExpectationSuite(name="ingest_suite", expectations=expectations)
    validation = batch.validate(suite, result_format=result_format)
    by_check: dict[int, Any] = {}
    for result in validation.results:
        config = result.expectation_config
        error = exception_message(result.exception_info)
        if error is not None:
            raise ExpectationErrored(f"{config.type} on {config.kwargs.get('column')}: {error}")
        by_check[config.meta["check"]] = result
    checks = [expectation.meta["check"] for expectation in expectations]
    if sorted(by_check) != sorted(checks):
        raise ExpectationErrored(
            f"GE returned {len(by_check)} results for {len(expectations)} expectations"
        )
    return [by_check[check] for check in checks]


@functools.cache
def _context() -> AbstractDataContext:
    """One ephemeral context per process: creating it costs more than validating a file."""
    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


@functools.cache
def _pandas_batch_definition() -> Any:
    source = _context().data_sources.add_pandas("ingest_staging")
    asset = source.add_dataframe_asset("staged_file")
    return asset.add_batch_definition_whole_dataframe("whole_file")


def exception_message(info: Mapping[str, Any] | None) -> str | None:
    """`exception_info` is either one {raised_exception, exception_message} dict or a
    dict of them keyed by metric; any raised exception counts."""
    if not info:
        return None
    if "raised_exception" in info:
        if info.get("raised_exception"):
            return str(info.get("exception_message") or "unknown error")
        return None
    for nested in info.values():
        if isinstance(nested, Mapping) and (message := exception_message(nested)):
            return message
    return None
