"""The generation rule on the real seeds, and the ladder per scope on the worked example
(tests/python/conftest.py: 50M input + 10M output tokens of Opus 4.5 on each of two days,
2026-09-01 and 2026-10-20, $500 a day at $5/$25 per million)."""

from decimal import Decimal

import pytest
from conftest import query

RUNGS_ON = """
    select tier, rung_model_id, is_stand_in from intermediate.int_tier_rungs
    where model_id = ? and cast(? as date) >= valid_from and cast(? as date) < valid_to
    order by tier, rung_model_id
"""


@pytest.mark.parametrize(
    ("model", "day", "rungs"),
    [
        # Claude 4 has no small model: the nearest newer generation's Haiku 4.5 (served
        # from 2025-10-15), never Claude 3.5 Haiku (older, still served until 2026-02-19)
        ("claude-opus-4-0", "2026-01-15",
         [("medium", "claude-sonnet-4-0", False), ("small", "claude-haiku-4-5", False)]),
        # before Haiku 4.5 and Sonnet 4.5: the nearest older generations stand in, flagged
        ("claude-opus-4-1", "2025-09-01",
         [("medium", "claude-sonnet-4-0", True), ("small", "claude-3-5-haiku-latest", True)]),
        # GPT-4o's own mini; it has no nano, so the nearest newer generation's (GPT-4.1)
        ("gpt-4o", "2026-01-15",
         [("medium", "gpt-4o-mini", False), ("small", "gpt-4.1-nano", False)]),
        ("gemini-2.5-pro", "2025-08-01",
         [("medium", "gemini-2.5-flash", False), ("small", "gemini-2.5-flash-lite", False)]),
    ],
)  # fmt: skip
def test_generation_rule_on_the_seeds(worked_example_warehouse, model, day, rungs):
    assert query(worked_example_warehouse, RUNGS_ON, [model, day, day]) == rungs


def test_worked_example_ladder_500_100_50(worked_example_warehouse):
    rows = query(
        worked_example_warehouse,
        """
        select rung_order, rung, rung_model, spend_rank, spend_share, current_cost_usd,
               rung_cost_usd, rung_batch_cost_usd, rung_covered_share, rung_stand_in
        from marts.rpt_scope_ladder where scope_type = 'model' order by rung_order
        """,
    )
    # two days of $500: Opus 4.5 itself ($500, through Batch at half price $250 a day);
    # Sonnet 4.5 at $3/$15: 50 x 3 + 10 x 15 = $300 a day; Haiku 4.5 at $1/$5:
    # 50 x 1 + 10 x 5 = $100 a day, via Batch at half price $50
    assert rows == [
        (0, "current", "claude-opus-4-5", 1, 1.0, Decimal(1000), Decimal(1000), Decimal(500),
         1.0, False),
        (1, "medium", "claude-sonnet-4-5", 1, 1.0, Decimal(1000), Decimal(600), Decimal(300),
         1.0, False),
        (2, "small", "claude-haiku-4-5", 1, 1.0, Decimal(1000), Decimal(200), Decimal(100),
         1.0, False),
    ]  # fmt: skip
    # per 30 days: the same figures over the window's 30-day factor, exactly
    (factor,) = query(
        worked_example_warehouse, "select monthly_factor from marts.rpt_audit_window"
    )[0]
    per_30d = query(
        worked_example_warehouse,
        "select current_cost_per_30d_usd, rung_cost_per_30d_usd, rung_batch_cost_per_30d_usd "
        "from marts.rpt_scope_ladder where scope_type = 'model' and rung = 'small'",
    )[0]
    assert per_30d == (Decimal(1000) * factor, Decimal(200) * factor, Decimal(100) * factor)
    # every scope type has the one value, carrying all the spend
    types = query(
        worked_example_warehouse,
        "select scope_type, scope_value from marts.rpt_scope_ladder where rung_order = 0 "
        "order by scope_type",
    )
    assert types == [("account", "default"), ("api_key", "(none)"), ("model", "claude-opus-4-5"),
                     ("service_tier", "standard"), ("workspace", "(none)")]  # fmt: skip
