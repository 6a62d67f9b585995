"""The HTML report in a real headless browser (Debian's chromium, driven by Playwright;
no browser download): it renders offline without console errors or network requests,
its charts are drawn, its headline figures are the marts' figures, and a screenshot is
left for a person to look at (path printed at the end of the run).

Needs /usr/bin/chromium (`.ci/run` installs it): skipped without it, except under CI,
where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import query
from test_report import _finding
from test_report_html import INJECTED, _worked

from orchestration.report import render_html
from orchestration.report.formatting import format_usd
from orchestration.report.ladder import silence_reasons, stakes
from orchestration.report.summary import load_summary

pytestmark = pytest.mark.slow  # Chromium on the demo's report: `make test` only

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHARTS = ("waterfall", "spend-by-feature", "daily-spend", "savings-by-lever")

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"chromium not found at {CHROMIUM}: .ci/run installs it")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@dataclass
class LoadedPage:
    """A page opened from a file, with everything the browser complained about or fetched."""

    page: object
    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless chromium with a fresh profile, no background traffic."""
    with sync_api.sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=LAUNCH_FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def _open(browser, path: Path) -> LoadedPage:
    page = browser.new_page()
    loaded = LoadedPage(page=page, url=path.resolve().as_uri())
    page.on(
        "console",
        lambda message: message.type == "error" and loaded.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: loaded.console_errors.append(str(error)))
    page.on("request", lambda request: loaded.requests.append(request.url))
    page.on("requestfailed", lambda request: loaded.failed_requests.append(request.url))
    page.goto(loaded.url, wait_until="load")
    return loaded


def _assert_quiet(loaded: LoadedPage) -> None:
    assert loaded.console_errors == []
    assert loaded.failed_requests == []
    assert loaded.requests == [loaded.url]  # the file itself, nothing else


def _headline_from_marts(warehouse: Path) -> dict[str, Decimal]:
    """The headline as the marts give it: the whole bill, levers on confirmed rows."""
    rows = dict(
        (scope, (current, tiered, tiered_batched, optimized))
        for scope, current, tiered, tiered_batched, optimized in query(
            warehouse,
            "select confidence_scope, monthly_current_cost_usd, monthly_tiered_cost_usd,"
            " monthly_tiered_batched_cost_usd, monthly_optimized_cost_usd"
            " from marts.rpt_scenario_totals",
        )
    )
    everything, confirmed = rows["all"], rows["confirmed"]
    candidate = rows.get("candidate", (Decimal(0),) * 4)

    def after(i: int) -> Decimal:
        return everything[0] - (confirmed[0] - confirmed[i])

    return {
        "fig-current": everything[0],
        "fig-optimized": after(3),
        "fig-savings": confirmed[0] - confirmed[3],
        "fig-candidate": candidate[0] - candidate[3],
        "after tiering": after(1),
        "after tiering + batch": after(2),
    }


def test_demo_report_renders_offline_with_the_marts_figures(
    browser, demo_warehouse: Path, screenshot_dir: Path
) -> None:
    report = demo_warehouse.parent / "reports" / "findings.html"
    loaded = _open(browser, report)
    page = loaded.page
    _assert_quiet(loaded)

    # every chart is drawn: the svg and its marks have a size on screen
    for chart in CHARTS:
        svg = page.locator(f'svg[data-chart="{chart}"]')
        box = svg.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 100, chart
        marks = svg.locator("rect.bar, polyline.series")
        sizes = [marks.nth(i).bounding_box() for i in range(marks.count())]
        assert [s for s in sizes if s and s["width"] > 0 and s["height"] > 0], chart

    # headline figures: the page's exact values and text are the marts'
    expected = _headline_from_marts(demo_warehouse)
    for figure_id in ("fig-current", "fig-optimized", "fig-savings", "fig-candidate"):
        element = page.locator(f"#{figure_id}")
        assert Decimal(element.get_attribute("data-value")) == expected[figure_id], figure_id
        assert element.inner_text() == format_usd(expected[figure_id]), figure_id
    assert expected["fig-savings"] > 0 and expected["fig-candidate"] > 0  # the demo has both
    bars = page.locator('svg[data-chart="waterfall"] rect.bar[data-series="stacked"]')
    stacked = {
        bars.nth(i).get_attribute("data-label"): Decimal(bars.nth(i).get_attribute("data-value"))
        for i in range(bars.count())
    }
    assert stacked["current"] == expected["fig-current"]
    assert stacked["after tiering"] == expected["after tiering"]
    assert stacked["after tiering + batch"] == expected["after tiering + batch"]
    assert stacked["after all three (optimized)"] == expected["fig-optimized"]

    # the daily lines add up to the window's totals (rpt_daily_scenarios ties to the totals)
    points = page.locator('svg[data-chart="daily-spend"] circle.point')
    by_series: dict[str, Decimal] = {}
    for i in range(points.count()):
        point = points.nth(i)
        name = point.get_attribute("data-series")
        value = Decimal(point.get_attribute("data-value"))
        by_series[name] = by_series.get(name, Decimal(0)) + value
    all_current, confirmed_current, confirmed_optimized = query(
        demo_warehouse,
        "select a.current_cost_usd, c.current_cost_usd, c.optimized_cost_usd"
        " from marts.rpt_scenario_totals a, marts.rpt_scenario_totals c"
        " where a.confidence_scope = 'all' and c.confidence_scope = 'confirmed'",
    )[0]
    assert by_series["spend now"] == all_current
    assert by_series["optimized (confirmed levers)"] == all_current - (
        confirmed_current - confirmed_optimized
    )

    # findings: one row per mart row, confirmed and candidates apart
    counts = dict(
        query(
            demo_warehouse,
            "select confidence, count(*) from marts.savings_findings group by confidence",
        )
    )
    assert page.locator("#confirmed-findings tbody tr").count() == counts["confirmed"]
    assert page.locator("#candidate-findings tbody tr").count() == counts["candidate"]
    unpriced_rows = query(demo_warehouse, "select count(*) from marts.rpt_unpriced_usage")[0][0]
    assert unpriced_rows > 0  # the demo has unpriced usage
    assert page.locator("#unpriced-usage tbody tr").count() == unpriced_rows

    screenshot = screenshot_dir / "findings-demo.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 50_000
    page.close()


