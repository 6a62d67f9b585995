"""The HTML report's rendering, on marts built by hand with known values (as
test_report.py does for the text and Markdown): self-contained, escaped, every figure
from the marts. test_report_browser.py opens it in a real browser."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import duckdb
from test_report import CANDIDATE, SCENARIOS, WORKED, WORKED_FINDINGS, ZEROS, _finding, build_marts

from orchestration.report import load_summary, render_html, write_html_report
from orchestration.report.summary import AuditSummary

INJECTED = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


class _Tags(HTMLParser):
    """The tags of a document and its text, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def _with_sql(statements: list[str], **marts) -> AuditSummary:
    """The summary of hand-built marts, after `statements` (e.g. an extra mart)."""
    con = duckdb.connect()
    try:
        build_marts(con, **marts)
        for statement in statements:
            con.execute(statement)
        return load_summary(con)
    finally:
        con.close()


def _worked(**extra) -> AuditSummary:
    everything = {s: str(Decimal(WORKED[s]) + Decimal(CANDIDATE[s])) for s in SCENARIOS}
    marts = dict(
        scopes={"all": everything, "confirmed": WORKED, "candidate": CANDIDATE},
        findings=WORKED_FINDINGS,
        daily=[
            (date(2026, 10, 1), Decimal("300"), Decimal("30"), Decimal("25")),
            (date(2026, 10, 2), Decimal("240"), Decimal("60"), Decimal("35")),
        ],
        daily_costs=[
            (date(2026, 10, 1), "anthropic", "claude-opus-4-5", "ticket-classifier", "500", "50"),
            (date(2026, 10, 1), "openai", "gpt-4.1", "intent-router", "40", "10"),
        ],
    )
    marts.update(extra)
    return _with_sql([], **marts)


def _figure(html: str, figure_id: str) -> tuple[Decimal, str]:
    """A headline figure's exact value and its text."""
    match = re.search(rf'id="{figure_id}" data-value="([^"]+)">([^<]+)<', html)
    assert match, figure_id
    return Decimal(match.group(1)), match.group(2)


def test_html_is_self_contained() -> None:
    html = render_html(_worked())
    assert html.startswith("<!DOCTYPE html>")
    tags = _parse(html).tags
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(tags)
    # the only URL is the SVG namespace, which is an identifier, never fetched
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}
    assert "url(" not in html and "@import" not in html and " src=" not in html
    assert "default-src 'none'" in html  # the browser blocks any load the page might try


def test_headline_figures_are_the_marts_confirmed_figures() -> None:
    html = render_html(_worked())
    # all: current 540; confirmed saves 500 - 50 = 450; candidates save 40 - 10 = 30
    assert _figure(html, "fig-current") == (Decimal(540), "$540.00")
    assert _figure(html, "fig-savings") == (Decimal(450), "$450.00")
    assert _figure(html, "fig-optimized") == (Decimal(90), "$90.00")
    assert _figure(html, "fig-candidate") == (Decimal(30), "$30.00")
    assert "per 30 days" in html
    assert "Window: 2026-10-01 00:00:00 UTC to 2026-10-31 00:00:00 UTC (30 days)" in html
    assert "Per 30 days = window figure x 30 / 30 (factor 1)." in html


def test_waterfall_bars_carry_the_stacked_and_single_lever_figures() -> None:
    html = render_html(_worked())
    waterfall = re.search(r'<svg[^>]*data-chart="waterfall".*?</svg>', html, re.S).group(0)
    bars = re.findall(r'data-series="(\w+)" data-label="([^"]+)" data-value="([^"]+)"', waterfall)
    stacked = [(label, Decimal(value)) for series, label, value in bars if series == "stacked"]
    # the worked example's $500 -> $100 -> $50 -> $50, on a bill with $40 of candidate usage
    # beside it
    assert stacked == [
        ("current", Decimal(540)),
        ("after tiering", Decimal(140)),
        ("after tiering + batch", Decimal(90)),
        ("after all three (optimized)", Decimal(90)),
    ]
    alone = [(label, Decimal(value)) for series, label, value in bars if series == "alone"]
    assert alone == [
        ("tiering alone", Decimal(140)),
        ("batch alone", Decimal(290)),
        ("caching alone", Decimal(540)),
    ]


def test_findings_confirmed_and_candidates_apart_ordered_by_savings() -> None:
    html = render_html(_worked())
    confirmed = html[html.index('id="confirmed-findings"') : html.index("Candidates (heuristic")]
    candidates = html[html.index('id="candidate-findings"') :]
    features = ("ticket-classifier", "support-chat", "document-extractor")
    order = [confirmed.index(feature) for feature in features]
    assert order == sorted(order)
    assert "intent-router" not in confirmed
    assert "intent-router" in candidates[: candidates.index("</table>")]
    assert "$800.00" in confirmed and "$400.00 in window" in confirmed
    for source in ("marts.savings_findings", "marts.rpt_scenario_totals", "marts.fct_daily_costs",
                   "marts.rpt_daily_scenarios"):  # fmt: skip
        assert f"<code>{source}</code>" in html


