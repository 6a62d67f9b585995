/*
    The ladder's figures, summed per day and scope: what usage costs now and what the same
    tokens would cost on each cheaper tier of its vendor, and each of those through the
    Batch API, at what you pay (the contract rate of the model the tokens run on). Each
    priced usage row is carried on every rung (rung 0 is the row as it is; then each tier
    of the vendor's ladder, seed `model_tiers`, below its largest) and the rows are summed
    by day, the ladder's scope columns (account, workspace, API key, model, service tier)
    and the rung's outcome: the one reader, rpt_scope_ladder, sums these same columns, so
    a row per call and rung would only be written to be summed again.

    A rung's model is the cheapest of the tier's rungs for the row's own tokens on its day
    by the generation rule (int_tier_rungs: same or newer generation, an older one only as
    a flagged stand-in), priced for the row's service tier on its day. A row already on
    that tier or below keeps its model. On a day no model of the tier was served and
    priced, or for a model on no ladder, the row stays at its current cost and is not
    covered (`is_covered`): the mart states the share of spend each rung covers. Quality
    is not assumed either way: this is what it would cost, not what to do.
*/
{{ config(**incremental_except_on_spark('replace_days', 'usage_date')) }}
-- incremental on DuckDB: a row's rungs depend on its own tokens, model, tier and day only
-- (no task or latency class), so only the days loads changed are read, and a day's sums
-- are replaced whole

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_batched'), heuristic_flips=false) }}

usage as (
    select * from {{ ref('int_usage_batched') }}
    where is_priced
    {%- if is_incremental() %}
        and {{ is_day_to_rebuild('days_to_rebuild') }}
    {%- endif %}
),

ladder as (
    select * from {{ ref('model_tiers') }}
),

rungs as (
    select * from {{ ref('int_tier_rungs') }}
),

prices as (
    select * from {{ ref('int_prices_effective') }}
),

contract_rates as (
    select * from {{ ref('int_contract_rates') }}
),

-- the tiers each vendor's ladder has below its largest
rung_tiers as (
    select distinct ladder.provider, ladder.tier, ladder.tier_rank
    from ladder
    inner join (
        select provider, max(tier_rank) as top_tier_rank from ladder group by provider
    ) as tops
        on tops.provider = ladder.provider
        and ladder.tier_rank < tops.top_tier_rank
),

-- the rungs each row is carried on: its vendor's tiers below its largest; a row of a
-- seller with no ladder (OpenRouter, Perplexity...) on every tier name, at its own cost
-- and uncovered, so that each rung of a scope holds all of the scope's spend
row_tiers as (
    select provider, tier, tier_rank from rung_tiers
    union all
    select sellers.provider, names.tier, names.tier_rank
    from (
        select distinct provider from usage
        where provider not in (select provider from ladder)
    ) as sellers
    cross join (select distinct tier, tier_rank from rung_tiers) as names
),

{%- set own_batch_applies = "usage.service_tier in ('standard', 'priority') and own_batch.model_id is not null" %}
{%- set rung_batch_applies = "own.service_tier in ('standard', 'priority') and rung_batch.model_id is not null" %}

-- each row through the Batch API on its own model (where it has a batch price and runs
-- on a real-time tier): the list cost here, at its contract rate in `own`
own_listed as (
    select
        usage.*,
        own_rung.tier_rank as own_tier_rank,
        {{ own_batch_applies }} as has_own_batch,
        case when {{ own_batch_applies }} then
            {{ row_cost_at('own_batch.', 'usage.') }}
        end as own_batch_list_cost_usd,
        cast(cast(usage.bucket_start_at as date) as timestamp) as price_day_at
    from usage
    left join ladder as own_rung
        on own_rung.provider = usage.provider
        and own_rung.model_id = usage.model_id
    left join prices as own_batch
        on {{ price_lookup('own_batch', 'usage.model_id', "'batch'") }}
),

own as (
    select
        *,
        {{ contracted_cost('current_cost_usd', 'contract_rate') }} as current_contracted_cost_usd,
        {{ contracted_cost('case when has_own_batch then own_batch_list_cost_usd else current_cost_usd end',
                           'contract_rate') }} as own_batch_contracted_cost_usd
    from own_listed
),

{%- set row_columns = ['usage_id', 'usage_date', 'provider', 'model_id', 'account', 'workspace',
                       'api_key', 'service_tier', 'own_tier_rank', 'current_contracted_cost_usd',
                       'own_batch_contracted_cost_usd'] %}

-- each row on each tier of its vendor's ladder below the largest, with every rung model of
-- that tier it could run on that day (none where it is on that tier or below, or on no
-- ladder), priced for its service tier and (where batchable) at batch: list costs, each
-- written once. A rung model with no price that day, or no price for the row's tokens, is
-- no candidate: its cost is null.
row_rungs_listed as {{ not_materialized() }} (
    select
        {%- for column in row_columns %}
        own.{{ column }},
        {%- endfor %}
        row_tiers.tier as rung,
        row_tiers.tier_rank as rung_tier_rank,
        rung.rung_model_id,
        rung.rung_generation_rank,
        rung.is_stand_in,
        coalesce(rung.rung_models_in_tier, 0) as rung_models_in_tier,
        case when rung_price.model_id is not null then
            {{ row_cost_at('rung_price.', 'own.') }}
        end as rung_list_cost_usd,
        {{ rung_batch_applies }} as has_rung_batch,
        case when {{ rung_batch_applies }} then
            {{ row_cost_at('rung_batch.', 'own.') }}
        end as rung_batch_list_cost_usd,
        coalesce(rung_contract.contract_rate, 1) as rung_contract_rate
    from own
    inner join row_tiers
        on row_tiers.provider = own.provider
    left join rungs as rung
        on rung.provider = own.provider
        and rung.model_id = own.model_id
        and rung.tier_rank = row_tiers.tier_rank
        and cast(own.usage_at as date) >= rung.valid_from
        and cast(own.usage_at as date) < rung.valid_to
    left join prices as rung_price
        on {{ price_lookup('rung_price', 'rung.rung_model_id', 'own.service_tier', 'own') }}
    left join prices as rung_batch
        on {{ price_lookup('rung_batch', 'rung.rung_model_id', "'batch'", 'own') }}
    left join contract_rates as rung_contract
        on rung_contract.provider = rung.provider
        and rung_contract.model_id = rung.rung_model_id
        and own.price_day_at >= rung_contract.valid_from_at
        and own.price_day_at < rung_contract.valid_to_at
),

