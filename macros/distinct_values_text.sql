{#- The distinct non-null values of a column in a group, sorted, as one `a, b` string
    (null when there are none); engine-specific, so dispatched. -#}
{% macro distinct_values_text(expr) -%}
    {{ return(adapter.dispatch('distinct_values_text', 'llm_cost_audit')(expr)) }}
{%- endmacro %}

{% macro default__distinct_values_text(expr) -%}
    string_agg(distinct {{ expr }}, ', ' order by {{ expr }})
{%- endmacro %}

{% macro spark__distinct_values_text(expr) -%}
    nullif(array_join(array_sort(collect_set({{ expr }})), ', '), '')
{%- endmacro %}
