/*
    Canonical-format usage records, renamed to the warehouse's vocabulary.

    The canonical format already uses disjoint token buckets and one row per record, so
    staging only normalises spellings. Records have their own timestamp, and no bucket
    width: a request-level record's bucket starts and ends at its own time.
*/
with source as (
    select * from {{ source('raw', 'canonical_usage') }}
),

renamed as (
    select
        usage_id,
        request_id,
        source_format,
        source_file,
        source_record,
        usage_at,
        usage_at as bucket_start_at,
        usage_at as bucket_end_at,
        false as is_time_from_file,
        coalesce(nullif(trim(account), ''), 'default') as account,
        lower(trim(provider)) as provider,
        trim(model) as model,
        nullif(trim(feature), '') as feature,
        nullif(lower(trim(task_class)), '') as declared_task_class,
        nullif(lower(trim(latency_class)), '') as declared_latency_class,
        coalesce(nullif(lower(trim(service_tier)), ''), 'standard') as service_tier_raw,
        request_count,
        input_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        cache_read_tokens,
        output_tokens,
        -- the canonical format has no long-context flag; request-level rows don't need one
        cast(null as boolean) as long_context_flag,
        nullif(trim(prefix_hash), '') as prefix_hash,
        prefix_tokens,
        nullif(trim(workspace), '') as workspace,
        nullif(trim(api_key), '') as api_key,
        -- where the provider ran it (Anthropic's `inference_geo`); priced by residency rules
        coalesce(nullif(lower(trim(inference_geo)), ''), 'global') as inference_geo,
        -- request-level records: no export shape to choose between (int_usage_netted)
        cast(null as string) as bucket_shape,
        cast(null as bigint) as bucket_width_seconds,
        loaded_at,
        -- the canonical format counts text tokens only: no part priced apart
        {{ absent_parts() }}
    from source
)

select * from renamed
