"""The dbt unit tests (`models/**/_*__unit_tests.yml`: the cost math on rows worked out by
hand) run here, once per test run, on DuckDB; the Spark module runs them on Spark. The
nightly audit leaves them out (orchestration/assets/dbt.py): they prove the SQL, which a
night's data cannot change."""

import json
import shutil

from conftest import declared_dbt_unit_tests, run_dbt


def test_every_dbt_unit_test_passes_on_duckdb(worked_example_warehouse, tmp_path):
    # the models' relations must exist for dbt to type the fixtures: a built warehouse
    # under the same name, so dbt starts from the parse the audit kept (conftest.run_dbt)
    warehouse = tmp_path / worked_example_warehouse.name
    shutil.copy(worked_example_warehouse, warehouse)
    run_dbt(warehouse, tmp_path, "test", "--select", "test_type:unit")  # fails on a failure
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) == declared_dbt_unit_tests() > 0  # besides them, the on-run-start hook
    assert {r["status"] for r in unit_tests} == {"pass"}


def test_the_nightly_audit_leaves_the_unit_tests_out(worked_example_warehouse):
    log = worked_example_warehouse.parent / "logs" / f"{worked_example_warehouse.stem}-run.log"
    finished = [line for line in log.read_text().splitlines() if "Finished running" in line]
    assert len(finished) == 1 and "data tests" in finished[0]
    assert "unit test" not in finished[0]
