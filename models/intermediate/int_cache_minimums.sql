/*
    One row per priced model: the shortest prompt prefix its provider will cache (seed
    `cache_min_prompt_tokens`: the model's own row, else its provider's default row).
*/
with models as (
    select distinct provider, model_id from {{ ref('int_prices_effective') }}
),

minimums as (
    select * from {{ ref('cache_min_prompt_tokens') }}
),

final as (
    select
        models.provider,
        models.model_id,
        coalesce(own_minimum.min_cacheable_tokens, provider_default.min_cacheable_tokens)
            as min_cacheable_tokens
    from models
    left join minimums as own_minimum
        on own_minimum.provider = models.provider
        and own_minimum.model_id = models.model_id
    left join minimums as provider_default
        on provider_default.provider = models.provider
        and provider_default.model_id is null
)

select * from final
