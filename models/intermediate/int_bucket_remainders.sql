/*
    One row per provider, account, UTC day, model, service tier and token bucket where
    request-level records and provider buckets cover the same traffic: what the buckets
    billed, what the request logs account for, and the remainder.

    The rule (issue 3): request-level records supply the detail; of the provider buckets
    only the remainder the logs do not cover is kept, as unattributed usage
    (int_usage_netted), so totals match what the provider billed and nothing is counted
    twice. A negative remainder (the logs exceed the bill, e.g. traffic billed through
    another seller, or logs of another account) is never clipped in silence: it is kept
    here with status `logs_exceed_buckets` and shown in marts.rpt_bucket_remainders; the
    usage then keeps the request logs' tokens for that bucket, and the buckets add none.
*/
{{ config(**usage_incremental_config('replace_days', 'usage_date')) }}
-- incremental: a group's remainder is per day, so only the days loads changed are read

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_deduplicated'), heuristic_flips=false) }}

usage as (
    select * from {{ ref('int_usage_deduplicated') }}
    {{ only_days_to_rebuild('days_to_rebuild', 'usage_day') }}
),

{#- the token buckets and the parts of a call (macros/call_parts.sql), netted alike -#}
{% set quantities = netted_quantities() %}

group_totals as (
    select
        provider,
        account,
        usage_day,
        model_key,
        tier_key,
        {% for quantity in quantities %}
        {%- set kind = quantity.name %}
        cast(sum(case when is_provider_bucket then {{ quantity.column }} else 0 end) as bigint)
            as bucket_{{ kind }},
        cast(sum(case when is_provider_bucket then 0 else {{ quantity.column }} end) as bigint)
            as request_{{ kind }},
        {% endfor %}
        sum(case when is_provider_bucket then 1 else 0 end) as bucket_rows,
        sum(case when is_provider_bucket then 0 else 1 end) as request_rows
    from usage
    group by provider, account, usage_day, model_key, tier_key
),

overlapping as (
    select * from group_totals where bucket_rows > 0 and request_rows > 0
),

-- one row per quantity: `overlapping` crossed with the quantities' names is read once (a
-- union of one select per quantity made Spark aggregate the usage once per quantity)
quantity_names as (
    select * from (values
        {%- for quantity in quantities %}
        ('{{ quantity.name }}', {{ loop.index }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as quantity_names (token_bucket, quantity_order)
),

by_quantity as (
    select
        overlapping.provider,
        overlapping.account,
        overlapping.usage_day as usage_date,
        overlapping.model_key,
        overlapping.tier_key,
        quantity_names.token_bucket,
        quantity_names.quantity_order,
        case quantity_names.token_bucket
            {%- for quantity in quantities %}
            when '{{ quantity.name }}' then overlapping.bucket_{{ quantity.name }}
            {%- endfor %}
        end as bucket_tokens,
        case quantity_names.token_bucket
            {%- for quantity in quantities %}
            when '{{ quantity.name }}' then overlapping.request_{{ quantity.name }}
            {%- endfor %}
        end as request_tokens
    from overlapping
    cross join quantity_names
),

by_token_bucket as (
    select
        provider,
        account,
        usage_date,
        model_key,
        tier_key,
        token_bucket,
        bucket_tokens,
        request_tokens,
        bucket_tokens - request_tokens as remainder_tokens
    from by_quantity
    {#- a part (audio tokens, searches) only where the buckets report some: many bucket
        exports do not count a part the logs do (reasoning), and none reported is not
        "logs exceed buckets"; the five token buckets always -#}
    -- (netted_quantities() lists the five token buckets first)
    where quantity_order <= 5 or bucket_tokens <> 0
),

final as (
    select
        by_token_bucket.*,
        case
            when remainder_tokens < 0 then 'logs_exceed_buckets'
            when remainder_tokens = 0 then 'fully_covered'
            else 'remainder_kept'
        end as status
    from by_token_bucket
)

select * from final
