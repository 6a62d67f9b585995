/*
    One row per account, day, provider, model, cost type and token bucket the provider's
    cost export reports (model and token bucket null where the export was not grouped by
    them): what the provider billed beside what this warehouse computes from the usage,
    like for like, the variance, and whether the day is judged.

    Providers: Anthropic (cost report API, Console cost CSV) and OpenAI (Costs API,
    dashboard cost CSV; model and token type parsed from the line item). Like for like:
    the Console cost CSV carries list prices (`list_price_usd`), so its
    lines compare computed list cost with them; otherwise (the cost report API) computed
    contracted cost (list where no discount applies) with the billed amount. Non-token
    cost types (web search, code execution) are shown, never judged: usage exports carry
    no price for them. Per account, provider and day one cost export is used, the one
    loaded last.
    Computed usage of a covered day that no cost line names (a model the bill lacks) gets
    its own line with a reported cost of 0.

    Status: `open_day` (the export's last day per account and provider may still be
    partial: shown, not judged), `not_computed` (non-token cost), `unknown_model` (the export's model
    maps to no model id), `computed_incomplete` (some usage of the line has no price),
    `assumed` (some usage of the line is priced at the standard tier because its export
    does not state the tier: shown, not judged),
    `ok` (variance within var `reconciliation_max_variance_pct`), `below_spend_floor`
    (over it, on a line below var `reconciliation_spend_floor_usd`), else
    `variance_over_threshold`, which fails the run (tests/dbt/assert_costs_reconcile_with_the_bill.sql).
*/
{% set cost_columns = [
    'cost_id', 'account', 'provider', 'cost_date', 'bucket_start_at', 'bucket_end_at',
    'cost_type', 'token_bucket', 'token_type_raw', 'model', 'service_tier', 'context_window',
    'workspace', 'api_key', 'billed_cost_usd', 'list_cost_usd', 'source_format',
    'source_file', 'loaded_at',
] %}

