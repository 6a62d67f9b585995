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

{% macro canonical_service_tier() -%}
    coalesce(provider_spelling.service_tier, any_spelling.service_tier)
{%- endmacro %}