def test_a_finding_shows_its_scope_quality_risk_and_stacked_savings() -> None:
    finding = _finding(
        "f-risk",
        "tiering+batch",
        "confirmed",
        "anthropic",
        "claude-opus-4-5",
        "ticket-classifier",
        "claude-haiku-4-5",
        ("500", "450"),
        ("500", "450"),
    )[:-1] + ("0", "Assumes claude-haiku-4-5 is adequate.", "support", "key-a, key-b",
              "92.50", "450", "450")  # fmt: skip
    html = render_html(_worked(findings=[finding]))
    assert 'data-lever="tiering+batch">tiering + batch</span>' in html
    assert "Quality risk: Assumes claude-haiku-4-5 is adequate." in html
    assert "workspace support<br>API key key-a, key-b" in html
    assert "claude-opus-4-5 -&gt; claude-haiku-4-5 + Batch API" in html
    assert '<td class="num">92.5%</td>' in html


def test_user_strings_are_escaped_everywhere() -> None:
    findings = [
        _finding(
            "f-x",
            "batch",
            "confirmed",
            "openai",
            INJECTED,
            INJECTED,
            None,
            ("10", "5"),
            ("10", "5"),
        )
    ]
    summary = _worked(
        findings=findings,
        unpriced=[("acme", INJECTED, "unknown_model", 1, 1, 10)],
        by_scope=[("workspace", INJECTED, 1, "10", "5", "5")],
        daily_costs=[(date(2026, 10, 1), "openai", INJECTED, INJECTED, "10", "5")],
    )
    html = render_html(summary)
    parsed = _parse(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    assert INJECTED not in html
    text = "".join(parsed.text)
    assert text.count(INJECTED) >= 5  # shown as text: finding, scope, unpriced, chart, legend


def test_single_instant_window_leads_with_window_figures() -> None:
    everything = {s: str(Decimal(WORKED[s]) + Decimal(CANDIDATE[s])) for s in SCENARIOS}
    summary = _with_sql(
        [],
        window_days=0,
        scopes={"all": everything, "confirmed": WORKED, "candidate": CANDIDATE},
        findings=WORKED_FINDINGS,
    )
    html = render_html(summary)
    assert "single instant, so no 30-day projection" in html
    assert "per 30 days" not in html
    assert _figure(html, "fig-savings") == (Decimal(450), "$450.00")
    assert "Spend now, over the window" in html


def test_empty_warehouse_renders_a_page() -> None:
    html = render_html(_with_sql([], window_days=None))
    assert "No usage has been loaded" in html
    assert 'id="unpriced"' in html and 'id="method"' in html
    assert "<svg" not in html


def test_reconciliation_is_a_note_until_a_mart_exists() -> None:
    assert "no reconciliation mart yet" in render_html(_worked())
    summary = _with_sql(
        [
            "create table marts.rpt_bill_reconciliation (provider varchar, "
            "billed_cost_usd decimal(38,16), status varchar)",
            "insert into marts.rpt_bill_reconciliation values ('anthropic', 1234.5, '<ok>')",
        ],
        scopes={"all": WORKED, "confirmed": WORKED, "candidate": ZEROS},
    )
    html = render_html(summary)
    assert "no reconciliation mart yet" not in html
    assert "<code>marts.rpt_bill_reconciliation</code>" in html
    assert "<td>anthropic</td><td>$1,234.50</td><td>&lt;ok&gt;</td>" in html


def test_write_html_report(tmp_path: Path) -> None:
    report_dir = tmp_path / "reports"
    summary = _worked()
    path = write_html_report(summary, report_dir)
    assert path == report_dir / "findings.html"
    assert path.read_text(encoding="utf-8") == render_html(summary)
    assert sorted(p.name for p in report_dir.iterdir()) == ["findings.html"]


def test_a_day_without_priced_usage_is_a_gap_not_zero() -> None:
    """rpt_daily_scenarios holds null on a day whose usage has no price: never drawn as $0."""
    html = render_html(
        _worked(
            daily=[
                (date(2026, 10, 1), Decimal("300"), Decimal("30"), Decimal("25")),
                (date(2026, 10, 2), None, None, None),
                (date(2026, 10, 3), Decimal("240"), Decimal("60"), Decimal("35")),
            ]
        )
    )
    chart = html[html.index('data-chart="daily-spend"') :]
    chart = chart[: chart.index("</svg>")]
    assert chart.count('class="point" data-series="spend now"') == 2  # no point on the gap
    assert chart.count('<polyline class="series" data-series="spend now"') == 2  # line breaks
    assert "$0.00</title>" not in chart
