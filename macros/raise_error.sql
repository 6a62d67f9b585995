{#- Fails the query with `message` (a text expression), so a test can say where it
    failed instead of only how many rows; engine-specific, so dispatched. -#}
{% macro raise_error(message) -%}
    {{ return(adapter.dispatch('raise_error', 'llm_cost_audit')(message)) }}
{%- endmacro %}

{% macro default__raise_error(message) -%}
    error({{ message }})
{%- endmacro %}

{% macro spark__raise_error(message) -%}
    raise_error({{ message }})
{%- endmacro %}
