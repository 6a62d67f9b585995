/*
    What OpenAI says it billed, one row per cost line, in dollars, shaped like
    stg_anthropic__costs so marts.cost_reconciliation reads both.

    The Costs API has no model dimension: the loader split `line_item`
    ("gpt-5-2025-08-07, cached input") into model and token type, spelled here as the
    warehouse's token buckets. A line of another kind (tool calls, audio, storage) keeps
    its line item as its cost type and is shown, not judged. A line with no line item
    (an export not grouped by it) is the day's whole token bill, compared with all
    computed usage of the day.
*/
with source as (
    select * from {{ source('raw_openai', 'openai_costs') }}
),

bucketed as (
    select
        *,
        case token_type
            when 'input' then 'input'
            when 'uncached input' then 'input'
            when 'cached input' then 'cache_read'
            when 'cache write' then 'cache_write_5m'
            when 'cached write' then 'cache_write_5m'
            when 'cache write input' then 'cache_write_5m'
            when 'output' then 'output'
        end as token_bucket
    from source
),

renamed as (
    select
        cost_id,
        account,
        'openai' as provider,
        cast(bucket_start_at as date) as cost_date,
        bucket_start_at,
        bucket_end_at,
        case
            when token_bucket is not null or line_item is null then 'tokens'
            else lower(line_item)
        end as cost_type,
        token_bucket,
        token_type as token_type_raw,
        case when token_bucket is not null then model end as model,
        service_tier,
        cast(null as string) as context_window,
        project_id as workspace,
        api_key_id as api_key,
        billed_cost_usd,
        -- OpenAI's cost exports carry billed amounts only
        cast(null as decimal(38, 12)) as list_cost_usd,
        source_format,
        source_file,
        loaded_at
    from bucketed
)

select * from renamed
