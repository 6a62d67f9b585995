/*
    One row per usage record (a request, or a provider's usage bucket): what it cost and
    what it would have cost under each lever alone and with all levers stacked, at list
    price and at contracted price (list where no negotiated discount applies).
*/
{{ config(on_schema_change='fail', **usage_incremental_config('replace_rows', 'usage_id')) }}
-- incremental: the days any lever's figures changed on (loads, flipped heuristic classes,
-- the cache streams crossing into them); a changed column set needs --full-refresh, which
-- the nightly build runs by itself when the project changes

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_batched'), cache_streams=true) }}

usage as (
    select * from {{ ref('int_usage_batched') }}
    {{ only_rows_to_rebuild('days_to_rebuild') }}
),

cached as (
    select * from {{ ref('int_usage_cached') }}
    {{ only_rows_to_rebuild('days_to_rebuild') }}
),

optimized as (
    select * from {{ ref('int_usage_optimized') }}
    {{ only_rows_to_rebuild('days_to_rebuild') }}
),

final as (
    select
        usage.usage_id,
        usage.request_id,
        usage.source_format,
        usage.source_file,
        usage.provider,
        usage.model,
        usage.model_id,
        usage.usage_at,
        cast(usage.usage_at as date) as usage_date,
        usage.bucket_start_at,
        usage.bucket_end_at,
        usage.is_time_from_file,
        usage.account,
        usage.feature,
        usage.workspace,
        usage.api_key,
        usage.task_class,
        usage.task_class_source,
        usage.latency_class,
        usage.latency_class_source,
        usage.service_tier,
        usage.service_tier_raw,
        usage.tier_assumed,
        usage.inference_geo,
        usage.request_count,
        usage.input_tokens,
        usage.cache_write_5m_tokens,
        usage.cache_write_1h_tokens,
        usage.cache_read_tokens,
        usage.output_tokens,
        usage.prefix_hash,
        usage.prefix_tokens,
        usage.is_long_context,
        usage.pricing_note,
        usage.price_source,
        usage.current_cost_usd,
        usage.tiered_cost_usd,
        usage.batched_cost_usd,
        cached.cached_cost_usd,
        usage.tiered_batched_cost_usd,
        optimized.optimized_cost_usd,
        -- what you pay: each scenario at the contract rate of the model it runs on
        usage.contract_rate,
        usage.contract_source,
        {{ contracted_cost('usage.current_cost_usd', 'usage.contract_rate') }}
            as current_contracted_cost_usd,
        {{ contracted_cost('usage.tiered_cost_usd', 'usage.recommended_contract_rate') }}
            as tiered_contracted_cost_usd,
        {{ contracted_cost('usage.batched_cost_usd', 'usage.contract_rate') }}
            as batched_contracted_cost_usd,
        {{ contracted_cost('cached.cached_cost_usd', 'usage.contract_rate') }}
            as cached_contracted_cost_usd,
        {{ contracted_cost('usage.tiered_batched_cost_usd', 'usage.recommended_contract_rate') }}
            as tiered_batched_contracted_cost_usd,
        {{ contracted_cost('optimized.optimized_cost_usd', 'optimized.optimized_contract_rate') }}
            as optimized_contracted_cost_usd,
        usage.recommended_model,
        usage.recommendation_basis,
        usage.recommendation_eval_scope,
        usage.recommendation_eval_pass_rate,
        usage.recommendation_eval_cases,
        usage.recommendation_evaluated_on,
        usage.is_generation_stand_in,
        optimized.optimized_model,
        cached.cache_ttl_choice,
        optimized.optimized_cache_ttl_choice,
        usage.tiering_confidence,
        usage.batch_confidence,
        -- a row whose savings rest on a guessed class is a candidate, kept out of headlines
        case
            when usage.tiering_confidence = 'candidate' then 'candidate'
            when usage.batch_confidence = 'candidate'
                and usage.batched_cost_usd < usage.current_cost_usd then 'candidate'
            else 'confirmed'
        end as savings_confidence,
        usage.is_priced,
        usage.unpriced_reason
    from usage
    inner join cached
        on cached.usage_id = usage.usage_id
    inner join optimized
        on optimized.usage_id = usage.usage_id
)

select * from final