-- the same at what you pay (the rung model's contract rate)
row_rungs as {{ not_materialized() }} (
    select
        *,
        {{ contracted_cost('rung_list_cost_usd', 'rung_contract_rate') }} as rung_cost_usd,
        {{ contracted_cost('case when has_rung_batch then rung_batch_list_cost_usd else rung_list_cost_usd end',
                           'rung_contract_rate') }} as rung_batch_cost_usd
    from row_rungs_listed
),

-- the row's candidate on each tier: the tier's cheapest rung model at what you pay, the
-- newest generation, then the id, on a tie. Where one model may stand for the tier (every
-- tier of the project's seeds, int_tier_rungs.rung_models_in_tier) the row has at most one
-- candidate, taken as it is; only tiers with several are grouped by row, since grouping
-- (and joining back) every priced row once per rung was the ladder's largest cost.
{%- set best = struct_of([
    ('cost', 'rung_cost_usd'),
    ('newest_generation', '-rung_generation_rank'),
    ('rung_model_id', 'rung_model_id'),
    ('rung_cost_usd', 'rung_cost_usd'),
    ('rung_batch_cost_usd', 'rung_batch_cost_usd'),
    ('is_stand_in', 'is_stand_in'),
]) %}
{%- set row_tier_columns = row_columns + ['rung', 'rung_tier_rank'] %}
candidates as (
    select
        {%- for column in row_tier_columns %}
        {{ column }},
        {%- endfor %}
        -- no candidate (no price for the row's tier that day): no rung model, no batch figure
        case when rung_cost_usd is not null then rung_model_id end as rung_model_id,
        rung_cost_usd,
        case when rung_cost_usd is not null then rung_batch_cost_usd end as rung_batch_cost_usd,
        rung_cost_usd is not null and is_stand_in as is_stand_in
    from row_rungs
    where rung_models_in_tier <= 1

    union all

    select
        {%- for column in row_tier_columns %}
        {{ column }},
        {%- endfor %}
        best.rung_model_id,
        best.rung_cost_usd,
        best.rung_batch_cost_usd,
        best.is_stand_in
    from (
        select
            {%- for column in row_tier_columns %}
            {{ column }},
            {%- endfor %}
            min(case when rung_cost_usd is not null then {{ best }} end) as best
        from row_rungs
        where rung_models_in_tier > 1
        group by {{ row_tier_columns | join(', ') }}
    ) as grouped
),

per_row as (
    select
        {%- for column in row_columns %}
        own.{{ column }},
        {%- endfor %}
        'current' as rung,
        cast(null as int) as rung_tier_rank,
        own.model_id as rung_model_id,
        own.current_contracted_cost_usd as rung_cost_usd,
        own.own_batch_contracted_cost_usd as rung_batch_cost_usd,
        true as is_covered,
        false as is_stand_in
    from own

    union all

    -- a row already on the tier or below keeps its model; one with no candidate stays at
    -- its current cost, not covered
    select
        {%- for column in row_tier_columns %}
        {{ column }},
        {%- endfor %}
        case
            when own_tier_rank <= rung_tier_rank then model_id
            else rung_model_id
        end as rung_model_id,
        case
            when own_tier_rank <= rung_tier_rank then current_contracted_cost_usd
            else coalesce(rung_cost_usd, current_contracted_cost_usd)
        end as rung_cost_usd,
        case
            when own_tier_rank <= rung_tier_rank then own_batch_contracted_cost_usd
            else coalesce(rung_batch_cost_usd, current_contracted_cost_usd)
        end as rung_batch_cost_usd,
        coalesce(own_tier_rank <= rung_tier_rank, false) or rung_cost_usd is not null
            as is_covered,
        coalesce(own_tier_rank > rung_tier_rank and is_stand_in, false) as is_stand_in
    from candidates
),

{%- set grain = ['usage_date', 'provider', 'model_id', 'account', 'workspace', 'api_key', 'service_tier',
                 'own_tier_rank', 'rung', 'rung_tier_rank', 'rung_model_id', 'is_covered', 'is_stand_in'] %}

final as (
    select
        {%- for column in grain %}
        {{ column }},
        {%- endfor %}
        count(*) as usage_rows,
        cast(sum(current_contracted_cost_usd) as {{ money_type() }}) as current_contracted_cost_usd,
        cast(sum(rung_cost_usd) as {{ money_type() }}) as rung_cost_usd,
        cast(sum(rung_batch_cost_usd) as {{ money_type() }}) as rung_batch_cost_usd
    from per_row
    group by {{ grain | join(', ') }}
)

select * from final
