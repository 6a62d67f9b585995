{#- A count as text with thousands separators (`33,544,675`), for evidence sentences;
    engine-specific, so dispatched. -#}
{% macro format_count(expr) -%}
    {{ return(adapter.dispatch('format_count', 'llm_cost_audit')(expr)) }}
{%- endmacro %}

{% macro default__format_count(expr) -%}
    format('{:,}', cast({{ expr }} as bigint))
{%- endmacro %}

{#- DuckDB's cast to bigint rounds a fraction, Spark's truncates: round first -#}
{% macro spark__format_count(expr) -%}
    format_number(cast(round({{ expr }}) as bigint), 0)
{%- endmacro %}
