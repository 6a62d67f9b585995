{#- Seconds since the Unix epoch of a timestamp, fractions kept (a DOUBLE on both
    engines); engine-specific, so dispatched. -#}
{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'llm_cost_audit')(ts)) }}
{%- endmacro %}

{% macro default__epoch_seconds(ts) -%}
    epoch({{ ts }})
{%- endmacro %}

{#- unix_timestamp() would drop the fraction of a second -#}
{% macro spark__epoch_seconds(ts) -%}
    (cast(unix_micros({{ ts }}) as double) / 1000000)
{%- endmacro %}
