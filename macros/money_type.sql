{#- Money is DECIMAL end to end. Costs carry 16 decimals: a price with 10 decimals per
    million tokens times one token needs them, and DuckDB would turn a division into a
    DOUBLE (docs/pricing.md, "Money"), so costs multiply by 0.000001 instead of dividing. -#}
{% macro money_type() -%} decimal(38, 16) {%- endmacro %}
