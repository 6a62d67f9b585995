/*
    The heuristic classes per provider, exported model and feature, over all usage, with
    the signal each rests on (its name, value, threshold, the grain it was read from and
    how many provider buckets it read: savings_findings turns them into evidence).

    Task class `classification` (a feature that answers in a few tokens), from the first
    signal that holds:
    - `output_tokens_per_request`: where requests are counted (request logs, OpenAI
      buckets), enough requests averaging few output tokens;
    - `output_tokens_per_input_token`: on provider buckets (Anthropic's count no
      requests), few output tokens per input token on enough days.
    Latency class `async` (a feature that can wait), from the first signal that holds:
    - `hours_of_day`: calls, or buckets of an hour or finer, day after day within the same
      hour or two of the day: a job on a clock. Daily buckets carry no time of day;
    - `weekend_to_weekday_ratio`: on provider buckets, a feature spending about as much a
      day at the weekend as on weekdays runs without people waiting on it.
    Caching candidate, `cache_reads_per_input_token`: on provider buckets (no prompt
    prefixes), on enough days, a large input each day with (almost) none of it read from
    the cache: savings_findings prices it where the model has a cache-read price.

    Its own model because it reads every day of usage while the usage chain is rebuilt
    day by day: a new day can change a feature's class on every earlier day, and the
    incremental models compare their rows with this table to find out (docs/internals.md).
*/
with usage as (
    -- per resolved feature: provider exports get theirs in int_usage_featured
    select
        featured.*,
        coalesce(featured.feature, '') as feature_key,
        featured.bucket_width_seconds is not null as is_bucket,
        featured.input_tokens + featured.cache_write_5m_tokens + featured.cache_write_1h_tokens
            + featured.cache_read_tokens as total_input_tokens,
        cast(featured.usage_at as date) as usage_day
    from {{ ref('int_usage_featured') }} as featured
),

-- token shape where requests are counted: enough calls that all answer in a few tokens
call_shapes as (
    select
        provider,
        model,
        feature_key,
        sum(request_count) as shape_requests,
        sum(output_tokens) as shape_output_tokens,
        max(bucket_width_seconds) as shape_width_seconds,
        sum(case when is_bucket then 1 else 0 end) as shape_buckets
    from usage
    where request_count > 0
    group by provider, model, feature_key
),

-- token shape on provider buckets: output against input, on enough days
bucket_shapes as (
    select
        provider,
        model,
        feature_key,
        sum(output_tokens) as bucket_output_tokens,
        sum(total_input_tokens) as bucket_input_tokens,
        sum(input_tokens) as bucket_uncached_input_tokens,
        sum(cache_read_tokens) as bucket_cache_read_tokens,
        count(distinct usage_day) as bucket_days,
        max(bucket_width_seconds) as bucket_width_seconds,
        count(*) as bucket_rows
    from usage
    where is_bucket
    group by provider, model, feature_key
),

-- timing, from calls and from buckets of an hour or finer: a daily bucket has no hour
call_clocks as (
    select
        provider,
        model,
        feature_key,
        count(distinct usage_day) as active_days,
        count(distinct extract(hour from usage_at)) as active_hours_of_day,
        max(bucket_width_seconds) as clock_width_seconds,
        sum(case when is_bucket then 1 else 0 end) as clock_buckets
    from usage
    where ((not is_bucket and request_count = 1) or bucket_width_seconds <= 3600)
        and total_input_tokens + output_tokens > 0
    group by provider, model, feature_key
),

-- the days the exports cover: a feature absent on a covered day spent nothing that day
covered_days as (
    select distinct usage_day, {{ is_weekend('usage_day') }} as is_weekend_day
    from usage
    where is_bucket
),

