/*
    All three levers stacked: the recommended model, batch where the row can wait, and
    caching, with the cache streams recomputed on the recommended model (its prices, its
    minimum cacheable length; calls of one prefix that move to the same model share one
    stream).
*/
with usage as (
    select * from {{ ref('int_usage_batched') }}
),

minimum_lengths as (
    select * from {{ ref('int_cache_minimums') }}
),

calls as (
    select
        usage.*,
        minimum_lengths.min_cacheable_tokens
    from usage
    left join minimum_lengths
        on minimum_lengths.provider = usage.provider
        and minimum_lengths.model_id = usage.recommended_model
    where usage.is_priced
        and usage.request_count = 1
        and usage.prefix_hash is not null
        and usage.prefix_tokens > 0
),

{{ cache_whatif('stacked_cache', 'calls', 'recommended_model', 'o_', 'tiered_batched_cost_usd',
                'is_long_context_stacked') }},

final as (
    select
        usage.usage_id,
        coalesce(stacked_cache.cache_ttl_choice, 'none') as optimized_cache_ttl_choice,
        coalesce(stacked_cache.cached_cost_usd, usage.tiered_batched_cost_usd) as optimized_cost_usd
    from usage
    left join stacked_cache
        on stacked_cache.usage_id = usage.usage_id
)

select * from final
