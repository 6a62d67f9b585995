{#- Generic test: every row satisfies `<column> <expression>` (or the bare expression when
    the test is declared on the model). Written here because `dbt deps` can't reach the hub. -#}
{% test expression_is_true(model, expression, column_name=None, where_clause=None) %}
select *
from {{ model }}
where not ({{ column_name ~ ' ' if column_name else '' }}{{ expression }})
{%- if where_clause %} and ({{ where_clause }}){% endif %}
{% endtest %}
