/*
    Usage priced as it ran: its model, its service tier, its cache behaviour, at the list
    price in force at its time (bucket start), with long-context whole-request pricing;
    and the share of that list price a negotiated discount leaves to pay (contract_rate).

    A bucket whose export does not state its service tier (`tier_assumed`) is priced at
    the standard tier, and its pricing note and price source say so.

    A row with no price (unknown model, unmapped service tier, an inference geo no residency
    rule prices, no price for that tier on that date, output tokens on a model priced on
    input only, a part of the call with no price: macros/call_parts.sql) keeps a null cost
    and says why: it is counted and reported, never $0 and never billed as text.
    A row priced on an assumption (a tier rule's note, a bucket without a context flag)
    says so in `pricing_note`.
*/
{{ config(**usage_incremental_config('replace_days', 'usage_date')) }}
-- incremental: each row is priced on its own, so only the days to rebuild are read

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_attributed')) }}

usage as (
    select * from {{ ref('int_usage_attributed') }}
    {{ only_days_to_rebuild('days_to_rebuild') }}
),

prices as (
    select * from {{ ref('int_prices_effective') }}
),

contract_rates as (
    select * from {{ ref('int_contract_rates') }}
),

-- the geos each provider has any price in (at least `global`)
priced_geos as (
    select distinct provider, inference_geo from prices
),

joined as (
    select
        usage.*,
        {{ price_columns('own_price', 'p_') }},
        case when usage.tier_assumed then own_price.price_source || '; ' || {{ tier_assumed_note() }}
            else own_price.price_source end as price_source,
        own_price.pricing_note as price_note,
        own_price.model_id is not null as has_price_row,
        -- an input-only model (embeddings) has no output price: no output is expected
        own_price.model_id is not null
            and (own_price.output_usd_per_mtok is not null or usage.output_tokens = 0)
            as has_token_prices,
        priced_geos.provider is not null as is_known_geo,
        -- the share of list price paid on this model under a negotiated discount
        coalesce(own_contract.contract_rate, 1) as contract_rate,
        own_contract.contract_source
    from usage
    left join priced_geos
        on priced_geos.provider = usage.provider
        and priced_geos.inference_geo = usage.inference_geo
    left join contract_rates as own_contract
        on own_contract.provider = usage.provider
        and own_contract.model_id = usage.model_id
        and usage.bucket_start_at >= own_contract.valid_from_at
        and usage.bucket_start_at < own_contract.valid_to_at
    left join prices as own_price
        on {{ own_price_lookup('own_price') }}
),

flagged as (
    select
        joined.*,
        {{ is_long_context('p_', 'total_input_tokens', 'request_count', 'long_context_flag') }}
            as is_long_context
    from joined
),

-- a part of the call (audio, image, video or reasoning tokens, web searches) with no
-- price of its own where genai-prices gives it none either: never billed as text
parts_checked as (
    select
        flagged.*,
        case when has_price_row then {{ unpriced_part('p_', '', 'is_long_context') }} end
            as unpriced_part
    from flagged
),

checked as (
    select
        parts_checked.*,
        has_token_prices and unpriced_part is null as is_priced
    from parts_checked
),

costed as (
    select
        checked.*,
        case when is_priced then
            {{ usage_cost('p_', 'input_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens',
                          'cache_read_tokens', 'output_tokens', 'is_long_context', '') }}
        end as current_cost_usd,
        case
            when model_id is null then 'unknown_model'
            when service_tier is null then 'unknown_service_tier'
            when not has_price_row and not is_known_geo then 'unknown_inference_geo'
            when not has_price_row then 'no_price_for_tier_on_date'
            when not has_token_prices then 'no_output_price'
            when unpriced_part is not null then 'no_part_price'
        end as unpriced_reason,
        -- a call in a prompt-prefix stream of the caching what-if (both caching scenarios
        -- read this): one priced request with a declared prefix; buckets never stream
        is_priced
            and request_count = 1
            and prefix_hash is not null
            and prefix_tokens > 0 as is_cache_stream_call,
        case
            when request_count > 1
                and long_context_flag is null
                and p_long_context_threshold_tokens is not null
                then 'bucket_without_context_flag: billed at base rates'
        end as context_note
    from checked
),

final as (
    select
        -- the price row (`p_`) is not stored: a reader finds it again (macro own_price_lookup)
        {{ star_except('costed', price_column_names('p_')) }},
        -- each assumption the price rests on, '; '-separated (concat_ws skips a null)
        nullif(concat_ws(
            '; ',
            case when tier_assumed and is_priced then {{ tier_assumed_note() }} end,
            price_note,
            context_note,
            case when unpriced_part is not null then 'no price for ' || unpriced_part end
        ), '') as pricing_note
    from costed
)

select * from final
