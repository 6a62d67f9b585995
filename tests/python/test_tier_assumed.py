"""Usage whose export does not state the service tier (issue 21): priced at the standard
tier, counted in every figure and marked `tier_assumed`; its share of spend shown beside
the headline; reconciliation lines with such usage shown as `assumed`, never judged. A
tier spelling nobody knows is still rejected at load; a bucket not split by model still
has no price.

The shapes: an OpenAI Usage API page not grouped by `batch`/`service_tier` carries both
as null (platform.openai.com/docs/api-reference/usage/completions_object: filled only
when `group_by` names them); a dashboard usage CSV exported without that grouping has no
`batch`/`service_tier` columns; an Anthropic usage report not grouped by service tier
has `service_tier: null` (docs.anthropic.com/en/api/admin-api/usage-cost/
get-messages-usage-report). Costs by hand, list prices (USD per million tokens):

    gpt-5 standard: input 1.25, cached input 0.125, output 10; flex: half of each
    gpt-5-mini standard: input 0.25, output 2
    claude-sonnet-4-5 standard: input 3, output 15

- `initech` (Usage API, 2026-09-01): a gpt-5 bucket of 2,000,000 input (500,000 cached)
  and 100,000 output, tier not stated; and a flex response of that day on gpt-5
  (200,000 input, 10,000 output) = 0.125 + 0.05 = $0.175. The bucket covers the flex
  call too, so only its remainder is kept: 1,300,000 uncached x 1.25 + 500,000 x 0.125
  + 90,000 x 10 = 1.625 + 0.0625 + 0.90 = $2.5875, assumed standard.
  The Costs API bills gpt-5 input at $0.8125 (as if the bucket had run on flex): the
  line holds assumed usage, so it is `assumed`, not judged.
- `hooli` (dashboard CSV, 2026-09-01): gpt-5-mini 1,000,000 input + 200,000 output =
  0.25 + 0.40 = $0.65, assumed standard; and 5,000 tokens of a bucket not split by model:
  unpriced (`unknown_model`).
- `umbrella` (Anthropic usage report, 2026-09-01): Sonnet 4.5 1,000,000 input + 100,000
  output = 3.00 + 1.50 = $4.50, assumed standard.

Headline $7.9125, of which $7.7375 assumed (97.8%).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import anthropic_fixtures as anthropic
import duckdb
import pytest
from conftest import audit, query
from openai_fixtures import (
    DAY,
    SEPT_1,
    bucket,
    cost_page,
    cost_result,
    day_columns,
    lines,
    page,
    response,
    usage_result,
    write,
)

from orchestration.ingest import load_exports
from orchestration.report import format_summary, load_summary, render_html, render_markdown

REPO_ROOT = Path(__file__).resolve().parents[2]
ASSUMED = Decimal("7.7375")
HEADLINE = Decimal("7.9125")
# a dashboard usage CSV exported without the batch / service tier grouping
UNTIERED_CSV_HEADER = (
    "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,"
    "api_key_id,model,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens,"
    "input_audio_tokens,output_audio_tokens\n"
)


def write_untiered_exports(root: Path) -> Path:
    initech = root / "account=initech"
    write(
        initech / "usage.json",
        json.dumps(page(bucket(SEPT_1, DAY,
            usage_result("gpt-5-2025-08-07", batch=None, service_tier=None, input=2_000_000,
                         cached=500_000, output=100_000, requests=40),
        ))),
    )  # fmt: skip
    write(
        initech / "responses.jsonl",
        lines(
            response(
                "resp_initech_flex", "gpt-5-2025-08-07", SEPT_1 + 43_200,
                {"input_tokens": 200_000, "output_tokens": 10_000,
                 "input_tokens_details": {"cached_tokens": 0}},
                "flex",
            )
        ),
    )  # fmt: skip
    write(
        initech / "costs.json",
        cost_page(
            (SEPT_1, [cost_result("0.8125", "gpt-5-2025-08-07, input")]),
            # the export's last day (open): it closes 09-01
            (SEPT_1 + DAY, [cost_result("0", "gpt-5-2025-08-07, input")]),
        ),
    )
    write(
        root / "account=hooli" / "completions_usage_2026-09.csv",
        UNTIERED_CSV_HEADER + f"{day_columns(SEPT_1)},proj_h,12.0,,key_h,gpt-5-mini-2025-08-07,"
        "1000000.0,200000.0,0.0,1000000.0,0.0,0.0\n"
        + f"{day_columns(SEPT_1)},proj_h,3.0,,key_h,,4000.0,1000.0,0.0,4000.0,0.0,0.0\n",
    )
    untiered = {**anthropic.usage_result(input=1_000_000, output=100_000), "service_tier": None}
    write(
        root / "account=umbrella" / "usage_report.json",
        json.dumps(
            anthropic.page(
                anthropic.bucket("2026-09-01T00:00:00Z", "2026-09-02T00:00:00Z", untiered)
            )
        ),
    )
    return root


@pytest.fixture(scope="module")
def untiered_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("untiered")
    write_untiered_exports(root / "exports")
    warehouse = root / "untiered.duckdb"
    # the `assumed` reconciliation line (50% off the bill) does not fail the run
    assert audit(root / "exports", warehouse) == 0
    return warehouse


@pytest.mark.slow
def test_usage_without_a_tier_is_priced_at_standard_and_marked(untiered_warehouse):
    rows = query(
        untiered_warehouse,
        "select account, coalesce(model_id, model), service_tier, tier_assumed, "
        "current_cost_usd, pricing_note, price_source, unpriced_reason "
        "from marts.fct_llm_usage order by 1, 2, 4",
    )
    by_row = {(r[0], r[1], r[3]): r[2:] for r in rows}
    note = "tier_assumed: the export does not state the service tier, priced at standard"
    assert {k: v[2] for k, v in by_row.items()} == {
        ("hooli", "all models (export not grouped by model)", True): None,
        ("hooli", "gpt-5-mini", True): Decimal("0.65"),
        ("initech", "gpt-5", False): Decimal("0.175"),  # the flex call, as it ran
        ("initech", "gpt-5", True): Decimal("2.5875"),  # the bucket's remainder
        ("umbrella", "claude-sonnet-4-5", True): Decimal("4.50"),
    }
    for (_, model, assumed), (tier, _, _, pricing_note, source, reason) in by_row.items():
        if model.startswith("all models"):
            # no model, no price: unpriced with its reason, the tier assumption or not
            assert (pricing_note, reason) == (None, "unknown_model")
        elif assumed:
            assert tier == "standard" and pricing_note == note and source.endswith(f"; {note}")
        else:
            assert tier == "flex" and pricing_note is None and note not in source
    # every figure counts it: the headline is the hand-computed standard-tier total
    headline, assumed = query(
        untiered_warehouse,
        "select current_contracted_cost_usd, tier_assumed_current_contracted_cost_usd "
        "from marts.rpt_scenario_totals where confidence_scope = 'all'",
    )[0]
    assert (headline, assumed) == (HEADLINE, ASSUMED)
    assert query(
        untiered_warehouse,
        "select provider, unpriced_reason, row_count from marts.rpt_unpriced_usage",
    ) == [("openai", "unknown_model", 1)]


@pytest.mark.slow
def test_a_reconciliation_line_with_assumed_usage_is_shown_not_judged(untiered_warehouse):
    rows = query(
        untiered_warehouse,
        "select cast(cost_date as varchar), token_bucket, reported_cost_usd, "
        "computed_cost_usd, tier_assumed_row_count, status from marts.cost_reconciliation "
        "where account = 'initech' order by 1, 2",
    )
    by_line = {(r[0], r[1]): r[2:] for r in rows}
    # input: the flex call 200,000 x 0.625 + the remainder 1,300,000 x 1.25 = 1.75, of
    # which the remainder (1 of the 2 records) is assumed: 115% over the bill, not judged
    assert by_line[("2026-09-01", "input")] == (
        Decimal("0.8125"), Decimal("1.75"), 1, "assumed"
    )  # fmt: skip
    # the buckets the bill has no line for hold assumed usage too
    assert {k[1]: v[-1] for k, v in by_line.items() if k[0] == "2026-09-01"} == {
        "cache_read": "assumed", "input": "assumed", "output": "assumed"
    }  # fmt: skip
    assert {v[-1] for k, v in by_line.items() if k[0] == "2026-09-02"} == {"open_day"}


@pytest.mark.slow
def test_the_report_shows_the_assumed_share_beside_the_headline(untiered_warehouse):
    con = duckdb.connect(str(untiered_warehouse), read_only=True)
    try:
        summary = load_summary(con)
    finally:
        con.close()
    assert summary.headline_observed.current == HEADLINE
    assert summary.tier_assumed_share_pct == ASSUMED * 100 / HEADLINE
    note = (
        "97.8% of this spend ($7.74) is priced at the standard tier: its export does not "
        "state the service tier (tier_assumed in marts.fct_llm_usage)."
    )
    assert "**$7.91** at list price" in render_markdown(summary)
    assert note in render_markdown(summary)
    assert note in format_summary(summary)
    assert note in render_html(summary)


def test_an_unknown_tier_spelling_is_still_rejected_at_load(tmp_path):
    exports = tmp_path / "exports" / "account=acme"
    write(
        exports / "unknown.json",
        json.dumps(page(bucket(SEPT_1, DAY,
            usage_result("gpt-5", batch=None, service_tier="turbo", input=10, output=1),
        ))),
    )  # fmt: skip
    write(
        exports / "unstated.json",
        json.dumps(page(bucket(SEPT_1, DAY,
            usage_result("gpt-5", batch=None, service_tier=None, input=10, output=1),
        ))),
    )  # fmt: skip
    # the spelling staging gives an unstated tier is no spelling a file may use
    write(
        exports / "sentinel.json",
        json.dumps(page(bucket(SEPT_1, DAY,
            usage_result("gpt-5", batch=None, input=10, output=1,
                         service_tier="all tiers (export not grouped by service tier)"),
        ))),
    )  # fmt: skip
    con = duckdb.connect()
    result = load_exports(con, tmp_path / "exports", repo_root=REPO_ROOT)
    assert [o.display_name.rsplit("/", 1)[1] for o in result.loaded] == ["unstated.json"]
    errors = {r.display_name.rsplit("/", 1)[1]: r.error for r in result.rejected}
    assert set(errors) == {"unknown.json", "sentinel.json"}
    assert "service_tier 'turbo' is not a known OpenAI service tier" in errors["unknown.json"]
    assert "is not a known OpenAI service tier" in errors["sentinel.json"]
