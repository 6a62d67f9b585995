/*
    The caching lever alone: each call on its own model and service tier, with its
    cacheable prefix billed as cache writes and reads where that saves money (the
    what-if in macro `cache_whatif`). Calls with no prefix, buckets of many requests and
    unpriced rows are not in a stream and keep their current cost.
*/
with usage as (
    select * from {{ ref('int_usage_priced') }}
),

minimum_lengths as (
    select * from {{ ref('int_cache_minimums') }}
),

calls as (
    select * from usage where is_cache_stream_call
),

{{ cache_whatif('own_model_cache', 'calls', 'minimum_lengths', 'model_id', 'model_id', 'p_',
                'current_cost_usd', 'is_long_context') }},

final as (
    select
        usage.usage_id,
        coalesce(own_model_cache.cache_ttl_choice, 'none') as cache_ttl_choice,
        coalesce(own_model_cache.cached_cost_usd, usage.current_cost_usd) as cached_cost_usd
    from usage
    left join own_model_cache
        on own_model_cache.usage_id = usage.usage_id
)

select * from final
