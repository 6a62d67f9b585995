"""The findings report (Markdown and HTML), written from the marts, with what the last
build left failing at the top (orchestration/report/findings.py). The dbt step calls
`write_findings_report` too when its build fails, since this step is then skipped."""

from pathlib import Path

import dagster as dg

from orchestration.progress import progress_log
from orchestration.report.findings import Findings, load_findings, write_findings
from orchestration.resources import AuditPaths
from orchestration.warehouse import published_database

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


def write_findings_report(paths: AuditPaths) -> tuple[Findings, Path, Path]:
    """findings.md and findings.html after the last build; what they show, their paths."""
    findings = load_findings(
        paths.warehouse_path, published_database(paths.warehouse_path, paths.publish_path)
    )
    markdown, html = write_findings(findings, paths.report_path)
    for path in (markdown, html):
        progress_log.info("wrote %s", path)
    return findings, markdown, html


@dg.asset(
    key=dg.AssetKey(["report", "findings"]),
    group_name="report",
    deps=MARTS_READ,
    description="The findings report, Markdown (findings.md) and self-contained HTML with "
    "charts (findings.html): what failed (if anything), headline waterfall, findings by "
    "savings with evidence, unpriced usage.",
)
def findings_report(paths: AuditPaths) -> dg.MaterializeResult:
    findings, markdown, html = write_findings_report(paths)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(markdown)),
            "html_path": dg.MetadataValue.path(str(html)),
            "failed": dg.MetadataValue.text(
                findings.notice.as_text() if findings.notice else "none"
            ),
        }
    )
