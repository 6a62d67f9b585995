"""genai-prices as an independent oracle: the warehouse's current cost of a call equals
`calc_price` for the same call, wherever a genai-prices price applies (rows priced by a
provider-level rule before genai-prices' variants begin are the documented exception)."""

from datetime import UTC
from decimal import Decimal

from conftest import query
from genai_prices import Usage, calc_price

CONTEXT = {
    "batch": {"processing": "batch"},
    "flex": {"service_tier": "flex"},
    "priority": {"service_tier": "priority"},
    "standard": None,
}


def _genai_cost(provider, model_id, usage_at, tier, inp, w5, w1, read, out) -> Decimal:
    tokens = {
        "input_tokens": inp + w5 + w1 + read,
        "output_tokens": out,
        "cache_read_tokens": read,
        "cache_write_tokens": w5 + w1,
    }
    if w1:
        tokens["cache_write_1h_tokens"] = w1
    price = calc_price(
        Usage(**tokens),
        model_id,
        provider_id=provider,
        genai_request_timestamp=usage_at.replace(tzinfo=UTC),
        price_context=CONTEXT[tier],
    )
    return price.total_price


def test_current_cost_matches_genai_prices(demo_warehouse):
    rows = query(
        demo_warehouse,
        """
        select provider, model_id, usage_at, service_tier, input_tokens, cache_write_5m_tokens,
               cache_write_1h_tokens, cache_read_tokens, output_tokens, current_cost_usd
        from marts.fct_llm_usage
        where is_priced and request_count = 1 and price_source not like 'rule:%'
        order by hash(usage_id) limit 3000
        """,
    )
    assert len(rows) > 200
    covered = {(r[1], r[3]) for r in rows}
    assert len(covered) >= 5  # several models and tiers, not one
    mismatches = [
        (r[:4], r[9], expected)
        for r in rows
        if (expected := _genai_cost(r[0], r[1], r[2], r[3], *r[4:9])) != r[9]
    ]
    assert mismatches == []


def test_rule_priced_batch_equals_genai_variant_rates(worked_example_warehouse):
    """Before 2026-10-14 the batch rule (50%) stands in; it gives what genai-prices' own
    batch variant gives from that date on, so history isn't priced differently."""
    by_month = dict(
        query(
            worked_example_warehouse,
            "select strftime(usage_at, '%Y-%m'), sum(batched_cost_usd)"
            " from marts.fct_llm_usage group by 1",
        )
    )
    assert by_month["2026-09"] == by_month["2026-10"] == Decimal("250")
