/*
    One row per day of the window: what the day's priced usage cost, and what it would
    have cost with all levers stacked, at what you pay (contracted price; list price where
    no negotiated discount applies), on the headline's basis (levers applied to
    confirmed rows only, candidates at their current cost) and on every row. The report's
    daily chart draws these; the days add up to rpt_scenario_totals.
*/
with usage as (
    select * from {{ ref('fct_llm_usage') }}
),

final as (
    select
        usage_date,
        sum(request_count) as request_count,
        sum(case when is_priced then 0 else request_count end) as unpriced_request_count,
        -- null, not $0, on a day with no priced row
        cast(sum(current_contracted_cost_usd) as {{ money_type() }}) as current_cost_usd,
        cast(sum(
            case when savings_confidence = 'confirmed' then optimized_contracted_cost_usd
                else current_contracted_cost_usd end
        ) as {{ money_type() }}) as confirmed_optimized_cost_usd,
        cast(sum(optimized_contracted_cost_usd) as {{ money_type() }}) as optimized_cost_usd
    from usage
    group by usage_date
)

select * from final
