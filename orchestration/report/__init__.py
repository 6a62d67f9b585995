"""The findings report: reads the marts only (no Dagster), renders text, Markdown and
self-contained HTML."""

from orchestration.report.console import format_summary
from orchestration.report.html import render_html, write_html_report
from orchestration.report.markdown import render_markdown, write_report
from orchestration.report.summary import AuditSummary, load_summary

__all__ = [
    "AuditSummary",
    "format_summary",
    "load_summary",
    "render_html",
    "render_markdown",
    "write_html_report",
    "write_report",
]
