/*
    The generation rule (macros/tier_rungs.sql) on the seeds: per ladder model, cheaper
    tier of its vendor and stretch of days, the models that may stand for that tier, and
    whether an older generation stands in. Read by the ladder (int_usage_rungs); the
    tiering lever applies the same macro to the same seeds.
*/
with ladder as (
    select * from {{ ref('model_tiers') }}
),

availability as (
    select * from {{ ref('model_availability') }}
),

{{ tier_rungs('rungs', 'ladder', 'availability') }},

-- how many models may stand for the tier: with one (every tier of the project's seeds)
-- the ladder takes that model's cost as it is, with no cheapest to find per call
final as (
    select
        rungs.*,
        count(*) over (partition by provider, model_id, tier_rank, valid_from) as rung_models_in_tier
    from rungs
)

select * from final
