/*
    The batch lever: async-tolerant work (latency_class = async) that ran on a real-time
    tier, priced at its model's batch price on its date. Rows already on batch (or flex,
    itself a discounted asynchronous tier) stay as they are, and so do rows whose model has
    no batch price.

    Also the waterfall's second step, tiering then batch, and the two price rows the
    stacked (optimized) scenario weighs: the recommended model (`o_`) or the row's own
    model (`ob_`), each at batch where the row can wait.
*/
{{ config(materialized='incremental', incremental_strategy='replace_days', unique_key='usage_date') }}
-- incremental: each row is batched on its own, so only the days to rebuild are read

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_tiered')) }}

usage as (
    select * from {{ ref('int_usage_tiered') }}
    {{ only_days_to_rebuild('days_to_rebuild') }}
),

prices as (
    select * from {{ ref('int_prices_effective') }}
),

joined as (
    select
        usage.*,
        usage.is_priced
            and usage.latency_class = 'async'
            and usage.service_tier in ('standard', 'priority') as is_batchable,
        own_batch.model_id is not null as has_own_batch_price,
        recommended_batch.model_id is not null as has_recommended_batch_price,
        {{ price_columns('own_batch', 'b_') }},
        {{ price_columns('recommended_price', 'r_') }},
        {{ price_columns('recommended_batch', 'rb_') }}
    from usage
    left join prices as own_batch
        on {{ price_lookup('own_batch', 'usage.model_id', "'batch'") }}
    left join prices as recommended_price
        on {{ price_lookup('recommended_price', 'usage.recommended_model', 'usage.service_tier') }}
    left join prices as recommended_batch
        on {{ price_lookup('recommended_batch', 'usage.recommended_model', "'batch'") }}
),

-- the stacked scenario's price rows, batch where the row can wait: recommended model, own model
stacked_prices as (
    select
        joined.*,
        {{ choose_price_columns('is_batchable and has_recommended_batch_price', 'rb_', 'r_', 'o_') }},
        {{ choose_price_columns('is_batchable and has_own_batch_price', 'b_', 'p_', 'ob_') }}
    from joined
),

final as (
    select
        stacked_prices.*,
        case when is_batchable and has_own_batch_price then
            {{ usage_cost('b_', 'input_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens',
                          'cache_read_tokens', 'output_tokens',
                          is_long_context('b_', 'total_input_tokens', 'request_count', 'long_context_flag')) }}
            else current_cost_usd
        end as batched_cost_usd,
        case when is_batchable and has_recommended_batch_price then
            {{ usage_cost('rb_', 'input_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens',
                          'cache_read_tokens', 'output_tokens',
                          is_long_context('rb_', 'total_input_tokens', 'request_count', 'long_context_flag')) }}
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
            when is_batchable and latency_class_source not in ('declared', 'rule') then 'candidate'
            else 'confirmed'
        end as batch_confidence,
        {{ is_long_context('o_', 'total_input_tokens', 'request_count', 'long_context_flag') }}
            as is_long_context_stacked,
        {{ is_long_context('ob_', 'total_input_tokens', 'request_count', 'long_context_flag') }}
            as is_long_context_own_batched
    from stacked_prices
)

-- the stacked scenario's `o_` and `ob_` prices go on to int_usage_optimized; the price rows
-- they were chosen from are not stored a second time
select * exclude (
    {%- for prefix in ['b_', 'r_', 'rb_'] %}
    {%- set outer_loop = loop %}
    {%- for kind in ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'] %}
    {{ prefix }}{{ kind }}_usd_per_mtok, {{ prefix }}lc_{{ kind }}_usd_per_mtok,
    {%- endfor %}
    {{ prefix }}long_context_threshold_tokens{{ ',' if not outer_loop.last }}
    {%- endfor %}
)
from final
