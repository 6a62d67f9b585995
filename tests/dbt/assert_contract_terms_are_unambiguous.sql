-- Two terms for the same provider and model pattern may not overlap in time: nothing
-- would say which discount applies (a model's own term over a provider-wide one is fine).
{%- set bounds = "coalesce(cast({0} as timestamp), cast('{1}' as timestamp))" %}
select a.provider, a.model_pattern, a.valid_from, b.valid_from as overlapping_from
from {{ ref('settings_contracted_discounts') }} as a
inner join {{ ref('settings_contracted_discounts') }} as b
    on a.provider = b.provider
    and coalesce(nullif(a.model_pattern, ''), '%') = coalesce(nullif(b.model_pattern, ''), '%')
    and {{ bounds.format('a.valid_from', '1900-01-01') }} < {{ bounds.format('b.valid_to', '9999-12-31') }}
    and {{ bounds.format('b.valid_from', '1900-01-01') }} < {{ bounds.format('a.valid_to', '9999-12-31') }}
    and (
        {{ bounds.format('a.valid_from', '1900-01-01') }} <> {{ bounds.format('b.valid_from', '1900-01-01') }}
        or a.discount_percent <> b.discount_percent
        or coalesce(a.note, '') <> coalesce(b.note, '')
    )
