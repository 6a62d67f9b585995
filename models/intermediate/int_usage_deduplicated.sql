/*
    Every staged usage record, with overlapping provider bucket exports reduced to one,
    and the keys int_bucket_remainders nets buckets and request logs on.

    Provider buckets (bucket_end_at > bucket_start_at) of the same provider, account and
    UTC day may come from several exports of the same traffic: a 1h and a 1d usage report,
    a usage report and a Console CSV, two group-bys. Per provider, account and day only
    one export shape (`bucket_shape`: format + group-by) is kept: the finest bucket width,
    then the shape covering more of the day, then the shape loaded last. The width is the
    export's nominal one (`bucket_width_seconds`): a partial bucket (an export starting or
    ending mid-bucket) is shorter, yet one bucket of its export, kept with the others. (Re-exports of the same shape need no rule here: they
    share keys, and the loader kept the copy loaded last.)

    Request-level records stay, except the same call logged by two tools: records of one
    provider and account with the same provider response id (`msg_...`, `chatcmpl-...`,
    `resp_...`) from different logs (the provider's own responses, a canonical file, a
    LiteLLM log, an OTel span) are one call. The provider's own response log is kept,
    then the canonical record, then the one loaded last.

    The netting keys are the model and the tier the export states. A bucket export not
    grouped by service tier states none: its buckets cover the model's calls of every
    tier, so those calls take its tier key and are netted against it.
*/
-- a filter over the union, nothing worth storing on DuckDB; a table on Spark, which would
-- compute it anew for each reader (macro view_except_on_spark)
{{ config(materialized=view_except_on_spark()) }}

{%- set bucket_seconds = epoch_seconds('usage.bucket_end_at') ~ ' - ' ~ epoch_seconds('usage.bucket_start_at') %}

-- Each record's day, bucket width and kind, stated once. DuckDB would keep a CTE that
-- several parts read as a table: every column of every row. Each part below reads only
-- what it needs instead, so the final select alone pays for the model and tier keys, and
-- a reader's day filter reaches the raw scan.
with timed as {{ not_materialized() }} (
    select
        usage.*,
        cast(usage.bucket_start_at as date) as usage_day,
        usage.bucket_end_at > usage.bucket_start_at as is_provider_bucket,
        coalesce(usage.bucket_width_seconds, {{ bucket_seconds }}) as bucket_seconds
    from {{ ref('int_usage_unioned') }} as usage
),

model_resolution as (
    select provider, model_spelling, model_id from {{ ref('int_model_resolution') }}
),

tier_spellings as (
    select provider, spelling, service_tier from {{ ref('service_tier_spellings') }}
),

-- the model and tier as the export states them (macro canonical_model_and_tier); a
-- bucket that states no tier keeps its spelling: it covers calls of every tier
keyed as (
    select
        usage.*,
        coalesce({{ canonical_model_id() }}, lower(usage.model)) as model_key,
        coalesce({{ stated_service_tier() }}, usage.service_tier_raw) as stated_tier_key
    from timed as usage
    {{ canonical_model_and_tier_joins('usage') }}
),

bucket_shapes as (
    select
        provider,
        account,
        usage_day,
        bucket_seconds,
        bucket_shape,
        {{ epoch_seconds('max(bucket_end_at)') }} - {{ epoch_seconds('min(bucket_start_at)') }}
            as covered_seconds,
        max(loaded_at) as shape_loaded_at
    from timed
    where is_provider_bucket
    group by provider, account, usage_day, bucket_seconds, bucket_shape
),

-- per provider, account and day: the finest width, then the shape covering more of the
-- day (a partial first bucket against a full one), then the shape loaded last
kept_shapes as (
    select provider, account, usage_day, bucket_seconds, bucket_shape
    from (
        select
            bucket_shapes.*,
            row_number() over (
                partition by provider, account, usage_day
                order by bucket_seconds, covered_seconds desc, shape_loaded_at desc,
                    bucket_shape
            ) as shape_rank
        from bucket_shapes
    ) as ranked
    where shape_rank = 1
),

-- the ids logged more than once: a plain count first, as nearly every id is logged once
-- and ranking the copies of every id costs several times more
copied_calls as (
    select provider, account, request_id
    from timed
    where not is_provider_bucket and request_id is not null
    group by provider, account, request_id
    having count(*) > 1
),

-- one record per call logged more than once
call_copies as (
    select
        usage.provider,
        usage.account,
        usage.request_id,
        min_by(
            usage.usage_id,
            {{ struct_of([
                ('log_rank', "case when usage.source_format like usage.provider || '%' then 0
                    when usage.source_format like 'canonical%' then 1 else 2 end"),
                ('loaded_at', '-' ~ epoch_seconds('usage.loaded_at')),
                ('usage_id', 'usage.usage_id'),
            ]) }}
        ) as kept_usage_id
    from timed as usage
    inner join copied_calls
        on copied_calls.provider = usage.provider
        and copied_calls.account = usage.account
        and copied_calls.request_id = usage.request_id
    where not usage.is_provider_bucket
    group by usage.provider, usage.account, usage.request_id
),

-- the models and days whose kept buckets do not state a tier (one export shape is kept
-- per day, so its buckets all state the tier or none do): the request logs of those
-- models net against them whatever their own tier, never counted beside them
untiered_groups as (
    select distinct
        usage.provider,
        usage.account,
        usage.usage_day,
        coalesce({{ canonical_model_id() }}, lower(usage.model)) as model_key
    from timed as usage
    inner join kept_shapes
        on kept_shapes.provider = usage.provider
        and kept_shapes.account = usage.account
        and kept_shapes.usage_day = usage.usage_day
        and kept_shapes.bucket_seconds = usage.bucket_seconds
        and kept_shapes.bucket_shape = usage.bucket_shape
    {{ canonical_model_join('usage') }}
    where usage.is_provider_bucket and {{ tier_assumed('usage') }}
),

final as (
    select
        keyed.*,
        case when untiered_groups.provider is not null then {{ unstated_service_tier() }}
            else keyed.stated_tier_key end as tier_key
    from keyed
    left join untiered_groups
        on not keyed.is_provider_bucket
        and untiered_groups.provider = keyed.provider
        and untiered_groups.account = keyed.account
        and untiered_groups.usage_day = keyed.usage_day
        and untiered_groups.model_key = keyed.model_key
    left join call_copies
        on call_copies.provider = keyed.provider
        and call_copies.account = keyed.account
        and call_copies.request_id = keyed.request_id
    left join kept_shapes
        on kept_shapes.provider = keyed.provider
        and kept_shapes.account = keyed.account
        and kept_shapes.usage_day = keyed.usage_day
        and kept_shapes.bucket_seconds = keyed.bucket_seconds
        and kept_shapes.bucket_shape = keyed.bucket_shape
    where (
            not keyed.is_provider_bucket
            and (call_copies.kept_usage_id is null or call_copies.kept_usage_id = keyed.usage_id)
        )
        or (keyed.is_provider_bucket and kept_shapes.provider is not null)
)

select * from final