-- weekday/weekend shape on provider buckets: tokens per covered day of each kind
bucket_weeks as (
    select
        provider,
        model,
        feature_key,
        min(usage_day) as first_day,
        max(usage_day) as last_day,
        sum(case when {{ is_weekend('usage_day') }} then total_input_tokens + output_tokens else 0 end)
            as weekend_tokens,
        sum(case when {{ is_weekend('usage_day') }} then 0 else total_input_tokens + output_tokens end)
            as weekday_tokens
    from usage
    where is_bucket
    group by provider, model, feature_key
),

week_shapes as (
    select
        bucket_weeks.provider,
        bucket_weeks.model,
        bucket_weeks.feature_key,
        -- weekend tokens a day / weekday tokens a day, over the covered days of the span
        cast(
            (bucket_weeks.weekend_tokens * 1.0 / sum(case when covered_days.is_weekend_day then 1 else 0 end))
            / nullif(bucket_weeks.weekday_tokens * 1.0
                / nullif(sum(case when covered_days.is_weekend_day then 0 else 1 end), 0), 0)
            as decimal(20, 6)
        ) as weekend_to_weekday_ratio
    from bucket_weeks
    inner join covered_days
        on covered_days.usage_day between bucket_weeks.first_day and bucket_weeks.last_day
    group by bucket_weeks.provider, bucket_weeks.model, bucket_weeks.feature_key,
        bucket_weeks.weekend_tokens, bucket_weeks.weekday_tokens
    having sum(case when covered_days.is_weekend_day then 1 else 0 end) > 0
),

signals as (
    select
        scopes.provider,
        scopes.model,
        scopes.feature_key,
        coalesce(
            call_shapes.shape_requests >= {{ var('heuristic_min_requests') }}
                and call_shapes.shape_output_tokens
                    <= call_shapes.shape_requests * {{ var('heuristic_max_output_tokens_per_request') }},
            false
        ) as fires_output_per_request,
        call_shapes.shape_output_tokens * 1.0 / nullif(call_shapes.shape_requests, 0)
            as output_per_request,
        call_shapes.shape_width_seconds,
        call_shapes.shape_buckets,
        coalesce(
            bucket_shapes.bucket_days >= {{ var('heuristic_bucket_min_days') }}
                and bucket_shapes.bucket_input_tokens > 0
                and bucket_shapes.bucket_output_tokens
                    <= bucket_shapes.bucket_input_tokens * {{ var('heuristic_max_output_per_input_token') }},
            false
        ) as fires_output_per_input,
        bucket_shapes.bucket_output_tokens * 1.0 / nullif(bucket_shapes.bucket_input_tokens, 0)
            as output_per_input,
        bucket_shapes.bucket_width_seconds,
        bucket_shapes.bucket_rows,
        bucket_shapes.bucket_days,
        coalesce(
            call_clocks.active_days >= {{ var('heuristic_async_min_days') }}
                and call_clocks.active_hours_of_day <= {{ var('heuristic_async_max_hours_of_day') }},
            false
        ) as fires_hours_of_day,
        call_clocks.active_hours_of_day,
        call_clocks.clock_width_seconds,
        call_clocks.clock_buckets,
        coalesce(
            bucket_shapes.bucket_days >= {{ var('heuristic_bucket_min_days') }}
                and week_shapes.weekend_to_weekday_ratio >= {{ var('heuristic_async_min_weekend_ratio') }},
            false
        ) as fires_weekend_ratio,
        week_shapes.weekend_to_weekday_ratio,
        coalesce(
            bucket_shapes.bucket_days >= {{ var('heuristic_bucket_min_days') }}
                and bucket_shapes.bucket_input_tokens > 0
                and bucket_shapes.bucket_cache_read_tokens
                    <= bucket_shapes.bucket_input_tokens * {{ var('heuristic_max_cache_read_share') }}
                and bucket_shapes.bucket_uncached_input_tokens
                    >= bucket_shapes.bucket_days * {{ var('heuristic_cache_min_input_tokens_per_day') }},
            false
        ) as fires_cache_reads,
        bucket_shapes.bucket_cache_read_tokens * 1.0 / nullif(bucket_shapes.bucket_input_tokens, 0)
            as cache_reads_per_input,
        bucket_shapes.bucket_uncached_input_tokens / nullif(bucket_shapes.bucket_days, 0)
            as uncached_input_per_day
    from (select distinct provider, model, feature_key from usage) as scopes
    left join call_shapes
        on call_shapes.provider = scopes.provider
        and call_shapes.model = scopes.model
        and call_shapes.feature_key = scopes.feature_key
    left join bucket_shapes
        on bucket_shapes.provider = scopes.provider
        and bucket_shapes.model = scopes.model
        and bucket_shapes.feature_key = scopes.feature_key
    left join call_clocks
        on call_clocks.provider = scopes.provider
        and call_clocks.model = scopes.model
        and call_clocks.feature_key = scopes.feature_key
    left join week_shapes
        on week_shapes.provider = scopes.provider
        and week_shapes.model = scopes.model
        and week_shapes.feature_key = scopes.feature_key
),

