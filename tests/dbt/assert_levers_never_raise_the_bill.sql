-- DESIGN.md's invariants on the totals: every scenario is at most current cost, and all
-- levers stacked are at most every single lever (and the tiering-then-batch step).
select *
from {{ ref('rpt_scenario_totals') }}
where tiered_cost_usd > current_cost_usd
    or batched_cost_usd > current_cost_usd
    or cached_cost_usd > current_cost_usd
    or tiered_batched_cost_usd > tiered_cost_usd
    or optimized_cost_usd > tiered_batched_cost_usd
    or optimized_cost_usd > batched_cost_usd
    or optimized_cost_usd > cached_cost_usd
