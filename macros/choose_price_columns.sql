{#- Price columns `out_prefix` taken from `when_prefix` where `condition` holds, else from
    `else_prefix`: one scenario picking between two price rows on the same usage row. -#}
{% macro choose_price_columns(condition, when_prefix, else_prefix, out_prefix) -%}
    {%- for kind in ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'] %}
    {%- for tier in ['', 'lc_'] %}
    case when {{ condition }} then {{ when_prefix }}{{ tier }}{{ kind }}_usd_per_mtok
        else {{ else_prefix }}{{ tier }}{{ kind }}_usd_per_mtok end
        as {{ out_prefix }}{{ tier }}{{ kind }}_usd_per_mtok,
    {%- endfor %}
    {%- endfor %}
    {%- for column in part_price_columns() %}
    case when {{ condition }} then {{ when_prefix }}{{ column }} else {{ else_prefix }}{{ column }} end
        as {{ out_prefix }}{{ column }},
    {%- endfor %}
    case when {{ condition }} then {{ when_prefix }}long_context_threshold_tokens
        else {{ else_prefix }}long_context_threshold_tokens end
        as {{ out_prefix }}long_context_threshold_tokens
{%- endmacro %}
