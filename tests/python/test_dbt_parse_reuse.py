"""dbt's parse of the project is reused from one run to the next (orchestration/
dbt_parse_cache.py, orchestration/dbt_launcher.py), and dagster-dbt's per-run costs the
pipeline does not need are gone (orchestration/dbt_resource.py).

dbt writes "Unable to do partial parsing" (then parses everything) whenever it cannot
reuse a saved parse; the CLI keeps dbt's messages in `logs/<warehouse>-run.log`."""

import os
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import audit, worked_example_rows, write_canonical_csv
from packaging import version

from orchestration.dbt_parse_cache import (
    CACHE_DIR,
    KEPT_PARSES,
    PARSE_FILE,
    keep_parse,
    start_from_cached_parse,
)
from orchestration.dbt_resource import PipelineDbtResource
from orchestration.project import (
    PROFILES_DIR,
    REPO_ROOT,
    WAREHOUSE_ENV,
    dbt_executable,
    dbt_project,
    pipeline_dbt_executable,
)

FULL_PARSE = "Unable to do partial parsing"


def _parse(executable: str, warehouse: Path, target: Path) -> str:
    completed = subprocess.run(
        [executable, "parse", "--project-dir", str(REPO_ROOT), "--profiles-dir",
         str(PROFILES_DIR), "--target-path", str(target), "--log-path", str(target)],
        env={**os.environ, WAREHOUSE_ENV: str(warehouse)},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return completed.stdout


@pytest.mark.slow  # three full parses of the project
def test_a_warehouse_in_another_folder_reuses_the_parse_only_through_the_pipelines_dbt(
    tmp_path,
):
    target, pipeline_dbt = tmp_path / "target", pipeline_dbt_executable()
    assert FULL_PARSE in _parse(pipeline_dbt, tmp_path / "one" / "w.duckdb", target)
    assert FULL_PARSE not in _parse(pipeline_dbt, tmp_path / "two" / "w.duckdb", target)
    # plain dbt compares the file's path too, and parses again
    assert FULL_PARSE in _parse(dbt_executable(), tmp_path / "two" / "w.duckdb", target)
    # another name is another database in every node: parsed again
    assert FULL_PARSE in _parse(pipeline_dbt, tmp_path / "two" / "other.duckdb", target)


@pytest.mark.slow  # two audits
def test_the_second_audit_of_a_warehouse_name_starts_from_the_first_ones_parse(tmp_path):
    exports = write_canonical_csv(
        tmp_path / "exports" / "calls.csv", worked_example_rows(datetime(2026, 10, 20, tzinfo=UTC))
    ).parent
    name = f"parse-{uuid.uuid4().hex[:8]}"  # a name no other test's audit has parsed
    try:
        logs = []
        for folder in ("first", "second"):
            warehouse = tmp_path / folder / f"{name}.duckdb"
            warehouse.parent.mkdir()
            assert audit(exports, warehouse) == 0
            logs.append((warehouse.parent / "logs" / f"{name}-run.log").read_text())
        assert FULL_PARSE in logs[0]
        assert FULL_PARSE not in logs[1]
        assert list(CACHE_DIR.glob(f"{name}-*.msgpack"))
    finally:
        for kept in CACHE_DIR.glob(f"{name}-*.msgpack"):
            kept.unlink()


def test_the_pipelines_dbt_resource_knows_dbts_version_without_asking_it():
    resource = PipelineDbtResource(
        project_dir=dbt_project,
        profiles_dir=str(dbt_project.profiles_dir),
        dbt_executable=pipeline_dbt_executable(),
    )
    said = subprocess.run(
        [pipeline_dbt_executable(), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert f"installed: {resource._cli_version}" in said.lower()
    assert isinstance(resource._cli_version, version.Version)
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_keeping_a_parse_prunes_the_oldest_and_a_missing_one_starts_a_fresh_parse(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    for n in range(KEPT_PARSES):
        old = cache / f"w-{n}.msgpack"
        old.write_bytes(b"parse")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    (cache / "unrelated.txt").write_text("left alone")
    run = tmp_path / "run"
    run.mkdir()
    (run / PARSE_FILE).write_bytes(b"new parse")
    keep_parse(run, cache / "new.msgpack")
    kept = sorted(p.name for p in cache.iterdir())
    assert len(kept) == KEPT_PARSES + 1  # the parses and the unrelated file
    assert "w-0.msgpack" not in kept and {"new.msgpack", "unrelated.txt"} <= set(kept)
    # a run whose parse was pruned (or never kept) starts without one
    start_from_cached_parse(tmp_path / "next", cache / "w-0.msgpack")
    assert list((tmp_path / "next").iterdir()) == []
