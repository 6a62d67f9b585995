{#- How an exported spelling finds its canonical model (int_model_resolution: genai-prices'
    match rules, then the project's extra spellings) and service tier (the provider's own
    spelling, else the generic one): the joins, on CTEs named `model_resolution` and
    `tier_spellings`, and the two resulting expressions. Written once: pricing, the bucket
    dedup and reconciliation must agree on what a model and tier are. -#}
{% macro canonical_model_and_tier_joins(usage) -%}
    {{ canonical_model_join(usage) }}
    left join tier_spellings as provider_spelling
        on provider_spelling.provider = {{ usage }}.provider
        and provider_spelling.spelling = {{ usage }}.service_tier_raw
    left join tier_spellings as any_spelling
        on any_spelling.provider = '*'
        and any_spelling.spelling = {{ usage }}.service_tier_raw
{%- endmacro %}

{#- the resolution of a relation's (provider, model), on a CTE named `model_resolution` -#}
{% macro canonical_model_join(relation) -%}
    left join model_resolution
        on model_resolution.provider = {{ relation }}.provider
        and model_resolution.model_spelling = lower({{ relation }}.model)
{%- endmacro %}

{#- the priced model id; null = unknown_model -#}
{% macro canonical_model_id() -%}
    model_resolution.model_id
{%- endmacro %}

{#- the tier a spelling names; null = unknown_service_tier (or a tier the export does not
    state, which canonical_service_tier prices on an assumption) -#}
{% macro stated_service_tier() -%}
    coalesce(provider_spelling.service_tier, any_spelling.service_tier)
{%- endmacro %}

{#- the tier priced: the stated one, else standard for a bucket whose export does not
    state the tier (docs/pricing.md, Service tier not stated) -#}
{% macro canonical_service_tier(usage) -%}
    coalesce(
        {{ stated_service_tier() }},
        case when {{ tier_assumed(usage) }} then 'standard' end
    )
{%- endmacro %}

{#- whether a row's tier is the standard-tier assumption rather than the export's word -#}
{% macro tier_assumed(usage) -%}
    coalesce({{ usage }}.service_tier_raw = {{ unstated_service_tier() }}, false)
{%- endmacro %}

{#- How staging spells the tier of a bucket whose export was not grouped by service tier.
    Never a spelling the seed maps, so no file can state it: the loaders reject a tier
    spelling the seed does not know. -#}
{% macro unstated_service_tier() -%}
    'all tiers (export not grouped by service tier)'
{%- endmacro %}

{#- what a price resting on the standard-tier assumption says, in pricing_note and
    price_source -#}
{% macro tier_assumed_note() -%}
    'tier_assumed: the export does not state the service tier, priced at standard'
{%- endmacro %}
