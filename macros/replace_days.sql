{#-
    Incremental strategy `replace_days`: every usage day in the new rows, and every day a
    load changed (a day whose rows were all removed has no new row to name it), is
    replaced whole in one transaction. `unique_key` names the day column.

    Dispatched so that an engine without delete (Spark on Parquet) can stand beside it
    with `insert overwrite` of the day partitions.
-#}
{% macro get_incremental_replace_days_sql(arg_dict) %}
    {{ return(adapter.dispatch('replace_days_sql', 'llm_cost_audit')(arg_dict)) }}
{% endmacro %}

{% macro default__replace_days_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set new_rows = arg_dict['temp_relation'] -%}
    {%- set day = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ day }} in (select {{ day }} from {{ new_rows }})
        or {{ day }} in (select usage_date from {{ source('raw', 'changed_days') }});

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ new_rows }}
{% endmacro %}
