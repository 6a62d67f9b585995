{#- Per-million-token prices after multipliers (0.5 x a 10-decimal price needs 11+). -#}
{% macro price_type() -%} decimal(24, 12) {%- endmacro %}
