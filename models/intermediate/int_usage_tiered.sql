/*
    The tiering lever alone: each row's tokens, service tier and cache behaviour on its
    recommended model.

    The recommended model is the provider's cheapest rung that meets the row's task class
    (seed `task_class_policy`): the required tier first, else the next tier up, each
    rung of the same or a newer generation served on the row's date and priced for its
    service tier, an older generation only as a flagged stand-in where no such model was
    served (the rule: macros/tier_rungs.sql). The user's eval results (seed `tiering_evals`)
    take precedence: for a candidate model, the row's feature's own eval, else its task
    class's. A model whose pass rate meets the quality bar (var
    `tiering_eval_min_pass_rate`) is a candidate whatever its tier, and preferred, the
    cheapest first; one below the bar is never recommended for that feature. No cheaper
    qualifying model: the row keeps its own model and cost.
*/
{{ config(**per_call_step_config('replace_days', 'usage_date')) }}
-- incremental: each row is tiered on its own, so only the days to rebuild are read

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_priced')) }}

usage as {{ not_materialized() }} (
    select * from {{ ref('int_usage_priced') }}
    {{ only_days_to_rebuild('days_to_rebuild') }}
),

ladder as (
    select * from {{ ref('model_tiers') }}
),

availability as (
    select * from {{ ref('model_availability') }}
),

-- the generation rule: which models may stand for each cheaper tier, day by day
{{ tier_rungs('rungs', 'ladder', 'availability') }},

prices as (
    select * from {{ ref('int_prices_effective') }}
),

evals as (
    select * from {{ ref('settings_tiering_evals') }}
),

contract_rates as (
    select * from {{ ref('int_contract_rates') }}
),

-- Which models can stand in for a row depends only on its provider, model, tier, geo,
-- feature, task class and day (every price, availability and contract boundary is a UTC
-- midnight), so candidates are found once per such key, not per row: the range joins run
-- on a few thousand keys, and rows meet their candidates by an equi-join.
candidate_keys as (
    select distinct
        provider,
        model_id,
        service_tier,
        inference_geo,
        feature,
        task_class,
        required_tier_rank,
        usage_date as usage_day,
        -- the day as the timestamp `price_lookup` compares with the price calendar
        cast(cast(bucket_start_at as date) as timestamp) as bucket_start_at
    from usage
    where is_priced
),

key_candidates as (
    select
        keys.*,
        candidate.model_id as candidate_model_id,
        candidate.tier_rank as candidate_tier_rank,
        candidate.generation_rank as candidate_generation_rank,
        coalesce(rung.is_stand_in, false) as is_stand_in,
        -- the feature's own eval of this model wins over one for the whole task class
        case
            when feature_eval.model_id is not null then 'feature'
            when class_eval.model_id is not null then 'task_class'
        end as eval_scope,
        coalesce(feature_eval.pass_rate, class_eval.pass_rate) as eval_pass_rate,
        case when feature_eval.model_id is not null then feature_eval.eval_cases
            else class_eval.eval_cases end as eval_cases,
        case when feature_eval.model_id is not null then feature_eval.evaluated_on
            else class_eval.evaluated_on end as evaluated_on,
        coalesce(
            coalesce(feature_eval.pass_rate, class_eval.pass_rate)
                >= {{ var('tiering_eval_min_pass_rate') }},
            false
        ) as is_eval_pass,
        coalesce(candidate_contract.contract_rate, 1) as candidate_contract_rate,
        {{ price_columns('candidate_price', 'c_') }}
    from candidate_keys as keys
    inner join ladder as own_rung
        on own_rung.provider = keys.provider
        and own_rung.model_id = keys.model_id
    inner join ladder as candidate
        on candidate.provider = keys.provider
        and candidate.model_id <> keys.model_id
    -- the generation rule: is the candidate a rung of a cheaper tier for this model today
    left join rungs as rung
        on rung.provider = keys.provider
        and rung.model_id = keys.model_id
        and rung.rung_model_id = candidate.model_id
        and keys.usage_day >= rung.valid_from
        and keys.usage_day < rung.valid_to
    left join evals as feature_eval
        on feature_eval.provider = keys.provider
        and feature_eval.feature = keys.feature
        and feature_eval.model_id = candidate.model_id
    left join evals as class_eval
        on class_eval.provider = keys.provider
        and class_eval.feature is null
        and class_eval.task_class = keys.task_class
        and class_eval.model_id = candidate.model_id
    inner join availability
        on availability.provider = candidate.provider
        and availability.model_id = candidate.model_id
        and keys.usage_day >= cast(availability.available_from as date)
        and (
            availability.retired_on is null
            or keys.usage_day < cast(availability.retired_on as date)
        )
    inner join prices as candidate_price
        on {{ price_lookup('candidate_price', 'candidate.model_id', 'keys.service_tier', 'keys') }}
    left join contract_rates as candidate_contract
        on candidate_contract.provider = candidate.provider
        and candidate_contract.model_id = candidate.model_id
        and keys.bucket_start_at >= candidate_contract.valid_from_at
        and keys.bucket_start_at < candidate_contract.valid_to_at
    where coalesce(feature_eval.pass_rate, class_eval.pass_rate)
            >= {{ var('tiering_eval_min_pass_rate') }}
        or (
            coalesce(feature_eval.pass_rate, class_eval.pass_rate) is null
            and rung.rung_model_id is not null
            and candidate.tier_rank >= keys.required_tier_rank
        )
),

