/*
    All three levers stacked: the recommended model, batch where the row can wait, and
    caching with the cache streams recomputed on the recommended model (its prices, its
    minimum cacheable length).

    Moving a prompt-prefix stream to a cheaper model can lose its cache: a prefix long
    enough for Sonnet's minimum may be too short for Haiku's, and then Sonnet with
    caching can cost less than Haiku without. So each stream (one row when it has no
    prefix) weighs two plans and keeps the cheaper in total: its calls on the recommended
    models, or on their own model, each with batch and caching. That keeps the stacked
    figure at or below every single lever, as docs/cost-semantics.md promises.
    Recommended-model streams are keyed by the own model too, so each plan stands on its
    own.
*/
{{ config(**usage_incremental_config('replace_rows', 'usage_id')) }}
-- incremental: the rows to rebuild (days, and the streams to recompute), plus every call of
-- the streams on those days (a stream's plan weighs all its calls, however old); only the
-- rows to rebuild are written

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_batched'), cache_streams=true) }}

usage as {{ not_materialized() }} (
    select * from {{ ref('int_usage_batched') }}
    {%- if is_incremental() %}
    where {{ is_day_to_rebuild('days_to_rebuild') }}
        or provider || '|' || model_id || '|' || prefix_hash in (
            select provider || '|' || model_id || '|' || prefix_hash from days_to_rebuild_streams
        )
        or (
            is_cache_stream_call
            and provider || '|' || model_id || '|' || prefix_hash in (
                select provider || '|' || model_id || '|' || prefix_hash
                from {{ ref('int_usage_batched') }}
                where is_cache_stream_call
                    and {{ is_day_to_rebuild('days_to_rebuild') }}
            )
        )
    {%- endif %}
),

minimum_lengths as (
    select * from {{ ref('int_cache_minimums') }}
),

streamed as {{ not_materialized() }} (
    select
        usage.*,
        usage.model_id || ' -> ' || usage.recommended_model as stream_model
    from usage
),

prices as (
    select * from {{ ref('int_prices_effective') }}
),

-- each stream call's two price rows, on the tiers int_usage_batched chose (batch where the
-- row can wait): the recommended model's (`o_`) and its own model's (`ob_`). Looked up
-- here, for stream calls only, rather than stored on every row
stream_calls as (
    select
        usage.*,
        {{ price_columns('stacked_price', 'o_') }},
        {{ price_columns('own_batched_price', 'ob_') }},
        {{ is_long_context('stacked_price.', 'usage.total_input_tokens', 'usage.request_count',
                           'usage.long_context_flag') }} as is_long_context_stacked,
        {{ is_long_context('own_batched_price.', 'usage.total_input_tokens', 'usage.request_count',
                           'usage.long_context_flag') }} as is_long_context_own_batched
    from streamed as usage
    left join prices as stacked_price
        on {{ price_lookup('stacked_price', 'usage.recommended_model', 'usage.stacked_price_tier') }}
    left join prices as own_batched_price
        on {{ price_lookup('own_batched_price', 'usage.model_id', 'usage.own_batched_price_tier') }}
    where usage.is_cache_stream_call
),

{{ cache_whatif('recommended_plan', 'stream_calls', 'minimum_lengths', 'stream_model',
                'recommended_model', 'o_', 'tiered_batched_cost_usd', 'is_long_context_stacked') }},

{{ cache_whatif('own_model_plan', 'stream_calls', 'minimum_lengths', 'model_id', 'model_id',
                'ob_', 'batched_cost_usd', 'is_long_context_own_batched') }},

plans as {{ not_materialized() }} (
    select
        streamed.usage_id,
        streamed.usage_date,
        streamed.provider,
        streamed.model,
        streamed.feature,
        streamed.prefix_hash,
        streamed.task_class,
        streamed.task_class_source,
        streamed.latency_class,
        streamed.latency_class_source,
        streamed.model_id,
        streamed.recommended_model,
        streamed.is_cache_stream_call,
        case
            when streamed.is_cache_stream_call
                then streamed.provider || '|' || streamed.model_id || '|' || streamed.prefix_hash
        end as plan_group,
        streamed.contract_rate,
        streamed.recommended_contract_rate,
        coalesce(recommended_plan.cached_cost_usd, streamed.tiered_batched_cost_usd)
            as recommended_plan_cost_usd,
        coalesce(recommended_plan.cache_ttl_choice, 'none') as recommended_plan_ttl,
        coalesce(own_model_plan.cached_cost_usd, streamed.batched_cost_usd)
            as own_model_plan_cost_usd,
        coalesce(own_model_plan.cache_ttl_choice, 'none') as own_model_plan_ttl
    from streamed
    left join recommended_plan
        on recommended_plan.usage_id = streamed.usage_id
    left join own_model_plan
        on own_model_plan.usage_id = streamed.usage_id
),

-- the recommended models unless staying put is strictly cheaper for the whole stream,
-- at what you pay (contracted price; list price where there is no contract); a call in
-- no stream is its own plan, weighed on its row (no grouping of every call)
stream_plan_choice as (
    select
        plan_group,
        sum(recommended_plan_cost_usd * recommended_contract_rate)
            <= sum(own_model_plan_cost_usd * contract_rate) as is_recommended_plan
    from plans
    where is_cache_stream_call
    group by plan_group
),

weighed_plans as {{ not_materialized() }} (
    select
        plans.*,
        case
            when plans.is_cache_stream_call then stream_plan_choice.is_recommended_plan
            else plans.recommended_plan_cost_usd * plans.recommended_contract_rate
                <= plans.own_model_plan_cost_usd * plans.contract_rate
        end as is_recommended_plan
    from plans
    left join stream_plan_choice
        on stream_plan_choice.plan_group = plans.plan_group
),

final as (
    select
        weighed_plans.usage_id,
        -- the keys the next incremental run finds days, streams and flipped classes by
        weighed_plans.usage_date,
        weighed_plans.provider,
        weighed_plans.model,
        weighed_plans.model_id,
        weighed_plans.feature,
        weighed_plans.prefix_hash,
        weighed_plans.task_class,
        weighed_plans.task_class_source,
        weighed_plans.latency_class,
        weighed_plans.latency_class_source,
        case when weighed_plans.is_recommended_plan
            then weighed_plans.recommended_model else weighed_plans.model_id
        end as optimized_model,
        case when weighed_plans.is_recommended_plan
            then weighed_plans.recommended_plan_ttl else weighed_plans.own_model_plan_ttl
        end as optimized_cache_ttl_choice,
        case when weighed_plans.is_recommended_plan
            then weighed_plans.recommended_plan_cost_usd else weighed_plans.own_model_plan_cost_usd
        end as optimized_cost_usd,
        case when weighed_plans.is_recommended_plan
            then weighed_plans.recommended_contract_rate else weighed_plans.contract_rate
        end as optimized_contract_rate
    from weighed_plans
    {{ only_rows_to_rebuild('days_to_rebuild', 'weighed_plans') }}
)

select * from final
