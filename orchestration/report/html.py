"""The findings report as one self-contained HTML file (`findings.html`).

Opens offline: inline CSS, inline SVG charts (charts.py), no script, no font or image
from anywhere. Every string that can come from usage data is escaped. Each chart and
table names the mart its figures come from; headline figures carry their exact value in
`data-value` so a reader (or a test) can trace them to the marts.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from pathlib import Path

from orchestration.report.charts import (
    COST_COLOUR,
    OPTIMIZED_COLOUR,
    LeverSavings,
    Segment,
    Series,
    StackedRow,
    WaterfallStep,
    lever_chart,
    line_chart,
    stacked_bar_chart,
    waterfall_chart,
)
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
from orchestration.report.markdown import SCOPE_TITLES, method_sentences
from orchestration.report.summary import NO_PROJECTION, AuditSummary, Finding, ScopeTotals

HTML_REPORT_FILE_NAME = "findings.html"
TOP_FEATURES = 12  # the spend chart's bars; the rest are summed into one
LEVERS = (("tiered", "tiering"), ("batched", "batch"), ("cached", "caching"))

STYLE = """
:root { --ink: #1d2330; --muted: #5b6475; --line: #dfe3ea; --accent: #0072B2;
  --good: #00795a; --cand: #a86a00; --warn: #a3271b; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f6f7f9;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 40px 0 8px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.window, p.source, .muted { color: var(--muted); }
p.source { font-size: 12.5px; margin: 4px 0 0; }
code { font-size: 13px; background: #eef1f5; padding: 0 3px; border-radius: 3px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr));
  gap: 14px; margin: 16px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.card .label { color: var(--muted); font-size: 13px; }
.card .figure { display: block; font-size: 28px; font-weight: 700; margin: 2px 0; }
.card.saving .figure { color: var(--good); }
.card.candidate { border-style: dashed; }
.card.candidate .figure { color: var(--cand); }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 14px 16px; margin: 12px 0; overflow-x: auto; }
svg.chart { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 7px 9px;
  border-bottom: 1px solid var(--line); }
th { background: #eef1f5; font-weight: 600; }
.findings td:nth-child(2) { width: 52%; }
td.num .muted { font-size: 12px; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.lever { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 7px;
  border-radius: 10px; background: #e2eefa; color: #084a7a; white-space: nowrap; }
.evidence { color: var(--muted); font-size: 13px; margin-top: 3px; }
.risk { font-size: 13px; margin-top: 4px; padding: 3px 7px; background: #fff6e0;
  border-left: 3px solid #e0a526; }
.warning { color: var(--warn); font-weight: 600; }
ul.method li { margin: 4px 0; }
.failed { background: #fff5f3; border: 1px solid #eec3bd; border-left: 4px solid var(--warn);
  border-radius: 8px; padding: 2px 16px 10px; margin: 16px 0; }
.failed h2 { border: 0; margin-top: 10px; color: var(--warn); }
.failed li { margin: 4px 0; }
.failed ul ul { font-size: 14px; }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _figure(figure_id: str, value: Decimal | None) -> str:
    """A headline figure: formatted money, with its exact value for tracing."""
    exact = "" if value is None else f' data-value="{_e(value)}"'
    return f'<span class="figure" id="{_e(figure_id)}"{exact}>{_e(format_usd(value))}</span>'


def _source(text: str) -> str:
    """A line under a chart or table naming the mart its figures come from (trusted text:
    mart and column names only)."""
    return f'<p class="source">Source: {text}</p>'


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()
) -> str:
    """A table of already-escaped cells; `numeric` columns are right-aligned."""
    head = "".join(
        f'<th class="num">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class _Basis:
    """Which figures the page leads with: per 30 days, or over the window when the window
    is a single instant (no projection)."""

    def __init__(self, summary: AuditSummary) -> None:
        self.monthly = summary.has_projection
        self.label = "per 30 days" if self.monthly else "over the window"
        self.columns = "monthly_* columns" if self.monthly else "window columns"

    def cost(self, scope: ScopeTotals, scenario: str) -> Decimal:
        value = scope.monthly_cost(scenario) if self.monthly else scope.observed.cost(scenario)
        return value if value is not None else Decimal(0)

    def savings(self, scope: ScopeTotals, scenario: str) -> Decimal:
        return self.cost(scope, "current") - self.cost(scope, scenario)

    def finding_savings(self, finding: Finding) -> Decimal | None:
        return finding.monthly_savings_usd if self.monthly else finding.observed_savings_usd

    def finding_stacked(self, finding: Finding) -> Decimal | None:
        if self.monthly:
            return finding.monthly_stacked_savings_usd
        return finding.observed_stacked_savings_usd


def _window_text(summary: AuditSummary) -> str:
    window = summary.window
    if window is None:
        return "No usage in the warehouse."
    text = (
        f"Window: {format_timestamp(window.start_at)} to {format_timestamp(window.end_at)} "
        f"({format_days(window.days)} days). "
    )
    if window.monthly_factor is None:
        return text + NO_PROJECTION
    return text + (
        f"Per 30 days = window figure x 30 / {format_days(window.days)} "
        f"(factor {format_factor(window.monthly_factor)})."
    )


def _headline(summary: AuditSummary, basis: _Basis) -> str:
    headline, candidate = summary.headline, summary.scope("candidate")
    current = basis.cost(headline, "current")
    optimized = basis.cost(headline, "optimized")
    saved = basis.savings(headline, "optimized")
    candidate_saved = basis.savings(candidate, "optimized")
    cards = [
        ("", "Spend now", "fig-current", current, "at list price, priced usage"),
        ("", "Optimized (confirmed)", "fig-optimized", optimized, "all three levers stacked"),
        (
            "saving",
            "Confirmed savings",
            "fig-savings",
            saved,
            f"{format_percent(percent(saved, current))} of spend",
        ),
        (
            "candidate",
            "Candidate savings (apart)",
            "fig-candidate",
            candidate_saved,
            "heuristic class; not in the figures above",
        ),
    ]
    html = '<div class="cards">' + "".join(
        f'<div class="card {kind}"><span class="label">{_e(label)}, {_e(basis.label)}</span>'
        f'{_figure(figure_id, value)}<span class="muted">{_e(note)}</span></div>'
        for kind, label, figure_id, value, note in cards
    )
    html += "</div>"
    if summary.tier_assumed_note:
        html += f'<p class="muted" id="tier-assumed">{_e(summary.tier_assumed_note)}</p>'
    if summary.has_unpriced:
        html += (
            f'<p class="warning">{_e(format_count(summary.unpriced_row_count))} usage rows '
            f"({_e(format_count(summary.unpriced_request_count))} requests) have no price and "
            'are left out of every figure: see <a href="#unpriced">Unpriced usage</a>.</p>'
        )
    return html


def _waterfall(summary: AuditSummary, basis: _Basis) -> str:
    headline = summary.headline
    steps = []
    previous: Decimal | None = None
    for step in summary.waterfall():
        cost = basis.cost(headline, step.scenario)
        steps.append(
            WaterfallStep(step.label, cost, Decimal(0) if previous is None else previous - cost)
        )
        previous = cost
    alone = [
        WaterfallStep(
            f"{label} alone",
            basis.cost(headline, scenario),
            basis.savings(headline, scenario),
        )
        for scenario, label in LEVERS
    ]
    candidate = basis.savings(summary.scope("candidate"), "optimized")
    return (
        '<div class="panel">'
        + waterfall_chart(steps, alone, basis.label)
        + f'<p class="muted">Confirmed savings only; candidates could save a further '
        f"{_e(format_usd(candidate))} {_e(basis.label)}, shown apart.</p>"
        + _source(
            "<code>marts.rpt_scenario_totals</code> (confidence_scope <code>all</code> and "
            f"<code>confirmed</code>, {_e(basis.columns)}): spend now = all.current; each "
            "step = all.current - (confirmed.current - confirmed.&lt;scenario&gt;)"
        )
        + "</div>"
    )


def _spend_chart(summary: AuditSummary) -> str:
    if not summary.spend_by_feature_model:
        return '<p class="muted">No priced spend.</p>'
    by_feature: dict[str, list[Segment]] = {}
    for spend in summary.spend_by_feature_model:
        by_feature.setdefault(spend.feature, []).append(Segment(spend.model_id, spend.current))
    rows = sorted(
        (StackedRow(feature, tuple(segments)) for feature, segments in by_feature.items()),
        key=lambda row: (-row.total, row.label),
    )
    if len(rows) > TOP_FEATURES:
        rest = rows[TOP_FEATURES - 1 :]
        other: dict[str, Decimal] = {}
        for row in rest:
            for segment in row.segments:
                other[segment.label] = other.get(segment.label, Decimal(0)) + segment.value
        rows = rows[: TOP_FEATURES - 1] + [
            StackedRow(
                f"{len(rest)} other features",
                tuple(Segment(k, v) for k, v in other.items()),
            )
        ]
    return (
        '<div class="panel">'
        + stacked_bar_chart("spend-by-feature", rows, "Spend by feature and model, over the window")
        + _source(
            "<code>marts.fct_daily_costs</code>: sum of current_cost_usd by feature and "
            "model_id over the window (priced rows)"
        )
        + "</div>"
    )


def _daily_chart(summary: AuditSummary) -> str:
    if not summary.daily:
        return '<p class="muted">No daily spend.</p>'
    days = [d.usage_date for d in summary.daily]
    series = [
        Series("spend now", tuple(d.current for d in summary.daily), COST_COLOUR),
        Series(
            "optimized (confirmed levers)",
            tuple(d.confirmed_optimized for d in summary.daily),
            OPTIMIZED_COLOUR,
            dashed=True,
        ),
    ]
    return (
        '<div class="panel">'
        + line_chart("daily-spend", days, series, "Daily spend over the window")
        + _source(
            "<code>marts.rpt_daily_scenarios</code>: current_cost_usd and "
            "confirmed_optimized_cost_usd per usage_date (UTC)"
        )
        + "</div>"
    )


def _lever_chart(summary: AuditSummary, basis: _Basis) -> str:
    confirmed, candidate = summary.scope("confirmed"), summary.scope("candidate")
    levers = [
        LeverSavings(
            f"{label} alone", basis.savings(confirmed, scenario), basis.savings(candidate, scenario)
        )
        for scenario, label in LEVERS
    ]
    levers.append(
        LeverSavings(
            "all three stacked",
            basis.savings(confirmed, "optimized"),
            basis.savings(candidate, "optimized"),
        )
    )
    return (
        '<div class="panel">'
        + lever_chart(levers, basis.label)
        + _source(
            "<code>marts.rpt_scenario_totals</code> (confidence_scope <code>confirmed</code> "
            f"and <code>candidate</code>, {_e(basis.columns)}): current - each scenario"
        )
        + "</div>"
    )


def _finding_scope(finding: Finding) -> str:
    parts = [
        f"<strong>{_e(finding.feature or '(all features)')}</strong>",
        f"{_e(finding.provider or '')} <code>{_e(finding.change)}</code>",
    ]
    if finding.workspaces:
        parts.append(f"workspace {_e(finding.workspaces)}")
    if finding.api_keys:
        parts.append(f"API key {_e(finding.api_keys)}")
    return "<br>".join(parts)


def _finding_text(finding: Finding) -> str:
    text = (
        f'<span class="lever" data-lever="{_e(finding.lever)}">{_e(finding.lever_label)}</span> '
        f"{_e(finding.action)}"
        f'<div class="evidence">Evidence: {_e(signal_sentence(finding))} '
        f"{_e(finding.evidence)}</div>"
    )
    if finding.quality_risk:
        text += f'<div class="risk">Quality risk: {_e(finding.quality_risk)}</div>'
    return text


def _findings_table(findings: Sequence[Finding], basis: _Basis, table_id: str) -> str:
    if not findings:
        return f'<p class="muted" id="{_e(table_id)}">None.</p>'
    rows = [
        [
            str(number),
            _finding_text(f),
            _finding_scope(f),
            f'<strong class="saves">{_e(format_usd(basis.finding_savings(f)))}</strong>'
            f'<div class="muted">{_e(format_usd(f.observed_savings_usd))} in window</div>',
            _e(format_usd(basis.finding_stacked(f))),
            _e(format_percent(f.share_of_spend_pct)),
        ]
        for number, f in enumerate(findings, start=1)
    ]
    table = _table(
        [
            "#",
            "Finding: action, evidence",
            "Scope",
            f"Saves {basis.label}",
            "All levers on these calls",
            "Share of spend",
        ],
        rows,
        numeric=(0, 3, 4, 5),
    )
    return f'<div class="panel findings" id="{_e(table_id)}">{table}</div>'


def _findings(summary: AuditSummary, basis: _Basis) -> str:
    source = _source(
        "<code>marts.savings_findings</code> (monthly_savings_usd, observed_savings_usd, "
        "monthly_stacked_savings_usd, share_of_spend_pct), ordered by savings"
    )
    return (
        '<h2 id="findings">Findings</h2>'
        f'<p class="muted">Ordered by savings {_e(summary.findings_basis)}. A finding is one '
        "lever alone, or a feature's levers combined (e.g. tiering + batch); they overlap, "
        "so they do not add up: the waterfall above is the whole bill.</p>"
        "<h3>Confirmed</h3>"
        + _findings_table(summary.confirmed_findings, basis, "confirmed-findings")
        + "<h3>Candidates (heuristic attribution)</h3>"
        '<p class="muted">These rest on a guessed task or latency class: confirm the class '
        "(declare it in the export or add an attribution rule) before acting. Not in the "
        "headline.</p>"
        + _findings_table(summary.candidate_findings, basis, "candidate-findings")
        + source
    )


def _silence(summary: AuditSummary) -> str:
    """Why no finding is confirmed, what would unlock each lever, what is at stake."""
    if summary.confirmed_findings or summary.silence is None:
        return ""
    items = "".join(
        f"<li>{_e(why)} <strong>To unlock:</strong> {_e(unlock)}</li>"
        for why, unlock in silence_reasons(summary.silence)
    )
    at_stake = stakes(summary.ladder, summary.has_projection)
    stake = (
        f'<p id="at-stake">{_e(stakes_sentence(at_stake, summary.has_projection))}</p>'
        if at_stake is not None
        else ""
    )
    return (
        '<h2 id="silence">Why no finding is confirmed</h2>'
        f'<div class="panel"><ul>{items}</ul>{stake}'
        + _source("<code>marts.fct_llm_usage</code> (task_class_source, latency_class_source, "
                  "bucket_start_at, bucket_end_at, request_id, prefix_hash); "
                  "<code>marts.rpt_scope_ladder</code>")
        + "</div>"
    )  # fmt: skip


def _ladder(summary: AuditSummary) -> str:
    """The ladder per scope: what the same tokens would cost on each cheaper tier."""
    if not summary.ladder:
        return ""
    period = "per 30 days" if summary.has_projection else "over the window"
    html = ""
    for scope_type in ladder_scope_types(summary.ladder):
        rungs = [r for r in summary.ladder if r.scope_type == scope_type]
        table = _table(
            LADDER_HEADERS,
            [[_e(c) for c in ladder_cells(r, summary.has_projection)] for r in rungs],
            numeric=(1, 4, 5, 6),
        )
        html += (
            f'<div id="ladder-{_e(scope_type)}"><h3>{_e(SCOPE_LABELS[scope_type])}</h3>'
            f"{table}</div>"
        )
    return (
        '<h2 id="ladder">The ladder: what it would cost</h2>'
        f'<p class="muted">{_e(WHAT_IT_WOULD_COST)} Costs {_e(period)}.</p>'
        f'<div class="panel">{html}'
        + _source("<code>marts.rpt_scope_ladder</code> (rung_cost_per_30d_usd, "
                  "rung_batch_cost_per_30d_usd, rung_covered_share, rung_stand_in)")
        + "</div>"
    )  # fmt: skip


def _scopes(summary: AuditSummary) -> str:
    html = ""
    for scope_type, title in SCOPE_TITLES.items():
        rows = [s for s in summary.savings_by_scope if s.scope_type == scope_type][:10]
        if not rows:
            continue
        html += f"<h3>{_e(title)}</h3>" + _table(
            [title, "Requests", "Cost / 30 days", "All levers save / 30 days", "Confirmed, window"],
            [
                [
                    _e(s.scope_value),
                    _e(format_count(s.request_count)),
                    _e(format_usd(s.monthly_current)),
                    _e(format_usd(s.monthly_optimized_savings)),
                    _e(format_usd(s.confirmed_optimized_savings)),
                ]
                for s in rows
            ],
            numeric=(1, 2, 3, 4),
        )
    if not html:
        return ""
    return (
        '<h2 id="scopes">By workspace, API key and account</h2><div class="panel">'
        + html
        + _source(
            "<code>marts.rpt_savings_by_scope</code> (monthly_current_cost_usd, "
            "monthly_optimized_savings_usd, confirmed_optimized_savings_usd); top 10 each"
        )
        + "</div>"
    )


def _unpriced(summary: AuditSummary) -> str:
    header = '<h2 id="unpriced">Unpriced usage</h2>'
    if not summary.has_unpriced:
        return header + '<p class="muted">None: every usage row was priced.</p>'
    rows = [
        [
            _e(u.provider or "(none)"),
            _e(u.model or "(none)"),
            _e(u.unpriced_reason or "(no reason given)"),
            _e(format_count(u.row_count)),
            _e(format_count(u.request_count)),
            _e(format_count(u.total_tokens)),
        ]
        for u in summary.unpriced
    ]
    return (
        header + f'<p class="warning">{_e(format_count(summary.unpriced_row_count))} usage rows '
        f"({_e(format_count(summary.unpriced_request_count))} requests, "
        f"{_e(format_count(summary.unpriced_total_tokens))} tokens) have no price. They are "
        "never costed as $0: they are left out of every figure and listed here, so a price, "
        "an alias or a service-tier rule can be added.</p>"
        + '<div class="panel" id="unpriced-usage">'
        + _table(
            ["Provider", "Model", "Reason", "Rows", "Requests", "Tokens"], rows, numeric=(3, 4, 5)
        )
        + _source("<code>marts.rpt_unpriced_usage</code>")
        + "</div>"
    )


def _cell(column: str, value: object) -> str:
    if value is None:
        return ""
    if column.endswith("_usd") and isinstance(value, Decimal):
        return _e(format_usd(value))
    return _e(value)


def _reconciliation(summary: AuditSummary) -> str:
    header = '<h2 id="reconciliation">Reconciliation with the provider\'s bill</h2>'
    table = summary.reconciliation
    if table is None:
        return header + (
            '<p class="muted">Not available: this warehouse has no reconciliation mart yet, '
            "so these list-price figures are not checked against an invoice.</p>"
        )
    return (
        header
        + '<div class="panel">'
        + _table(
            table.columns,
            [[_cell(c, v) for c, v in zip(table.columns, row, strict=True)] for row in table.rows],
        )
        + _source(f"<code>{_e(table.name)}</code>")
        + "</div>"
    )


def _failure_section(notice: FailureNotice) -> str:
    items = "".join(
        f"<li>{_e(check.title)}"
        + (
            "<ul>" + "".join(f"<li>{_e(detail)}</li>" for detail in check.details) + "</ul>"
            if check.details
            else ""
        )
        + "</li>"
        for check in notice.checks
    )
    return (
        '<section class="failed" id="what-failed"><h2>What failed</h2>'
        f'<p class="warning">{_e(notice.headline)}</p><ul>{items}</ul></section>'
    )


def _summary_body(summary: AuditSummary) -> list[str]:
    basis = _Basis(summary)
    body = [f'<p class="window" id="window">{_e(_window_text(summary))}</p>']
    if summary.has_usage:
        body += [
            '<h2 id="headline">Headline</h2>',
            _headline(summary, basis),
            "<h3>Waterfall: the levers stacked (tiering, then batch, then caching)</h3>",
            _waterfall(summary, basis),
            '<h2 id="charts">Where the money goes</h2>',
            "<h3>Spend by feature and model</h3>",
            _spend_chart(summary),
            "<h3>Daily spend, with the optimized line beneath</h3>",
            _daily_chart(summary),
            "<h3>Savings by lever</h3>",
            _lever_chart(summary, basis),
            _findings(summary, basis),
            _silence(summary),
            _ladder(summary),
            _scopes(summary),
        ]
    else:
        body.append("<p>No usage has been loaded, so there is nothing to audit yet.</p>")
    body += [
        _unpriced(summary),
        _reconciliation(summary),
        '<h2 id="method">How these figures are computed</h2><ul class="method">'
        + "".join(f"<li>{_e(s)}</li>" for s in method_sentences(summary))
        + "</ul>",
    ]
    return body


def render_html(summary: AuditSummary | None, notice: FailureNotice | None = None) -> str:
    """The whole report as one HTML document: what failed (if anything) at the top; no
    summary, what failed alone."""
    body = ["<h1>LLM cost audit: findings</h1>"]
    if notice is not None:
        body.append(_failure_section(notice))
    if summary is not None:
        body += _summary_body(summary)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # nothing may load from anywhere: a browser enforces what the page promises
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        "<title>LLM cost audit: findings</title>"
        f"<style>{STYLE}</style></head><body><main>" + "".join(body) + "</main></body></html>\n"
    )


def write_html_report(
    summary: AuditSummary | None, report_dir: Path, notice: FailureNotice | None = None
) -> Path:
    """Write `findings.html` into `report_dir` (created if missing), atomically; its path."""
    return write_atomically(report_dir, HTML_REPORT_FILE_NAME, render_html(summary, notice))
