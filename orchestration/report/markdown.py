"""The findings report as Markdown (`findings.md`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from orchestration.report.evidence import signal_sentence
from orchestration.report.failed_checks import FailureNotice
from orchestration.report.formatting import (
    format_count,
    format_days,
    format_factor,
    format_percent,
    format_timestamp,
    format_usd,
    percent,
    write_atomically,
)
from orchestration.report.ladder import (
    LADDER_HEADERS,
    SCOPE_LABELS,
    WHAT_IT_WOULD_COST,
    ladder_cells,
    ladder_scope_types,
    silence_reasons,
    stakes,
    stakes_sentence,
)
from orchestration.report.summary import NO_PROJECTION, AuditSummary, Finding

REPORT_FILE_NAME = "findings.md"


def _cell(text: str) -> str:
    """Safe inside a table cell: no pipes or line breaks."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    align = ["---" if i < left else "---:" for i in range(len(headers))]
    return [
        "| " + " | ".join(_cell(h) for h in headers) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows),
    ]


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else f"{text}."


def _code(text: str | None, missing: str) -> str:
    return f"`{text}`" if text else missing


def _window_line(summary: AuditSummary) -> str:
    window = summary.window
    if window is None:
        return "**Window:** no usage in the warehouse."
    line = (
        f"**Window:** {format_timestamp(window.start_at)} to {format_timestamp(window.end_at)} "
        f"({format_days(window.days)} days)."
    )
    return line if summary.has_projection else f"{line} {NO_PROJECTION}"


def _headline(summary: AuditSummary) -> list[str]:
    window = summary.window
    if window is None:
        return ["No usage has been loaded, so there is nothing to audit yet."]
    headline = summary.headline
    observed = headline.observed
    saved, saved_monthly = observed.savings("optimized"), headline.monthly_savings("optimized")
    candidate = summary.scope("candidate")
    text = (
        f"Over {format_days(window.days)} days the audited usage cost "
        f"**{format_usd(observed.current)}** at list price "
        f"({format_usd(headline.monthly_cost('current'))} per 30 days). "
        f"Acting on the confirmed findings, with all three levers stacked, it would have cost "
        f"{format_usd(observed.optimized)}: a saving of **{format_usd(saved)}** "
        f"({format_percent(percent(saved, observed.current))}), "
        f"**{format_usd(saved_monthly)} per 30 days**."
    )
    if summary.tier_assumed_note:
        text += f" {summary.tier_assumed_note}"
    if candidate.observed.savings("optimized") != 0:
        text += (
            f" Heuristic candidates could save a further "
            f"{format_usd(candidate.monthly_savings('optimized'))} per 30 days once their "
            "task or latency class is confirmed."
        )
    if summary.has_unpriced:
        text += (
            f" {format_count(summary.unpriced_row_count)} usage rows "
            f"({format_count(summary.unpriced_request_count)} requests) could not be priced "
            "and are not in these figures: see Unpriced usage."
        )
    return [text]


def _scenario_table(summary: AuditSummary) -> list[str]:
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
    return [
        "Each lever alone, then all three stacked. Savings count confirmed attribution only "
        "(declared in the export or matched by a rule).",
        "",
        *_table(
            ["Scenario", "Window cost", "Savings", "Per 30 days", "Savings / 30 days", "Savings %"],
            rows,
        ),
    ]


def _waterfall_table(summary: AuditSummary) -> list[str]:
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
    return [
        "The levers stacked in a fixed order: tiering, then batch, then caching.",
        "",
        *_table(["Step", "Window cost", "This step saves", "Per 30 days", "Saves / 30 days"], rows),
    ]


def _confidence_table(summary: AuditSummary) -> list[str]:
    rows = [
        [
            label,
            format_count(scope.request_count),
            format_usd(scope.observed.savings("optimized")),
            format_usd(scope.monthly_savings("optimized")),
        ]
        for label, scope in (
            ("confirmed (declared or rule)", summary.scope("confirmed")),
            ("candidate (heuristic; not in the headline)", summary.scope("candidate")),
        )
    ]
    return _table(["Attribution", "Requests", "Window savings", "Savings / 30 days"], rows)


def _finding_change(finding: Finding) -> str:
    """`model` -> `recommended` for tiering; the levers' change otherwise."""
    model = _code(finding.model_id, "any model")
    levers = finding.lever.split("+")
    if levers == ["caching"]:
        return f"{model} + cache of prefix {_code(finding.prefix_hash, 'its prefix')}"
    change = f"{model} -> `{finding.recommended_model}`" if finding.recommended_model else model
    if "batch" in levers:
        change += " + Batch API" if finding.is_combination else " -> Batch API"
    if "caching" in levers:
        change += " + caching"
    return change


