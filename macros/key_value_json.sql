{#- A JSON object text from (key, value expression) pairs, nulls left out: FOCUS's Tags
    and SkuPriceDetails columns. DuckDB's json functions; another adapter adds its own. -#}
{% macro key_value_json(pairs) -%}
    {{ return(adapter.dispatch('key_value_json')(pairs)) }}
{%- endmacro %}

{% macro default__key_value_json(pairs) -%}
    cast(json_object(
        {%- for key, value in pairs %}
        '{{ key }}', {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}