candidate_costs as (
    select
        usage.usage_id,
        usage.usage_date,
        usage.current_cost_usd,
        usage.contract_rate,
        key_candidates.*,
        {{ row_cost_at('key_candidates.c_', 'usage.') }}
            as candidate_cost_usd
    from usage
    inner join key_candidates
        on key_candidates.provider = usage.provider
        and key_candidates.model_id = usage.model_id
        and key_candidates.service_tier = usage.service_tier
        and key_candidates.inference_geo = usage.inference_geo
        and key_candidates.feature is not distinct from usage.feature
        and key_candidates.task_class is not distinct from usage.task_class
        and key_candidates.required_tier_rank is not distinct from usage.required_tier_rank
        and key_candidates.usage_day = usage.usage_date
        and key_candidates.bucket_start_at = cast(cast(usage.bucket_start_at as date) as timestamp)
    where usage.is_priced
),

-- the cheapest model whose eval meets the quality bar first, then the lowest sufficient
-- tier's cheapest rung at what you pay (the newest generation on a tie). A candidate must
-- be cheaper both at list price and at contracted price: a model-specific discount can make the
-- bigger model the cheaper one to run, and then tiering down would raise the bill.
-- The order is one struct compared field by field, so the pick is a hash aggregate
-- (min) rather than a sort of every row's candidates; the model id settles ties.
best_candidate as (
    select
        usage_id,
        usage_date,
        min({{ struct_of([
            ('eval_first', 'case when is_eval_pass then 0 else 1 end'),
            ('eval_cost', 'case when is_eval_pass then candidate_cost_usd * candidate_contract_rate
                else 0 end'),
            ('tier_rank', 'candidate_tier_rank'),
            ('cost', 'candidate_cost_usd * candidate_contract_rate'),
            ('newest_generation', '-candidate_generation_rank'),
            ('candidate_model_id', 'candidate_model_id'),
            ('candidate_cost_usd', 'candidate_cost_usd'),
            ('candidate_contract_rate', 'candidate_contract_rate'),
            ('is_eval_pass', 'is_eval_pass'),
            ('is_stand_in', 'is_stand_in'),
            ('eval_scope', 'eval_scope'),
            ('eval_pass_rate', 'eval_pass_rate'),
            ('eval_cases', 'eval_cases'),
            ('evaluated_on', 'evaluated_on'),
        ]) }}) as best
    from candidate_costs
    where candidate_cost_usd < current_cost_usd
        and candidate_cost_usd * candidate_contract_rate < current_cost_usd * contract_rate
    group by usage_id, usage_date
),

final as (
    select
        usage.*,
        coalesce(best_candidate.best.candidate_model_id, usage.model_id) as recommended_model,
        coalesce(best_candidate.best.candidate_cost_usd, usage.current_cost_usd) as tiered_cost_usd,
        coalesce(best_candidate.best.candidate_contract_rate, usage.contract_rate)
            as recommended_contract_rate,
        case
            when best_candidate.best.is_eval_pass then 'eval'
            when best_candidate.usage_id is not null then 'policy'
        end as recommendation_basis,
        -- an older generation standing in: no same-or-newer model of the tier was served
        coalesce(best_candidate.best.is_stand_in and not best_candidate.best.is_eval_pass, false)
            as is_generation_stand_in,
        -- the eval the recommendation rests on, cited by the findings
        case when best_candidate.best.is_eval_pass then best_candidate.best.eval_scope end
            as recommendation_eval_scope,
        case when best_candidate.best.is_eval_pass then best_candidate.best.eval_pass_rate end
            as recommendation_eval_pass_rate,
        case when best_candidate.best.is_eval_pass then best_candidate.best.eval_cases end
            as recommendation_eval_cases,
        case when best_candidate.best.is_eval_pass then best_candidate.best.evaluated_on end
            as recommendation_evaluated_on
    from usage
    -- only candidates cheaper than the row's current cost get here. Joined on the day as
    -- well (a row has one): a reader's day range then reaches the candidates' side too,
    -- so a night prices the candidates of its own days only (macro is_day_to_rebuild)
    left join best_candidate
        on best_candidate.usage_id = usage.usage_id
        and best_candidate.usage_date = usage.usage_date
)

select * from final
