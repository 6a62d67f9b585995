/*
    Computed usage per account, provider, day, model and token bucket (input, cache
    writes, cache read, output; each with its parts, audio, image, ... tokens, at their own
    prices) and fee (`cost_type` web_search: searches, not tokens): the quantity and what it
    costs at list and at contracted price. The provider's cost reports bill per token type and day; reconciliation
    compares like with like at that grain, so the usage is summed here once instead of
    being carried five times per record.

    Each record's bucket cost is the same effective price its current cost is made of
    (macro effective_price), cast per record before summing, so a day's buckets add
    up to the sum of its records' current_cost_usd. `tier_assumed_row_count` counts the
    records priced at the standard tier on assumption (reconciliation shows, not judges,
    their lines). `has_tokens` keeps records with no
    tokens in a bucket apart: they belong to a reported line but never make one up.
*/
{{ config(**usage_incremental_config('replace_days', 'usage_date')) }}
-- incremental: a day's sums read only that day's records

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_priced'), heuristic_flips=false) }}

-- read once per token bucket: five scans of the few columns used cost less than storing
-- every column of every record; each with its own price row (`own_`)
usage as {{ not_materialized() }} (
    select
        usage.*,
        {{ price_columns('own_price', 'own_') }}
    from {{ ref('int_usage_priced') }} as usage
    left join {{ ref('int_prices_effective') }} as own_price
        on {{ own_price_lookup('own_price') }}
    {{ only_days_to_rebuild('days_to_rebuild') }}
),

{% set token_buckets = ['input', 'cache_write_5m', 'cache_write_1h', 'cache_read', 'output'] %}

by_record as (
    {% for kind in token_buckets %}
    select
        account,
        provider,
        usage_date,  -- the record's UTC day (its bucket start: every source stages usage_at so)
        model_id,
        model,
        '{{ kind }}' as token_bucket,
        {{ kind }}_tokens as tokens,
        is_priced,
        tier_assumed,
        'tokens' as cost_type,
        case
            when not is_priced then null
            -- no tokens cost nothing, also where the kind has no price (an input-only model)
            when {{ kind }}_tokens = 0 then cast(0 as {{ money_type() }})
            -- its parts (audio, image, ... tokens) at their own prices, as in usage_cost
            else {{ usd_from_mtok_amount('(' ~ bucket_amount('own_', kind, kind ~ '_tokens', '', 'is_long_context') ~ ')') }}
        end as list_cost_usd,
        contract_rate
    from usage
    union all
    {% endfor %}
    {#- fees are counted, not tokens: their own cost type, so reconciliation never takes a
        search for a token line -#}
    {% for part in fee_parts() %}
    select
        account,
        provider,
        usage_date,
        model_id,
        model,
        '{{ part.name }}' as token_bucket,
        {{ part_quantity('', part.quantity) }} as tokens,
        is_priced,
        tier_assumed,
        '{{ part.name }}' as cost_type,
        case
            when not is_priced then null
            when {{ part_quantity('', part.quantity) }} = 0 then cast(0 as {{ money_type() }})
            else {{ usd_from_mtok_amount('(' ~ fee_amount('own_', part, '') ~ ')') }}
        end as list_cost_usd,
        contract_rate
    from usage
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        account,
        provider,
        usage_date,
        model_id,
        token_bucket,
        cost_type,
        tokens > 0 as has_tokens,
        min(model) as model,
        count(*) as usage_row_count,
        count(*) filter (where not is_priced) as unpriced_row_count,
        count(*) filter (where tier_assumed) as tier_assumed_row_count,
        sum(tokens) as tokens,
        sum(list_cost_usd) as list_cost_usd,
        sum({{ contracted_cost('list_cost_usd', 'contract_rate') }}) as contracted_cost_usd
    from by_record
    group by account, provider, usage_date, model_id, token_bucket, cost_type, tokens > 0
)

select * from final
