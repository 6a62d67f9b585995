{#-
    Seeds on Spark, written as literals. dbt-spark's own version binds values with
    `sql % values` in its session method: a quote in a cell (`Anthropic's`) breaks the
    statement and an empty cell becomes the text 'None'. Here an empty cell is null and
    text is escaped; every seed column is typed in seeds/_seeds.yml, so cells are text
    cast to their column type (exact decimals, never through a float).
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
            ({%- for value in row -%}
                {%- set column_type = column_override.get(
                    agate_table.column_names[loop.index0],
                    adapter.convert_type(agate_table, loop.index0)) -%}
                cast({{ spark_seed_literal(value) }} as {{ column_type }})
                {%- if not loop.last %}, {% endif -%}
            {%- endfor -%}){{ ',' if not loop.last }}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first %}{% do statements.append(sql) %}{% endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
