"""The ladder and silence sections, rendered from figures worked by hand (fast lane; the
browser test and test_explain_silence.py read them from real audits)."""

from __future__ import annotations

import csv
import dataclasses
from decimal import Decimal

import duckdb
import pytest
from test_report_html import _worked

from orchestration.report import render_html, render_markdown
from orchestration.report.console import format_summary
from orchestration.report.ladder import TEMPLATE_DIR_NAME, LadderRung, Silence, load_ladder
from orchestration.report.money import MoneyTypeError
from orchestration.report.rules_template import write_rules_template


def rung(value: str, order: int, name: str, model: str, current, cost, batch, **extra):
    fields = dict(
        scope_type="api_key", scope_value=value, spend_share=Decimal("0.8"), rung_order=order,
        rung=name, rung_model=model, current=Decimal(current), current_30d=Decimal(current) * 10,
        cost=Decimal(cost), cost_30d=Decimal(cost) * 10, batch=Decimal(batch),
        batch_30d=Decimal(batch) * 10, covered_share=Decimal("1.0"), stand_in=False,
    )  # fmt: skip
    fields.update(extra)
    return LadderRung(**fields)


# the worked example on one key: Opus $500 -> Haiku $100 -> Haiku via Batch $50; a second
# key on Sonnet whose small rung covers half its spend, on an older-generation stand-in
LADDER = (
    rung("hotel-kanri", 0, "current", "claude-opus-4-5", 500, 500, 250),
    rung("hotel-kanri", 1, "medium", "claude-sonnet-4-5", 500, 300, 150),
    rung("hotel-kanri", 2, "small", "claude-haiku-4-5", 500, 100, 50),
    rung("search", 0, "current", "claude-sonnet-4-0", 120, 120, 60, spend_share=Decimal("0.2")),
    rung("search", 1, "small", "claude-3-5-haiku-latest", 120, 80, 70, spend_share=Decimal("0.2"),
         covered_share=Decimal("0.5"), stand_in=True),
)  # fmt: skip
# the account covers all spend once: $620 now, $180 on each key's cheapest rung, $120 via Batch
LADDER += (
    rung("acme", 0, "current", "claude-opus-4-5", 620, 620, 310, scope_type="account",
         spend_share=Decimal("1.0")),
    rung("acme", 2, "small", "claude-haiku-4-5", 620, 180, 120, scope_type="account",
         spend_share=Decimal("1.0")),
)  # fmt: skip
UNLABELLED = Silence(
    priced_spend=Decimal(620), classified_spend=Decimal(0), latency_spend=Decimal(0),
    daily_buckets_only=True, has_request_logs=False, has_prompt_prefixes=False,
)  # fmt: skip


def silent_summary():
    summary = _worked()
    return dataclasses.replace(
        summary, findings=summary.candidate_findings, ladder=LADDER, silence=UNLABELLED
    )


def test_the_silence_says_why_what_unlocks_each_lever_and_what_is_at_stake():
    for text in (render_markdown(silent_summary()), render_html(silent_summary())):
        assert "Why no finding is confirmed" in text
        assert "carry no task labels" in text
        assert "Daily buckets cannot show when in the day the usage falls" in text
        assert "no request logs" in text
        assert text.count("To unlock:") == 3
        # the account's cheapest rung, per 30 days (x 10 here): $6,200 -> $1,800 -> $1,200
        assert "your $6,200.00 would cost $1,800.00" in text
        assert "$1,200.00 through the Batch API" in text


def test_the_ladder_reads_what_it_would_cost_with_coverage_and_stand_ins():
    markdown = render_markdown(silent_summary())
    assert "What it would cost, not what to do" in markdown
    # per 30 days: $5,000 -> $1,000 -> via Batch $500
    assert "| hotel-kanri | 80.0% | now | claude-opus-4-5 | $5,000.00 | $2,500.00 | 100.0% |" in (
        markdown
    )
    assert "|  |  | small | claude-haiku-4-5 | $1,000.00 | $500.00 | 100.0% |" in markdown
    assert (
        "|  |  | small | claude-3-5-haiku-latest (older generation stands in) | $800.00 "
        "| $700.00 | 50.0% |" in markdown
    )
    html = render_html(silent_summary())
    assert 'id="ladder-api_key"' in html and 'id="ladder-account"' in html


def test_the_terminal_points_to_the_silence_and_says_what_is_at_stake():
    text = format_summary(silent_summary())
    assert "No finding is confirmed: the report says why" in text
    assert "rules-template/attribution_rules.csv" in text
    assert "your $6,200.00 would cost $1,800.00" in text
    assert "(the ladder in the report;" in text


def test_no_silence_section_when_a_finding_is_confirmed():
    summary = dataclasses.replace(_worked(), ladder=LADDER, silence=UNLABELLED)
    assert summary.confirmed_findings
    assert "Why no finding is confirmed" not in render_markdown(summary)
    assert "No finding is confirmed" not in format_summary(summary)
    assert "The ladder: what it would cost" in render_markdown(summary)


def test_the_rules_template_names_the_keys_that_carry_the_spend_and_is_written_once(tmp_path):
    path = write_rules_template(silent_summary(), tmp_path)
    assert path == tmp_path / TEMPLATE_DIR_NAME / "attribution_rules.csv"
    with path.open() as f:
        rules = list(csv.DictReader(f))
    assert [(r["rule_order"], r["match_column"], r["match_pattern"]) for r in rules] == [
        ("1", "api_key", "hotel-kanri"),
        ("2", "api_key", "search"),
    ]
    assert all(r["task_class"] == r["latency_class"] == r["feature"] == "" for r in rules)
    # the user fills it in; the next run never overwrites it
    path.write_text(path.read_text().replace("api_key,hotel-kanri,,", "api_key,hotel-kanri,x,"))
    assert write_rules_template(silent_summary(), tmp_path) == path
    assert "api_key,hotel-kanri,x," in path.read_text()


def test_a_ladder_whose_money_arrives_as_a_float_is_refused():
    with duckdb.connect() as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.rpt_scope_ladder as select 'account' as scope_type, 'a' as "
            "scope_value, 1 as spend_rank, 1.0::decimal(7, 6) as spend_share, 0 as rung_order, "
            "'current' as rung, 'm' as rung_model, 1.5::double as current_cost_usd, "
            "null::decimal(38, 16) as current_cost_per_30d_usd, 1.5::decimal(38, 16) as "
            "rung_cost_usd, null::decimal(38, 16) as rung_cost_per_30d_usd, "
            "1.0::decimal(38, 16) as rung_batch_cost_usd, null::decimal(38, 16) as "
            "rung_batch_cost_per_30d_usd, 1.0::decimal(7, 6) as rung_covered_share, "
            "false as rung_stand_in"
        )
        with pytest.raises(MoneyTypeError, match="DECIMAL"):
            load_ladder(con)
        con.execute(
            "alter table marts.rpt_scope_ladder alter current_cost_usd type decimal(38, 16)"
        )
        (rung,) = load_ladder(con)
        assert rung.current == Decimal("1.5") and rung.current_30d is None
