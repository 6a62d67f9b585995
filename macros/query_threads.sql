{#- Threads per DuckDB query, when LLM_COST_AUDIT_DUCKDB_THREADS says (else DuckDB's own,
    one per core). The pipeline sets it to 1 for the build that follows one that ran out of
    memory (orchestration/out_of_memory_rerun.py): with one node at a time, DuckDB's own
    advice for a query that does not fit. -#}
{% macro query_threads() -%}
    {%- set threads = env_var('LLM_COST_AUDIT_DUCKDB_THREADS', '') | trim -%}
    {%- if threads and target.type == 'duckdb' -%}
        set threads = {{ threads | int }}
    {%- endif -%}
{%- endmacro %}
