/*
    One row per provider, model and reason for usage that has no price: what the totals
    leave out, reported so nothing is costed as $0 in silence.
*/
with usage as (
    select * from {{ ref('fct_llm_usage') }} where not is_priced
),

final as (
    select
        provider,
        model,
        coalesce(service_tier, service_tier_raw) as service_tier,
        unpriced_reason,
        count(*) as row_count,
        sum(request_count) as request_count,
        sum(input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens + output_tokens)
            as total_tokens
    from usage
    group by provider, model, coalesce(service_tier, service_tier_raw), unpriced_reason
)

select * from final
