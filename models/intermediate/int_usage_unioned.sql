/*
    Every source family's staged usage in one shape. Each source added later (provider
    usage reports, per-request responses, gateway logs) stages to these columns and adds
    one union branch here; nothing downstream changes.
*/
{{ config(materialized='view') }}  -- a plain union: nothing to store twice

with canonical as (
    select * from {{ ref('stg_canonical__usage') }}
),

unioned as (
    select
        usage_id,
        request_id,
        source_format,
        source_file,
        source_record,
        usage_at,
        -- the UTC day a record belongs to: the unit the incremental models rebuild
        cast(usage_at as date) as usage_date,
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
        inference_geo
    from canonical
)

select * from unioned
