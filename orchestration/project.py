"""Where the dbt project lives and how dbt is invoked: found relative to this package
(the repository root), never the working directory."""

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

REPO_ROOT = Path(__file__).resolve().parent.parent
PROFILES_DIR = REPO_ROOT / "profiles"
TARGET_DIR = REPO_ROOT / "target"
MANIFEST_PATH = TARGET_DIR / "manifest.json"
WAREHOUSE_ENV = "LLM_COST_AUDIT_WAREHOUSE"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "llm_cost_audit.duckdb"

# dbt unit tests prove the models' SQL on fixed rows, never the night's data: they run in
# `make test` (tests/python/test_dbt_unit_tests.py and the Spark build), not every night.
NIGHTLY_EXCLUSIONS = ("--exclude-resource-type", "unit_test")

# Files whose change makes the parsed manifest stale.
_DBT_INPUTS = ("dbt_project.yml", "models", "macros", "seeds", "tests/dbt", "profiles")


def dbt_executable(name: str = "dbt") -> str:
    """The venv's dbt, so an un-activated venv still finds it."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def pipeline_dbt_executable() -> str:
    """The dbt the pipeline runs: dbt, reusing its parse across warehouse folders
    (orchestration/dbt_launcher.py)."""
    return dbt_executable("llm-cost-audit-dbt")


def quiet_environment() -> None:
    """No telemetry from dbt or Dagster."""
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def _newest_input_mtime() -> float:
    newest = 0.0
    for name in _DBT_INPUTS:
        path = REPO_ROOT / name
        files = [path] if path.is_file() else path.rglob("*") if path.exists() else []
        for file in files:
            if file.is_file():
                newest = max(newest, file.stat().st_mtime)
    return newest


def ensure_manifest() -> Path:
    """`dbt parse` when the manifest is missing or older than the project's files:
    the dbt assets read it when they are defined."""
    quiet_environment()
    TARGET_DIR.mkdir(parents=True, exist_ok=True)
    # Two processes starting at once (the CLI beside the Dagster UI, parallel test
    # workers) would both write the manifest, or read it half-written: one parses, the
    # other waits, then finds it current.
    with (TARGET_DIR / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _manifest_is_current():
            _parse_project()
    return MANIFEST_PATH


def _manifest_is_current() -> bool:
    return MANIFEST_PATH.exists() and MANIFEST_PATH.stat().st_mtime >= _newest_input_mtime()


def _parse_project() -> None:
    completed = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--quiet",
            "--project-dir",
            str(REPO_ROOT),
            "--profiles-dir",
            str(PROFILES_DIR),
            "--target-path",
            str(TARGET_DIR),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{completed.stdout}\n{completed.stderr}")


dbt_project = DbtProject(
    project_dir=REPO_ROOT,
    profiles_dir=PROFILES_DIR,
    target_path=TARGET_DIR,
)
