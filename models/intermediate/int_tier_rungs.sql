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

{{ tier_rungs('final', 'ladder', 'availability') }}

select * from final
