"""The findings report (Markdown and HTML), written from the marts, with what the last
build left failing at the top (orchestration/report/findings.py). The dbt step writes it
too when its build fails (findings_files.py), since this step is then skipped."""

import dagster as dg

from orchestration.assets.dbt import MART_KEYS
from orchestration.assets.findings_files import write_findings_report
from orchestration.resources import AuditPaths


@dg.asset(
    key=dg.AssetKey(["report", "findings"]),
    group_name="report",
    # the report is written from the marts (a reconciliation mart found by its name, the
    # failed checks' marts): every mart of the dbt project, derived, never listed by hand
    deps=MART_KEYS,
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
