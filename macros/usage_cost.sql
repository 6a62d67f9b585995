{#-
    The cost in USD of one usage row's disjoint token buckets at one price row (columns
    carrying `prefix`). Written once: every scenario calls it with its own tokens and
    prices. Null when the price row is missing (the row is unpriced, never $0).
-#}
{% macro usage_cost(prefix, input_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
                    cache_read_tokens, output_tokens, is_long_context) -%}
    cast(
        (
            ({{ input_tokens }}) * {{ effective_price(prefix, 'input', is_long_context) }}
            + ({{ cache_write_5m_tokens }}) * {{ effective_price(prefix, 'cache_write_5m', is_long_context) }}
            + ({{ cache_write_1h_tokens }}) * {{ effective_price(prefix, 'cache_write_1h', is_long_context) }}
            + ({{ cache_read_tokens }}) * {{ effective_price(prefix, 'cache_read', is_long_context) }}
            + ({{ output_tokens }}) * {{ effective_price(prefix, 'output', is_long_context) }}
        ) * 0.000001
        as {{ money_type() }}
    )
{%- endmacro %}
