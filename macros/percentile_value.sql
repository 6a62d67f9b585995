{#- The value at a fraction (0-1) of an ordered column, one of its own values (not
    interpolated); engine-specific, so dispatched. -#}
{% macro percentile_value(expr, fraction) -%}
    {{ return(adapter.dispatch('percentile_value', 'llm_cost_audit')(expr, fraction)) }}
{%- endmacro %}

{% macro default__percentile_value(expr, fraction) -%}
    quantile_disc({{ expr }}, {{ fraction }})
{%- endmacro %}

{#- exact, as quantile_disc (percentile_approx is an estimate on large groups) -#}
{% macro spark__percentile_value(expr, fraction) -%}
    percentile_disc({{ fraction }}) within group (order by {{ expr }})
{%- endmacro %}