def test_injected_feature_names_stay_text(browser, tmp_path: Path) -> None:
    """A feature named like markup is shown as text: no script runs, nothing loads."""
    findings = [
        _finding("f-x", "batch", "confirmed", "openai", "gpt-5", INJECTED, None, ("10", "5"),
                 ("10", "5")),
    ]  # fmt: skip
    summary = _worked(
        findings=findings,
        daily_costs=[(date(2026, 10, 1), "openai", INJECTED, INJECTED, "10", "5")],
        unpriced=[("acme", INJECTED, "unknown_model", 1, 1, 10)],
    )
    path = tmp_path / "findings.html"
    path.write_text(render_html(summary), encoding="utf-8")
    loaded = _open(browser, path)
    page = loaded.page
    _assert_quiet(loaded)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("script, img").count() == 0
    assert INJECTED in page.locator("#confirmed-findings").inner_text()
    page.close()


def test_demo_report_shows_the_ladder_and_explains_silence(
    browser, demo_warehouse: Path, tmp_path: Path, screenshot_dir: Path
) -> None:
    """The ladder section: a table per scope type, one row per rung of the mart, its cost
    per 30 days the mart's. The silence section, on the demo's figures with its confirmed
    findings taken away (as an export without labels has none): why, what unlocks each
    lever, and the dollars at stake."""
    loaded = _open(browser, demo_warehouse.parent / "reports" / "findings.html")
    page = loaded.page
    _assert_quiet(loaded)
    assert page.locator("#ladder").is_visible()
    assert "what it would cost, not what to do" in page.locator("#ladder + p").inner_text().lower()
    for scope_type, rungs, first_cost in query(
        demo_warehouse,
        "select scope_type, count(*), min(case when spend_rank = 1 and rung_order = 0 "
        "then current_cost_per_30d_usd end) from marts.rpt_scope_ladder group by scope_type",
    ):
        rows = page.locator(f"#ladder-{scope_type} tbody tr")
        assert rows.count() == rungs, scope_type
        assert rows.nth(0).locator("td").nth(4).inner_text() == format_usd(first_cost)
    assert page.locator("#silence").count() == 0  # the demo has confirmed findings
    page.locator("#ladder").screenshot(path=str(screenshot_dir / "findings-ladder.png"))
    page.close()

    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        summary = load_summary(con)
    finally:
        con.close()
    unlabelled = replace(summary, findings=summary.candidate_findings)
    path = tmp_path / "findings.html"
    path.write_text(render_html(unlabelled), encoding="utf-8")
    loaded = _open(browser, path)
    page = loaded.page
    _assert_quiet(loaded)
    section = page.locator("#silence + .panel")
    assert page.locator("#silence").is_visible()
    items = section.locator("li")
    assert items.count() == len(silence_reasons(summary.silence)) >= 1
    for i in range(items.count()):
        assert "To unlock:" in items.nth(i).inner_text()
    at_stake = stakes(summary.ladder, summary.has_projection)
    assert (
        f"your {format_usd(at_stake.current)} would cost" in page.locator("#at-stake").inner_text()
    )
    section.screenshot(path=str(screenshot_dir / "findings-silence.png"))
    page.close()
