{#- The share of list price paid under a negotiated discount (1 = list price). Exact: a
    decimal divided in DuckDB becomes a double, so the percent is multiplied instead. -#}
{% macro rate_type() -%} decimal(10, 8) {%- endmacro %}

{% macro rate_from_percent(percent) -%}
    cast(cast(1 as {{ rate_type() }}) - {{ percent }} * cast(0.01 as decimal(3, 2)) as {{ rate_type() }})
{%- endmacro %}

{#- A list cost at a contract rate, back in the money type. At rate 1 (no contract: most
    usage) the cost itself, which is the same value without the product's rescale (a
    128-bit division per row, the costliest step of a wide model). -#}
{% macro contracted_cost(cost, rate) -%}
    case
        when {{ rate }} = 1 then cast({{ cost }} as {{ money_type() }})
        else cast({{ cost }} * {{ rate }} as {{ money_type() }})
    end
{%- endmacro %}
