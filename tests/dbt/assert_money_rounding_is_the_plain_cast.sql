-- DuckDB's fast path of macro usd_from_mtok_amount (amounts under a million rounded in 64
-- bits) gives exactly the plain cast's value: on rounding ties, both sides of the bound,
-- negatives, NULL, and every price of the calendar times a spread of token counts. Other
-- engines use the plain cast itself.
{{ config(enabled=target.type == 'duckdb') }}

with edges as (
    select cast(amount as decimal(38, 12)) as amount
    from (values
        (0), (0.000000000050), (0.000000000150), (0.000000000049), (0.000000000051),
        (-0.000000000050), (-0.000000000150), (0.000000000001), (12.345678901250),
        (999999.999999999950), (999999.999999999949), (999999.999999999999),
        (1000000), (1000000.000000000050), (-999999.999999999950), (-1000000.000000000050),
        (null)
    ) as t(amount)
),

token_counts as (
    -- 1 to 10^8 tokens, on both paths for most prices
    select cast(i * i * 37 + i as bigint) as tokens from range(0, 1700) as t(i)
),

prices as (
    select distinct price
    from {{ ref('int_prices_effective') }}
    unpivot (price for kind in (
        input_usd_per_mtok, output_usd_per_mtok, cache_write_5m_usd_per_mtok,
        cache_write_1h_usd_per_mtok, cache_read_usd_per_mtok
    ))
),

amounts as (
    select amount from edges
    union all
    select token_counts.tokens * prices.price from token_counts cross join prices
)

select amount
from amounts
where {{ usd_from_mtok_amount('amount') }}
    is distinct from cast(amount * 0.000001 as {{ money_type() }})
