/*
    One row per scope (feature, model, api key, workspace, account) and value: what the
    scope costs and what each lever alone and all stacked would save, observed and per 30
    days, over priced rows, at what you pay (contracted price; list where no contract).
    `confirmed_` columns count confirmed attribution only, as the headline does. For
    dashboards that slice savings by team or key.
*/
with usage as (
    select * from {{ ref('fct_llm_usage') }} where is_priced
),

window_bounds as (
    select monthly_factor from {{ ref('rpt_audit_window') }}
),

{%- set scopes = {
    'feature': "coalesce(feature, '(none)')",
    'model': 'model_id',
    'api_key': "coalesce(api_key, '(none)')",
    'workspace': "coalesce(workspace, '(none)')",
    'account': 'account'} %}
{%- set levers = ['tiered', 'batched', 'cached', 'optimized'] %}

scoped as (
    {%- for scope_type, scope_expression in scopes.items() %}
    select
        '{{ scope_type }}' as scope_type,
        {{ scope_expression }} as scope_value,
        usage.*
    from usage
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

totals as (
    select
        scope_type,
        scope_value,
        sum(request_count) as request_count,
        sum(current_contracted_cost_usd) as current_cost_usd,
        {%- for lever in levers %}
        sum(current_contracted_cost_usd - {{ lever }}_contracted_cost_usd) as {{ lever }}_savings_usd,
        sum(case when savings_confidence = 'confirmed'
            then current_contracted_cost_usd - {{ lever }}_contracted_cost_usd else 0 end)
            as confirmed_{{ lever }}_savings_usd{{ ',' if not loop.last }}
        {%- endfor %}
    from scoped
    group by scope_type, scope_value
),

final as (
    select
        totals.scope_type,
        totals.scope_value,
        totals.request_count,
        cast(totals.current_cost_usd as {{ money_type() }}) as current_cost_usd,
        cast(totals.current_cost_usd * window_bounds.monthly_factor as {{ money_type() }})
            as monthly_current_cost_usd,
        {%- for lever in levers %}
        cast(totals.{{ lever }}_savings_usd as {{ money_type() }}) as {{ lever }}_savings_usd,
        cast(totals.confirmed_{{ lever }}_savings_usd as {{ money_type() }})
            as confirmed_{{ lever }}_savings_usd,
        cast(totals.{{ lever }}_savings_usd * window_bounds.monthly_factor as {{ money_type() }})
            as monthly_{{ lever }}_savings_usd{{ ',' if not loop.last }}
        {%- endfor %}
    from totals
    cross join window_bounds
)

select * from final
