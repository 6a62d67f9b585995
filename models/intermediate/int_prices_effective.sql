/*
    One row per provider, model, service tier, inference geo and validity interval: the
    price calendar every scenario looks up (macro `price_lookup`; valid_from inclusive,
    valid_to exclusive, UTC midnights).

    genai-prices gives the standard prices and, from the dates it starts tracking them,
    batch / flex / priority variants. Before a variant starts, the provider-level rule
    (seed `service_tier_rules`: multipliers on the standard price) stands in, so history
    is priced by the rule that applied then instead of going unpriced. A rule that prices
    on an assumption (Anthropic Priority Tier at the standard list price) says so in
    `pricing_note`, which the usage row carries.

    Every price is in force at `global`; a data-residency rule (seed `residency_pricing`,
    the longest matching model pattern) adds the same row for its geo, every price times
    its multiplier. A geo no rule names for a model has no price there: unpriced, reported.

    A seller whose spellings genai-prices also looks up in another seller's list (its
    `fallback_model_providers`: Vertex AI in Anthropic's) is priced as genai-prices prices
    a model found there: at the other seller's standard prices (no batch, flex or priority
    variant: genai-prices applies none through a fallback), which become its own for every
    model it has no row of its own for (int_model_resolution finds those models).
*/
with listed_prices as (
    select * from {{ ref('model_prices') }}
),

fallback_sellers as (
    select distinct provider, model_provider as fallback_provider
    from {{ ref('model_match_rules') }}
    where model_provider <> provider
),

seeded as (
    select listed_prices.*, provider as seller, source as row_source
    from listed_prices

    union all

    select
        listed_prices.*,
        fallback_sellers.provider as seller,
        listed_prices.source || ' (' || listed_prices.provider || ' price)' as row_source
    from listed_prices
    inner join fallback_sellers
        on fallback_sellers.fallback_provider = listed_prices.provider
    where listed_prices.price_variant = 'standard'
        and not exists (
            select 1
            from listed_prices as own
            where own.provider = fallback_sellers.provider
                and own.model_id = listed_prices.model_id
        )
),

residency_rules as (
    select * from {{ ref('residency_pricing') }}
),

tier_rules as (
    select * from {{ ref('service_tier_rules') }}
),

