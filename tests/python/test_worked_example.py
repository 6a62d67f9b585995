"""The mission's worked example, through the whole pipeline with the real price seeds."""

from decimal import Decimal

import pytest
from conftest import query


@pytest.mark.parametrize("month_prefix", ["we-2026102", "we-2026090"])
def test_worked_example_costs_exactly(worked_example_warehouse, month_prefix):
    # each half of the fixture is the whole workload once: Sept (batch rule) and Oct (genai variant)
    row = query(
        worked_example_warehouse,
        """
        select sum(current_cost_usd), sum(tiered_cost_usd), sum(batched_cost_usd),
               sum(tiered_batched_cost_usd), sum(optimized_cost_usd),
               min(recommended_model), max(recommended_model), bool_and(is_priced)
        from marts.fct_llm_usage where request_id like ?
        """,
        [month_prefix + "%"],
    )[0]
    current, tiered, batched, tiered_batched, optimized, rec_min, rec_max, all_priced = row
    assert all_priced
    assert (rec_min, rec_max) == ("claude-haiku-4-5", "claude-haiku-4-5")
    assert current == Decimal("500.00")
    assert tiered == Decimal("100.00")
    assert batched == Decimal("250.00")
    assert tiered_batched == Decimal("50.00")
    assert optimized == Decimal("50.00")


def test_worked_example_findings(worked_example_warehouse):
    rows = query(
        worked_example_warehouse,
        "select lever, confidence, recommended_model, observed_savings_usd "
        "from marts.savings_findings order by lever",
    )
    # two months of $500: tiering saves $400 a month, batch $250, both stacked $450
    assert rows == [
        ("batch", "confirmed", None, Decimal("500.00")),
        ("tiering", "confirmed", "claude-haiku-4-5", Decimal("800.00")),
        ("tiering+batch", "confirmed", "claude-haiku-4-5", Decimal("900.00")),
    ]
