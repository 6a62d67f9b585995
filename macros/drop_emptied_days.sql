{#-
    Post-hook of the incremental usage models (macro usage_incremental_config). On Spark,
    `insert overwrite` replaces only the day partitions its new rows name: a pending day
    (raw.changed_days) whose rows all left upstream (a re-export removed them, dedup moved
    them to another day) would keep its old partition until a --full-refresh. This drops
    every pending day the run's new rows hold no row of, so the table equals a full build;
    finding them reads the new rows of the pending days once more. On DuckDB, replace_days
    and replace_rows already delete pending days: nothing to do.
-#}
{% macro drop_emptied_days() -%}
    {{ return(adapter.dispatch('drop_emptied_days', 'llm_cost_audit')()) }}
{%- endmacro %}

{% macro default__drop_emptied_days() -%}{%- endmacro %}

{% macro spark__drop_emptied_days() -%}
    {%- if execute and is_incremental() -%}
    {#- the new rows: the temp view dbt-spark's incremental run overwrote from; none on a
        first or full build, which write the table whole -#}
    {%- set new_rows = this.identifier ~ '__dbt_tmp' -%}
    {%- if run_query("show views like '" ~ new_rows ~ "'") | length > 0 -%}
        {%- set pending = run_query(
            'select distinct cast(usage_date as string) from '
            ~ source('raw', 'changed_days')).columns[0].values() | list -%}
        {%- if pending -%}
            {#- re-read after the overwrite, the view yields the same pending days: they
                are always rebuilt, from upstream rows of that day only -#}
            {%- set kept = run_query(
                'select distinct cast(usage_date as string) from ' ~ new_rows
                ~ " where usage_date in (date'" ~ pending | join("', date'") ~ "')"
            ).columns[0].values() | list -%}
            {%- set emptied = pending | reject('in', kept) | list -%}
            {%- if emptied -%}
    alter table {{ this }} drop if exists
    {%- for day in emptied %}
        partition (usage_date = '{{ day }}'){{ ',' if not loop.last }}
    {%- endfor %}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}
