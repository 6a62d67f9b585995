"""Whole families the seeds used to leave out, priced through a real audit (issue 21):

- Anthropic Priority Tier: a Usage API bucket grouped by `service_tier` reports
  `"service_tier": "priority"` (docs.anthropic.com/en/api/usage-cost-api, the values
  service_tier_spellings.csv cites), written with tests/python/anthropic_fixtures.py's
  helpers. Priced at the standard list price and marked in `pricing_note`.
- OpenAI priority before genai-prices' variant starts (2026-10-12): the variant's first
  price held back to the start of the standard-price span (o3: from 2025-06-10 only).
- OpenRouter's free and input-only models, and an OpenAI embedding with and without
  output tokens.

List prices (USD per million tokens): claude-sonnet-4-5 $3 / $15; gpt-5 priority $2.50 /
$20 (twice standard); text-embedding-3-small $0.02 input, no output price.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from anthropic_fixtures import bucket, page, usage_result, write
from conftest import audit, query, write_canonical_csv

pytestmark = pytest.mark.slow  # a whole audit


def _canonical(request_id: str, timestamp: str, provider: str, model: str, tier: str, out: int):
    return {
        "request_id": request_id,
        "timestamp": timestamp,
        "provider": provider,
        "model": model,
        "service_tier": tier,
        "input_tokens": 1_000_000,
        "output_tokens": out,
    }


@pytest.fixture(scope="module")
def families_warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("families")
    exports = root / "exports"
    priority = {**usage_result(input=1_000_000, output=100_000), "service_tier": "priority"}
    write(
        exports / "account=acme" / "usage_1d.json",
        json.dumps(page(bucket("2026-09-01T00:00:00Z", "2026-09-02T00:00:00Z", priority))),
    )
    sept = "2026-09-01T09:00:00Z"
    calls = [
        ("gpt5-priority", sept, "openai", "gpt-5", "priority", 100_000),
        ("o3-priority-in-span", "2025-07-01T09:00:00Z", "openai", "o3", "priority", 100_000),
        ("o3-priority-before-span", "2025-06-09T09:00:00Z", "openai", "o3", "priority", 100_000),
        ("free", sept, "openrouter", "meta-llama/llama-3.3-70b-instruct:free", "standard", 1),
        ("embedding", sept, "openai", "text-embedding-3-small", "standard", 0),
        ("embedding-with-output", sept, "openai", "text-embedding-3-small", "standard", 10),
    ]
    write_canonical_csv(exports / "calls.csv", [_canonical(*call) for call in calls])
    warehouse = root / "families.duckdb"
    assert audit(exports, warehouse) == 0
    return warehouse


def _rows(warehouse: Path, where: str) -> list[tuple]:
    return query(
        warehouse,
        "select coalesce(request_id, provider), current_cost_usd, unpriced_reason,"
        " price_source, pricing_note from marts.fct_llm_usage where " + where + " order by 1",
    )


def test_anthropic_priority_is_priced_at_standard_list_and_marked(families_warehouse) -> None:
    ((_, cost, reason, source, note),) = _rows(
        families_warehouse, "provider = 'anthropic' and service_tier = 'priority'"
    )
    # 1,000,000 x $3 + 100,000 x $15, the standard list price
    assert (cost, reason) == (Decimal("4.5"), None)
    assert source.startswith("rule: Anthropic Priority Tier")
    assert note.startswith("priority_tier_at_list:")


def test_openai_priority_before_genai_prices_variant_is_held_back(families_warehouse) -> None:
    rows = {r[0]: r[1:] for r in _rows(families_warehouse, "provider = 'openai'")}
    cost, reason, source, _ = rows["gpt5-priority"]
    # 1,000,000 x $2.50 + 100,000 x $20: gpt-5's priority price of 2026-10-12
    assert (cost, reason) == (Decimal("4.5"), None)
    assert "held back" in source
    # o3's standard price fell on 2025-06-10; its priority price ($3.50 / $14) holds back
    # to that day only: before it, priority has no price
    assert rows["o3-priority-in-span"][:2] == (Decimal("4.9"), None)
    assert rows["o3-priority-before-span"][:2] == (None, "no_price_for_tier_on_date")


def test_free_and_input_only_models(families_warehouse) -> None:
    rows = {r[0]: r[1:3] for r in _rows(families_warehouse, "request_id is not null")}
    assert rows["free"] == (Decimal(0), None)  # $0 as a price, not unknown
    assert rows["embedding"] == (Decimal("0.02"), None)
    assert rows["embedding-with-output"] == (None, "no_output_price")
    (unpriced,) = query(
        families_warehouse,
        "select model, unpriced_reason from marts.rpt_unpriced_usage"
        " where unpriced_reason = 'no_output_price'",
    )
    assert unpriced == ("text-embedding-3-small", "no_output_price")
