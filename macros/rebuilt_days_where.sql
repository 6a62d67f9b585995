{#-
    Data tests of an incremental run check the days it rebuilt, not the whole table
    (issue 25). Every data test carries the `where` config `__rebuilt_days__`
    (dbt_project.yml); dbt wraps the tested relation in `get_where_subquery`, overridden
    here to turn the placeholder into:

    - on an incremental build, for a row-level test of an incremental usage model: the
      pending days (raw.changed_days, the days every incremental model rebuilds, macro
      usage_days_to_rebuild), as date literals (macro days_condition, as the models'
      own reads);
    - otherwise nothing: on a full refresh (or with `--vars '{test_every_row: true}'`,
      for a `dbt test` by hand) every test reads every row; key tests
      (`unique`, `unique_combination_of_columns`) always do, since a record can move to
      another day; tests of tables and views rebuilt whole read them whole.

    Rows a night rewrites off its pending days (a flipped heuristic class, a cache stream
    reaching back) are checked by the key tests that night and by every test at the next
    full refresh, which each change of the project or its settings triggers.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') or '' -%}
    {%- if '__rebuilt_days__' in where -%}
        {%- set where = where | replace('__rebuilt_days__', rebuilt_days_condition() or 'true') -%}
    {%- endif -%}
    {%- if where and where | trim != 'true' -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{- return(filtered) -}}
    {%- else -%}
        {{- return(relation) -}}
    {%- endif -%}
{%- endmacro %}


{#- The condition keeping a test to the rebuilt days, or '' where the test reads every row. -#}
{% macro rebuilt_days_condition() %}
    {%- if not execute or flags.FULL_REFRESH or var('test_every_row', false) -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set key_tests = ['unique', 'unique_combination_of_columns'] -%}
    {%- set test_name = (model.test_metadata or {}).get('name') if model.test_metadata else none -%}
    {%- set attached = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
    {%- if test_name in key_tests or attached is none
        or attached.config.materialized != 'incremental' -%}
        {{- return('') -}}
    {%- endif -%}
    {{- return(pending_days_condition()) -}}
{% endmacro %}

{#- The pending days (raw.changed_days) as literals, as the models read them. -#}
{% macro pending_days_condition() -%}
    {%- set days = run_query(
        'select distinct cast(usage_date as string) from ' ~ source('raw', 'changed_days')
        ~ ' order by 1'
    ).columns[0].values() | list -%}
    {{- return(days_condition('usage_date', days)) -}}
{%- endmacro %}
