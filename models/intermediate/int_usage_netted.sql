/*
    Usage with every token counted once: request-level records as they are; provider
    buckets as they are where no request log covers their provider, account, day, model
    and service tier; elsewhere, in their place, one row of the remainder the logs do
    not cover (int_bucket_remainders: its rule and how a negative remainder is reported),
    unattributed (no feature, workspace or api key) and with request_count 0.
*/
{{ config(**per_call_step_config('replace_days', 'usage_date')) }}
-- incremental: netting is per day, so only the days loads changed are read (a load also
-- marks the days of other logs of the calls it adds: int_usage_deduplicated keeps one)

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_deduplicated'), heuristic_flips=false) }}

usage as (
    select * from {{ ref('int_usage_deduplicated') }}
    {{ only_days_to_rebuild('days_to_rebuild', 'usage_day') }}
),

remainders as (
    select *, usage_date as usage_day from {{ ref('int_bucket_remainders') }}
    {{ only_days_to_rebuild('days_to_rebuild') }}
),

overlapping_groups as (
    select distinct provider, account, usage_day, model_key, tier_key from remainders
),

{% set token_buckets = ['input', 'cache_write_5m', 'cache_write_1h', 'cache_read', 'output'] %}
{#- the parts of a call (macros/call_parts.sql), netted like the buckets -#}
{% set quantities = netted_quantities() %}

-- the kept (positive) remainder per token bucket, one row per group
remainder_tokens as (
    select
        provider,
        account,
        usage_day,
        model_key,
        tier_key,
        {% for quantity in quantities %}
        cast(sum(case when token_bucket = '{{ quantity.name }}' and remainder_tokens > 0
            then remainder_tokens else 0 end) as bigint) as {{ quantity.column }}{{ ',' if not loop.last }}
        {% endfor %}
    from remainders
    group by provider, account, usage_day, model_key, tier_key
),

-- what the group's buckets say about themselves, for the remainder row
group_buckets as (
    select
        usage.provider,
        usage.account,
        usage.usage_day,
        usage.model_key,
        usage.tier_key,
        min(usage.model) as model,
        min(usage.service_tier_raw) as service_tier_raw,
        min(usage.source_format) as source_format,
        min(usage.source_file) as source_file,
        min(usage.source_record) as source_record,
        min(usage.bucket_start_at) as bucket_start_at,
        max(usage.bucket_end_at) as bucket_end_at,
        case
            when min(case when usage.long_context_flag then 1 else 0 end)
                = max(case when usage.long_context_flag then 1 else 0 end)
                and count(usage.long_context_flag) = count(*)
                then max(case when usage.long_context_flag then 1 else 0 end) = 1
        end as long_context_flag,
        case when min(usage.inference_geo) = max(usage.inference_geo)
            then min(usage.inference_geo) else 'global' end as inference_geo,
        min(usage.bucket_shape) as bucket_shape,
        min(usage.bucket_width_seconds) as bucket_width_seconds,
        max(usage.loaded_at) as loaded_at
    from usage
    inner join overlapping_groups
        on overlapping_groups.provider = usage.provider
        and overlapping_groups.account = usage.account
        and overlapping_groups.usage_day = usage.usage_day
        and overlapping_groups.model_key = usage.model_key
        and overlapping_groups.tier_key = usage.tier_key
    where usage.is_provider_bucket
    group by usage.provider, usage.account, usage.usage_day, usage.model_key, usage.tier_key
),

remainder_rows as (
    select
        'remainder:' || group_buckets.provider || ':' || group_buckets.account || ':'
            || cast(group_buckets.usage_day as string) || ':' || group_buckets.model_key
            || ':' || group_buckets.tier_key as usage_id,
        cast(null as string) as request_id,
        group_buckets.source_format,
        group_buckets.source_file,
        group_buckets.source_record,
        group_buckets.bucket_start_at as usage_at,
        group_buckets.bucket_start_at,
        group_buckets.bucket_end_at,
        false as is_time_from_file,
        group_buckets.account,
        group_buckets.provider,
        group_buckets.model,
        cast(null as string) as feature,
        cast(null as string) as declared_task_class,
        cast(null as string) as declared_latency_class,
        group_buckets.service_tier_raw,
        0 as request_count,
        {% for kind in token_buckets %}
        remainder_tokens.{{ kind }}_tokens,
        {% endfor %}
        group_buckets.long_context_flag,
        cast(null as string) as prefix_hash,
        cast(null as bigint) as prefix_tokens,
        cast(null as string) as workspace,
        cast(null as string) as api_key,
        group_buckets.inference_geo,
        group_buckets.bucket_shape,
        group_buckets.bucket_width_seconds,
        group_buckets.loaded_at,
        {#- a part never exceeds its bucket's kept remainder (the logs may have covered more
            of one than of the other): the rest of the bucket is never negative -#}
        {%- for quantity in quantities if quantity.name not in token_buckets %}
        {%- if quantity.bucket %}
        least(remainder_tokens.{{ quantity.column }}, remainder_tokens.{{ quantity.bucket }}_tokens)
        {%- else %}
        remainder_tokens.{{ quantity.column }}
        {%- endif %} as {{ quantity.column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from group_buckets
    inner join remainder_tokens
        on remainder_tokens.provider = group_buckets.provider
        and remainder_tokens.account = group_buckets.account
        and remainder_tokens.usage_day = group_buckets.usage_day
        and remainder_tokens.model_key = group_buckets.model_key
        and remainder_tokens.tier_key = group_buckets.tier_key
    where remainder_tokens.input_tokens + remainder_tokens.cache_write_5m_tokens
        + remainder_tokens.cache_write_1h_tokens + remainder_tokens.cache_read_tokens
        + remainder_tokens.output_tokens
        {%- for part in fee_parts() %} + remainder_tokens.{{ part.quantity }}{% endfor %} > 0
),

uncovered as (
    select usage.*
    from usage
    left join overlapping_groups
        on overlapping_groups.provider = usage.provider
        and overlapping_groups.account = usage.account
        and overlapping_groups.usage_day = usage.usage_day
        and overlapping_groups.model_key = usage.model_key
        and overlapping_groups.tier_key = usage.tier_key
    where not usage.is_provider_bucket or overlapping_groups.provider is null
),

{% set columns = staged_usage_columns() %}

final as (
    select {{ columns | join(', ') }}, cast(usage_at as date) as usage_date from uncovered
    union all
    select {{ columns | join(', ') }}, cast(usage_at as date) as usage_date from remainder_rows
)

select * from final