final as (
    select
        provider,
        model,
        feature_key,
        case when fires_output_per_request or fires_output_per_input then 'classification' end
            as heuristic_task_class,
        case when fires_hours_of_day or fires_weekend_ratio then 'async' end
            as heuristic_latency_class,
        -- the evidence of each class: the first signal that holds
        case
            when fires_output_per_request then 'output_tokens_per_request'
            when fires_output_per_input then 'output_tokens_per_input_token'
        end as task_signal,
        cast(case
            when fires_output_per_request then output_per_request
            when fires_output_per_input then output_per_input
        end as decimal(20, 6)) as task_signal_value,
        cast(case
            when fires_output_per_request then {{ var('heuristic_max_output_tokens_per_request') }}
            when fires_output_per_input then {{ var('heuristic_max_output_per_input_token') }}
        end as decimal(20, 6)) as task_signal_threshold,
        case
            when fires_output_per_request then {{ source_grain('shape_width_seconds') }}
            when fires_output_per_input then {{ source_grain('bucket_width_seconds') }}
        end as task_signal_grain,
        case
            when fires_output_per_request then shape_buckets
            when fires_output_per_input then bucket_rows
        end as task_signal_buckets,
        case
            when fires_hours_of_day then 'hours_of_day'
            when fires_weekend_ratio then 'weekend_to_weekday_ratio'
        end as latency_signal,
        cast(case
            when fires_hours_of_day then active_hours_of_day
            when fires_weekend_ratio then weekend_to_weekday_ratio
        end as decimal(20, 6)) as latency_signal_value,
        cast(case
            when fires_hours_of_day then {{ var('heuristic_async_max_hours_of_day') }}
            when fires_weekend_ratio then {{ var('heuristic_async_min_weekend_ratio') }}
        end as decimal(20, 6)) as latency_signal_threshold,
        case
            when fires_hours_of_day then {{ source_grain('clock_width_seconds') }}
            when fires_weekend_ratio then {{ source_grain('bucket_width_seconds') }}
        end as latency_signal_grain,
        case
            when fires_hours_of_day then clock_buckets
            when fires_weekend_ratio then bucket_rows
        end as latency_signal_buckets,
        -- the caching candidate's evidence: null where it does not hold
        case when fires_cache_reads then 'cache_reads_per_input_token' end as cache_signal,
        cast(case when fires_cache_reads then cache_reads_per_input end as decimal(20, 6))
            as cache_signal_value,
        cast(case when fires_cache_reads then {{ var('heuristic_max_cache_read_share') }} end
            as decimal(20, 6)) as cache_signal_threshold,
        case when fires_cache_reads then {{ source_grain('bucket_width_seconds') }} end
            as cache_signal_grain,
        case when fires_cache_reads then bucket_rows end as cache_signal_buckets,
        case when fires_cache_reads then bucket_days end as cache_signal_days,
        cast(case when fires_cache_reads then uncached_input_per_day end as decimal(20, 1))
            as cache_signal_input_tokens_per_day
    from signals
)

select * from final
