/*
    The batch lever: async-tolerant work (latency_class = async) that ran on a real-time
    tier, priced at its model's batch price on its date. Rows already on batch (or flex,
    itself a discounted asynchronous tier) stay as they are, and so do rows whose model has
    no batch price.

    Also the waterfall's second step, tiering then batch, and the service tier of each of
    the two price rows the stacked (optimized) scenario weighs: the recommended model's and
    the row's own (int_usage_optimized looks them up for stream calls).
*/
{{ config(**usage_incremental_config('replace_days', 'usage_date')) }}
-- incremental: each row is batched on its own, so only the days to rebuild are read

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_tiered')) }}

usage as (
    select * from {{ ref('int_usage_tiered') }}
    {{ only_days_to_rebuild('days_to_rebuild') }}
),

prices as (
    select * from {{ ref('int_prices_effective') }}
),

{%- set is_batchable -%}
    usage.is_priced and usage.latency_class = 'async' and usage.service_tier in ('standard', 'priority')
{%- endset %}
{%- set own_batch_applies = '(' ~ is_batchable ~ ') and own_batch.model_id is not null' %}
{%- set recommended_batch_applies = '(' ~ is_batchable ~ ') and recommended_batch.model_id is not null' %}

-- the batch price rows are read where they are joined, never stored: a price row is
-- found again from the row's own columns (price_lookup) wherever a reader needs it
joined as (
    select
        usage.*,
        {{ is_batchable }} as is_batchable,
        -- the service tier of each price row the stacked scenario weighs, as the two costs
        -- below choose it (int_usage_optimized looks the rows up for stream calls)
        case when {{ recommended_batch_applies }} then 'batch' else usage.service_tier end
            as stacked_price_tier,
        case when {{ own_batch_applies }} then 'batch' else usage.service_tier end
            as own_batched_price_tier,
        case when {{ own_batch_applies }} then
            {{ row_cost_at('own_batch.') }}
            else current_cost_usd
        end as batched_cost_usd,
        case when {{ recommended_batch_applies }} then
            {{ row_cost_at('recommended_batch.') }}
            else tiered_cost_usd
        end as tiered_batched_cost_usd,
        -- each lever's confidence: confirmed when the class it relies on was declared or set
        -- by a rule (or, for tiering, the feature's own eval met the quality bar), else a
        -- candidate: an eval of a task class says nothing of a guessed task class
        case
            when recommendation_basis is not null
                and task_class_source not in ('declared', 'rule')
                and coalesce(recommendation_eval_scope, 'none') <> 'feature' then 'candidate'
            else 'confirmed'
        end as tiering_confidence,
        case
            when ({{ is_batchable }}) and latency_class_source not in ('declared', 'rule') then 'candidate'
            else 'confirmed'
        end as batch_confidence
    from usage
    left join prices as own_batch
        on {{ price_lookup('own_batch', 'usage.model_id', "'batch'") }}
    left join prices as recommended_batch
        on {{ price_lookup('recommended_batch', 'usage.recommended_model', "'batch'") }}
)

select * from joined