-- every provider's cost lines, one shape (each staging model spells its token types as
-- the usage buckets)
with reported_lines as (
    {%- for costs in ['stg_anthropic__costs', 'stg_openai__costs'] %}
    select {{ cost_columns | join(', ') }} from {{ ref(costs) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

computed as (
    select * from {{ ref('int_usage_cost_by_token_bucket') }}
    -- token lines only: fees (web searches) are shown from the export, not judged
    where cost_type = 'tokens'
),

model_resolution as (
    select provider, model_spelling, model_id from {{ ref('int_model_resolution') }}
),

-- per account, provider and day, the cost export loaded last (two exports of one bill
-- never add up)
export_per_day as (
    select account, provider, cost_date, source_format
    from (
        select
            account,
            provider,
            cost_date,
            source_format,
            row_number() over (
                partition by account, provider, cost_date
                order by max(loaded_at) desc, source_format
            ) as export_rank
        from reported_lines
        group by account, provider, cost_date, source_format
    ) as ranked
    where export_rank = 1
),

reported_mapped as (
    select
        reported_lines.*,
        {{ canonical_model_id() }} as model_id
    from reported_lines
    inner join export_per_day
        on export_per_day.account = reported_lines.account
        and export_per_day.provider = reported_lines.provider
        and export_per_day.cost_date = reported_lines.cost_date
        and export_per_day.source_format = reported_lines.source_format
    {{ canonical_model_join('reported_lines') }}
),

reported as (
    select
        account,
        cost_date,
        provider,
        model_id,
        min(model) as model,
        cost_type,
        token_bucket,
        min(source_format) as reported_source_format,
        sum(billed_cost_usd) as billed_cost_usd,
        -- list price only where every line of the group has one
        case when count(list_cost_usd) = count(*) then sum(list_cost_usd) end as list_cost_usd
    from reported_mapped
    group by account, cost_date, provider, model_id, model is null, cost_type, token_bucket
),

-- computed cost at the grain of each reported line (a null model or token bucket = all)
matched as (
    select
        reported.account,
        reported.cost_date,
        reported.provider,
        reported.model_id,
        reported.cost_type,
        reported.token_bucket,
        coalesce(sum(computed.usage_row_count), 0) as usage_row_count,
        coalesce(sum(computed.unpriced_row_count), 0) as unpriced_row_count,
        coalesce(sum(computed.tier_assumed_row_count), 0) as tier_assumed_row_count,
        sum(computed.list_cost_usd) as computed_list_cost_usd,
        sum(computed.contracted_cost_usd) as computed_contracted_cost_usd
    from reported
    left join computed
        on reported.cost_type = 'tokens'
        and computed.account = reported.account
        and computed.provider = reported.provider
        and computed.usage_date = reported.cost_date
        and (reported.model_id is null or computed.model_id = reported.model_id)
        and (reported.token_bucket is null or computed.token_bucket = reported.token_bucket)
    group by
        reported.account, reported.cost_date, reported.provider, reported.model_id,
        reported.cost_type, reported.token_bucket
),

-- computed usage on a covered day that no reported token line covers
uncovered as (
    select
        computed.account,
        computed.usage_date as cost_date,
        computed.provider,
        computed.model_id,
        min(computed.model) as model,
        'tokens' as cost_type,
        computed.token_bucket,
        sum(computed.usage_row_count) as usage_row_count,
        sum(computed.unpriced_row_count) as unpriced_row_count,
        sum(computed.tier_assumed_row_count) as tier_assumed_row_count,
        sum(computed.list_cost_usd) as computed_list_cost_usd,
        sum(computed.contracted_cost_usd) as computed_contracted_cost_usd
    from computed
    inner join export_per_day
        on export_per_day.account = computed.account
        and export_per_day.provider = computed.provider
        and export_per_day.cost_date = computed.usage_date
    where computed.has_tokens
        and not exists (
            select 1
            from reported
            where reported.cost_type = 'tokens'
                and reported.account = computed.account
                and reported.provider = computed.provider
                and reported.cost_date = computed.usage_date
                and (reported.model_id is null or reported.model_id = computed.model_id)
                and (reported.token_bucket is null or reported.token_bucket = computed.token_bucket)
        )
    group by computed.account, computed.usage_date, computed.provider, computed.model_id,
        computed.token_bucket
),

lines as (
    select
        reported.account,
        reported.cost_date,
        reported.provider,
        reported.model_id,
        reported.model,
        reported.cost_type,
        reported.token_bucket,
        reported.reported_source_format,
        case when reported.list_cost_usd is not null then 'list' else 'billed' end
            as comparison_basis,
        coalesce(reported.list_cost_usd, reported.billed_cost_usd) as reported_cost_usd,
        case
            when reported.cost_type <> 'tokens' then null
            when reported.list_cost_usd is not null then coalesce(matched.computed_list_cost_usd, 0)
            else coalesce(matched.computed_contracted_cost_usd, 0)
        end as computed_cost_usd,
        matched.usage_row_count,
        matched.unpriced_row_count,
        matched.tier_assumed_row_count
    from reported
    inner join matched
        on matched.account = reported.account
        and matched.cost_date = reported.cost_date
        and matched.provider = reported.provider
        and matched.model_id is not distinct from reported.model_id
        and matched.cost_type = reported.cost_type
        and matched.token_bucket is not distinct from reported.token_bucket

    union all

    select
        uncovered.account,
        uncovered.cost_date,
        uncovered.provider,
        uncovered.model_id,
        uncovered.model,
        uncovered.cost_type,
        uncovered.token_bucket,
        export_per_day.source_format as reported_source_format,
        case when export_per_day.source_format like '%console%' then 'list' else 'billed' end
            as comparison_basis,
        0 as reported_cost_usd,
        case when export_per_day.source_format like '%console%'
            then uncovered.computed_list_cost_usd
            else uncovered.computed_contracted_cost_usd end as computed_cost_usd,
        uncovered.usage_row_count,
        uncovered.unpriced_row_count,
        uncovered.tier_assumed_row_count
    from uncovered
    inner join export_per_day
        on export_per_day.account = uncovered.account
        and export_per_day.provider = uncovered.provider
        and export_per_day.cost_date = uncovered.cost_date
),

last_day as (
    select account, provider, max(cost_date) as last_cost_date
    from reported_lines
    group by account, provider
),

measured as (
    select
        lines.*,
        lines.cost_date < last_day.last_cost_date as is_day_closed,
        cast(lines.computed_cost_usd as {{ money_type() }})
            - cast(lines.reported_cost_usd as {{ money_type() }}) as variance_usd
    from lines
    inner join last_day
        on last_day.account = lines.account
        and last_day.provider = lines.provider
),

final as (
    select
        account,
        cost_date,
        provider,
        model_id,
        model,
        cost_type,
        token_bucket,
        comparison_basis,
        reported_source_format,
        cast(reported_cost_usd as {{ money_type() }}) as reported_cost_usd,
        cast(computed_cost_usd as {{ money_type() }}) as computed_cost_usd,
        cast(variance_usd as {{ money_type() }}) as variance_usd,
        cast(
            case when reported_cost_usd <> 0 then 100 * variance_usd / reported_cost_usd end
            as decimal(38, 6)
        ) as variance_pct,
        cast(usage_row_count as bigint) as usage_row_count,
        cast(unpriced_row_count as bigint) as unpriced_row_count,
        cast(tier_assumed_row_count as bigint) as tier_assumed_row_count,
        is_day_closed,
        case
            when not is_day_closed then 'open_day'
            when cost_type <> 'tokens' then 'not_computed'
            when model is not null and model_id is null then 'unknown_model'
            when unpriced_row_count > 0 then 'computed_incomplete'
            -- priced on the standard-tier assumption: a variance may be the tier, not an error
            when tier_assumed_row_count > 0 then 'assumed'
            when abs(variance_usd) <= abs(reported_cost_usd)
                * {{ var('reconciliation_max_variance_pct') }} * 0.01 then 'ok'
            when greatest(abs(reported_cost_usd), abs(computed_cost_usd))
                < {{ var('reconciliation_spend_floor_usd') }} then 'below_spend_floor'
            else 'variance_over_threshold'
        end as status
    from measured
)

select * from final
