{#- The share of list price paid under a negotiated discount (1 = list price). Exact: a
    decimal divided in DuckDB becomes a double, so the percent is multiplied instead. -#}
{% macro rate_type() -%} decimal(10, 8) {%- endmacro %}

{% macro rate_from_percent(percent) -%}
    cast(cast(1 as {{ rate_type() }}) - {{ percent }} * cast(0.01 as decimal(3, 2)) as {{ rate_type() }})
{%- endmacro %}

{#- A list cost at a contract rate, back in the money type. -#}
{% macro contracted_cost(cost, rate) -%}
    cast({{ cost }} * {{ rate }} as {{ money_type() }})
{%- endmacro %}
