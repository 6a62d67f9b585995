"""The nightly audit: every asset, in one process (the multiprocess executor re-imports
the code for each step, seconds apiece)."""

import dagster as dg

audit_job = dg.define_asset_job(
    "audit_job",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Load new exports, rebuild and test the warehouse, write the report.",
)

nightly_audit_schedule = dg.ScheduleDefinition(
    name="nightly_audit",
    job=audit_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
