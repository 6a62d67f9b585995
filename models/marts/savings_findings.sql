/*
    One row per finding: a lever applied to one feature on one model, with what it would
    save over the observed window and per 30 days, at what you pay (contracted price;
    list price where no negotiated discount applies). Each lever is measured alone against
    current cost (the report's waterfall shows them stacked). Confidence is the lever's
    own (`tiering_confidence`, `batch_confidence` in fct_llm_usage); caching rests on a
    prefix the export declared, so it is always confirmed.
*/
with usage as (
    select * from {{ ref('fct_llm_usage') }} where is_priced
),

window_bounds as (
    select monthly_factor from {{ ref('rpt_audit_window') }}
),

tiering as (
    select
        'tiering' as lever,
        tiering_confidence as confidence,
        provider,
        model_id,
        coalesce(feature, '(none)') as feature,
        recommended_model,
        cast(null as varchar) as prefix_hash,
        'Route ' || coalesce(feature, 'unattributed calls') || ' (' || min(task_class) || ') from '
            || model_id || ' to ' || recommended_model as action,
        cast(sum(request_count) as varchar) || ' calls classed ' || min(task_class) || ' ('
            || min(task_class_source) || '), ' || cast(sum(total_tokens) as varchar)
            || ' tokens; ' || recommended_model
            || case when recommendation_basis = 'eval'
                then ' passed your eval for this feature'
                else ' is the cheapest tier that class needs' end as evidence,
        sum(request_count) as request_count,
        sum(current_contracted_cost_usd) as observed_current_cost_usd,
        sum(current_contracted_cost_usd - tiered_contracted_cost_usd) as observed_savings_usd
    from (
        select
            usage.*,
            input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens
                + output_tokens as total_tokens
        from usage
    ) as tokens_totalled
    where recommended_model <> model_id
    group by
        1, 2, provider, model_id, coalesce(feature, '(none)'), recommended_model, feature,
        recommendation_basis
),

batching as (
    select
        'batch' as lever,
        batch_confidence as confidence,
        provider,
        model_id,
        coalesce(feature, '(none)') as feature,
        cast(null as varchar) as recommended_model,
        cast(null as varchar) as prefix_hash,
        'Send ' || coalesce(feature, 'unattributed calls') || ' on ' || model_id
            || ' through the Batch API' as action,
        cast(sum(request_count) as varchar) || ' async-tolerant calls ('
            || min(latency_class_source) || ') ran on the ' || min(service_tier)
            || ' tier; ' || model_id || ' has a batch price' as evidence,
        sum(request_count) as request_count,
        sum(current_contracted_cost_usd) as observed_current_cost_usd,
        sum(current_contracted_cost_usd - batched_contracted_cost_usd) as observed_savings_usd
    from usage
    where batched_contracted_cost_usd < current_contracted_cost_usd
    group by 1, 2, provider, model_id, coalesce(feature, '(none)'), feature
),

-- a whole stream's calls count, writes included: a write can cost more than it saved
caching as (
    select
        'caching' as lever,
        'confirmed' as confidence,
        provider,
        model_id,
        coalesce(feature, '(none)') as feature,
        cast(null as varchar) as recommended_model,
        prefix_hash,
        'Cache the ' || cast(max(prefix_tokens) as varchar) || '-token prompt prefix '
            || prefix_hash || ' of ' || coalesce(feature, 'unattributed calls') || ' on '
            || model_id || ' with a ' || min(cache_ttl_choice) || ' TTL' as action,
        cast(sum(request_count) as varchar) || ' calls share prefix ' || prefix_hash
            || ', billed today as uncached input' as evidence,
        sum(request_count) as request_count,
        sum(current_contracted_cost_usd) as observed_current_cost_usd,
        sum(current_contracted_cost_usd - cached_contracted_cost_usd) as observed_savings_usd
    from usage
    where cache_ttl_choice <> 'none'
    group by 1, 2, provider, model_id, coalesce(feature, '(none)'), prefix_hash, feature
),

findings as (
    select * from tiering
    union all
    select * from batching
    union all
    select * from caching
),

final as (
    select
        md5(
            lever || '|' || confidence || '|' || provider || '|' || model_id || '|' || feature
            || '|' || coalesce(recommended_model, '') || '|' || coalesce(prefix_hash, '')
        ) as finding_id,
        lever,
        confidence,
        provider,
        model_id,
        feature,
        recommended_model,
        prefix_hash,
        action,
        evidence,
        request_count,
        cast(observed_current_cost_usd as {{ money_type() }}) as observed_current_cost_usd,
        cast(observed_savings_usd as {{ money_type() }}) as observed_savings_usd,
        cast(observed_current_cost_usd * window_bounds.monthly_factor as {{ money_type() }})
            as monthly_current_cost_usd,
        cast(observed_savings_usd * window_bounds.monthly_factor as {{ money_type() }})
            as monthly_savings_usd,
        -- a display ratio, not money
        cast(round(100.0 * observed_savings_usd / nullif(observed_current_cost_usd, 0), 2) as decimal(7, 2))
            as savings_pct
    from findings
    cross join window_bounds
    where observed_savings_usd > 0
)

select * from final
