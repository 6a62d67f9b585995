{#- Schemas are the public contract (raw, staging, intermediate, marts, seeds): use the
    configured name as is instead of dbt's default "<target>_<custom>" prefixing. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
