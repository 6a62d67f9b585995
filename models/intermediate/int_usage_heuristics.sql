/*
    The heuristic classes per provider, exported model and feature, over all usage: the
    token shape (a feature whose calls answer in a few tokens behaves like classification)
    and the timing (a feature whose calls, day after day, all come in the same hour or two
    of the day runs on a clock: a scheduled job that can wait).

    Its own model because it reads every day of usage while the usage chain is rebuilt
    day by day: a new day can change a feature's class on every earlier day, and the
    incremental models compare their rows with this table to find out (docs/internals.md).
*/
with usage as (
    -- per resolved feature: provider exports get theirs in int_usage_featured
    select * from {{ ref('int_usage_featured') }}
),

-- token shape per feature and model: enough calls that all answer in a few tokens
call_shapes as (
    select
        provider,
        model,
        coalesce(feature, '') as feature_key,
        sum(request_count) as shape_requests,
        sum(output_tokens) as shape_output_tokens
    from usage
    group by provider, model, coalesce(feature, '')
),

-- timing per feature and model: requests on enough days, all within a few hours of the day
call_clocks as (
    select
        provider,
        model,
        coalesce(feature, '') as feature_key,
        count(distinct cast(usage_at as date)) as active_days,
        count(distinct extract(hour from usage_at)) as active_hours_of_day
    from usage
    where request_count = 1
    group by provider, model, coalesce(feature, '')
),

final as (
    select
        call_shapes.provider,
        call_shapes.model,
        call_shapes.feature_key,
        case
            when call_shapes.shape_requests >= {{ var('heuristic_min_requests') }}
                and call_shapes.shape_output_tokens
                    <= call_shapes.shape_requests * {{ var('heuristic_max_output_tokens_per_request') }}
                then 'classification'
        end as heuristic_task_class,
        case
            when call_clocks.active_days >= {{ var('heuristic_async_min_days') }}
                and call_clocks.active_hours_of_day <= {{ var('heuristic_async_max_hours_of_day') }}
                then 'async'
        end as heuristic_latency_class
    from call_shapes
    left join call_clocks
        on call_clocks.provider = call_shapes.provider
        and call_clocks.model = call_shapes.model
        and call_clocks.feature_key = call_shapes.feature_key
)

select * from final
