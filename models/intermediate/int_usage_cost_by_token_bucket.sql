/*
    One row per usage record and token bucket (input, cache writes, cache read, output):
    the tokens and what they cost at list and at contracted price. The provider's cost
    reports bill per token type; reconciliation compares like with like at that grain.
    Each bucket's cost is the same effective price the record's current cost is made of
    (macro effective_price), so the five add up to current_cost_usd.
*/
with usage as (
    select * from {{ ref('int_usage_priced') }}
),

{% set token_buckets = ['input', 'cache_write_5m', 'cache_write_1h', 'cache_read', 'output'] %}

by_token_bucket as (
    {% for kind in token_buckets %}
    select
        usage_id,
        account,
        provider,
        cast(bucket_start_at as date) as usage_date,
        model_id,
        model,
        '{{ kind }}' as token_bucket,
        {{ kind }}_tokens as tokens,
        is_priced,
        case when is_priced then
            cast({{ kind }}_tokens * {{ effective_price('p_', kind, 'is_long_context') }}
                * 0.000001 as {{ money_type() }})
        end as list_cost_usd,
        contract_rate
    from usage
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        by_token_bucket.*,
        cast(list_cost_usd * contract_rate as {{ money_type() }}) as contracted_cost_usd
    from by_token_bucket
)

select * from final
