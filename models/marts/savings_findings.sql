/*
    One row per finding: a lever (or a combination of levers) applied to one feature on
    one model, with what it would save over the observed window and per 30 days, the
    evidence it rests on and one sentence of action. Costs and savings are what you pay:
    contracted price, list price where no negotiated discount applies. Each single lever is measured alone
    against current cost; `*_stacked_savings_usd` is all three levers stacked on the same
    calls (the optimized scenario), and a combination row (`tiering+batch`, ...) is that
    stack where more than one lever applies to a feature on a model. Findings overlap, so
    they never add up: the report's waterfall is the whole bill.

    Confidence is the lever's own (`tiering_confidence`, `batch_confidence` in
    fct_llm_usage; a combination's is the row's `savings_confidence`); caching rests on a
    prefix the export declared, so it is always confirmed.
*/
with usage as (
    select
        priced.*,
        input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens
            + output_tokens as total_tokens,
        -- the shape of a call; a provider bucket counts as its average call (not money);
        -- a bucket whose export does not count requests (request_count 0) has no shape
        (input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens)
            / nullif(request_count, 0) as input_tokens_per_call,
        output_tokens / nullif(request_count, 0) as output_tokens_per_call
    from {{ ref('fct_llm_usage') }} as priced
    where is_priced
),

window_bounds as (
    select window_start_at, window_end_at, window_days, monthly_factor
    from {{ ref('rpt_audit_window') }}
),

-- the denominator of each finding's share of spend
priced_spend as (
    select sum(current_contracted_cost_usd) as current_cost_usd from usage
),

{%- set quality_bar = "cast(cast(100 * " ~ var('tiering_eval_min_pass_rate') ~ " as decimal(5, 1)) as string)" %}
{%- set eval_pass_pct = "cast(cast(100 * min(recommendation_eval_pass_rate) as decimal(5, 1)) as string)" %}
{%- set feature_text = "coalesce(feature, 'unattributed calls')" %}