def _finding_scope(finding: Finding) -> str:
    """Where the calls come from, when the export says: `; workspace x; API key y`."""
    parts = []
    if finding.workspaces:
        parts.append(f"workspace {finding.workspaces}")
    if finding.api_keys:
        parts.append(f"API key {finding.api_keys}")
    return "".join(f"; {part}" for part in parts)


def _finding_item(number: int, finding: Finding) -> str:
    provider = f"{finding.provider} " if finding.provider else ""
    scope = (
        f"{_code(finding.feature, 'all features')} "
        f"({provider}{_finding_change(finding)}{_finding_scope(finding)})"
    )
    share = format_percent(finding.savings_pct)
    stacked = (
        ""
        if finding.is_combination or finding.observed_stacked_savings_usd is None
        else f"All levers on these calls: {format_usd(finding.monthly_stacked_savings_usd)} "
        "per 30 days. "
    )
    risk = f"Quality risk: {_sentence(finding.quality_risk)} " if finding.quality_risk else ""
    return (
        f"{number}. **{finding.lever_label.capitalize()}**, {scope}: "
        f"{_sentence(finding.action)} Evidence: {signal_sentence(finding)} "
        f"{_sentence(finding.evidence)} "
        f"Saves **{format_usd(finding.monthly_savings_usd)} per 30 days** "
        f"({format_usd(finding.observed_savings_usd)} over the window, {share} of the "
        f"{format_usd(finding.observed_current_cost_usd)} it cost). {stacked}{risk}"
        f"Confidence: {finding.confidence}."
    )


def _findings_list(findings: Sequence[Finding], none: str) -> list[str]:
    if not findings:
        return [none]
    return [_finding_item(i, f) for i, f in enumerate(findings, start=1)]


SCOPE_TITLES = {"workspace": "Workspace", "api_key": "API key", "account": "Account"}


def _scope_tables(summary: AuditSummary, top_n: int = 10) -> list[str]:
    """Who spends and who would save: per workspace, API key and account (top `top_n`)."""
    lines: list[str] = []
    for scope_type, title in SCOPE_TITLES.items():
        rows = [s for s in summary.savings_by_scope if s.scope_type == scope_type][:top_n]
        if not rows:
            continue
        lines += [
            *_table(
                [title, "Requests", "Cost / 30 days", "All levers save / 30 days", "Confirmed"],
                [
                    [
                        s.scope_value,
                        format_count(s.request_count),
                        format_usd(s.monthly_current),
                        format_usd(s.monthly_optimized_savings),
                        format_usd(s.confirmed_optimized_savings),
                    ]
                    for s in rows
                ],
            ),
            "",
        ]
    return lines


def _silence_section(summary: AuditSummary) -> list[str]:
    """Why no finding is confirmed, what would unlock each lever, and what is at stake."""
    if summary.confirmed_findings or summary.silence is None:
        return []
    lines = ["## Why no finding is confirmed", ""]
    for why, unlock in silence_reasons(summary.silence):
        lines.append(f"- {why} **To unlock:** {unlock}")
    at_stake = stakes(summary.ladder, summary.has_projection)
    if at_stake is not None:
        lines += ["", stakes_sentence(at_stake, summary.has_projection)]
    return [*lines, ""]


def _ladder_section(summary: AuditSummary) -> list[str]:
    """The ladder per scope: what the same tokens would cost on each cheaper tier."""
    if not summary.ladder:
        return []
    period = "per 30 days" if summary.has_projection else "over the window"
    lines = ["## The ladder: what it would cost", "", f"{WHAT_IT_WOULD_COST} Costs {period}.", ""]
    for scope_type in ladder_scope_types(summary.ladder):
        rungs = [r for r in summary.ladder if r.scope_type == scope_type]
        lines += [f"### {SCOPE_LABELS[scope_type]}", ""]
        lines += _table(
            LADDER_HEADERS, [ladder_cells(r, summary.has_projection) for r in rungs], left=4
        )
        lines.append("")
    return lines


def _unpriced_section(summary: AuditSummary) -> list[str]:
    if not summary.has_unpriced:
        return ["None: every usage row was priced."]
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
        f"**Warning: {format_count(summary.unpriced_row_count)} usage rows "
        f"({format_count(summary.unpriced_request_count)} requests, "
        f"{format_count(summary.unpriced_total_tokens)} tokens) have no price.** They are "
        "never costed as $0: they are left out of every figure above and listed here, so a "
        "price, an alias or a service-tier rule can be added.",
        "",
        *_table(["Provider", "Model", "Reason", "Rows", "Requests", "Tokens"], rows, left=3),
    ]


