"""The findings report (Markdown and HTML), written from the marts."""

import dagster as dg

from orchestration.progress import progress_log
from orchestration.report.html import write_html_report
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
        "rpt_savings_by_scope",
        "rpt_daily_scenarios",
        "fct_daily_costs",
    )
]


@dg.asset(
    key=dg.AssetKey(["report", "findings"]),
    group_name="report",
    deps=MARTS_READ,
    description="The findings report, Markdown (findings.md) and self-contained HTML with "
    "charts (findings.html): headline waterfall, findings by savings with evidence, "
    "unpriced usage.",
)
def findings_report(paths: AuditPaths) -> dg.MaterializeResult:
    with connect(paths.warehouse_path, read_only=True) as con:
        summary = load_summary(con)
    markdown = write_report(summary, paths.report_path)
    html = write_html_report(summary, paths.report_path)
    for path in (markdown, html):
        progress_log.info("wrote %s", path)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(markdown)),
            "html_path": dg.MetadataValue.path(str(html)),
        }
    )
