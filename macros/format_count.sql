{#- A count as text with thousands separators (`33,544,675`), for evidence sentences;
    engine-specific, so dispatched. -#}
{% macro format_count(expr) -%}
    {{ return(adapter.dispatch('format_count')(expr)) }}
{%- endmacro %}

{% macro default__format_count(expr) -%}
    format_number(cast({{ expr }} as bigint), 0)
{%- endmacro %}

{% macro duckdb__format_count(expr) -%}
    format('{:,}', cast({{ expr }} as bigint))
{%- endmacro %}
