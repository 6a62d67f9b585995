/*
    OpenAI usage (Usage API and dashboard CSV buckets, Chat Completions / Responses API
    responses, Batch API output) in the shape every source stages to (see
    int_usage_unioned).

    Tokens become the disjoint buckets of docs/cost-semantics.md here: OpenAI counts cached and
    cache-write tokens INSIDE input, so uncached input = input - cached - cache write;
    cache writes are billed as short-TTL writes (a model without a write price bills them
    as input); reasoning tokens are already inside output. The breakdown fields the
    export also carries (`input_uncached_tokens`, text/audio splits) are never added in:
    audio and reasoning tokens are carried as shares of them.

    Service tier: a batch bucket or a line of a Batch API output file is `batch`; else the
    tier the export names (`default` = standard, mapped by the service tier seed); a
    response without one ran on the default tier; a bucket not grouped by service tier is
    spelled as such (macro unstated_service_tier): it is priced at the standard tier and
    marked `tier_assumed` downstream. A bucket not grouped by model stays unpriced by name:
    no assumption prices an unknown model. Audio and reasoning tokens are the parts of
    the call priced at their own rates (macros/call_parts.sql).

    `project_id` is the workspace dimension (attribution rules on `workspace` match it),
    `api_key_id` the api key. Failed batch lines (no usage, never billed) stay in raw.
*/
with source as (
    select * from {{ source('raw_openai', 'openai_usage') }}
    where record_kind in ('bucket', 'request')
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
        'openai' as provider,
        case
            when model is null then 'all models (export not grouped by model)'
            else model
        end as model,
        cast(null as string) as feature,
        cast(null as string) as declared_task_class,
        cast(null as string) as declared_latency_class,
        case
            when is_batch then 'batch'
            when service_tier is not null then service_tier
            when record_kind = 'request' then 'default'
            else {{ unstated_service_tier() }}
        end as service_tier_raw,
        request_count,
        input_tokens - input_cached_tokens - input_cache_write_tokens as input_tokens,
        input_cache_write_tokens as cache_write_5m_tokens,
        cast(0 as bigint) as cache_write_1h_tokens,
        input_cached_tokens as cache_read_tokens,
        output_tokens,
        -- OpenAI's exports carry no long-context flag: a bucket is billed at base rates
        cast(null as boolean) as long_context_flag,
        cast(null as string) as prefix_hash,
        cast(null as bigint) as prefix_tokens,
        project_id as workspace,
        api_key_id as api_key,
        'global' as inference_geo,
        -- one export shape (format + group-by): buckets of two shapes may be the same traffic
        case when record_kind = 'bucket' then source_format || ':' || coalesce(bucket_grouping, '') end
            as bucket_shape,
        case when record_kind = 'bucket' then {{ bucket_width_seconds('bucket_width') }} end
            as bucket_width_seconds,
        loaded_at,
        -- the parts of a call priced apart (docs/pricing.md): audio and reasoning tokens,
        -- inside input and output. OpenAI's exports don't say how many cached tokens are
        -- audio: with both, the cached audio is unknown (null), and a model that prices
        -- cached audio apart leaves the row unpriced (macro unpriced_part), as genai-prices
        -- refuses to price it
        coalesce(input_audio_tokens, 0) as input_audio_tokens,
        case when coalesce(input_audio_tokens, 0) > 0 and input_cached_tokens > 0
            then cast(null as bigint) else cast(0 as bigint) end as cache_read_audio_tokens,
        coalesce(output_audio_tokens, 0) as output_audio_tokens,
        coalesce(reasoning_tokens, 0) as output_reasoning_tokens,
        {{ absent_parts(['input_audio_tokens', 'cache_read_audio_tokens', 'output_audio_tokens',
                         'output_reasoning_tokens']) }}
    from source
)

select * from renamed
