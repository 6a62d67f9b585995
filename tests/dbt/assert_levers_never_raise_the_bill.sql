-- Every scenario's total is at most current cost, and stacking never costs more than
-- the tiering-then-batch step it starts from. Fails with the offending scope.
select *
from {{ ref('rpt_scenario_totals') }}
where tiered_cost_usd > current_cost_usd
    or batched_cost_usd > current_cost_usd
    or cached_cost_usd > current_cost_usd
    or tiered_batched_cost_usd > tiered_cost_usd
    or optimized_cost_usd > tiered_batched_cost_usd
