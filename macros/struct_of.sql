{#- A struct value from (field name, expression) pairs; structs compare field by field,
    so `min()` of one picks a row by several ordered keys in a hash aggregate (see
    int_usage_tiered); engine-specific, so dispatched. -#}
{% macro struct_of(pairs) -%}
    {{ return(adapter.dispatch('struct_of', 'llm_cost_audit')(pairs)) }}
{%- endmacro %}

{% macro default__struct_of(pairs) -%}
    {
        {%- for name, value in pairs %}
        '{{ name }}': {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    }
{%- endmacro %}

{% macro spark__struct_of(pairs) -%}
    named_struct(
        {%- for name, value in pairs %}
        '{{ name }}', {{ value }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
