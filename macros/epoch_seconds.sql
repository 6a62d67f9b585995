{#- Seconds since the Unix epoch of a timestamp; engine-specific, so dispatched. -#}
{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds')(ts)) }}
{%- endmacro %}

{% macro default__epoch_seconds(ts) -%}
    unix_timestamp({{ ts }})
{%- endmacro %}

{% macro duckdb__epoch_seconds(ts) -%}
    epoch({{ ts }})
{%- endmacro %}
