{#- The join condition that finds a usage row's price in `int_prices_effective`: same
    provider, model, service tier and inference geo, in force at the row's bucket start.
    Written once so every scenario looks prices up the same way. -#}
{% macro price_lookup(price_alias, model_expr, tier_expr, usage_alias='usage') -%}
    {{ price_alias }}.provider = {{ usage_alias }}.provider
        and {{ price_alias }}.model_id = {{ model_expr }}
        and {{ price_alias }}.service_tier = {{ tier_expr }}
        and {{ price_alias }}.inference_geo = {{ usage_alias }}.inference_geo
        and {{ usage_alias }}.bucket_start_at >= {{ price_alias }}.valid_from_at
        and {{ usage_alias }}.bucket_start_at < {{ price_alias }}.valid_to_at
{%- endmacro %}

{#- A usage row's own price row: its model on its service tier. Not stored with the row
    (it would be a quarter of int_usage_priced's bytes): each reader that needs the prices
    finds the row again by this condition. -#}
{% macro own_price_lookup(price_alias, usage_alias='usage') -%}
    {{ price_lookup(price_alias, usage_alias ~ '.model_id', usage_alias ~ '.service_tier', usage_alias) }}
{%- endmacro %}
