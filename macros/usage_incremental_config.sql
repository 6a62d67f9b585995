{#-
    The config of an incremental usage model: on DuckDB, the project's own strategy
    (`replace_days` or `replace_rows`, with its `unique_key`); on Spark, which has no
    delete on Parquet tables, `insert_overwrite` of whole day partitions (`usage_date`),
    the rows to write being whole days there (macro only_rows_to_rebuild), and a pending
    day left with no row dropped after (macro drop_emptied_days).
    Use: {{ config(**usage_incremental_config('replace_days', 'usage_date')) }}.
-#}
{% macro usage_incremental_config(strategy, unique_key) -%}
    {{ return(adapter.dispatch('usage_incremental_config', 'llm_cost_audit')(strategy, unique_key)) }}
{%- endmacro %}

{% macro default__usage_incremental_config(strategy, unique_key) -%}
    {{ return({
        'materialized': 'incremental', 'incremental_strategy': strategy, 'unique_key': unique_key,
    }) }}
{%- endmacro %}

{% macro spark__usage_incremental_config(strategy, unique_key) -%}
    {{ return({
        'materialized': 'incremental', 'incremental_strategy': 'insert_overwrite',
        'partition_by': ['usage_date'], 'file_format': 'parquet',
        'post_hook': ['{{ drop_emptied_days() }}'],
    }) }}
{%- endmacro %}