dated as (
    select
        seller as provider,
        model_id,
        price_variant as service_tier,
        coalesce(cast(valid_from as timestamp), cast('1900-01-01' as timestamp)) as valid_from_at,
        coalesce(cast(valid_to as timestamp), cast('9999-12-31' as timestamp)) as valid_to_at,
        {%- for kind in ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'] %}
        cast({{ kind }}_usd_per_mtok as {{ price_type() }}) as {{ kind }}_usd_per_mtok,
        cast(lc_{{ kind }}_usd_per_mtok as {{ price_type() }}) as lc_{{ kind }}_usd_per_mtok,
        {%- endfor %}
        {%- for column in part_price_columns() %}
        cast({{ column }} as {{ price_type() }}) as {{ column }},
        {%- endfor %}
        long_context_threshold_tokens,
        row_source as price_source,
        cast(null as {{ dbt.type_string() }}) as pricing_note
    from seeded
),

standard_prices as (
    select * from dated where service_tier = 'standard'
),

variant_prices as (
    select * from dated where service_tier <> 'standard'
),

-- a variant's rows run without gaps from its first date on; the rule covers before that
variant_starts as (
    select provider, model_id, service_tier, min(valid_from_at) as first_variant_at
    from variant_prices
    group by provider, model_id, service_tier
),

rules_dated as (
    select
        provider,
        service_tier,
        model_pattern,
        coalesce(cast(valid_from as timestamp), cast('1900-01-01' as timestamp)) as valid_from_at,
        coalesce(cast(valid_to as timestamp), cast('9999-12-31' as timestamp)) as valid_to_at,
        input_multiplier,
        output_multiplier,
        cache_write_multiplier,
        cache_read_multiplier,
        pricing_note,
        source
    from tier_rules
),

-- the most specific rule (longest pattern) for each standard price row and tier
rule_matches as (
    select
        standard_prices.*,
        rules_dated.service_tier as rule_service_tier,
        rules_dated.valid_from_at as rule_valid_from_at,
        rules_dated.valid_to_at as rule_valid_to_at,
        rules_dated.input_multiplier,
        rules_dated.output_multiplier,
        rules_dated.cache_write_multiplier,
        rules_dated.cache_read_multiplier,
        rules_dated.source as rule_source,
        rules_dated.pricing_note as rule_pricing_note,
        row_number() over (
            partition by
                standard_prices.provider,
                standard_prices.model_id,
                standard_prices.valid_from_at,
                rules_dated.service_tier,
                rules_dated.valid_from_at
            order by length(rules_dated.model_pattern) desc
        ) as specificity_rank
    from standard_prices
    inner join rules_dated
        on rules_dated.provider = standard_prices.provider
        and standard_prices.model_id like rules_dated.model_pattern
        and rules_dated.valid_from_at < standard_prices.valid_to_at
        and standard_prices.valid_from_at < rules_dated.valid_to_at
),

{%- set multiplier_of = {
    'input': 'input_multiplier', 'output': 'output_multiplier',
    'cache_write_5m': 'cache_write_multiplier', 'cache_write_1h': 'cache_write_multiplier',
    'cache_read': 'cache_read_multiplier'} %}

rule_prices as (
    select
        rule_matches.provider,
        rule_matches.model_id,
        rule_matches.rule_service_tier as service_tier,
        greatest(rule_matches.valid_from_at, rule_matches.rule_valid_from_at) as valid_from_at,
        least(
            rule_matches.valid_to_at,
            rule_matches.rule_valid_to_at,
            coalesce(variant_starts.first_variant_at, cast('9999-12-31' as timestamp))
        ) as valid_to_at,
        {%- for kind, multiplier in multiplier_of.items() %}
        cast(rule_matches.{{ kind }}_usd_per_mtok * rule_matches.{{ multiplier }} as {{ price_type() }})
            as {{ kind }}_usd_per_mtok,
        cast(rule_matches.lc_{{ kind }}_usd_per_mtok * rule_matches.{{ multiplier }} as {{ price_type() }})
            as lc_{{ kind }}_usd_per_mtok,
        {%- endfor %}
        {#- a part is billed at its bucket's multiplier; a fee (per search) is not a token
            price and no tier rule discounts it -#}
        {%- for part in token_parts() %}
        cast(rule_matches.{{ part.name }}_usd_per_mtok * rule_matches.{{ multiplier_of[part.bucket] }}
            as {{ price_type() }}) as {{ part.name }}_usd_per_mtok,
        {%- endfor %}
        {%- for part in fee_parts() %}
        rule_matches.{{ part.price }},
        {%- endfor %}
        rule_matches.long_context_threshold_tokens,
        'rule: ' || rule_matches.rule_source as price_source,
        rule_matches.rule_pricing_note as pricing_note
    from rule_matches
    left join variant_starts
        on variant_starts.provider = rule_matches.provider
        and variant_starts.model_id = rule_matches.model_id
        and variant_starts.service_tier = rule_matches.rule_service_tier
    where rule_matches.specificity_rank = 1
),

calendar as (
    select * from standard_prices
    union all
    select * from variant_prices
    union all
    select * from rule_prices
    where valid_from_at < valid_to_at
),

residency_matches as (
    select
        calendar.*,
        residency_rules.inference_geo,
        residency_rules.multiplier as residency_multiplier,
        residency_rules.source as residency_source,
        row_number() over (
            partition by
                calendar.provider,
                calendar.model_id,
                calendar.service_tier,
                calendar.valid_from_at,
                residency_rules.inference_geo
            order by length(residency_rules.model_pattern) desc
        ) as specificity_rank
    from calendar
    inner join residency_rules
        on residency_rules.provider = calendar.provider
        and calendar.model_id like residency_rules.model_pattern
),

residency_prices as (
    select
        provider,
        model_id,
        service_tier,
        valid_from_at,
        valid_to_at,
        {%- for kind in ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'] %}
        cast({{ kind }}_usd_per_mtok * residency_multiplier as {{ price_type() }})
            as {{ kind }}_usd_per_mtok,
        cast(lc_{{ kind }}_usd_per_mtok * residency_multiplier as {{ price_type() }})
            as lc_{{ kind }}_usd_per_mtok,
        {%- endfor %}
        {#- residency multiplies token prices; a per-search fee is not one -#}
        {%- for part in token_parts() %}
        cast({{ part.name }}_usd_per_mtok * residency_multiplier as {{ price_type() }})
            as {{ part.name }}_usd_per_mtok,
        {%- endfor %}
        {%- for part in fee_parts() %}
        {{ part.price }},
        {%- endfor %}
        long_context_threshold_tokens,
        case when residency_multiplier = 1 then price_source
            else price_source || '; residency: ' || residency_source
        end as price_source,
        pricing_note,
        inference_geo
    from residency_matches
    where specificity_rank = 1
),

final as (
    select calendar.*, 'global' as inference_geo from calendar
    union all
    select * from residency_prices
)

select * from final
