{#- Helpers of the usage signals (int_usage_heuristics, savings_findings). -#}

{#- The grain a signal or a finding was read from: `call` for request-level records
    (no bucket width), else the bucket width's name. Daily buckets cannot show a time of
    day; buckets without a request count cannot show calls. -#}
{% macro source_grain(width_seconds) -%}
case
    when {{ width_seconds }} is null then 'call'
    when {{ width_seconds }} <= 60 then 'minute'
    when {{ width_seconds }} <= 3600 then 'hour'
    else 'day'
end
{%- endmacro %}

{#- Saturday or Sunday (UTC); the engines number weekdays differently, so dispatched. -#}
{% macro is_weekend(ts) -%}
    {{ return(adapter.dispatch('is_weekend', 'llm_cost_audit')(ts)) }}
{%- endmacro %}

{% macro default__is_weekend(ts) -%}
    (isodow({{ ts }}) >= 6)
{%- endmacro %}

{#- Spark's dayofweek: 1 = Sunday ... 7 = Saturday -#}
{% macro spark__is_weekend(ts) -%}
    (dayofweek({{ ts }}) in (1, 7))
{%- endmacro %}
