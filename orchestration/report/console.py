"""The audit summary as fixed-width text for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from orchestration.report.formatting import (
    format_count,
    format_days,
    format_factor,
    format_percent,
    format_timestamp,
    format_usd,
)
from orchestration.report.ladder import TEMPLATE_DIR_NAME, stakes, stakes_sentence
from orchestration.report.summary import NO_PROJECTION, AuditSummary

_RULE = "=" * 78


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """Columns padded to their widest cell; the first `left` columns left-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(width) if i < left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def _window_lines(summary: AuditSummary) -> list[str]:
    window = summary.window
    if window is None:
        return ["Window: no usage in the warehouse."]
    days = format_days(window.days)
    span = (
        f"Window: {format_timestamp(window.start_at)} -> {format_timestamp(window.end_at)}"
        f" ({days} days)"
    )
    if window.monthly_factor is None:
        return [span, f"{NO_PROJECTION} Per-30-days figures read n/a.", summary.pricing_basis]
    return [
        span,
        f"Per 30 days = window figure x 30 / {days}"
        f" (factor {format_factor(window.monthly_factor)})",
        summary.pricing_basis,
    ]


def _scenario_section(summary: AuditSummary) -> list[str]:
    rows = [
        [
            line.label,
            format_usd(line.observed_cost),
            format_usd(line.observed_savings),
            format_usd(line.monthly_cost),
            format_usd(line.monthly_savings),
            format_percent(line.savings_pct),
        ]
        for line in summary.scenario_lines()
    ]
    table = _text_table(
        ["Scenario", "Window cost", "Savings", "Per 30 days", "Savings / 30 days", "Savings %"],
        rows,
    )
    lines = [
        "Scenarios (each lever alone, then all stacked; savings on confirmed attribution only)",
        table,
    ]
    if summary.tier_assumed_note:
        lines.append(f"Current spend: {summary.tier_assumed_note}")
    return lines


def _waterfall_section(summary: AuditSummary) -> list[str]:
    rows = [
        [
            step.label,
            format_usd(step.observed_cost),
            "" if i == 0 else format_usd(step.observed_step_savings),
            format_usd(step.monthly_cost),
            "" if i == 0 else format_usd(step.monthly_step_savings),
        ]
        for i, step in enumerate(summary.waterfall())
    ]
    table = _text_table(
        ["Waterfall (stacked)", "Window cost", "Step saves", "Per 30 days", "Step saves / 30d"],
        rows,
    )
    return [table]


def _confidence_section(summary: AuditSummary) -> list[str]:
    confirmed, candidate = summary.scope("confirmed"), summary.scope("candidate")
    rows = [
        [
            "confirmed (declared or rule)",
            format_count(confirmed.request_count),
            format_usd(confirmed.observed.savings("optimized")),
            format_usd(confirmed.monthly_savings("optimized")),
        ],
        [
            "candidate (heuristic, not above)",
            format_count(candidate.request_count),
            format_usd(candidate.observed.savings("optimized")),
            format_usd(candidate.monthly_savings("optimized")),
        ],
    ]
    return [
        _text_table(
            ["Savings by attribution", "Requests", "Window savings", "Savings / 30 days"], rows
        )
    ]


def _findings_section(summary: AuditSummary, top_n: int) -> list[str]:
    if not summary.findings:
        return ["Top findings: none."]
    shown = summary.findings[:top_n]
    rows = [
        [
            str(i),
            f.lever,
            f.feature or "(all features)",
            f.change,
            format_usd(f.monthly_savings_usd),
            f.confidence,
        ]
        for i, f in enumerate(shown, start=1)
    ]
    lines = [
        f"Top findings by savings {summary.findings_basis}"
        " (each lever alone; they overlap, do not add up)",
        _text_table(
            ["#", "Lever", "Feature", "Model -> recommended", "Savings / 30 days", "Confidence"],
            rows,
            left=4,
        ),
    ]
    if len(summary.findings) > len(shown):
        lines.append(f"... and {len(summary.findings) - len(shown)} more in the report.")
    return lines


def _unpriced_section(summary: AuditSummary) -> list[str]:
    if not summary.has_unpriced:
        return ["Unpriced usage: none (every usage row was priced)."]
    rows = [
        [
            u.provider or "(none)",
            u.model or "(none)",
            u.unpriced_reason or "(no reason given)",
            format_count(u.row_count),
            format_count(u.request_count),
            format_count(u.total_tokens),
        ]
        for u in summary.unpriced
    ]
    return [
        f"!!! UNPRICED USAGE: {format_count(summary.unpriced_row_count)} usage rows "
        f"({format_count(summary.unpriced_request_count)} requests, "
        f"{format_count(summary.unpriced_total_tokens)} tokens) have no price and are "
        "left out of every figure above.",
        _text_table(["Provider", "Model", "Reason", "Rows", "Requests", "Tokens"], rows, left=3),
    ]


def _silence_lines(summary: AuditSummary) -> list[str]:
    """Where nothing is confirmed, a pointer to why and what is at stake: a $0 line in a
    terminal must not read as "nothing to save"."""
    if summary.confirmed_findings or summary.silence is None:
        return []
    lines = [
        "No finding is confirmed: the report says why and what would unlock each lever; "
        f"{TEMPLATE_DIR_NAME}/attribution_rules.csv beside it lists the scopes that carry "
        "the spend, ready for their task and latency classes (then run again with --config)."
    ]
    at_stake = stakes(summary.ladder, summary.has_projection)
    if at_stake is not None:
        lines.append(stakes_sentence(at_stake, summary.has_projection, "in the report"))
    return lines


def format_summary(summary: AuditSummary, top_n: int = 10) -> str:
    """The audit for a terminal: window, scenarios, waterfall, findings, unpriced usage."""
    sections: list[list[str]] = [[_RULE, "LLM cost audit", _RULE], _window_lines(summary)]
    if summary.has_usage:
        sections += [
            _scenario_section(summary),
            _waterfall_section(summary),
            _confidence_section(summary),
            _findings_section(summary, top_n),
        ]
        if silence := _silence_lines(summary):
            sections.append(silence)
    sections.append(_unpriced_section(summary))
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"
