/*
    Every source family's staged usage in one shape. Each source added later (provider
    usage reports, per-request responses, gateway logs) stages to these columns and adds
    one union branch here; nothing downstream changes. Provider buckets and request logs
    of the same traffic are both here: int_usage_netted keeps each token once.
    `bucket_shape` (export format + group-by, null for request-level records) and
    `loaded_at` let it choose between overlapping bucket exports.
*/
{{ config(materialized='view') }}  -- a plain union: nothing to store twice

with canonical as (
    select * from {{ ref('stg_canonical__usage') }}
),

anthropic as (
    select * from {{ ref('stg_anthropic__usage') }}
),

unioned as (
    select
        usage_id,
        request_id,
        source_format,
        source_file,
        source_record,
        usage_at,
        bucket_start_at,
        bucket_end_at,
        is_time_from_file,
        account,
        provider,
        model,
        feature,
        declared_task_class,
        declared_latency_class,
        service_tier_raw,
        request_count,
        input_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        cache_read_tokens,
        output_tokens,
        long_context_flag,
        prefix_hash,
        prefix_tokens,
        workspace,
        api_key,
        inference_geo,
        bucket_shape,
        loaded_at
    from canonical

    union all

    select
        usage_id,
        request_id,
        source_format,
        source_file,
        source_record,
        usage_at,
        bucket_start_at,
        bucket_end_at,
        is_time_from_file,
        account,
        provider,
        model,
        feature,
        declared_task_class,
        declared_latency_class,
        service_tier_raw,
        request_count,
        input_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        cache_read_tokens,
        output_tokens,
        long_context_flag,
        prefix_hash,
        prefix_tokens,
        workspace,
        api_key,
        inference_geo,
        bucket_shape,
        loaded_at
    from anthropic
)

select * from unioned
