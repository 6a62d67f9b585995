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

stream_calls as (
    select * from streamed where is_cache_stream_call
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
        case
            when streamed.is_cache_stream_call
                then streamed.provider || '|' || streamed.model_id || '|' || streamed.prefix_hash
            else streamed.usage_id
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
-- at what you pay (contracted price; list price where there is no contract)
plan_choice as (
    select
        plan_group,
        sum(recommended_plan_cost_usd * recommended_contract_rate)
            <= sum(own_model_plan_cost_usd * contract_rate) as is_recommended_plan
    from plans
    group by plan_group
),

final as (
    select
        plans.usage_id,
        -- the keys the next incremental run finds days, streams and flipped classes by
        plans.usage_date,
        plans.provider,
        plans.model,
        plans.model_id,
        plans.feature,
        plans.prefix_hash,
        plans.task_class,
        plans.task_class_source,
        plans.latency_class,
        plans.latency_class_source,
        case when plan_choice.is_recommended_plan
            then plans.recommended_model else plans.model_id
        end as optimized_model,
        case when plan_choice.is_recommended_plan
            then plans.recommended_plan_ttl else plans.own_model_plan_ttl
        end as optimized_cache_ttl_choice,
        case when plan_choice.is_recommended_plan
            then plans.recommended_plan_cost_usd else plans.own_model_plan_cost_usd
        end as optimized_cost_usd,
        case when plan_choice.is_recommended_plan
            then plans.recommended_contract_rate else plans.contract_rate
        end as optimized_contract_rate
    from plans
    inner join plan_choice
        on plan_choice.plan_group = plans.plan_group
    {{ only_rows_to_rebuild('days_to_rebuild', 'plans') }}
)

select * from final
