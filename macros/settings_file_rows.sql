{#-
    The rows of a setting the user may replace (orchestration/settings.py): the user's
    file when the run names one (var `settings_files`, set by the CLI and Dagster from the
    settings directory, or by hand on Spark: `llm-cost-audit settings --config DIR`), else
    the project's seed. The file was validated before the run; its cells are read as text
    and cast to the seed's declared column types, so both sources have the same columns.
    Use: {{ settings_file_rows('attribution_rules') }} as a model's whole body.
-#}
{% macro settings_file_rows(seed_name) %}
{%- set default_rows = ref(seed_name) -%}
{%- set path = var('settings_files', {}).get(seed_name) -%}
{%- if path and execute %}
{%- set types = graph.nodes['seed.' ~ project_name ~ '.' ~ seed_name].config.column_types %}
select
    {%- for column, column_type in types.items() %}
    cast(trim({{ column }}) as {{ column_type }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ adapter.dispatch('settings_csv', 'llm_cost_audit')(path, seed_name) }}
{%- else %}
select * from {{ default_rows }}
{%- endif %}
{% endmacro %}

{#- A CSV file as a relation of text columns named by its header; empty cells are null. -#}
{% macro default__settings_csv(path, seed_name) -%}
    read_csv('{{ path | replace("'", "''") }}', header = true, all_varchar = true)
{%- endmacro %}

{#- Spark reads it through a temporary view of the session that builds the model. -#}
{% macro spark__settings_csv(path, seed_name) -%}
    {%- set view = 'settings_file_' ~ seed_name -%}
    {%- do run_query(
        'create or replace temporary view ' ~ view ~ " using csv options (path '"
        ~ path | replace('\\', '\\\\') | replace("'", "\\'")
        ~ "', header 'true', multiLine 'true', escape '\"')") -%}
    {{ view }}
{%- endmacro %}
