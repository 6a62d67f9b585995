{#- The value at a fraction (0-1) of an ordered column, one of its own values (not
    interpolated); engine-specific, so dispatched. -#}
{% macro percentile_value(expr, fraction) -%}
    {{ return(adapter.dispatch('percentile_value')(expr, fraction)) }}
{%- endmacro %}

{% macro default__percentile_value(expr, fraction) -%}
    percentile_approx({{ expr }}, {{ fraction }})
{%- endmacro %}

{% macro duckdb__percentile_value(expr, fraction) -%}
    quantile_disc({{ expr }}, {{ fraction }})
{%- endmacro %}
