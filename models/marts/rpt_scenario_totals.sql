/*
    One row per confidence scope (all, confirmed, candidate): the scenario totals over
    priced rows for the observed window and per 30 days, including the waterfall's
    tiering-then-batch step, at list price and at contracted price; and the current spend
    whose service tier is assumed (tier_assumed).
*/
with usage as (
    select * from {{ ref('fct_llm_usage') }} where is_priced
),

window_bounds as (
    select monthly_factor from {{ ref('rpt_audit_window') }}
),

{%- set levers = ['current', 'tiered', 'batched', 'cached', 'tiered_batched', 'optimized'] %}
{%- set scenarios = [] %}
{%- for pricing in ['', '_contracted'] %}{% for lever in levers %}
    {%- do scenarios.append(lever ~ pricing) %}
{%- endfor %}{% endfor %}

scoped as (
    select 'all' as confidence_scope, * from usage
    union all
    select savings_confidence as confidence_scope, * from usage
),

totals as (
    select
        confidence_scope,
        sum(request_count) as request_count,
        -- the spend priced at the standard tier because the export does not state the tier
        -- (the report shows its share beside the headline)
        cast(sum(case when tier_assumed then current_contracted_cost_usd else 0 end)
            as {{ money_type() }}) as tier_assumed_current_contracted_cost_usd,
        {%- for scenario in scenarios %}
        cast(sum({{ scenario }}_cost_usd) as {{ money_type() }}) as {{ scenario }}_cost_usd{{ ',' if not loop.last }}
        {%- endfor %}
    from scoped
    group by confidence_scope
),

final as (
    select
        totals.*,
        {%- for scenario in scenarios %}
        cast(totals.{{ scenario }}_cost_usd * window_bounds.monthly_factor as {{ money_type() }})
            as monthly_{{ scenario }}_cost_usd{{ ',' if not loop.last }}
        {%- endfor %}
    from totals
    cross join window_bounds
)

select * from final
