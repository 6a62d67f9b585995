/*
    One row per provider, model and interval during which a negotiated discount applies
    (seed `contracted_discounts`): `contract_rate` is the share of list price paid
    (1 - percent / 100). Intervals of one model never overlap: where terms overlap, the
    one with the longest model pattern wins (a model's own term over the provider-wide
    one). A model and time with no term pays list price (no row here).
*/
with terms as (
    select
        provider,
        coalesce(nullif(model_pattern, ''), '%') as model_pattern,
        {{ rate_from_percent('discount_percent') }} as contract_rate,
        coalesce(cast(valid_from as timestamp), cast('1900-01-01' as timestamp)) as valid_from_at,
        coalesce(cast(valid_to as timestamp), cast('9999-12-31' as timestamp)) as valid_to_at,
        coalesce(note, 'contracted discount') as note
    from {{ ref('settings_contracted_discounts') }}
),

priced_models as (
    select distinct provider, model_id from {{ ref('int_prices_effective') }}
),

model_terms as (
    select priced_models.model_id, terms.*
    from priced_models
    inner join terms
        on terms.provider = priced_models.provider
        and priced_models.model_id like terms.model_pattern
),

-- every date a term of the model starts or ends cuts its timeline into segments
boundaries as (
    select provider, model_id, valid_from_at as boundary_at from model_terms
    union
    select provider, model_id, valid_to_at as boundary_at from model_terms
),

segments as (
    select
        provider,
        model_id,
        boundary_at as valid_from_at,
        lead(boundary_at) over (partition by provider, model_id order by boundary_at)
            as valid_to_at
    from boundaries
),

covering_terms as (
    select
        segments.*,
        model_terms.contract_rate,
        model_terms.model_pattern,
        model_terms.note,
        row_number() over (
            partition by segments.provider, segments.model_id, segments.valid_from_at
            order by length(model_terms.model_pattern) desc, model_terms.valid_from_at desc
        ) as specificity_rank
    from segments
    inner join model_terms
        on model_terms.provider = segments.provider
        and model_terms.model_id = segments.model_id
        and model_terms.valid_from_at <= segments.valid_from_at
        and segments.valid_to_at <= model_terms.valid_to_at
)

select
    provider,
    model_id,
    valid_from_at,
    valid_to_at,
    contract_rate,
    model_pattern,
    note as contract_source
from covering_terms
where specificity_rank = 1
