/*
    One row per provider, account, day, model, service tier and token bucket where
    request logs and provider buckets cover the same traffic: the bucket's tokens, the
    logs' tokens and the remainder kept as unattributed usage. A negative remainder (the
    logs exceed the bill) is shown here with status `logs_exceed_buckets`, never clipped
    in silence. The rule is documented in int_bucket_remainders.
*/
with remainders as (
    select * from {{ ref('int_bucket_remainders') }}
),

final as (
    select
        provider,
        account,
        usage_date,
        model_key as model_id,
        tier_key as service_tier,
        token_bucket,
        bucket_tokens,
        request_tokens,
        remainder_tokens,
        status
    from remainders
)

select * from final
