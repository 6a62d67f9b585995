-- A tiering recommendation names a model that was served on the call's date (seed
-- model_availability): never one not yet released, never one already retired.
select usage.usage_id, usage.recommended_model, usage.usage_at
from {{ ref('fct_llm_usage') }} as usage
left join {{ ref('model_availability') }} as availability
    on availability.provider = usage.provider
    and availability.model_id = usage.recommended_model
where usage.recommended_model <> usage.model_id
    and (
        availability.model_id is null
        or usage.usage_at < cast(availability.available_from as timestamp)
        or usage.usage_at >= cast(availability.retired_on as timestamp)
    )
