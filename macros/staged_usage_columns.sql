{#- The columns every source family stages its usage to (int_usage_unioned), carried as
    they are through the dedup and netting steps: written once here. The parts of a call
    (macros/call_parts.sql) come last: 0 where the source does not carry them. -#}
{% macro staged_usage_columns() -%}
{{ return([
    'usage_id', 'request_id', 'source_format', 'source_file', 'source_record', 'usage_at',
    'bucket_start_at', 'bucket_end_at', 'is_time_from_file', 'account', 'provider', 'model',
    'feature', 'declared_task_class', 'declared_latency_class', 'service_tier_raw',
    'request_count', 'input_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens',
    'cache_read_tokens', 'output_tokens', 'long_context_flag', 'prefix_hash', 'prefix_tokens',
    'workspace', 'api_key', 'inference_geo', 'bucket_shape', 'bucket_width_seconds', 'loaded_at',
] + part_quantity_columns()) }}
{%- endmacro %}
