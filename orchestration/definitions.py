"""The one Dagster entry point: `make dagster` (`dagster dev -m orchestration.definitions`),
the nightly schedule, the new-files sensor and the CLI all run these definitions."""

import os

import dagster as dg

from orchestration.assets.dbt import audit_dbt_assets
from orchestration.assets.ingest import load_export_files
from orchestration.assets.publish import published_marts
from orchestration.assets.report import findings_report
from orchestration.dbt_resource import PipelineDbtResource
from orchestration.project import (
    DEFAULT_WAREHOUSE,
    REPO_ROOT,
    WAREHOUSE_ENV,
    dbt_project,
    pipeline_dbt_executable,
)
from orchestration.resources import AuditPaths
from orchestration.schedules import (
    NightlyTime,
    audit_job,
    new_export_files_sensor,
    nightly_audit_schedule,
    nightly_time_from_env,
)
from orchestration.settings import CONFIG_ENV


def build_definitions(
    warehouse: str,
    exports_dir: str,
    report_dir: str,
    publish_dir: str = "",
    nightly: NightlyTime | None = None,
    config_dir: str = "",
    undated_day: str = "",
) -> dg.Definitions:
    """Definitions bound to one warehouse; dbt finds the same file through the env var.
    The nightly time comes from the environment unless given."""
    os.environ[WAREHOUSE_ENV] = warehouse
    return dg.Definitions(
        assets=[load_export_files, audit_dbt_assets, findings_report, published_marts],
        jobs=[audit_job],
        schedules=[nightly_audit_schedule(nightly or nightly_time_from_env())],
        sensors=[new_export_files_sensor],
        resources={
            "paths": AuditPaths(
                warehouse=warehouse,
                exports_dir=exports_dir,
                report_dir=report_dir,
                publish_dir=publish_dir,
                config_dir=config_dir,
                undated_day=undated_day,
            ),
            "dbt": PipelineDbtResource(
                project_dir=dbt_project,
                profiles_dir=str(dbt_project.profiles_dir),
                dbt_executable=pipeline_dbt_executable(),
            ),
        },
    )


# For the schedule and `dagster dev`: paths from the environment, with repo defaults.
defs = build_definitions(
    warehouse=os.environ.get(WAREHOUSE_ENV, str(DEFAULT_WAREHOUSE)),
    exports_dir=os.environ.get("LLM_COST_AUDIT_EXPORTS", str(REPO_ROOT / "exports")),
    report_dir=os.environ.get("LLM_COST_AUDIT_REPORTS", str(REPO_ROOT / "reports")),
    publish_dir=os.environ.get("LLM_COST_AUDIT_PUBLISHED", ""),
    config_dir=os.environ.get(CONFIG_ENV, ""),
)
