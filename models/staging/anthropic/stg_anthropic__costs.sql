/*
    What Anthropic says it billed, one row per cost line, in dollars (the loader turned the
    cost report's cents into dollars exactly). Token types of both exports are spelled as
    the warehouse's disjoint token buckets; Console display names ("Claude Sonnet 4.6")
    are mapped to model ids by the alias seed downstream.
*/
with source as (
    select * from {{ source('raw_anthropic', 'anthropic_costs') }}
),

renamed as (
    select
        cost_id,
        account,
        'anthropic' as provider,
        cast(bucket_start_at as date) as cost_date,
        bucket_start_at,
        bucket_end_at,
        coalesce(cost_type, 'tokens') as cost_type,
        case token_type
            when 'uncached_input_tokens' then 'input'
            when 'input_no_cache' then 'input'
            when 'cache_creation.ephemeral_5m_input_tokens' then 'cache_write_5m'
            when 'input_cache_write_5m' then 'cache_write_5m'
            when 'input_cache_write' then 'cache_write_5m'
            when 'cache_creation.ephemeral_1h_input_tokens' then 'cache_write_1h'
            when 'input_cache_write_1h' then 'cache_write_1h'
            when 'cache_read_input_tokens' then 'cache_read'
            when 'input_cache_read' then 'cache_read'
            when 'output_tokens' then 'output'
            when 'output' then 'output'
        end as token_bucket,
        token_type as token_type_raw,
        model,
        service_tier,
        context_window,
        coalesce(workspace_name, workspace_id) as workspace,
        coalesce(api_key_name, api_key_id) as api_key,
        billed_cost_usd,
        list_cost_usd,
        source_format,
        source_file,
        loaded_at
    from source
)

select * from renamed
