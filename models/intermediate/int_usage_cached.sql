/*
    The caching lever alone: each call on its own model and service tier, with its
    cacheable prefix billed as cache writes and reads where that saves money (the
    what-if in macro `cache_whatif`). Calls with no prefix, buckets of many requests and
    unpriced rows are not in a stream and keep their current cost.
*/
{{ config(**usage_incremental_config('replace_rows', 'usage_id')) }}
-- incremental: the days to rebuild and the calls of the streams to recompute, each stream
-- read whole (a call's cost depends on the stream's other calls, however old); no task or
-- latency class is read here

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_priced'),
                              heuristic_flips=false, cache_streams=true) }}

usage as {{ not_materialized() }} (
    select * from {{ ref('int_usage_priced') }}
    {{ only_rows_to_rebuild('days_to_rebuild') }}
),

minimum_lengths as (
    select * from {{ ref('int_cache_minimums') }}
),

prices as (
    select * from {{ ref('int_prices_effective') }}
),

-- the stream calls with their own price rows (`own_`), looked up for these calls only
calls as (
    select
        all_calls.*,
        {{ price_columns('own_price', 'own_') }}
    from {{ ref('int_usage_priced') }} as all_calls
    {%- if is_incremental() %}
    inner join (
        select distinct provider, model_id, prefix_hash from usage where is_cache_stream_call
    ) as streams_to_rebuild
        on streams_to_rebuild.provider = all_calls.provider
        and streams_to_rebuild.model_id = all_calls.model_id
        and streams_to_rebuild.prefix_hash = all_calls.prefix_hash
    {%- endif %}
    left join prices as own_price
        on {{ own_price_lookup('own_price', 'all_calls') }}
    where all_calls.is_cache_stream_call
),

{{ cache_whatif('own_model_cache', 'calls', 'minimum_lengths', 'model_id', 'model_id', 'own_',
                'current_cost_usd', 'is_long_context') }},

final as (
    select
        usage.usage_id,
        -- the keys the next incremental run finds days and streams by
        usage.usage_date,
        usage.provider,
        usage.model_id,
        usage.prefix_hash,
        coalesce(own_model_cache.cache_ttl_choice, 'none') as cache_ttl_choice,
        coalesce(own_model_cache.cached_cost_usd, usage.current_cost_usd) as cached_cost_usd
    from usage
    left join own_model_cache
        on own_model_cache.usage_id = usage.usage_id
)

select * from final
