/*
    One row per day, provider, model, feature and service tier: summed tokens and the
    five cost scenarios over priced rows, at list and at contracted price, with the unpriced requests counted beside them
    (a group with no priced row has null costs, never $0).
*/
with usage as (
    select * from {{ ref('fct_llm_usage') }}
),

final as (
    select
        usage_date,
        provider,
        coalesce(model_id, model) as model_id,
        coalesce(feature, '(none)') as feature,
        coalesce(service_tier, service_tier_raw) as service_tier,
        sum(request_count) as request_count,
        sum(case when is_priced then 0 else request_count end) as unpriced_request_count,
        sum(input_tokens) as input_tokens,
        sum(cache_write_5m_tokens) as cache_write_5m_tokens,
        sum(cache_write_1h_tokens) as cache_write_1h_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(output_tokens) as output_tokens,
        -- costs: null, not $0, when none of the group's rows has a price
        {%- for scenario in ['current', 'tiered', 'batched', 'cached', 'optimized',
                             'current_contracted', 'tiered_contracted', 'batched_contracted',
                             'cached_contracted', 'optimized_contracted'] %}
        cast(sum({{ scenario }}_cost_usd) as {{ money_type() }}) as {{ scenario }}_cost_usd{{ ',' if not loop.last }}
        {%- endfor %}
    from usage
    group by
        usage_date,
        provider,
        coalesce(model_id, model),
        coalesce(feature, '(none)'),
        coalesce(service_tier, service_tier_raw)
)

select * from final
