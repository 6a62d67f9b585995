{#- How an exported spelling finds its canonical model (the exact alias, else the undated
    one) and service tier (the provider's own spelling, else the generic one): the joins,
    on CTEs named `aliases` and `tier_spellings`, and the two resulting expressions.
    Written once: pricing and the bucket dedup must agree on what a model and tier are. -#}
{% macro canonical_model_and_tier_joins(usage) -%}
    left join aliases as exact_alias
        on exact_alias.provider = {{ usage }}.provider
        and exact_alias.alias = lower({{ usage }}.model)
    left join aliases as undated_alias
        on undated_alias.provider = {{ usage }}.provider
        and undated_alias.alias = {{ strip_model_date_suffix('lower(' ~ usage ~ '.model)') }}
    left join tier_spellings as provider_spelling
        on provider_spelling.provider = {{ usage }}.provider
        and provider_spelling.spelling = {{ usage }}.service_tier_raw
    left join tier_spellings as any_spelling
        on any_spelling.provider = '*'
        and any_spelling.spelling = {{ usage }}.service_tier_raw
{%- endmacro %}

{% macro canonical_model_id() -%}
    coalesce(exact_alias.model_id, undated_alias.model_id)
{%- endmacro %}

{% macro canonical_service_tier() -%}
    coalesce(provider_spelling.service_tier, any_spelling.service_tier)
{%- endmacro %}
