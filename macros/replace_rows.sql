{#-
    Incremental strategy `replace_rows`, for models whose rows are rebuilt by day and by
    prompt-prefix stream (macro only_rows_to_rebuild): every record in the new rows
    replaces its previous version (`unique_key` names the record id), and every day a
    load changed is cleared first, so a record a re-export removed goes too. One
    transaction; rows of other days and streams are not touched.

    Dispatched like `replace_days`, so another engine can stand beside it.
-#}
{% macro get_incremental_replace_rows_sql(arg_dict) %}
    {{ return(adapter.dispatch('replace_rows_sql', 'llm_cost_audit')(arg_dict)) }}
{% endmacro %}

{% macro default__replace_rows_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set new_rows = arg_dict['temp_relation'] -%}
    {%- set record_id = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ record_id }} in (select {{ record_id }} from {{ new_rows }})
        or usage_date in (select usage_date from {{ source('raw', 'changed_days') }});

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ new_rows }}
{% endmacro %}
