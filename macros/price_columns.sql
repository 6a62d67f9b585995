{#- The price columns a scenario carries from `int_prices_effective`, renamed with `prefix`
    so several price rows can sit side by side on one usage row. -#}
{% macro price_columns(relation_alias, prefix) -%}
    {%- for kind in ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'] %}
    {{ relation_alias }}.{{ kind }}_usd_per_mtok as {{ prefix }}{{ kind }}_usd_per_mtok,
    {{ relation_alias }}.lc_{{ kind }}_usd_per_mtok as {{ prefix }}lc_{{ kind }}_usd_per_mtok,
    {%- endfor %}
    {%- for column in part_price_columns() %}
    {{ relation_alias }}.{{ column }} as {{ prefix }}{{ column }},
    {%- endfor %}
    {{ relation_alias }}.long_context_threshold_tokens as {{ prefix }}long_context_threshold_tokens
{%- endmacro %}

{#- The names of the price columns `price_columns(..., prefix)` makes. -#}
{% macro price_column_names(prefix) -%}
    {%- set names = [] -%}
    {%- for kind in ['input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read'] %}
        {%- do names.append(prefix ~ kind ~ '_usd_per_mtok') -%}
        {%- do names.append(prefix ~ 'lc_' ~ kind ~ '_usd_per_mtok') -%}
    {%- endfor %}
    {%- for column in part_price_columns() %}{% do names.append(prefix ~ column) %}{% endfor -%}
    {%- do names.append(prefix ~ 'long_context_threshold_tokens') -%}
    {{- return(names) -}}
{%- endmacro %}
