/*
    Every staged usage record, with overlapping provider bucket exports reduced to one,
    and the keys int_bucket_remainders nets buckets and request logs on.

    Provider buckets (bucket_end_at > bucket_start_at) of the same provider, account and
    UTC day may come from several exports of the same traffic: a 1h and a 1d usage report,
    a usage report and a Console CSV, two group-bys. Per provider, account and day only
    one export shape (`bucket_shape`: format + group-by) is kept: the finest bucket width,
    then the shape loaded last. (Re-exports of the same shape need no rule here: they
    share keys, and the loader kept the copy loaded last.) Request-level records all stay.
*/
{{ config(materialized='view') }}  -- a filter over the union: nothing worth storing

with usage as (
    select * from {{ ref('int_usage_unioned') }}
),

aliases as (
    select alias, provider, model_id from {{ ref('model_aliases') }}
),

tier_spellings as (
    select provider, spelling, service_tier from {{ ref('service_tier_spellings') }}
),

-- the model and tier as priced (macro canonical_model_and_tier), the day, the width
keyed as (
    select
        usage.*,
        cast(usage.bucket_start_at as date) as usage_day,
        coalesce({{ canonical_model_id() }}, lower(usage.model)) as model_key,
        coalesce({{ canonical_service_tier() }}, usage.service_tier_raw) as tier_key,
        usage.bucket_end_at > usage.bucket_start_at as is_provider_bucket,
        {{ epoch_seconds('usage.bucket_end_at') }} - {{ epoch_seconds('usage.bucket_start_at') }}
            as bucket_seconds
    from usage
    {{ canonical_model_and_tier_joins('usage') }}
),

bucket_shapes as (
    select
        provider,
        account,
        usage_day,
        bucket_seconds,
        bucket_shape,
        max(loaded_at) as shape_loaded_at
    from keyed
    where is_provider_bucket
    group by provider, account, usage_day, bucket_seconds, bucket_shape
),

-- per provider, account and day: the finest width, then the export shape loaded last
kept_shapes as (
    select provider, account, usage_day, bucket_seconds, bucket_shape
    from (
        select
            bucket_shapes.*,
            row_number() over (
                partition by provider, account, usage_day
                order by bucket_seconds, shape_loaded_at desc, bucket_shape
            ) as shape_rank
        from bucket_shapes
    ) as ranked
    where shape_rank = 1
),

final as (
    select keyed.*
    from keyed
    where not keyed.is_provider_bucket

    union all

    select keyed.*
    from keyed
    inner join kept_shapes
        on kept_shapes.provider = keyed.provider
        and kept_shapes.account = keyed.account
        and kept_shapes.usage_day = keyed.usage_day
        and kept_shapes.bucket_seconds = keyed.bucket_seconds
        and kept_shapes.bucket_shape = keyed.bucket_shape
    where keyed.is_provider_bucket
)

select * from final
