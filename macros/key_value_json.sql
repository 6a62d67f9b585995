{#- A JSON object text from (key, value expression) pairs (a null value written as
    null): FOCUS's Tags and SkuPriceDetails columns; engine-specific, so dispatched. -#}
{% macro key_value_json(pairs) -%}
    {{ return(adapter.dispatch('key_value_json', 'llm_cost_audit')(pairs)) }}
{%- endmacro %}

{% macro default__key_value_json(pairs) -%}
    cast(json_object(
        {%- for key, value in pairs %}
        '{{ key }}', {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as string)
{%- endmacro %}

{% macro spark__key_value_json(pairs) -%}
    to_json(named_struct(
        {%- for key, value in pairs %}
        '{{ key }}', {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}