def method_sentences(summary: AuditSummary) -> list[str]:
    """How the figures are computed, one sentence each (plain text, no Markdown)."""
    window = summary.window
    normalisation = "a 30-day figure is the window's figure x 30 / window days"
    if window is not None and window.monthly_factor is not None:
        days = format_days(window.days)
        normalisation += (
            f" (here x 30 / {days}, a factor of {format_factor(window.monthly_factor)})"
        )
    elif window is not None:
        normalisation += " (not here: the window is a single instant, so nothing is projected)"
    return [
        "Each call is priced at list price for its model, service tier and cache behaviour "
        "on the call's date (effective-dated price seeds), including long-context, batch, "
        "flex, priority and data-residency prices, then at your contracted rate where one is "
        "recorded; levers are chosen and savings reported on what you pay.",
        summary.pricing_basis,
        "Tiered: the cheapest model of the same provider and generation whose tier meets "
        "the call's task class, or the cheapest whose pass rate in your own eval results "
        "meets the quality bar. Batched: the Batch API discount where the work is "
        "async-tolerant. Cached: repeated prefixes billed as cache writes and reads, with the "
        "cheapest of no cache, a 5-minute or a 1-hour TTL per stream.",
        "Each lever is first costed alone; the waterfall stacks them (tiering, then batch, "
        "then caching). Findings are single levers or a feature's levers combined and "
        "overlap, so they do not add up to the stacked total.",
        "Confirmed figures count calls whose task and latency class were declared or set "
        "by a rule; calls classified by the heuristic are candidates, reported apart.",
        f"The window runs from the earliest to the latest usage; {normalisation}.",
        "Usage with no matching price is never costed as $0: it is listed under "
        "Unpriced usage. Money is exact decimal throughout; figures are rounded half-even to "
        "the cent for display only.",
    ]


def _method(summary: AuditSummary) -> list[str]:
    return [f"- {sentence}" for sentence in method_sentences(summary)]


def _failure_section(notice: FailureNotice) -> list[str]:
    lines = ["## What failed", "", f"**{notice.headline}**", ""]
    for check in notice.checks:
        lines.append(f"- {check.title}")
        lines += [f"  - {detail}" for detail in check.details]
    return [*lines, ""]


def render_markdown(summary: AuditSummary | None, notice: FailureNotice | None = None) -> str:
    """The findings report: what failed (if anything), headline, scenarios, waterfall,
    findings, unpriced, method. No summary: what failed, alone."""
    lines: list[str] = ["# LLM cost audit: findings", ""]
    if notice is not None:
        lines += _failure_section(notice)
    if summary is None:
        return "\n".join(lines)
    lines += [_window_line(summary), ""]
    lines += ["## Headline", "", *_headline(summary), ""]
    if summary.has_usage:
        lines += ["## Scenarios", "", *_scenario_table(summary), ""]
        lines += ["## Waterfall", "", *_waterfall_table(summary), ""]
        lines += ["## Confirmed and candidate savings", "", *_confidence_table(summary), ""]
        lines += [
            "## Findings",
            "",
            f"Ordered by savings {summary.findings_basis}. Each is one lever on its own, or a "
            "feature's levers combined (e.g. tiering + batch); they overlap.",
            "",
            *_findings_list(summary.confirmed_findings, "No confirmed findings."),
            "",
            "## Candidates (heuristic attribution)",
            "",
            "These rest on a heuristic guess of the task or latency class: confirm the class "
            "(declare it in the export or add an attribution rule) before acting.",
            "",
            *_findings_list(summary.candidate_findings, "None."),
            "",
        ]
        lines += _silence_section(summary)
        lines += _ladder_section(summary)
    if summary.savings_by_scope:
        lines += [
            "## By workspace, API key and account",
            "",
            "All levers stacked; the last column: confirmed attribution only, over the window.",
            "",
            *_scope_tables(summary),
        ]
    lines += ["## Unpriced usage", "", *_unpriced_section(summary), ""]
    lines += ["## How these figures are computed", "", *_method(summary)]
    return "\n".join(lines) + "\n"


def write_report(
    summary: AuditSummary | None, report_dir: Path, notice: FailureNotice | None = None
) -> Path:
    """Write `findings.md` into `report_dir` (created if missing), atomically; its path."""
    return write_atomically(report_dir, REPORT_FILE_NAME, render_markdown(summary, notice))
