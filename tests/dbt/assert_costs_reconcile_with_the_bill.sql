-- The computed cost of a closed day matches the provider's bill within
-- var('reconciliation_max_variance_pct') on every line of at least
-- var('reconciliation_spend_floor_usd') (status `variance_over_threshold` otherwise).
-- A line with usage priced on the standard-tier assumption (status `assumed`) is shown in
-- the mart, never judged here: its variance may be the unstated tier, not an error.
-- The error names each line: account, day, provider, model, cost type, token bucket.
with failing as (
    select
        account || ' ' || cast(cost_date as string) || ' ' || provider || ' '
            || coalesce(model_id, 'all models') || ' ' || cost_type || ' '
            || coalesce(token_bucket, 'all token types')
            || ': computed $' || cast(cast(computed_cost_usd as decimal(38, 6)) as string)
            || ' vs ' || comparison_basis || ' $'
            || cast(cast(reported_cost_usd as decimal(38, 6)) as string)
            || ' (' || coalesce(cast(variance_pct as string) || '%', 'billed $0') || ')'
            as line
    from {{ ref('cost_reconciliation') }}
    where status = 'variance_over_threshold'
),

summary as (
    select count(*) as failing_lines, {{ distinct_values_text('line') }} as lines
    from failing
)

-- the error is raised in the filter: dbt wraps a test in `count(*)`, which would drop
-- an unused column (and its error) from the projection
select failing_lines
from summary
where failing_lines > 0
    and {{ raise_error(
        "'cost_reconciliation: ' || cast(failing_lines as string)
        || ' line(s) differ from the provider bill by more than "
        ~ var('reconciliation_max_variance_pct') ~ "% (floor $"
        ~ var('reconciliation_spend_floor_usd') ~ "): ' || lines"
    ) }} is null
