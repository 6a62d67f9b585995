{#-
    On-run-start: the engine's `raw.*` tables, which every source reads. On DuckDB they are
    the loaders' own tables: nothing to do. On Spark they are the Parquet lake the loaders'
    tables are exported to (orchestration/lake.py: `<lake>/<table>/usage_date=.../`),
    registered afresh each run as external tables over `LLM_COST_AUDIT_LAKE` (a path or
    URI the cluster reads: /data/lake, s3a://bucket/lake, abfss://...), so new days and
    new columns are seen; dropping an external table never deletes its files.
-#}
{% macro register_raw_lake() -%}
    {{ return(adapter.dispatch('register_raw_lake', 'llm_cost_audit')()) }}
{%- endmacro %}

{% macro default__register_raw_lake() -%}{%- endmacro %}

{% macro spark__register_raw_lake() -%}
    {%- if execute -%}
    {%- set lake = env_var('LLM_COST_AUDIT_LAKE', '') | trim -%}
    {%- if not lake -%}
        {{ exceptions.raise_compiler_error(
            'LLM_COST_AUDIT_LAKE is not set: the Spark target reads the raw tables from that '
            ~ 'Parquet lake (README: "Past one machine")') }}
    {%- endif -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for source in graph.sources.values() if source.schema == 'raw' -%}
        {%- set table = 'raw.' ~ source.identifier -%}
        {%- do run_query('drop table if exists ' ~ table) -%}
        {#- the schema and the `usage_date` partitions are read from the folder -#}
        {%- do run_query('create table ' ~ table ~ " using parquet location '"
            ~ lake.rstrip('/') ~ '/' ~ source.identifier ~ "'") -%}
        {#- the metastore lists a table's partitions: a new table lists none until told -#}
        {%- do run_query('msck repair table ' ~ table) -%}
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
