-- The invariants on the totals (docs/cost-semantics.md): every scenario is at most current
-- cost, and all levers stacked are at most every single lever (and the tiering-then-batch
-- step); at contracted price, which the levers are chosen on, and at list price.
select *
from {{ ref('rpt_scenario_totals') }}
where false
{%- for pricing in ['', '_contracted'] %}
    or tiered{{ pricing }}_cost_usd > current{{ pricing }}_cost_usd
    or batched{{ pricing }}_cost_usd > current{{ pricing }}_cost_usd
    or cached{{ pricing }}_cost_usd > current{{ pricing }}_cost_usd
    or tiered_batched{{ pricing }}_cost_usd > tiered{{ pricing }}_cost_usd
    or optimized{{ pricing }}_cost_usd > current{{ pricing }}_cost_usd
    {%- if pricing %}
    or optimized{{ pricing }}_cost_usd > tiered_batched{{ pricing }}_cost_usd
    or optimized{{ pricing }}_cost_usd > batched{{ pricing }}_cost_usd
    or optimized{{ pricing }}_cost_usd > cached{{ pricing }}_cost_usd
    {%- endif %}
{%- endfor %}
