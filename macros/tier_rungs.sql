{#-
    The generation rule, held here once: CTEs ending in `name` that give, for each model
    on a tier ladder (`ladder`: seed model_tiers' columns), each cheaper tier of its
    vendor and each stretch of days [valid_from, valid_to), the models that may stand for
    that tier (its rungs). A rung is a model of that tier served throughout the stretch
    (`availability`: seed model_availability's columns) of the same or a newer generation
    than the model it replaces: its own generation where that has the tier served, else
    the nearest newer one (Opus 4 in January 2026 gets Haiku 4.5, never the older, cheaper
    Claude 3.5 Haiku). Only where no same-or-newer model of the tier was served does the
    nearest older generation that has it stand in, flagged `is_stand_in` (Opus 4.1 on
    2025-09-01, before Haiku 4.5, gets Claude 3.5 Haiku). The nearest generation rather
    than the cheapest of all newer ones: the recommendation stays as close to the model
    it replaces as the vendor's line-up allows. Among a tier's rungs the consumer takes
    the cheapest for its own tokens, priced on the usage's day (int_usage_tiered for the
    tiering lever, int_usage_rungs for the ladder).

    Which models are served changes only on an availability boundary, so the days are cut
    into stretches between consecutive boundaries of the vendor: a few hundred rows,
    which usage meets by a range join on its day. A macro rather than only a model so the
    tiering lever's unit tests exercise the rule on their own seed rows.
-#}
{% macro tier_rungs(name, ladder, availability) -%}
{{ name }}_boundaries as (
    select provider, cast(available_from as date) as boundary_day from {{ availability }}
    union
    select provider, cast(retired_on as date) as boundary_day from {{ availability }}
    where retired_on is not null
    union
    select provider, cast('1900-01-01' as date) as boundary_day from {{ availability }}
),

{{ name }}_stretches as (
    select
        provider,
        boundary_day as valid_from,
        coalesce(
            lead(boundary_day) over (partition by provider order by boundary_day),
            cast('9999-12-31' as date)
        ) as valid_to
    from {{ name }}_boundaries
),

-- the ladder's models served on every day of a stretch
{{ name }}_served as (
    select
        stretch.provider,
        stretch.valid_from,
        stretch.valid_to,
        rung.model_id,
        rung.tier,
        rung.tier_rank,
        rung.generation_rank
    from {{ name }}_stretches as stretch
    inner join {{ availability }} as served
        on served.provider = stretch.provider
        and cast(served.available_from as date) <= stretch.valid_from
        and (
            served.retired_on is null
            or cast(served.retired_on as date) >= stretch.valid_to
        )
    inner join {{ ladder }} as rung
        on rung.provider = served.provider
        and rung.model_id = served.model_id
),

{{ name }}_pairs as (
    select
        own.provider,
        own.model_id,
        own.tier_rank as own_tier_rank,
        own.generation_rank as own_generation_rank,
        served.valid_from,
        served.valid_to,
        served.tier,
        served.tier_rank,
        served.model_id as rung_model_id,
        served.generation_rank as rung_generation_rank
    from {{ ladder }} as own
    inner join {{ name }}_served as served
        on served.provider = own.provider
        and served.tier_rank < own.tier_rank
),

-- the generation a tier's rungs come from that stretch: the model's own, else the
-- nearest newer one that has the tier served, else (a stand-in) the nearest older one
{{ name }}_generations as (
    select
        provider,
        model_id,
        tier_rank,
        valid_from,
        coalesce(
            min(case when rung_generation_rank >= own_generation_rank then rung_generation_rank end),
            max(rung_generation_rank)
        ) as chosen_generation_rank
    from {{ name }}_pairs
    group by provider, model_id, tier_rank, valid_from
),

{{ name }} as (
    select
        pairs.provider,
        pairs.model_id,
        pairs.own_tier_rank,
        pairs.own_generation_rank,
        pairs.valid_from,
        pairs.valid_to,
        pairs.tier,
        pairs.tier_rank,
        pairs.rung_model_id,
        pairs.rung_generation_rank,
        pairs.rung_generation_rank < pairs.own_generation_rank as is_stand_in
    from {{ name }}_pairs as pairs
    inner join {{ name }}_generations as generations
        on generations.provider = pairs.provider
        and generations.model_id = pairs.model_id
        and generations.tier_rank = pairs.tier_rank
        and generations.valid_from = pairs.valid_from
        and generations.chosen_generation_rank = pairs.rung_generation_rank
)
{%- endmacro %}
