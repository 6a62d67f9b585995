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

{#- `expr` formatted as a count, then its noun: `singular` for exactly one, else `plural`
    ("1 usage bucket", "7 usage buckets"). -#}
{% macro format_counted(expr, singular, plural) -%}
    {{ format_count(expr) }} || case when ({{ expr }}) = 1 then ' {{ singular }}' else ' {{ plural }}' end
{%- endmacro %}
