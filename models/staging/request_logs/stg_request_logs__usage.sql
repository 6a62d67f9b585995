/*
    Request-level usage from Gemini responses and gateway logs (LiteLLM, OpenRouter, OTel
    GenAI spans) in the shape every source stages to (see int_usage_unioned).

    The seller is the provider the request was billed by: the one LiteLLM or the traced
    client called (mapped by the seed provider_spellings), so these records net against
    that provider's buckets in int_usage_netted like its own request logs; OpenRouter
    bills from its own credits at its own prices, so it is a provider of its own and never
    nets against Anthropic's or OpenAI's buckets. A LiteLLM response-cache hit made no
    provider call and cost nothing there: it is left out of usage (it stays in raw).
*/
with source as (
    select * from {{ source('raw_request_logs', 'request_logs') }}
),

provider_spellings as (
    select spelling, provider from {{ ref('provider_spellings') }}
),

renamed as (
    select
        source.usage_id,
        source.request_id,
        source.source_format,
        source.source_file,
        source.source_record,
        source.bucket_start_at as usage_at,
        source.bucket_start_at,
        -- a request, not a bucket: start = end (int_usage_deduplicated tells them apart so)
        coalesce(source.bucket_end_at, source.bucket_start_at) as bucket_end_at,
        source.is_time_from_file,
        source.account,
        coalesce(provider_spellings.provider, source.provider) as provider,
        source.model,
        source.feature,
        cast(null as string) as declared_task_class,
        cast(null as string) as declared_latency_class,
        -- a log that does not name the tier ran on the provider's default (standard)
        coalesce(source.service_tier, 'standard') as service_tier_raw,
        coalesce(source.request_count, 1) as request_count,
        source.input_tokens,
        source.cache_write_5m_tokens,
        source.cache_write_1h_tokens,
        source.cache_read_tokens,
        source.output_tokens,
        -- one request: long context is decided by its own input size when priced
        cast(null as boolean) as long_context_flag,
        cast(null as string) as prefix_hash,
        cast(null as bigint) as prefix_tokens,
        source.workspace,
        source.api_key,
        'global' as inference_geo,
        case when source.bucket_end_at > source.bucket_start_at then source.source_format end
            as bucket_shape,
        case when source.bucket_end_at > source.bucket_start_at
            then {{ epoch_seconds('source.bucket_end_at') }} - {{ epoch_seconds('source.bucket_start_at') }}
        end as bucket_width_seconds,
        source.loaded_at,
        -- the parts of a call priced apart (docs/pricing.md), as the loaders read them
        -- (a record loaded before they were read has none: null, counted as 0); reasoning
        -- is inside output in every request log (request_logs.py); no log counts searches
        {%- set carried = ['input_audio', 'input_image', 'input_video', 'cache_read_audio',
                           'cache_read_image', 'cache_read_video', 'output_audio',
                           'output_image', 'output_video'] %}
        {%- for part in carried %}
        coalesce(source.{{ part }}_tokens, 0) as {{ part }}_tokens,
        {%- endfor %}
        coalesce(source.reasoning_tokens, 0) as output_reasoning_tokens,
        {%- set read = ['output_reasoning_tokens'] %}
        {%- for part in carried %}{% do read.append(part ~ '_tokens') %}{% endfor %}
        {{ absent_parts(read) }}
    from source
    left join provider_spellings
        on provider_spellings.spelling = source.provider
    where not source.is_gateway_cache_hit
)

select * from renamed
