"""The report's rendering, on marts built by hand with known values.

A unit test of load_summary / format_summary / render_markdown / write_report: the marts
here are minimal tables with DECIMAL(38,16) money, not the output of the dbt project.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.report import (
    format_summary,
    load_summary,
    render_html,
    render_markdown,
    write_report,
)
from orchestration.report.evidence import signal_sentence
from orchestration.report.formatting import (
    format_days,
    format_pct,
    format_usd,
    round_cents,
)
from orchestration.report.money import MoneyTypeError
from orchestration.report.summary import (
    NO_PROJECTION,
    ZERO,
    AuditSummary,
    Finding,
)

MONEY = "decimal(38,16)"
SCENARIOS = ("current", "tiered", "batched", "cached", "tiered_batched", "optimized")
# The worked example (docs/cost-semantics.md): Opus real time $500, Haiku $100, Haiku batch $50.
WORKED = dict(current="500", tiered="100", batched="250", cached="500", tiered_batched="50",
              optimized="50")  # fmt: skip
ZEROS = dict.fromkeys(SCENARIOS, "0")


def _finding(
    finding_id: str,
    lever: str,
    confidence: str,
    provider: str,
    model_id: str,
    feature: str,
    recommended_model: str | None,
    observed: tuple[str, str],
    monthly: tuple[str, str],
    request_count: int = 1000,
) -> tuple:
    action = {
        "tiering": f"Route {feature} from {model_id} to {recommended_model}",
        "batch": f"Send {feature} through the Batch API",
        "caching": f"Cache the system prompt of {feature}.",
        "tiering+batch": f"Route {feature} to {recommended_model}, send it through the Batch API",
    }[lever]
    evidence = f"{request_count} requests of task class x over the window"
    return (
        finding_id,
        lever,
        confidence,
        provider,
        model_id,
        feature,
        recommended_model,
        "sp-support-v3" if lever == "caching" else None,
        action,
        evidence,
        request_count,
        observed[0],
        observed[1],
        monthly[0],
        monthly[1],
        "0",
    )


WORKED_FINDINGS = [
    _finding(
        "f-batch",
        "batch",
        "confirmed",
        "openai",
        "gpt-5",
        "document-extractor",
        None,
        ("120", "60"),
        ("240", "120"),
    ),
    _finding(
        "f-cand",
        "tiering",
        "candidate",
        "openai",
        "gpt-4.1",
        "intent-router",
        "gpt-4.1-nano",
        ("30", "25"),
        ("60", "50"),
    ),
    _finding(
        "f-tier",
        "tiering",
        "confirmed",
        "anthropic",
        "claude-opus-4-5",
        "ticket-classifier",
        "claude-haiku-4-5",
        ("500", "400"),
        ("1000", "800"),
        request_count=30000,
    ),
    _finding(
        "f-cache",
        "caching",
        "confirmed",
        "anthropic",
        "claude-sonnet-4-5",
        "support-chat",
        None,
        ("300", "100.5"),
        ("600", "201"),
    ),
]
# WORKED_FINDINGS' features by saving, largest first (observed and per 30 days alike).
FEATURES_BY_SAVINGS = [
    "ticket-classifier",
    "support-chat",
    "document-extractor",
    "intent-router",
]
UNPRICED = [
    ("acme", "acme-internal-llm-v2", "unknown_model", 300, 300, 1234567),
    ("openai", "gpt-4.1", "no_price_for_service_tier", 40, 40, 23456),
]


def build_marts(
    con: duckdb.DuckDBPyConnection,
    *,
    window_days: int | None = 30,
    scopes: dict[str, dict[str, str]] | None = None,
    findings: list[tuple] | None = None,
    unpriced: list[tuple] | None = None,
    by_scope: list[tuple] | None = None,
    daily: list[tuple] | None = None,
    daily_costs: list[tuple] | None = None,
    money_type: str = MONEY,
    list_markup: Decimal | None = None,
    tier_assumed: str = "0",
) -> None:
    """The marts the report reads, with the columns docs/internals.md lists.

    `window_days=None`: no window row (no usage). `window_days=0`: a single-instant window,
    as the marts have it: NULL monthly_factor and NULL in every `monthly_*` column.
    Scope costs are what you pay (`*_contracted_cost_usd`); list cost is the same, or that
    times `list_markup` (a negotiated discount). `tier_assumed`: of each scope's current
    cost, what is priced on an assumed service tier."""
    con.execute("create schema if not exists marts")
    con.execute(
        """
        create or replace table marts.rpt_audit_window (
            window_start_at timestamp, window_end_at timestamp, window_seconds bigint,
            window_days decimal(20,6), monthly_factor decimal(20,12))
        """
    )
    # None: 30 days over a zero-length window is undefined, so the marts project nothing.
    factor = None if window_days == 0 else Decimal(30) / Decimal(window_days or 30)
    if window_days is not None:
        start = datetime(2026, 10, 1)
        con.execute(
            "insert into marts.rpt_audit_window values (?, ?, ?, ?, ?)",
            [
                start,
                start + timedelta(days=window_days),
                window_days * 86400,
                Decimal(window_days),
                factor and factor.quantize(Decimal("0.000000000001")),
            ],
        )
    cost_columns = [f"{s}_contracted_cost_usd" for s in SCENARIOS] + [
        f"{s}_cost_usd" for s in SCENARIOS
    ]
    all_cost_columns = cost_columns + [f"monthly_{c}" for c in cost_columns]
    con.execute(
        "create or replace table marts.rpt_scenario_totals (confidence_scope varchar, "
        "request_count hugeint, "
        + ", ".join(f"{c} {money_type}" for c in all_cost_columns)
        + f", tier_assumed_current_contracted_cost_usd {money_type})"
    )
    for scope, costs in (scopes or {}).items():
        paid = [Decimal(costs[s]) for s in SCENARIOS]
        observed = paid + [value * (list_markup or 1) for value in paid]
        monthly = [None if factor is None else value * factor for value in observed]
        con.execute(
            f"insert into marts.rpt_scenario_totals values (?, ?, {', '.join(['?'] * 25)})",
            [scope, 1000, *observed, *monthly, Decimal(tier_assumed)],
        )
    con.execute(
        f"""
        create or replace table marts.savings_findings (
            finding_id varchar, lever varchar, confidence varchar, provider varchar,
            model_id varchar, feature varchar, recommended_model varchar, prefix_hash varchar,
            action varchar,
            evidence varchar, request_count bigint, observed_current_cost_usd {money_type},
            observed_savings_usd {money_type}, monthly_current_cost_usd {money_type},
            monthly_savings_usd {money_type}, savings_pct decimal(9,4),
            quality_risk varchar, workspaces varchar, api_keys varchar,
            share_of_spend_pct decimal(7,2), observed_stacked_savings_usd {money_type},
            monthly_stacked_savings_usd {money_type},
            -- the evidence fields: a class the export declared, read from calls
            evidence_signal varchar default 'declared_task_class',
            evidence_value decimal(20,6), evidence_threshold decimal(20,6),
            evidence_source_grain varchar default 'call',
            evidence_bucket_count bigint default 0, counts_calls boolean default true)
        """
    )
    given = [
        c
        for (c,) in con.execute(
            "select column_name from (describe marts.savings_findings)"
        ).fetchall()
    ]
    for row in findings or []:
        if factor is None:  # monthly_current_cost_usd, monthly_savings_usd
            row = (*row[:13], None, None, *row[15:])
        if len(row) == 16:  # no scope, risk or stacked figures given
            row = (*row, None, None, None, None, None, None)
        con.execute(
            f"insert into marts.savings_findings ({', '.join(given[: len(row)])}) "
            f"values ({', '.join(['?'] * len(row))})",
            row,
        )
    con.execute(
        f"""
        create or replace table marts.rpt_daily_scenarios (
            usage_date date, request_count hugeint, unpriced_request_count hugeint,
            current_cost_usd {money_type}, confirmed_optimized_cost_usd {money_type},
            optimized_cost_usd {money_type})
        """
    )
    for row in daily or []:
        con.execute("insert into marts.rpt_daily_scenarios values (?, 1, 0, ?, ?, ?)", row)
    con.execute(
        f"""
        create or replace table marts.fct_daily_costs (
            usage_date date, provider varchar, model_id varchar, feature varchar,
            service_tier varchar, current_contracted_cost_usd {money_type},
            optimized_contracted_cost_usd {money_type})
        """
    )
    for row in daily_costs or []:
        con.execute("insert into marts.fct_daily_costs values (?, ?, ?, ?, 'standard', ?, ?)", row)
    con.execute(
        """
        create or replace table marts.rpt_unpriced_usage (
            provider varchar, model varchar, unpriced_reason varchar, row_count bigint,
            request_count hugeint, total_tokens hugeint)
        """
    )
    for row in unpriced or []:
        con.execute("insert into marts.rpt_unpriced_usage values (?, ?, ?, ?, ?, ?)", row)
    con.execute(
        f"""
        create or replace table marts.rpt_savings_by_scope (
            scope_type varchar, scope_value varchar, request_count hugeint,
            monthly_current_cost_usd {money_type}, confirmed_optimized_savings_usd {money_type},
            monthly_optimized_savings_usd {money_type})
        """
    )
    for row in by_scope or []:
        current, confirmed, monthly_savings = (Decimal(v) for v in row[3:])
        if factor is None:
            current = monthly_savings = None
        con.execute(
            "insert into marts.rpt_savings_by_scope values (?, ?, ?, ?, ?, ?)",
            [*row[:3], current, confirmed, monthly_savings],
        )


def _summary(**marts) -> AuditSummary:
    con = duckdb.connect()
    try:
        build_marts(con, **marts)
        return load_summary(con)
    finally:
        con.close()


@pytest.fixture
def worked() -> AuditSummary:
    """The worked example, confirmed, over 30 days, with findings and unpriced usage."""
    return _summary(
        scopes={"all": WORKED, "confirmed": WORKED, "candidate": ZEROS},
        findings=WORKED_FINDINGS,
        unpriced=UNPRICED,
    )


def _line(text: str, starts_with: str) -> list[str]:
    """The cells of the first fixed-width line starting with `starts_with`."""
    for line in text.splitlines():
        if line.startswith(starts_with):
            return re.split(r"\s{2,}", line.strip())
    raise AssertionError(f"no line starting with {starts_with!r} in:\n{text}")


# --------------------------------------------------------------------------- formatting


def test_dollars_round_half_even_to_the_cent() -> None:
    assert round_cents(Decimal("0.005")) == Decimal("0.00")
    assert round_cents(Decimal("0.015")) == Decimal("0.02")
    assert format_usd(Decimal("0.015")) == "$0.02"
    assert format_usd(Decimal("0.025")) == "$0.02"
    assert format_usd(Decimal("1.005")) == "$1.00"
    assert format_usd(Decimal("1.015")) == "$1.02"
    assert format_usd(Decimal("2.675")) == "$2.68"
    assert format_usd(Decimal("1234567.891")) == "$1,234,567.89"
    assert format_usd(Decimal("500")) == "$500.00"
    assert format_usd(Decimal("-3.5")) == "-$3.50"
    assert format_usd(Decimal("0")) == "$0.00"
    assert format_usd(None) == "n/a"


def test_tiny_non_zero_dollars_say_so() -> None:
    # A non-zero amount that rounds to no cents is not shown as $0.00 (0.005 rounds
    # half-even to 0.00 above; displayed, it is "<$0.01").
    assert format_usd(Decimal("0.005")) == "<$0.01"
    assert format_usd(Decimal("0.0000001")) == "<$0.01"
    assert format_usd(Decimal("0.0051")) == "$0.01"


def test_floats_are_refused_as_money() -> None:
    with pytest.raises(TypeError):
        format_usd(0.1)  # type: ignore[arg-type]


def test_percent_and_days() -> None:
    assert format_pct(Decimal(400), Decimal(500)) == "80.0%"
    assert format_pct(Decimal(1), Decimal(3)) == "33.3%"
    assert format_pct(Decimal(1), Decimal(100000)) == "<0.1%"
    assert format_pct(Decimal(1), Decimal(0)) == "n/a"
    assert format_days(Decimal("30.000000")) == "30"
    assert format_days(Decimal("15.5")) == "15.5"


# --------------------------------------------------------------------------- summary


def test_summary_reads_the_marts(worked: AuditSummary) -> None:
    assert worked.window is not None
    assert worked.window.days == Decimal(30)
    assert worked.window.monthly_factor == Decimal(1)
    assert worked.headline_observed.current == Decimal(500)
    assert worked.headline_observed.tiered == Decimal(100)
    assert [f.finding_id for f in worked.findings] == ["f-tier", "f-cache", "f-batch", "f-cand"]
    assert [f.finding_id for f in worked.confirmed_findings] == ["f-tier", "f-cache", "f-batch"]
    assert [f.finding_id for f in worked.candidate_findings] == ["f-cand"]
    assert worked.unpriced_row_count == 340
    assert worked.unpriced_total_tokens == 1234567 + 23456


def _money_values(obj: object):
    if dataclasses.is_dataclass(obj):
        for field in dataclasses.fields(obj):
            yield from _money_values(getattr(obj, field.name))
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _money_values(value)
    elif isinstance(obj, tuple | list):
        for value in obj:
            yield from _money_values(value)
    else:
        yield obj


def test_money_stays_decimal_and_exact() -> None:
    summary = _summary(
        scopes={
            "all": dict(ZEROS, current="0.3", tiered="0.3", batched="0.3", cached="0.3"),
            "confirmed": dict(ZEROS, current="0.2", tiered="0.1", batched="0.2", cached="0.2"),
        },
        findings=[
            _finding(
                "big",
                "tiering",
                "confirmed",
                "anthropic",
                "claude-opus-4-5",
                "f",
                "claude-haiku-4-5",
                ("12345678901234567890.1234567890123456", "0.1"),
                ("12345678901234567890.1234567890123456", "0.2"),
            )
        ],
    )
    assert not any(isinstance(v, float) for v in _money_values(summary))
    # With floats, 0.3 - (0.2 - 0.1) is 0.19999999999999998.
    assert summary.headline_observed.tiered == Decimal("0.2")
    assert summary.headline_observed.savings("tiered") == Decimal("0.1")
    finding = summary.findings[0]
    assert finding.observed_current_cost_usd == Decimal("12345678901234567890.1234567890123456")
    assert finding.observed_savings_usd + finding.monthly_savings_usd == Decimal("0.3")
    assert isinstance(finding.savings_pct, Decimal)


def test_a_double_money_column_is_an_error() -> None:
    with pytest.raises(MoneyTypeError, match="DECIMAL"):
        _summary(scopes={"all": WORKED}, money_type="double")


def test_headline_counts_confirmed_savings_only() -> None:
    candidate = dict(current="40", tiered="10", batched="40", cached="40", tiered_batched="10",
                     optimized="10")  # fmt: skip
    everything = {s: str(Decimal(WORKED[s]) + Decimal(candidate[s])) for s in SCENARIOS}
    summary = _summary(
        scopes={"all": everything, "confirmed": WORKED, "candidate": candidate},
        window_days=15,
    )
    # The whole bill stays in; only the confirmed rows' savings come off it.
    assert summary.headline_observed.current == Decimal(540)
    assert summary.headline_observed.optimized == Decimal(90)
    assert summary.headline_monthly.optimized == Decimal(180)
    text = format_summary(summary)
    assert _line(text, "optimized (all levers)") == [
        "optimized (all levers)",
        "$90.00",
        "$450.00",
        "$180.00",
        "$900.00",
        "83.3%",
    ]
    assert _line(text, "candidate (heuristic")[1:] == ["1,000", "$30.00", "$60.00"]
    assert "$30.00" in render_markdown(summary)


def test_the_assumed_tier_share_is_shown_beside_the_headline() -> None:
    # $125 of the $500 bill priced at standard because the export states no tier: 25%
    summary = _summary(
        scopes={"all": WORKED, "confirmed": WORKED, "candidate": ZEROS}, tier_assumed="125"
    )
    assert summary.tier_assumed_share_pct == Decimal(25)
    note = (
        "25.0% of this spend ($125.00) is priced at the standard tier: its export does not "
        "state the service tier (tier_assumed in marts.fct_llm_usage)."
    )
    assert note in _section(render_markdown(summary), "Headline")
    assert f"Current spend: {note}" in format_summary(summary)
    assert f'<p class="muted" id="tier-assumed">{note}</p>' in render_html(summary)
    # nothing assumed: no share, no sentence
    plain = _summary(scopes={"all": WORKED, "confirmed": WORKED, "candidate": ZEROS})
    assert plain.tier_assumed_share_pct is None and plain.tier_assumed_note is None
    assert "tier_assumed" not in render_markdown(plain) + format_summary(plain)


# --------------------------------------------------------------------------- console


def test_console_scenario_table(worked: AuditSummary) -> None:
    text = format_summary(worked)
    assert _line(text, "Scenario  ") == [
        "Scenario",
        "Window cost",
        "Savings",
        "Per 30 days",
        "Savings / 30 days",
        "Savings %",
    ]
    assert _line(text, "current") == ["current", "$500.00", "$0.00", "$500.00", "$0.00", "0.0%"]
    assert _line(text, "tiered") == ["tiered", "$100.00", "$400.00", "$100.00", "$400.00", "80.0%"]
    assert _line(text, "batched") == [
        "batched",
        "$250.00",
        "$250.00",
        "$250.00",
        "$250.00",
        "50.0%",
    ]
    assert _line(text, "cached")[1:3] == ["$500.00", "$0.00"]
    assert _line(text, "optimized")[1:3] == ["$50.00", "$450.00"]


def test_console_waterfall_window_and_findings(worked: AuditSummary) -> None:
    text = format_summary(worked)
    assert _line(text, "after tiering + batch") == [
        "after tiering + batch",
        "$50.00",
        "$50.00",
        "$50.00",
        "$50.00",
    ]
    assert _line(text, "after tiering")[1:3] == ["$100.00", "$400.00"]
    assert _line(text, "after all three")[1:3] == ["$50.00", "$0.00"]
    assert "Window: 2026-10-01 00:00:00 UTC -> 2026-10-31 00:00:00 UTC (30 days)" in text
    ranks = [_line(text, f"{n}  ") for n in (1, 2, 3, 4)]
    assert [r[2] for r in ranks] == FEATURES_BY_SAVINGS
    assert ranks[0][3:] == ["claude-opus-4-5 -> claude-haiku-4-5", "$800.00", "confirmed"]
    assert ranks[3][-1] == "candidate"
    assert text.index("after all three") < text.index("ticket-classifier")


def test_console_top_n(worked: AuditSummary) -> None:
    text = format_summary(worked, top_n=2)
    assert "document-extractor" not in text
    assert "... and 2 more" in text


def test_console_unpriced_is_loud(worked: AuditSummary) -> None:
    text = format_summary(worked)
    assert "!!! UNPRICED USAGE: 340 usage rows (340 requests, 1,258,023 tokens)" in text
    assert _line(text, "acme") == [
        "acme",
        "acme-internal-llm-v2",
        "unknown_model",
        "300",
        "300",
        "1,234,567",
    ]


def test_console_without_unpriced_usage() -> None:
    text = format_summary(_summary(scopes={"all": WORKED, "confirmed": WORKED}))
    assert "UNPRICED" not in text
    assert "Unpriced usage: none" in text
    assert "Top findings: none." in text


def test_console_on_an_empty_warehouse() -> None:
    summary = _summary(window_days=None)
    assert not summary.has_usage
    text = format_summary(summary)
    assert "no usage in the warehouse" in text
    assert "Unpriced usage: none" in text


def test_rounding_reaches_the_rendered_figures() -> None:
    findings = [
        _finding(
            "half-down",
            "batch",
            "confirmed",
            "openai",
            "gpt-5",
            "a",
            None,
            ("10", "1.005"),
            ("10", "1.005"),
        ),
        _finding(
            "half-up",
            "batch",
            "confirmed",
            "openai",
            "gpt-5",
            "b",
            None,
            ("10", "1.015"),
            ("10", "1.015"),
        ),
        _finding(
            "tiny",
            "batch",
            "confirmed",
            "openai",
            "gpt-5",
            "c",
            None,
            ("10", "0.0004"),
            ("10", "0.0004"),
        ),
    ]
    summary = _summary(scopes={"all": WORKED, "confirmed": WORKED}, findings=findings)
    text = format_summary(summary)
    assert _line(text, "1  ")[2:5] == ["b", "gpt-5 -> Batch API", "$1.02"]
    assert _line(text, "2  ")[2:5] == ["a", "gpt-5 -> Batch API", "$1.00"]
    assert _line(text, "3  ")[2:5] == ["c", "gpt-5 -> Batch API", "<$0.01"]


# --------------------------------------------------------------------------- markdown


def _section(markdown: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


def test_markdown_sections_in_order(worked: AuditSummary) -> None:
    markdown = render_markdown(worked)
    assert markdown.startswith("# LLM cost audit: findings\n")
    titles = re.findall(r"^## (.+)$", markdown, re.M)
    assert titles == [
        "Headline",
        "Scenarios",
        "Waterfall",
        "Confirmed and candidate savings",
        "Findings",
        "Candidates (heuristic attribution)",
        "Unpriced usage",
        "How these figures are computed",
    ]
    assert "**Window:** 2026-10-01 00:00:00 UTC to 2026-10-31 00:00:00 UTC (30 days)." in markdown


def test_markdown_headline_and_tables(worked: AuditSummary) -> None:
    markdown = render_markdown(worked)
    headline = _section(markdown, "Headline")
    assert "cost **$500.00** at list price ($500.00 per 30 days)" in headline
    assert "a saving of **$450.00** (90.0%), **$450.00 per 30 days**" in headline
    assert "340 usage rows (340 requests) could not be priced" in headline
    scenarios = _section(markdown, "Scenarios")
    assert "| tiered | $100.00 | $400.00 | $100.00 | $400.00 | 80.0% |" in scenarios
    assert "| optimized (all levers) | $50.00 | $450.00 | $50.00 | $450.00 | 90.0% |" in scenarios
    assert "| ---: |" in scenarios
    waterfall = _section(markdown, "Waterfall")
    costs = re.findall(r"^\| (after [^|]+|current) \| (\S+) \|", waterfall, re.M)
    assert costs == [
        ("current", "$500.00"),
        ("after tiering", "$100.00"),
        ("after tiering + batch", "$50.00"),
        ("after all three (optimized)", "$50.00"),
    ]


def test_markdown_findings_numbered_by_savings_and_candidates_apart(
    worked: AuditSummary,
) -> None:
    markdown = render_markdown(worked)
    findings = _section(markdown, "Findings")
    items = re.findall(r"^(\d+)\. (.*)$", findings, re.M)
    assert [n for n, _ in items] == ["1", "2", "3"]
    first, second, third = (text for _, text in items)
    assert "`ticket-classifier`" in first
    assert (
        "**Tiering**, `ticket-classifier` (anthropic `claude-opus-4-5` -> `claude-haiku-4-5`)"
        in first
    )
    assert "Route ticket-classifier from claude-opus-4-5 to claude-haiku-4-5." in first
    # the evidence fields' sentence, then the mart's evidence text
    assert (
        "Evidence: Rests on the task class your export declares; usage read from "
        "request-level calls. 30000 requests of task class x over the window." in first
    )
    assert (
        "Saves **$800.00 per 30 days** ($400.00 over the window, 80.0% of the $500.00 it cost)"
        in first
    )
    assert first.endswith("Confidence: confirmed.")
    assert "`support-chat`" in second and "$201.00 per 30 days" in second
    assert "Cache the system prompt of support-chat. Evidence" in second  # no double period
    assert "$100.50 over the window" in second
    assert "`document-extractor`" in third and "`gpt-5` -> Batch API" in third
    assert "intent-router" not in findings
    candidates = _section(markdown, "Candidates (heuristic attribution)")
    assert re.findall(r"^1\. .*`intent-router`.*Confidence: candidate\.$", candidates, re.M)


def test_markdown_unpriced_section(worked: AuditSummary) -> None:
    unpriced = _section(render_markdown(worked), "Unpriced usage")
    assert "**Warning: 340 usage rows (340 requests, 1,258,023 tokens) have no price.**" in unpriced
    assert "| acme | acme-internal-llm-v2 | unknown_model | 300 | 300 | 1,234,567 |" in unpriced
    assert "| openai | gpt-4.1 | no_price_for_service_tier | 40 | 40 | 23,456 |" in unpriced


def test_markdown_without_unpriced_usage() -> None:
    markdown = render_markdown(_summary(scopes={"all": WORKED, "confirmed": WORKED}))
    unpriced = _section(markdown, "Unpriced usage")
    assert unpriced.strip() == "None: every usage row was priced."
    assert "could not be priced" not in _section(markdown, "Headline")
    assert _section(markdown, "Findings").strip().endswith("No confirmed findings.")


def test_markdown_method_states_the_normalisation() -> None:
    summary = _summary(scopes={"all": WORKED, "confirmed": WORKED}, window_days=15)
    markdown = render_markdown(summary)
    method = _section(markdown, "How these figures are computed")
    assert "window's figure x 30 / window days (here x 30 / 15, a factor of 2)" in method
    assert "list price" in method and "call's date" in method
    assert "| tiered | $100.00 | $400.00 | $200.00 | $800.00 | 80.0% |" in markdown


def test_the_report_says_which_prices_its_figures_are_at() -> None:
    at_list = _summary(scopes={"all": WORKED, "confirmed": WORKED})
    assert "Prices are list prices" in render_markdown(at_list)
    assert "Prices are list prices" in format_summary(at_list)
    # a 20% discount: the scopes hold what you pay, $500 here against $625 at list
    contracted = _summary(scopes={"all": WORKED, "confirmed": WORKED}, list_markup=Decimal("1.25"))
    sentence = (
        "Costs and savings are what you pay: your contracted prices "
        "(contracted_discounts.csv), $500.00 over the window against $625.00 "
        "at list price."
    )
    assert sentence in render_markdown(contracted)
    assert sentence in format_summary(contracted)
    assert contracted.headline_observed.current == Decimal(500)


def test_markdown_on_an_empty_warehouse() -> None:
    markdown = render_markdown(_summary(window_days=None))
    assert "no usage in the warehouse" in markdown
    assert "## Unpriced usage" in markdown


def test_write_report(worked: AuditSummary, tmp_path: Path) -> None:
    report_dir = tmp_path / "reports" / "nightly"
    path = write_report(worked, report_dir)
    assert path == report_dir / "findings.md"
    assert path.read_text(encoding="utf-8") == render_markdown(worked)
    assert sorted(p.name for p in report_dir.iterdir()) == ["findings.md"]
    # Rewriting replaces the file.
    write_report(_summary(window_days=None), report_dir)
    assert "no usage in the warehouse" in path.read_text(encoding="utf-8")


def test_window_measures_typed_double_still_render() -> None:
    # Not money: epoch() arithmetic gives DOUBLE in DuckDB, and that must not stop the report.
    con = duckdb.connect()
    build_marts(con, scopes={"all": WORKED, "confirmed": WORKED})
    con.execute(
        """
        create or replace table marts.rpt_audit_window as
        select window_start_at, window_end_at, window_seconds::double as window_seconds,
            window_days::double as window_days, monthly_factor::double as monthly_factor
        from marts.rpt_audit_window
        """
    )
    summary = load_summary(con)
    assert summary.window is not None and summary.window.days == Decimal("30.0")
    assert "(30 days)" in format_summary(summary)


def test_report_breaks_savings_down_by_workspace_and_key():
    summary = _summary(
        scopes={"all": WORKED, "confirmed": WORKED, "candidate": ZEROS},
        findings=WORKED_FINDINGS,
        by_scope=[
            ("workspace", "support", 900, "1200.5", "300.25", "310"),
            ("workspace", "platform", 100, "50", "0", "0"),
            ("api_key", "key-ticket-classifier", 30000, "1000", "800", "800"),
            ("feature", "ignored-here", 1, "1", "1", "1"),
        ],
    )
    text = render_markdown(summary)
    assert "## By workspace, API key and account" in text
    assert "| support | 900 | $1,200.50 | $310.00 | $300.25 |" in text
    assert "| key-ticket-classifier | 30,000 | $1,000.00 | $800.00 | $800.00 |" in text
    assert text.index("| support |") < text.index("| platform |")  # biggest saver first
    assert "ignored-here" not in text  # features are in the findings already


def test_caching_findings_name_their_prompt_prefix(worked: AuditSummary) -> None:
    # two prefixes of one feature on one model must not read as the same finding
    assert "claude-sonnet-4-5 + cache sp-support-v3" in format_summary(worked)
    assert "+ cache of prefix `sp-support-v3`" in render_markdown(worked)


# --------------------------------------------------------------------------- single instant

CANDIDATE = dict(current="40", tiered="10", batched="40", cached="40", tiered_batched="10",
                 optimized="10")  # fmt: skip
BY_SCOPE = [
    ("workspace", "support", 900, "1200.5", "300.25", "310"),
    ("workspace", "platform", 100, "50", "0", "0"),
]


def _instant_and_30_days() -> tuple[AuditSummary, AuditSummary]:
    """The same marts over a single-instant window (no projection) and over 30 days."""
    everything = {s: str(Decimal(WORKED[s]) + Decimal(CANDIDATE[s])) for s in SCENARIOS}
    marts = dict(
        scopes={"all": everything, "confirmed": WORKED, "candidate": CANDIDATE},
        findings=WORKED_FINDINGS,
        unpriced=UNPRICED,
        by_scope=BY_SCOPE,
    )
    return _summary(window_days=0, **marts), _summary(window_days=30, **marts)


def test_single_instant_window_projects_nothing() -> None:
    instant, monthly = _instant_and_30_days()
    assert monthly.has_projection and not instant.has_projection
    assert instant.window is not None and instant.window.monthly_factor is None
    assert instant.window.days == 0
    assert instant.headline_monthly is None
    assert instant.headline_observed == monthly.headline_observed
    assert all(line.monthly_cost is None for line in instant.scenario_lines())
    assert all(step.monthly_step_savings is None for step in instant.waterfall())
    assert instant.scope("candidate").monthly_savings("optimized") is None
    assert instant.scope("no such scope").monthly is None
    assert all(f.monthly_savings_usd is None for f in instant.findings)
    assert all(s.monthly_current is None for s in instant.savings_by_scope)
    # Ranked by window savings (400, 100.5, 60, 25), not by finding id.
    assert [f.finding_id for f in instant.findings] == ["f-tier", "f-cache", "f-batch", "f-cand"]
    assert not any(isinstance(v, float) for v in _money_values(instant))


def test_a_null_sum_with_a_factor_still_reads_zero() -> None:
    con = duckdb.connect()
    try:
        build_marts(con, scopes={"all": WORKED, "confirmed": WORKED, "candidate": ZEROS})
        con.execute(
            "update marts.rpt_scenario_totals set current_cost_usd = null, "
            "monthly_current_cost_usd = null where confidence_scope = 'candidate'"
        )
        summary = load_summary(con)
    finally:
        con.close()
    assert summary.has_projection
    assert summary.scope("candidate").observed.current == ZERO
    assert summary.scope("candidate").monthly_cost("current") == ZERO


def test_console_single_instant_window() -> None:
    instant, monthly = _instant_and_30_days()
    text, usual = format_summary(instant), format_summary(monthly)
    assert (
        "Window: 2026-10-01 00:00:00 UTC -> 2026-10-01 00:00:00 UTC (0 days)\n"
        f"{NO_PROJECTION} Per-30-days figures read n/a.\n" in text
    )
    assert "factor" not in text
    for label in ("current", "tiered", "batched", "cached", "optimized (all levers)"):
        cells, projected = _line(text, label), _line(usual, label)
        assert cells[3:5] == ["n/a", "n/a"]
        assert cells[:3] + cells[5:] == projected[:3] + projected[5:]  # observed unchanged
    assert _line(text, "optimized (all levers)") == [
        "optimized (all levers)", "$90.00", "$450.00", "n/a", "n/a", "83.3%"
    ]  # fmt: skip
    for label in ("after tiering  ", "after tiering + batch", "after all three"):
        cells, projected = _line(text, label), _line(usual, label)
        assert cells[3:] == ["n/a", "n/a"] and cells[:3] == projected[:3]
    assert _line(text, "confirmed (declared")[1:] == ["1,000", "$450.00", "n/a"]
    assert _line(text, "candidate (heuristic")[1:] == ["1,000", "$30.00", "n/a"]
    assert "Top findings by savings over the window" in text
    ranks = [_line(text, f"{n}  ") for n in (1, 2, 3, 4)]
    assert [r[2] for r in ranks] == FEATURES_BY_SAVINGS
    assert [r[-2] for r in ranks] == ["n/a"] * 4
    unpriced = text.index("!!! UNPRICED")
    assert text[unpriced:] == usual[usual.index("!!! UNPRICED") :]


def test_markdown_single_instant_window() -> None:
    instant, monthly = _instant_and_30_days()
    markdown, usual = render_markdown(instant), render_markdown(monthly)
    assert (
        "**Window:** 2026-10-01 00:00:00 UTC to 2026-10-01 00:00:00 UTC (0 days). "
        f"{NO_PROJECTION}\n" in markdown
    )
    assert "$0.00 per 30 days" not in markdown and "factor of" not in markdown
    headline = _section(markdown, "Headline")
    assert "cost **$540.00** at list price (n/a per 30 days)" in headline
    assert "a saving of **$450.00** (83.3%), **n/a per 30 days**" in headline
    assert "could save a further n/a per 30 days" in headline
    assert "| tiered | $140.00 | $400.00 | $140.00 | $400.00 | 74.1% |" in usual
    assert "| tiered | $140.00 | $400.00 | n/a | n/a | 74.1% |" in _section(markdown, "Scenarios")
    waterfall = _section(markdown, "Waterfall")
    assert "| after tiering | $140.00 | $400.00 | n/a | n/a |" in waterfall
    confidence = _section(markdown, "Confirmed and candidate savings")
    assert "| confirmed (declared or rule) | 1,000 | $450.00 | n/a |" in confidence
    findings = _section(markdown, "Findings")
    assert findings.lstrip().startswith("Ordered by savings over the window.")
    assert (
        "Saves **n/a per 30 days** ($400.00 over the window, 80.0% of the $500.00 it cost)"
        in findings
    )
    by_scope = _section(markdown, "By workspace, API key and account")
    assert "| support | 900 | n/a | n/a | $300.25 |" in by_scope
    assert "| support | 900 | $1,200.50 | $310.00 | $300.25 |" in usual
    method = _section(markdown, "How these figures are computed")
    assert "(not here: the window is a single instant, so nothing is projected)" in method
    assert _section(markdown, "Unpriced usage") == _section(usual, "Unpriced usage")


def test_markdown_finding_states_scope_stacked_savings_and_quality_risk() -> None:
    tiering = _finding(
        "f-tier", "tiering", "confirmed", "anthropic", "claude-opus-4-5", "ticket-classifier",
        "claude-haiku-4-5", ("500", "400"), ("500", "400"),
    )[:-1] + ("80", "Assumes claude-haiku-4-5 is adequate for classification.", "support",
              "key-a", "50", "450", "450")  # fmt: skip
    combined = _finding(
        "f-both", "tiering+batch", "confirmed", "anthropic", "claude-opus-4-5",
        "ticket-classifier", "claude-haiku-4-5", ("500", "450"), ("500", "450"),
    )  # fmt: skip
    summary = _summary(scopes={"all": WORKED, "confirmed": WORKED}, findings=[tiering, combined])
    findings = _section(render_markdown(summary), "Findings")
    first, second = re.findall(r"^\d+\. (.*)$", findings, re.M)
    assert first.startswith(
        "**Tiering + batch**, `ticket-classifier` (anthropic `claude-opus-4-5` -> "
        "`claude-haiku-4-5` + Batch API):"
    )
    assert "All levers on these calls" not in first  # a combination is the stack itself
    assert (
        "(anthropic `claude-opus-4-5` -> `claude-haiku-4-5`; workspace support; API key key-a)"
        in second
    )
    assert "All levers on these calls: $450.00 per 30 days." in second
    assert second.endswith(
        "Quality risk: Assumes claude-haiku-4-5 is adequate for classification. "
        "Confidence: confirmed."
    )


# -- the evidence fields as a sentence (orchestration/report/evidence.py) -------------
def _evidence_finding(**fields) -> Finding:
    base = dict(
        finding_id="f",
        lever="tiering",
        confidence="candidate",
        provider="anthropic",
        model_id="claude-sonnet-4-5",
        feature="api_key:nightly-etl",
        recommended_model="claude-haiku-4-5",
        action="Route it",
        evidence="7 usage buckets (the export counts no requests) ...",
        request_count=0,
        observed_current_cost_usd=Decimal(1),
        observed_savings_usd=Decimal(1),
        monthly_current_cost_usd=None,
        monthly_savings_usd=None,
    )
    return Finding(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        (
            dict(evidence_signal="weekend_to_weekday_ratio", evidence_value=Decimal("0.950000"),
                 evidence_threshold=Decimal("0.800000"), evidence_source_grain="day",
                 evidence_bucket_count=28, counts_calls=False),
            "Signal weekend_to_weekday_ratio: a weekend day uses 0.95 times a weekday's tokens "
            "(the setting: at least 0.8), read from 28 daily usage buckets; a heuristic, so a "
            "candidate.",
        ),
        (
            dict(evidence_signal="hours_of_day", evidence_value=Decimal("1.000000"),
                 evidence_threshold=Decimal("2.000000"), evidence_source_grain="minute",
                 evidence_bucket_count=1440),
            "Signal hours_of_day: usage on the same 1 hour(s) of the day (UTC) (the setting: "
            "at most 2), read from 1,440 one-minute usage buckets; a heuristic, so a candidate.",
        ),
        (
            dict(evidence_signal="output_tokens_per_request", evidence_value=Decimal("12.5"),
                 evidence_threshold=Decimal("16"), evidence_source_grain="call",
                 evidence_bucket_count=0),
            "Signal output_tokens_per_request: 12.5 output tokens per request (the setting: at "
            "most 16), read from request-level calls; a heuristic, so a candidate.",
        ),
        (
            # the caching candidate (models/marts/_marts__unit_tests.yml worked it out)
            dict(lever="caching", recommended_model=None,
                 evidence_signal="cache_reads_per_input_token",
                 evidence_value=Decimal("0.009901"), evidence_threshold=Decimal("0.050000"),
                 evidence_source_grain="day", evidence_bucket_count=5, counts_calls=False),
            "Signal cache_reads_per_input_token: 0.009901 tokens read from the cache per input "
            "token (the setting: at most 0.05), read from 5 daily usage buckets; a heuristic, "
            "so a candidate.",
        ),
        (
            dict(evidence_signal="eval_pass_rate", evidence_value=Decimal("0.97"),
                 evidence_threshold=Decimal("0.95"), evidence_source_grain="hour",
                 evidence_bucket_count=48),
            "Rests on your eval: pass rate 97% against a 95% quality bar; usage read from 48 "
            "hourly usage buckets.",
        ),
        (
            dict(evidence_signal="cache_hit_share", evidence_value=Decimal("66.666667"),
                 evidence_source_grain="call"),
            "66.7% of the calls would read the cache.",
        ),
    ],
)  # fmt: skip
def test_the_evidence_fields_read_as_one_sentence(fields, sentence):
    assert signal_sentence(_evidence_finding(**fields)) == sentence
