/*
    One row: the observed window every "per 30 days" figure is scaled from, from the
    earliest bucket start (or request time) to the latest bucket end, in fractional days.
*/
with usage as (
    select * from {{ ref('fct_llm_usage') }}
),

bounds as (
    select
        min(bucket_start_at) as window_start_at,
        max(bucket_end_at) as window_end_at
    from usage
),

final as (
    select
        window_start_at,
        window_end_at,
        {{ epoch_seconds('window_end_at') }} - {{ epoch_seconds('window_start_at') }} as window_seconds,
        cast(
            ({{ epoch_seconds('window_end_at') }} - {{ epoch_seconds('window_start_at') }}) / 86400.0
            as decimal(18, 6)
        ) as window_days,
        -- rounded to 12 decimals once, so monthly figures stay DECIMAL (a division is DOUBLE)
        case when window_end_at > window_start_at then
            cast(
                2592000.0 / ({{ epoch_seconds('window_end_at') }} - {{ epoch_seconds('window_start_at') }})
                as decimal(20, 12)
            )
        end as monthly_factor
    from bounds
)

select * from final
