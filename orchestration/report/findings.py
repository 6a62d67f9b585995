"""What the report shows after a build, whatever it left failing: the figures from the
right place and, at the top, what failed (failed_checks.py).

- Every model built (tests may have failed): the figures are the working warehouse's.
- A model did not build: its marts are stale or missing, so the figures come from the
  last published copy (the last run in which everything built and passed); with no
  published copy yet, there are none and the report says only what failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.build_failures import load_failures
from orchestration.report.failed_checks import FailureNotice, failure_notice
from orchestration.report.html import write_html_report
from orchestration.report.markdown import write_report
from orchestration.report.rules_template import write_rules_template
from orchestration.report.summary import AuditSummary, load_summary
from orchestration.warehouse import connect


@dataclass(frozen=True)
class Findings:
    summary: AuditSummary | None  # None: a model did not build and nothing is published
    notice: FailureNotice | None  # None: the last build passed


def load_findings(warehouse: Path, published: Path) -> Findings:
    """The figures and what failed, after the last build of `warehouse`; `published` is
    its published copy's DuckDB file (published_database), which may not exist yet."""
    with connect(warehouse, read_only=True) as con:
        failures = load_failures(con)
        notice = failure_notice(con, failures, published) if failures else None
        if not any(f.did_not_build for f in failures):
            return Findings(load_summary(con), notice)
    if not published.exists():
        return Findings(None, notice)
    with connect(published, read_only=True) as con:
        return Findings(load_summary(con), notice)


def write_findings(findings: Findings, report_dir: Path) -> tuple[Path, Path]:
    """findings.md and findings.html into `report_dir`, and the rules template beside
    them (rules_template.py); the reports' paths."""
    write_rules_template(findings.summary, report_dir)
    return (
        write_report(findings.summary, report_dir, findings.notice),
        write_html_report(findings.summary, report_dir, findings.notice),
    )
