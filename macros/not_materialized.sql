{#- For a CTE that several parts of a query read and that costs less to read again than
    to store: DuckDB would otherwise materialize it (every column of every row); Spark
    inlines CTEs anyway. Use as `name as {{ not_materialized() }} (...)`. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'llm_cost_audit')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}{%- endmacro %}

{% macro duckdb__not_materialized() -%} not materialized {%- endmacro %}
