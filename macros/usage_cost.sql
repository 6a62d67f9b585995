{#-
    The cost in USD of one usage row's disjoint token buckets and the parts of the call
    (macros/call_parts.sql: the row's part columns, `row` = '' or 'alias.') at one price
    row (columns carrying `prefix`). Written once: every scenario calls it with its own
    tokens and prices. Null when the price row is missing (the row is unpriced, never $0),
    when a part present has no price, or when there are output tokens and the row has no
    output price (an input-only model); no output costs nothing there.
-#}
{% macro usage_cost(prefix, input_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
                    cache_read_tokens, output_tokens, is_long_context, row) -%}
    {{ usd_from_mtok_amount('(
            ' ~ bucket_amount(prefix, 'input', input_tokens, row, is_long_context) ~ '
            + ' ~ bucket_amount(prefix, 'cache_write_5m', cache_write_5m_tokens, row, is_long_context) ~ '
            + ' ~ bucket_amount(prefix, 'cache_write_1h', cache_write_1h_tokens, row, is_long_context) ~ '
            + ' ~ bucket_amount(prefix, 'cache_read', cache_read_tokens, row, is_long_context) ~ '
            + ' ~ bucket_amount(prefix, 'output', output_tokens, row, is_long_context) ~ '
            + ' ~ fees_amount(prefix, row) ~ '
        )') }}
{%- endmacro %}

{#- The cost of a usage row's own tokens (`row` = '' or 'alias.', its usual column names) at
    one price row (`prefix`), with that price row's long-context rule: what a scenario
    asks when it moves the row as it is to another model or to batch. -#}
{% macro row_cost_at(prefix, row='') -%}
    {{ usage_cost(prefix, row ~ 'input_tokens', row ~ 'cache_write_5m_tokens',
                  row ~ 'cache_write_1h_tokens', row ~ 'cache_read_tokens', row ~ 'output_tokens',
                  is_long_context(prefix, row ~ 'total_input_tokens', row ~ 'request_count',
                                  row ~ 'long_context_flag'), row) }}
{%- endmacro %}

{#- Tokens times a price per million tokens (a DECIMAL with at most the price type's 12
    decimals), as USD in the money type: times 0.000001, rounded to 16 decimals. -#}
{% macro usd_from_mtok_amount(amount) -%}
    {{ return(adapter.dispatch('usd_from_mtok_amount', 'llm_cost_audit')(amount)) }}
{%- endmacro %}

{% macro default__usd_from_mtok_amount(amount) -%}
    cast({{ amount }} * 0.000001 as {{ money_type() }})
{%- endmacro %}

{#- The same value on DuckDB, faster: rounding a 128-bit decimal to fewer decimals is a
    128-bit division per row, the costliest step of the scenario models. An amount under
    a million (a cost under $1, most calls) fits 64 bits, where rounding 12 decimals to 10
    and then moving the point 6 places gives the same rounding (half away from zero) at a
    tenth of the cost. `try_cast` is null where it does not fit (or the amount is null),
    so the amount, a long expression, is written twice, not four times. -#}
{% macro duckdb__usd_from_mtok_amount(amount) -%}
    coalesce(
        cast(
            cast(try_cast({{ amount }} as decimal(18, 12)) as decimal(18, 10))
                * cast(0.000001 as decimal(7, 6))
            as {{ money_type() }}),
        cast({{ amount }} * 0.000001 as {{ money_type() }}))
{%- endmacro %}
