"""Writing findings.md and findings.html after a build: the report asset's work, and the
dbt step's when its build fails (the report step is then skipped)."""

from pathlib import Path

from orchestration.progress import progress_log
from orchestration.report.findings import Findings, load_findings, write_findings
from orchestration.resources import AuditPaths
from orchestration.warehouse import published_database


def write_findings_report(paths: AuditPaths) -> tuple[Findings, Path, Path]:
    """findings.md and findings.html after the last build; what they show, their paths."""
    findings = load_findings(
        paths.warehouse_path, published_database(paths.warehouse_path, paths.publish_path)
    )
    markdown, html = write_findings(findings, paths.report_path)
    for path in (markdown, html):
        progress_log.info("wrote %s", path)
    return findings, markdown, html
