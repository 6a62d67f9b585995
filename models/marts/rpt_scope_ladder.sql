/*
    The ladder, per scope: for each scope type (account, workspace or project, API key,
    model, service tier) the values ranked by spend until they cover at least 90% of it,
    the rest in one `(other)` row; for each, what its tokens cost now (rung 0) and what the
    same tokens would cost on each cheaper tier of the same vendor, and each of those
    through the Batch API, over the window and per 30 days, at what you pay. The rung
    models follow the generation rule (int_tier_rungs) day by day; usage on days a rung
    was not served stays at its current cost, and `rung_covered_share` says how much of
    the scope's spend the rung covers. What it would cost, not what to do: it assumes
    nothing about quality.
*/
with rung_rows as (
    select * from {{ ref('int_usage_rungs') }}
),

window_bounds as (
    select monthly_factor from {{ ref('rpt_audit_window') }}
),

{%- set scopes = {
    'account': "coalesce(account, '(none)')",
    'workspace': "coalesce(workspace, '(none)')",
    'api_key': "coalesce(api_key, '(none)')",
    'model': 'model_id',
    'service_tier': 'service_tier'} %}

scoped as (
    {%- for scope_type, scope_expression in scopes.items() %}
    select
        '{{ scope_type }}' as scope_type,
        {{ scope_expression }} as scope_value,
        rung_rows.*
    from rung_rows
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

spend as (
    select scope_type, scope_value, sum(current_contracted_cost_usd) as spend_usd
    from scoped
    where rung = 'current'
    group by scope_type, scope_value
),

-- the values ranked by spend, kept while the ones above them cover less than 90%
ranked as (
    select
        scope_type,
        scope_value,
        spend_usd,
        row_number() over (partition by scope_type order by spend_usd desc, scope_value)
            as spend_rank,
        coalesce(sum(spend_usd) over (
            partition by scope_type order by spend_usd desc, scope_value
            rows between unbounded preceding and 1 preceding
        ), 0) as spend_above_usd,
        sum(spend_usd) over (partition by scope_type) as scope_type_spend_usd
    from spend
),

labelled as (
    select
        scope_type,
        scope_value,
        scope_type_spend_usd,
        case when spend_rank = 1 or spend_above_usd < scope_type_spend_usd * 0.9
            then scope_value else '(other)' end as ladder_value,
        case when spend_rank = 1 or spend_above_usd < scope_type_spend_usd * 0.9
            then spend_rank end as spend_rank
    from ranked
),

rolled as (
    select
        scoped.scope_type,
        labelled.ladder_value as scope_value,
        min(labelled.spend_rank) as spend_rank,
        min(labelled.scope_type_spend_usd) as scope_type_spend_usd,
        scoped.rung,
        scoped.rung_tier_rank,
        {{ distinct_values_text('case when scoped.is_covered then scoped.rung_model_id end') }}
            as rung_model,
        sum(scoped.current_contracted_cost_usd) as current_cost_usd,
        sum(scoped.rung_cost_usd) as rung_cost_usd,
        sum(scoped.rung_batch_cost_usd) as rung_batch_cost_usd,
        sum(case when scoped.is_covered then scoped.current_contracted_cost_usd else 0 end)
            as covered_cost_usd,
        max(case when scoped.is_stand_in then 1 else 0 end) as has_stand_in
    from scoped
    inner join labelled
        on labelled.scope_type = scoped.scope_type
        and labelled.scope_value = scoped.scope_value
    group by scoped.scope_type, labelled.ladder_value, scoped.rung, scoped.rung_tier_rank
),

-- a scope's rungs are the tiers below the largest tier its usage runs on
tops as (
    select
        scoped.scope_type,
        labelled.ladder_value as scope_value,
        max(scoped.own_tier_rank) as top_tier_rank
    from scoped
    inner join labelled
        on labelled.scope_type = scoped.scope_type
        and labelled.scope_value = scoped.scope_value
    where scoped.rung = 'current'
    group by scoped.scope_type, labelled.ladder_value
),

final as (
    select
        rolled.scope_type,
        rolled.scope_value,
        rolled.spend_rank,
        -- display ratios, not money: rounded so both engines give the same digits
        cast(round(case when rolled.scope_type_spend_usd > 0
            then rolled.current_cost_usd / rolled.scope_type_spend_usd end, 6) as decimal(7, 6))
            as spend_share,
        case when rolled.rung = 'current' then 0
            else tops.top_tier_rank - rolled.rung_tier_rank end as rung_order,
        rolled.rung,
        rolled.rung_model,
        cast(rolled.current_cost_usd as {{ money_type() }}) as current_cost_usd,
        cast(rolled.current_cost_usd * window_bounds.monthly_factor as {{ money_type() }})
            as current_cost_per_30d_usd,
        cast(rolled.rung_cost_usd as {{ money_type() }}) as rung_cost_usd,
        cast(rolled.rung_cost_usd * window_bounds.monthly_factor as {{ money_type() }})
            as rung_cost_per_30d_usd,
        cast(rolled.rung_batch_cost_usd as {{ money_type() }}) as rung_batch_cost_usd,
        cast(rolled.rung_batch_cost_usd * window_bounds.monthly_factor as {{ money_type() }})
            as rung_batch_cost_per_30d_usd,
        cast(round(case when rolled.current_cost_usd > 0
            then rolled.covered_cost_usd / rolled.current_cost_usd end, 6) as decimal(7, 6))
            as rung_covered_share,
        rolled.has_stand_in = 1 as rung_stand_in
    from rolled
    inner join tops
        on tops.scope_type = rolled.scope_type
        and tops.scope_value = rolled.scope_value
    cross join window_bounds
    where rolled.rung = 'current' or rolled.rung_tier_rank < tops.top_tier_rank
)

select * from final
