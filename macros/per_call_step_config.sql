{#-
    The config of a per-call step whose only reader is the next step of the chain
    (int_usage_netted, int_usage_attributed, int_usage_tiered): on DuckDB a view, so the
    step is planned inside its reader's query and its rows are stored once, by the reader;
    on Spark the incremental table it always was (macro usage_incremental_config): Spark
    cannot push a reader's day filter through the step's joins and windows, so as a view
    every reader and data test would recompute the chain over the whole lake (the same
    reason as macro view_except_on_spark).

    As a view the step is never incremental (`is_incremental()` is false in it, so its own
    day filters compile to nothing): its persisted reader picks the days and streams to
    rebuild from its own previous rows and filters the view's rows by them.
    Use: {{ config(**per_call_step_config('replace_days', 'usage_date')) }}.
-#}
{% macro per_call_step_config(strategy, unique_key) -%}
    {{ return(adapter.dispatch('per_call_step_config', 'llm_cost_audit')(strategy, unique_key)) }}
{%- endmacro %}

{% macro default__per_call_step_config(strategy, unique_key) -%}
    {{ return({'materialized': 'view'}) }}
{%- endmacro %}

{% macro spark__per_call_step_config(strategy, unique_key) -%}
    {{ return(usage_incremental_config(strategy, unique_key)) }}
{%- endmacro %}


{#- An incremental usage model on DuckDB (macro usage_incremental_config) that stays a
    table rebuilt whole on Spark, where it was never partitioned by day. -#}
{% macro incremental_except_on_spark(strategy, unique_key) -%}
    {{ return(adapter.dispatch('incremental_except_on_spark', 'llm_cost_audit')(strategy, unique_key)) }}
{%- endmacro %}

{% macro default__incremental_except_on_spark(strategy, unique_key) -%}
    {{ return(usage_incremental_config(strategy, unique_key)) }}
{%- endmacro %}

{% macro spark__incremental_except_on_spark(strategy, unique_key) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}