-- what a tiering recommendation rests on: the call shape (it backs the task class), and
-- either the task-class policy or the user's eval, with the quality risk stated
tiering as (
    select
        'tiering' as lever,
        tiering_confidence as confidence,
        provider,
        model_id,
        coalesce(feature, '(none)') as feature,
        recommended_model,
        cast(null as string) as prefix_hash,
        'Route ' || {{ feature_text }} || ' (' || min(task_class) || ') from '
            || model_id || ' to ' || recommended_model as action,
        {{ format_count('sum(request_count)') }} || ' calls classed ' || min(task_class) || ' ('
            || min(task_class_source) || '), ' || {{ format_count('sum(total_tokens)') }}
            || ' tokens; a median call reads '
            || {{ format_count(percentile_value('input_tokens_per_call', 0.5)) }}
            || ' input tokens and writes '
            || {{ format_count(percentile_value('output_tokens_per_call', 0.5)) }}
            || ' output tokens, 90% of calls at most '
            || {{ format_count(percentile_value('output_tokens_per_call', 0.9)) }}
            || ' output tokens; ' || recommended_model
            || case
                when min(recommendation_basis) = 'eval' then
                    ' passed your ' || case min(recommendation_eval_scope)
                        when 'feature' then 'eval of this feature'
                        else min(task_class) || ' eval' end
                    || ' at ' || {{ eval_pass_pct }} || '%'
                    || coalesce(' of ' || {{ format_count('min(recommendation_eval_cases)') }}
                        || ' cases', '')
                    || coalesce(' on ' || cast(min(recommendation_evaluated_on) as string), '')
                    || ' (quality bar ' || {{ quality_bar }} || '%)'
                else ' is the cheapest model of the tier that class needs (task-class policy)'
            end as lever_evidence,
        case
            when min(recommendation_eval_scope) = 'feature' then
                'Rests on your eval: ' || recommended_model || ' passed ' || {{ feature_text }}
                || '''s eval at ' || {{ eval_pass_pct }} || '% against a ' || {{ quality_bar }}
                || '% bar; re-run it when the prompt or the model changes.'
            when min(recommendation_eval_scope) = 'task_class' then
                'Rests on your ' || min(task_class) || ' eval (' || {{ eval_pass_pct }}
                || '% against a ' || {{ quality_bar }} || '% bar), not on '
                || {{ feature_text }} || '''s own: run the feature''s eval on '
                || recommended_model || ' before switching.'
            else
                'Assumes ' || recommended_model || ' is adequate for ' || min(task_class)
                || ' (the task-class policy, not a test of this feature). Verify: run '
                || {{ feature_text }} || '''s eval on ' || recommended_model
                || ' and add its pass rate to seeds/curated/tiering_evals.csv: below the '
                || {{ quality_bar }} || '% quality bar it is no longer recommended.'
        end as quality_risk,
        sum(request_count) as request_count,
        sum(current_contracted_cost_usd) as observed_current_cost_usd,
        sum(current_contracted_cost_usd - tiered_contracted_cost_usd) as observed_savings_usd,
        sum(current_contracted_cost_usd - optimized_contracted_cost_usd) as observed_stacked_savings_usd,
        {{ distinct_values_text('workspace') }} as workspaces,
        {{ distinct_values_text('api_key') }} as api_keys
    from usage
    where recommended_model <> model_id
    group by tiering_confidence, provider, model_id, feature, recommended_model
),

-- what a batch move rests on: the latency class, and when the calls actually ran
batching as (
    select
        'batch' as lever,
        batch_confidence as confidence,
        provider,
        model_id,
        coalesce(feature, '(none)') as feature,
        cast(null as string) as recommended_model,
        cast(null as string) as prefix_hash,
        'Send ' || {{ feature_text }} || ' on ' || model_id || ' through the Batch API'
            as action,
        {{ format_count('sum(request_count)') }} || ' calls marked async ('
            || min(latency_class_source) || ') ran on the ' || min(service_tier)
            || ' tier on ' || cast(count(distinct usage_date) as string) || ' days, '
            -- a fixed hour of the day is what a scheduled job looks like
            || case
                when min(extract(hour from usage_at)) = 0 and max(extract(hour from usage_at)) = 23
                    then 'at all hours'
                else 'between ' || cast(min(extract(hour from usage_at)) as string) || ':00 and '
                    || cast(max(extract(hour from usage_at)) as string) || ':59 UTC'
            end
            || '; ' || model_id || ' has a batch price (same model, same output)'
            as lever_evidence,
        cast(null as string) as quality_risk,
        sum(request_count) as request_count,
        sum(current_contracted_cost_usd) as observed_current_cost_usd,
        sum(current_contracted_cost_usd - batched_contracted_cost_usd) as observed_savings_usd,
        sum(current_contracted_cost_usd - optimized_contracted_cost_usd) as observed_stacked_savings_usd,
        {{ distinct_values_text('workspace') }} as workspaces,
        {{ distinct_values_text('api_key') }} as api_keys
    from usage
    where batched_contracted_cost_usd < current_contracted_cost_usd
    group by batch_confidence, provider, model_id, feature
),

-- a whole stream's calls count, writes included: a write can cost more than it saved;
-- a call that reads the cache is the one that costs less than today
caching as (
    select
        'caching' as lever,
        'confirmed' as confidence,
        provider,
        model_id,
        coalesce(feature, '(none)') as feature,
        cast(null as string) as recommended_model,
        prefix_hash,
        'Cache the ' || {{ format_count('max(prefix_tokens)') }} || '-token prompt prefix '
            || prefix_hash || ' of ' || {{ feature_text }} || ' on ' || model_id
            || ' with a ' || min(cache_ttl_choice) || ' TTL' as action,
        {{ format_count('sum(request_count)') }} || ' calls share prefix ' || prefix_hash
            || ', billed today as uncached input; at a ' || min(cache_ttl_choice) || ' TTL '
            || cast(cast(
                100.0 * sum(case when cached_contracted_cost_usd < current_contracted_cost_usd then request_count else 0 end)
                / sum(request_count) as decimal(5, 1)) as string)
            || '% of them would read it from the cache' as lever_evidence,
        cast(null as string) as quality_risk,
        sum(request_count) as request_count,
        sum(current_contracted_cost_usd) as observed_current_cost_usd,
        sum(current_contracted_cost_usd - cached_contracted_cost_usd) as observed_savings_usd,
        sum(current_contracted_cost_usd - optimized_contracted_cost_usd) as observed_stacked_savings_usd,
        {{ distinct_values_text('workspace') }} as workspaces,
        {{ distinct_values_text('api_key') }} as api_keys
    from usage
    where cache_ttl_choice <> 'none'
    group by provider, model_id, feature, prefix_hash
),

-- which levers the stacked scenario uses on a feature's calls on one model
stacked_levers as (
    select
        savings_confidence as confidence,
        provider,
        model_id,
        feature,
        max(case when optimized_model <> model_id then 1 else 0 end) as uses_tiering,
        max(case when batched_contracted_cost_usd < current_contracted_cost_usd then 1 else 0 end) as uses_batch,
        max(case when optimized_cache_ttl_choice <> 'none' then 1 else 0 end) as uses_caching,
        min(case when optimized_model <> model_id then optimized_model end) as optimized_model,
        min(task_class) as task_class,
        sum(request_count) as request_count,
        sum(current_contracted_cost_usd) as observed_current_cost_usd,
        sum(current_contracted_cost_usd - optimized_contracted_cost_usd) as observed_stacked_savings_usd,
        {{ distinct_values_text('workspace') }} as workspaces,
        {{ distinct_values_text('api_key') }} as api_keys
    from usage
    group by savings_confidence, provider, model_id, feature
),

-- more than one lever on the same calls: one action, the stacked saving
combinations as (
    select
        substr(
            case when uses_tiering = 1 then '+tiering' else '' end
            || case when uses_batch = 1 then '+batch' else '' end
            || case when uses_caching = 1 then '+caching' else '' end,
            2
        ) as lever,
        confidence,
        provider,
        model_id,
        coalesce(feature, '(none)') as feature,
        optimized_model as recommended_model,
        cast(null as string) as prefix_hash,
        case when uses_tiering = 1
            then 'Route ' || {{ feature_text }} || ' from ' || model_id || ' to ' || optimized_model
            else 'Keep ' || {{ feature_text }} || ' on ' || model_id
        end
            || case when uses_batch = 1 then ', send it through the Batch API' else '' end
            || case when uses_caching = 1 then ', cache its prompt prefixes' else '' end
            as action,
        {{ format_count('request_count') }}
            || ' calls with the levers stacked in the fixed order (tiering, then batch, then '
            || 'caching); each lever alone is its own finding' as lever_evidence,
        case when uses_tiering = 1 then
            'Assumes ' || optimized_model || ' is adequate for ' || task_class
            || ': see the tiering finding for how it was chosen and how to verify it.'
        end as quality_risk,
        request_count,
        observed_current_cost_usd,
        observed_stacked_savings_usd as observed_savings_usd,
        observed_stacked_savings_usd,
        workspaces,
        api_keys
    from stacked_levers
    where uses_tiering + uses_batch + uses_caching >= 2
),

findings as (
    select * from tiering
    union all
    select * from batching
    union all
    select * from caching
    union all
    select * from combinations
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
        findings.lever_evidence || '; '
            || cast(cast(100.0 * observed_current_cost_usd / nullif(priced_spend.current_cost_usd, 0)
                as decimal(5, 1)) as string)
            || '% of priced spend over the ' || cast(cast(window_bounds.window_days as decimal(10, 1)) as string)
            || '-day window (' || cast(cast(window_bounds.window_start_at as date) as string)
            || ' to ' || cast(cast(window_bounds.window_end_at as date) as string) || ')'
            as evidence,
        request_count,
        cast(observed_current_cost_usd as {{ money_type() }}) as observed_current_cost_usd,
        cast(observed_savings_usd as {{ money_type() }}) as observed_savings_usd,
        cast(observed_current_cost_usd * window_bounds.monthly_factor as {{ money_type() }})
            as monthly_current_cost_usd,
        cast(observed_savings_usd * window_bounds.monthly_factor as {{ money_type() }})
            as monthly_savings_usd,
        -- display ratios, not money
        cast(round(100.0 * observed_savings_usd / nullif(observed_current_cost_usd, 0), 2) as decimal(7, 2))
            as savings_pct,
        quality_risk,
        workspaces,
        api_keys,
        cast(round(100.0 * observed_current_cost_usd / nullif(priced_spend.current_cost_usd, 0), 2)
            as decimal(7, 2)) as share_of_spend_pct,
        cast(observed_stacked_savings_usd as {{ money_type() }}) as observed_stacked_savings_usd,
        cast(observed_stacked_savings_usd * window_bounds.monthly_factor as {{ money_type() }})
            as monthly_stacked_savings_usd
    from findings
    cross join window_bounds
    cross join priced_spend
    where observed_savings_usd > 0
)

select * from final
