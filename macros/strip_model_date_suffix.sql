{#- A model id without its snapshot date suffix (`claude-sonnet-4-5-20250929`,
    `gpt-5-2025-08-07`), so dated spellings find the undated alias. -#}
{% macro strip_model_date_suffix(expr) -%}
    {{ return(adapter.dispatch('strip_model_date_suffix', 'llm_cost_audit')(expr)) }}
{%- endmacro %}

{% macro default__strip_model_date_suffix(expr) -%}
    regexp_replace({{ expr }}, '-(20[0-9]{2}-?[0-9]{2}-?[0-9]{2})$', '')
{%- endmacro %}

{#- Java regex; replaces every match where DuckDB replaces the first: one anchored match -#}
{% macro spark__strip_model_date_suffix(expr) -%}
    regexp_replace({{ expr }}, '-(20[0-9]{2}-?[0-9]{2}-?[0-9]{2})$', '')
{%- endmacro %}
