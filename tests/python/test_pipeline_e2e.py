"""`make demo`'s pipeline end to end on a small generated month: CLI -> Dagster -> ingest ->
dbt build (tests as checks) -> report; then invariants an analyst relies on."""

import shutil
from decimal import Decimal

import duckdb
from conftest import audit, query

SCENARIOS = ("current", "tiered", "batched", "cached", "optimized")


def test_every_loaded_record_reaches_the_usage_mart(demo_warehouse):
    raw, mart = query(
        demo_warehouse,
        "select (select count(*) from raw.canonical_usage),"
        " (select count(*) from marts.fct_llm_usage)",
    )[0]
    assert raw > 500
    assert mart == raw


def test_unpriced_rows_are_reported_never_zero(demo_warehouse):
    rows = query(
        demo_warehouse,
        "select count(*), count(current_cost_usd) from marts.fct_llm_usage where not is_priced",
    )[0]
    unpriced, with_cost = rows
    assert unpriced > 0  # the demo has an unknown model and priority rows with no price
    assert with_cost == 0
    reported = query(demo_warehouse, "select sum(row_count) from marts.rpt_unpriced_usage")[0][0]
    assert reported == unpriced
    # the daily mart shows the unknown model's days with no cost, not $0
    daily = query(
        demo_warehouse,
        "select count(*), count(current_cost_usd), sum(unpriced_request_count)"
        " from marts.fct_daily_costs where model_id = 'acme-internal-llm-v2'",
    )[0]
    assert daily[0] > 0 and daily[1] == 0 and daily[2] > 0


def test_scenario_totals_tie_to_the_usage_rows(demo_warehouse):
    totals = query(
        demo_warehouse,
        "select "
        + ", ".join(f"{s}_cost_usd" for s in SCENARIOS)
        + " from marts.rpt_scenario_totals where confidence_scope = 'all'",
    )[0]
    sums = query(
        demo_warehouse,
        "select "
        + ", ".join(f"sum({s}_cost_usd)" for s in SCENARIOS)
        + " from marts.fct_llm_usage where is_priced",
    )[0]
    daily = query(
        demo_warehouse,
        "select "
        + ", ".join(f"sum({s}_cost_usd)" for s in SCENARIOS)
        + " from marts.fct_daily_costs",
    )[0]
    assert totals == sums == daily
    current, tiered, batched, cached, optimized = totals
    assert optimized < tiered < current
    assert batched < current and cached < current
    confirmed_and_candidate = query(
        demo_warehouse,
        "select sum(current_cost_usd) from marts.rpt_scenario_totals"
        " where confidence_scope <> 'all'",
    )[0][0]
    assert confirmed_and_candidate == current


def test_demo_shows_each_lever(demo_warehouse):
    levers = dict(
        query(
            demo_warehouse,
            "select lever, sum(observed_savings_usd) from marts.savings_findings group by lever",
        )
    )
    # document-extractor's extraction on gpt-5 from a queue: tiering and batch, combined too
    assert set(levers) == {"tiering", "batch", "caching", "tiering+batch"}
    assert all(v > Decimal(0) for v in levers.values())
    # the ticket classifier's Opus classification goes to Haiku 4.5, confirmed
    finding = query(
        demo_warehouse,
        "select recommended_model, confidence from marts.savings_findings "
        "where lever = 'tiering' and feature = 'ticket-classifier'",
    )
    assert finding == [("claude-haiku-4-5", "confirmed")]


def test_caching_respects_minimum_length(demo_warehouse):
    # faq-bot's prefix is under Haiku 4.5's minimum cacheable length: never cached
    choices = query(
        demo_warehouse,
        "select distinct cache_ttl_choice from marts.fct_llm_usage where feature = 'faq-bot'",
    )
    assert choices == [("none",)]


def test_report_written_with_findings(demo_warehouse):
    for name in ("findings.md", "findings.html"):
        text = (demo_warehouse.parent / "reports" / name).read_text()
        assert "ticket-classifier" in text
        assert "claude-haiku-4-5" in text
        assert "Unpriced usage" in text
        assert "Quality risk: Assumes claude-haiku-4-5 is adequate for classification" in text


def test_second_run_changes_nothing(demo_warehouse, tmp_path):
    """The same exports again: no figure moves (copy, so session readers keep theirs)."""
    warehouse = tmp_path / "again.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    snapshot_sql = (
        "select usage_id, "
        + ", ".join(f"{s}_cost_usd" for s in SCENARIOS)
        + ", recommended_model from marts.fct_llm_usage order by usage_id"
    )
    before = query(warehouse, snapshot_sql)
    findings_before = query(warehouse, "select * from marts.savings_findings order by finding_id")
    # a warehouse an earlier release built: a seed with other columns is rebuilt, not a failure
    con = duckdb.connect(str(warehouse))
    con.execute(
        "create or replace table seeds.tiering_evals as select 'anthropic' as provider,"
        " 'f' as feature, 'm' as model_id, 'pass' as verdict, current_date as evaluated_on"
    )
    con.close()
    exports = demo_warehouse.parent / "exports"
    assert audit(exports, warehouse, tmp_path / "reports") == 0
    assert query(warehouse, snapshot_sql) == before
    assert (
        query(warehouse, "select * from marts.savings_findings order by finding_id")
        == findings_before
    )


def test_heuristic_attribution_is_a_candidate_apart_from_the_headline(demo_warehouse):
    # lead-tagger declares no latency class but runs nightly at 01:xx UTC: async by timing
    rows = query(
        demo_warehouse,
        "select distinct latency_class, latency_class_source, savings_confidence"
        " from marts.fct_llm_usage where feature = 'lead-tagger'",
    )
    assert rows == [("async", "heuristic", "candidate")]
    findings = query(
        demo_warehouse,
        "select lever, confidence from marts.savings_findings where feature = 'lead-tagger'",
    )
    assert findings == [("batch", "candidate")]
    candidate_savings, confirmed_current = query(
        demo_warehouse,
        "select (select current_cost_usd - optimized_cost_usd from marts.rpt_scenario_totals"
        " where confidence_scope = 'candidate'),"
        " (select sum(current_cost_usd) from marts.fct_llm_usage"
        " where savings_confidence = 'confirmed' and is_priced)",
    )[0]
    assert candidate_savings > 0
    assert (
        confirmed_current
        == query(
            demo_warehouse,
            "select current_cost_usd from marts.rpt_scenario_totals"
            " where confidence_scope = 'confirmed'",
        )[0][0]
    )
