-- A usage row must find at most one price: no two rows of the price calendar for the same
-- provider, model, service tier and inference geo may overlap in time.
select a.provider, a.model_id, a.service_tier, a.inference_geo, a.valid_from_at, b.valid_from_at as overlapping_from
from {{ ref('int_prices_effective') }} as a
inner join {{ ref('int_prices_effective') }} as b
    on a.provider = b.provider
    and a.model_id = b.model_id
    and a.service_tier = b.service_tier
    and a.inference_geo = b.inference_geo
    and a.valid_from_at < b.valid_to_at
    and b.valid_from_at < a.valid_to_at
    and (a.valid_from_at <> b.valid_from_at or a.price_source <> b.price_source)
