{#- A provider bucket's nominal width in seconds, from the raw `bucket_width` ('1m', '1h',
    '1d'): a partial bucket (an export that starts or ends mid-bucket) is shorter than it
    is, and is still one bucket of its export's width (docs/formats.md). -#}
{% macro bucket_width_seconds(column) -%}
case {{ column }} when '1m' then 60 when '1h' then 3600 when '1d' then 86400 end
{%- endmacro %}
