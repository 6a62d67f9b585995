/*
    Anthropic usage (report buckets, Console CSV buckets, Messages responses, batch
    results) in the shape every source stages to (see int_usage_unioned).

    A NULL dimension means the export was not grouped by it, except where the file did
    group by it (`bucket_grouping`): then a NULL workspace is the default workspace and a
    NULL api key is Console usage (Anthropic's documented meanings). An ungrouped model is
    spelled as such, so the row is reported unpriced by name rather than priced on a guess;
    an ungrouped service tier is spelled as such too (macro unstated_service_tier), and
    priced at the standard tier, marked `tier_assumed`, downstream. `not_available` (a
    model without geo routing) is `global`.
*/
with source as (
    select * from {{ source('raw_anthropic', 'anthropic_usage') }}
),

renamed as (
    select
        usage_id,
        request_id,
        source_format,
        source_file,
        source_record,
        bucket_start_at as usage_at,
        bucket_start_at,
        bucket_end_at,
        is_time_from_file,
        account,
        'anthropic' as provider,
        coalesce(model, 'all models (export not grouped by model)') as model,
        cast(null as string) as feature,
        cast(null as string) as declared_task_class,
        cast(null as string) as declared_latency_class,
        case
            when service_tier is not null then service_tier
            -- a response without `service_tier` (older API versions) ran on standard
            when record_kind = 'request' then 'standard'
            else {{ unstated_service_tier() }}
        end as service_tier_raw,
        -- a request is one; Anthropic's buckets do not count requests
        case when record_kind = 'request' then 1 else 0 end as request_count,
        input_tokens,
        cache_write_5m_tokens,
        cache_write_1h_tokens,
        cache_read_tokens,
        output_tokens,
        case
            when lower(context_window) in ('200k-1m', '> 200k', '>200k') then true
            when context_window is not null then false
        end as long_context_flag,
        cast(null as string) as prefix_hash,
        cast(null as bigint) as prefix_tokens,
        coalesce(
            workspace_name,
            workspace_id,
            case when bucket_grouping like '%workspace_id%' then 'default workspace' end
        ) as workspace,
        coalesce(
            api_key_name,
            api_key_id,
            case when bucket_grouping like '%api_key_id%' then 'console (no api key)' end
        ) as api_key,
        case
            when inference_geo is null or inference_geo in ('', 'not_available') then 'global'
            else inference_geo
        end as inference_geo,
        -- one export shape (format + group-by): buckets of two shapes may be the same traffic
        case when record_kind = 'bucket' then source_format || ':' || coalesce(bucket_grouping, '') end
            as bucket_shape,
        case when record_kind = 'bucket' then {{ bucket_width_seconds('bucket_width') }} end
            as bucket_width_seconds,
        loaded_at,
        -- server tool use: web searches, billed per search (docs/pricing.md)
        coalesce(web_search_requests, 0) as web_search_requests,
        {{ absent_parts(['web_search_requests']) }}
    from source
)

select * from renamed
