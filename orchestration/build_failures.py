"""What the last dbt build left failing: the models that did not build (an error, or
skipped because something before them failed) and the tests that failed, read from dbt's
run_results.json and kept in `raw.dbt_build_failures`.

They are kept in the warehouse, not in the run's target folder, because they describe
the warehouse as the build left it: the dbt step writes them, and the report, the
publish step and the CLI read them from the file they already open, in whichever run or
process comes next (a report or publish materialized alone from the UI included). A
build replaces the rows of every node it ran, so a clean build of the whole project
leaves none. The target folder is per run and removed after a good build.

Facts only (names, statuses, dbt's messages, what the manifest says a test checks): the
plain words are orchestration/report/failed_checks.py's.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass, fields
from typing import Any

import duckdb

FAILURES_TABLE = "raw.dbt_build_failures"
FAILURES_DDL = f"""
    create table if not exists {FAILURES_TABLE} (
        unique_id varchar not null,
        resource_type varchar not null,
        name varchar not null,
        relation varchar,
        status varchar not null,
        message varchar,
        failed_rows bigint,
        description varchar,
        check_kind varchar,
        check_arguments varchar
    )
"""
# Nodes whose failure means a table or view of the warehouse was not rebuilt.
BUILT_TYPES = ("model", "seed", "snapshot")
NOT_BUILT = ("error", "skipped")  # skipped: something it depends on failed
TEST_FAILED = ("fail", "error")  # error: the test's query itself failed, or raised
# How DuckDB's error begins when a query needs more than the memory limit allows.
OUT_OF_MEMORY = "Out of Memory Error"


@dataclass(frozen=True)
class BuildFailure:
    unique_id: str
    resource_type: str  # model, seed, snapshot or test
    name: str
    relation: str | None  # `schema.name` of the model (or what the test checks)
    status: str  # error or skipped (models); fail or error (tests)
    message: str | None = None  # dbt's, as it gave it
    failed_rows: int | None = None
    description: str | None = None  # from the manifest
    check_kind: str | None = None  # a generic test's name: not_null, unique, ...
    check_arguments: str | None = None  # its arguments (JSON), the model left out

    @property
    def did_not_build(self) -> bool:
        return self.resource_type in BUILT_TYPES

    @property
    def out_of_memory(self) -> bool:
        return self.status == "error" and OUT_OF_MEMORY in (self.message or "")

    @property
    def arguments(self) -> dict[str, Any]:
        return json.loads(self.check_arguments) if self.check_arguments else {}


def _relation(manifest: Mapping[str, Any], unique_id: str) -> str | None:
    node = manifest["nodes"].get(unique_id)
    return f"{node['schema']}.{node['name']}" if node else None


def _tested_relation(manifest: Mapping[str, Any], test: Mapping[str, Any]) -> str | None:
    """The model a generic test is attached to; for a singular test, the models it reads."""
    if test.get("attached_node"):
        return _relation(manifest, test["attached_node"])
    models = [
        relation
        for parent in test["depends_on"]["nodes"]
        if parent.startswith("model.") and (relation := _relation(manifest, parent))
    ]
    return ", ".join(models) or None


def _test_failure(
    result: Mapping[str, Any], test: Mapping[str, Any], manifest: Mapping[str, Any]
) -> BuildFailure:
    metadata = test.get("test_metadata") or {}
    arguments = {k: v for k, v in (metadata.get("kwargs") or {}).items() if k != "model"}
    return BuildFailure(
        unique_id=result["unique_id"],
        resource_type="test",
        name=test["name"],
        relation=_tested_relation(manifest, test),
        status=result["status"],
        message=result.get("message"),
        failed_rows=result.get("failures"),
        description=test.get("description") or None,
        check_kind=metadata.get("name"),
        check_arguments=json.dumps(arguments, sort_keys=True) if arguments else None,
    )


def failures_from_run_results(
    run_results: Mapping[str, Any], manifest: Mapping[str, Any]
) -> list[BuildFailure]:
    """Every model that did not build and every test that failed, in dbt's order."""
    failures = []
    for result in run_results["results"]:
        unique_id, status = result["unique_id"], result["status"]
        node = manifest["nodes"].get(unique_id)
        if node is None:
            continue
        kind = node["resource_type"]
        if kind in BUILT_TYPES and status in NOT_BUILT:
            relation = _relation(manifest, unique_id)
            failures.append(
                BuildFailure(unique_id, kind, node["name"], relation, status, result.get("message"))
            )
        elif kind == "test" and status in TEST_FAILED:
            failures.append(_test_failure(result, node, manifest))
    return failures


def record_failures(
    con: duckdb.DuckDBPyConnection,
    failures: Iterable[BuildFailure],
    ran: Iterable[str] | None = None,
) -> None:
    """Replace what the build says about the nodes it ran (`ran`: their unique ids; None:
    the whole project), in one transaction."""
    con.execute(FAILURES_DDL)
    con.execute("begin transaction")
    try:
        if ran is None:
            con.execute(f"delete from {FAILURES_TABLE}")
        else:
            con.execute(
                f"delete from {FAILURES_TABLE} where list_contains(?, unique_id)", [list(ran)]
            )
        placeholders = ", ".join("?" for _ in fields(BuildFailure))
        for failure in failures:
            con.execute(
                f"insert into {FAILURES_TABLE} values ({placeholders})", list(astuple(failure))
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def load_failures(con: duckdb.DuckDBPyConnection) -> tuple[BuildFailure, ...]:
    """What the last build left failing; nothing for a warehouse never built."""
    schema, table = FAILURES_TABLE.split(".")
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    if not exists or not exists[0]:
        return ()
    columns = ", ".join(field.name for field in fields(BuildFailure))
    rows = con.execute(
        f"select {columns} from {FAILURES_TABLE} "
        "order by resource_type = 'test', status, relation, name"
    ).fetchall()
    return tuple(BuildFailure(*row) for row in rows)
