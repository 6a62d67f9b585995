{#- Every column of `relation_alias` but `columns`, so a stored step leaves out what no
    reader needs (issue 25: store narrow). DuckDB: `* exclude`; elsewhere every column
    (Spark has no portable `* except`, and its step tables are not the ones narrowed). -#}
{% macro star_except(relation_alias, columns) -%}
    {{ return(adapter.dispatch('star_except', 'llm_cost_audit')(relation_alias, columns)) }}
{%- endmacro %}

{% macro default__star_except(relation_alias, columns) -%}
    {{ relation_alias }}.*
{%- endmacro %}

{% macro duckdb__star_except(relation_alias, columns) -%}
    {{ relation_alias }}.* exclude ({{ columns | join(', ') }})
{%- endmacro %}
