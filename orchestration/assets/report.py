"""The findings report, written from the marts."""

import dagster as dg

from orchestration.progress import progress_log
from orchestration.report.markdown import write_report
from orchestration.report.summary import load_summary
from orchestration.resources import AuditPaths
from orchestration.warehouse import connect

MARTS_READ = [
    dg.AssetKey(["marts", name])
    for name in (
        "savings_findings",
        "rpt_scenario_totals",
        "rpt_audit_window",
        "rpt_unpriced_usage",
    )
]


@dg.asset(
    key=dg.AssetKey(["report", "findings"]),
    group_name="report",
    deps=MARTS_READ,
    description="The Markdown findings report: scenario totals, waterfall, findings by "
    "savings, unpriced usage.",
)
def findings_report(paths: AuditPaths) -> dg.MaterializeResult:
    with connect(paths.warehouse_path, read_only=True) as con:
        summary = load_summary(con)
    path = write_report(summary, paths.report_path)
    progress_log.info("wrote %s", path)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path))})
