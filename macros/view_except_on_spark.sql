{#- The materialization of a model DuckDB reads best as a view (a reader's day filter
    reaches the raw scan) but Spark would compute anew for every reader and data test:
    Spark cannot push a day filter through its window functions, so each read scans and
    deduplicates every day of the lake. Use as
    `{{ config(materialized=view_except_on_spark()) }}`. -#}
{% macro view_except_on_spark() -%}
    {{ return(adapter.dispatch('view_except_on_spark', 'llm_cost_audit')()) }}
{%- endmacro %}

{% macro default__view_except_on_spark() -%}{{ return('view') }}{%- endmacro %}

{% macro spark__view_except_on_spark() -%}{{ return('table') }}{%- endmacro %}
