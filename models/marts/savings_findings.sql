/*
    One row per finding: a lever (or a combination of levers) applied to one feature on
    one model, with what it would save over the observed window and per 30 days, the
    evidence it rests on and one sentence of action. Costs and savings are what you pay:
    contracted price, list price where no negotiated discount applies. Each single lever is measured alone
    against current cost; `*_stacked_savings_usd` is all three levers stacked on the same
    calls (the optimized scenario), and a combination row (`tiering+batch`, ...) is that
    stack where more than one lever applies to a feature on a model. Findings overlap, so
    they never add up: the report's waterfall is the whole bill.

    The evidence is kept as fields too (docs/cost-semantics.md, Findings): the signal the
    finding rests on, its value and threshold, the grain it was read from (call, minute,
    hour or day buckets) and the buckets read; the report turns them into sentences. The
    evidence names calls only where every row counts its requests (Anthropic buckets do
    not) and a time of day only from calls or buckets of an hour or finer.

    Confidence is the lever's own (`tiering_confidence`, `batch_confidence` in
    fct_llm_usage; a combination's is the row's `savings_confidence`); caching rests on a
    prefix the export declared, so it is confirmed, except the candidate read from provider
    buckets (signal `cache_reads_per_input_token`), priced on an assumed cached share.
*/
with usage as (
    select
        priced.*,
        priced.input_tokens + priced.cache_write_5m_tokens + priced.cache_write_1h_tokens
            + priced.cache_read_tokens + priced.output_tokens as total_tokens,
        -- the shape of a call; a provider bucket counts as its average call (not money);
        -- a bucket whose export does not count requests (request_count 0) has no shape
        (priced.input_tokens + priced.cache_write_5m_tokens + priced.cache_write_1h_tokens
            + priced.cache_read_tokens) / nullif(priced.request_count, 0) as input_tokens_per_call,
        priced.output_tokens / nullif(priced.request_count, 0) as output_tokens_per_call,
        -- what the row can tell: its grain (null width: a call) and whether it counts calls
        bucket.bucket_width_seconds,
        case when bucket.bucket_width_seconds is null then 0 else 1 end as is_bucket,
        case when priced.request_count > 0 then 0 else 1 end as lacks_request_count,
        heuristics.task_signal,
        heuristics.task_signal_value,
        heuristics.task_signal_threshold,
        heuristics.task_signal_grain,
        heuristics.task_signal_buckets,
        heuristics.latency_signal,
        heuristics.latency_signal_value,
        heuristics.latency_signal_threshold,
        heuristics.latency_signal_grain,
        heuristics.latency_signal_buckets,
        heuristics.cache_signal,
        heuristics.cache_signal_value,
        heuristics.cache_signal_threshold,
        heuristics.cache_signal_grain,
        heuristics.cache_signal_buckets,
        heuristics.cache_signal_days,
        heuristics.cache_signal_input_tokens_per_day,
        -- the caching candidate's saving on a bucket of a feature its signal holds for, on
        -- a model with a cache-read price of its own: the assumed share of the uncached
        -- text input (parts with prices of their own left out) read from the cache
        -- instead, at what you pay; the writes that would fill the cache are left out
        case
            when heuristics.cache_signal is not null
                and bucket.bucket_width_seconds is not null
                and own_price.cache_read_usd_per_mtok is not null
                then {{ contracted_cost(usd_from_mtok_amount(
                    '(bucket.input_tokens' ~ less_bucket_parts('input', 'bucket.') ~ ') * '
                    ~ var('cache_signal_assumed_cached_share') ~ ' * ('
                    ~ effective_price('own_price.', 'input', 'bucket.is_long_context') ~ ' - '
                    ~ effective_price('own_price.', 'cache_read', 'bucket.is_long_context') ~ ')'),
                    'bucket.contract_rate') }}
        end as cache_signal_savings_usd
    from {{ ref('fct_llm_usage') }} as priced
    -- a provider bucket's grain (its export's nominal width) and what its caching candidate
    -- reads, with its own price row; a call has none of these, so only buckets are joined
    -- (a join of every call to its priced row had been most of this model's time)
    left join (
        select * from {{ ref('int_usage_priced') }} where bucket_width_seconds is not null
    ) as bucket
        on bucket.usage_id = priced.usage_id
    left join {{ ref('int_prices_effective') }} as own_price
        on {{ own_price_lookup('own_price', 'bucket') }}
    left join {{ ref('int_usage_heuristics') }} as heuristics
        on heuristics.provider = priced.provider
        and heuristics.model = priced.model
        and heuristics.feature_key = coalesce(priced.feature, '')
    where priced.is_priced
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
{#- how much usage a finding read, in the terms its exports carry: calls where every row
    counts its requests, else the buckets that do not (Anthropic's count none) -#}
{%- set volume_text -%}
    case
        when sum(lacks_request_count) = 0 then {{ format_counted('sum(request_count)', 'call', 'calls') }}
        when sum(request_count) = 0
            then {{ format_counted('sum(lacks_request_count)', 'usage bucket', 'usage buckets') }}
            || ' (the export counts no requests)'
        else {{ format_counted('sum(request_count)', 'call', 'calls') }} || ' counted and '
            || {{ format_counted('sum(lacks_request_count)', 'usage bucket', 'usage buckets') }}
            || ' that count no requests'
    end
{%- endset %}
{#- the coarsest grain the finding's rows were read from -#}
{%- set rows_grain = source_grain('max(bucket_width_seconds)') %}

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
        {{ volume_text }} || ' classed ' || min(task_class) || ' ('
            || min(task_class_source) || '), ' || {{ format_count('sum(total_tokens)') }}
            || ' tokens'
            -- a call's shape only where every row counts its calls
            || case when sum(lacks_request_count) = 0 then
                '; a median call reads '
                || {{ format_count(percentile_value('input_tokens_per_call', 0.5)) }}
                || ' input tokens and writes '
                || {{ format_count(percentile_value('output_tokens_per_call', 0.5)) }}
                || ' output tokens, 90% of calls at most '
                || {{ format_count(percentile_value('output_tokens_per_call', 0.9)) }}
                || ' output tokens'
                else ''
            end
            || '; ' || recommended_model
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
        -- what the task class rests on: the user's eval, the heuristic signal, or the
        -- class as declared or set by a rule
        case
            when min(recommendation_basis) = 'eval' then 'eval_pass_rate'
            when min(task_class_source) = 'heuristic' then coalesce(min(task_signal), 'heuristic_task_class')
            else min(task_class_source) || '_task_class'
        end as evidence_signal,
        case
            when min(recommendation_basis) = 'eval' then min(recommendation_eval_pass_rate)
            when min(task_class_source) = 'heuristic' then min(task_signal_value)
        end as evidence_value,
        case
            when min(recommendation_basis) = 'eval' then {{ var('tiering_eval_min_pass_rate') }}
            when min(task_class_source) = 'heuristic' then min(task_signal_threshold)
        end as evidence_threshold,
        case
            when coalesce(min(recommendation_basis), '') <> 'eval' and min(task_class_source) = 'heuristic'
                then coalesce(min(task_signal_grain), {{ rows_grain }})
            else {{ rows_grain }}
        end as evidence_source_grain,
        case
            when coalesce(min(recommendation_basis), '') <> 'eval' and min(task_class_source) = 'heuristic'
                then coalesce(min(task_signal_buckets), sum(is_bucket))
            else sum(is_bucket)
        end as evidence_bucket_count,
        sum(lacks_request_count) = 0 as counts_calls,
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
        {{ volume_text }} || ' marked async ('
            || min(latency_class_source) || ') ran on the ' || min(service_tier)
            || ' tier on ' || {{ format_counted('count(distinct usage_date)', 'day', 'days') }} || ', '
            -- a fixed hour of the day is what a scheduled job looks like; a daily bucket
            -- starts at midnight whenever its usage ran, so it carries no hour
            || case
                when max(bucket_width_seconds) > 3600
                    then 'at hours of the day its daily buckets do not show'
                when min(extract(hour from usage_at)) = 0 and max(extract(hour from usage_at)) = 23
                    then 'at all hours'
                else 'between ' || cast(min(extract(hour from usage_at)) as string) || ':00 and '
                    || cast(max(extract(hour from usage_at)) as string) || ':59 UTC'
            end
            || '; ' || model_id || ' has a batch price (same model, same output)'
            as lever_evidence,
        cast(null as string) as quality_risk,
        case
            when min(latency_class_source) = 'heuristic'
                then coalesce(min(latency_signal), 'heuristic_latency_class')
            else min(latency_class_source) || '_latency_class'
        end as evidence_signal,
        case when min(latency_class_source) = 'heuristic' then min(latency_signal_value) end
            as evidence_value,
        case when min(latency_class_source) = 'heuristic' then min(latency_signal_threshold) end
            as evidence_threshold,
        case
            when min(latency_class_source) = 'heuristic'
                then coalesce(min(latency_signal_grain), {{ rows_grain }})
            else {{ rows_grain }}
        end as evidence_source_grain,
        case
            when min(latency_class_source) = 'heuristic'
                then coalesce(min(latency_signal_buckets), sum(is_bucket))
            else sum(is_bucket)
        end as evidence_bucket_count,
        sum(lacks_request_count) = 0 as counts_calls,
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
        -- streams are request-level calls: their own grain, every call counted
        'cache_hit_share' as evidence_signal,
        100.0 * sum(case when cached_contracted_cost_usd < current_contracted_cost_usd then request_count else 0 end)
            / sum(request_count) as evidence_value,
        cast(null as decimal(20, 6)) as evidence_threshold,
        'call' as evidence_source_grain,
        sum(is_bucket) as evidence_bucket_count,
        sum(lacks_request_count) = 0 as counts_calls,
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

-- a caching candidate from provider buckets, which carry no prompt prefixes: a large,
-- steady input (almost) never read from the cache on a model that caches. Its dollars
-- rest on an assumed share read from the cache (cache_signal_assumed_cached_share), writes
-- left out; the stacked scenario caches declared prefixes only, so it has no stacked figure
cache_candidates as (
    select
        'caching' as lever,
        'candidate' as confidence,
        provider,
        model_id,
        coalesce(feature, '(none)') as feature,
        cast(null as string) as recommended_model,
        cast(null as string) as prefix_hash,
        'Look for a prompt prefix ' || {{ feature_text }} || ' repeats on ' || model_id
            || ' and cache it: its input is large, steady and almost never read from the cache'
            as action,
        {{ volume_text }} || ' on ' || {{ format_counted('min(cache_signal_days)', 'day', 'days') }} || ' read '
            || {{ format_count('sum(cache_read_tokens)') }} || ' of '
            || {{ format_count('sum(input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens)') }}
            || ' input tokens from the cache, with '
            || {{ format_count('min(cache_signal_input_tokens_per_day)') }}
            || ' uncached input tokens a day; the saving assumes '
            || cast(cast(100 * {{ var('cache_signal_assumed_cached_share') }} as decimal(5, 1)) as string)
            || '% of the uncached input would be read from the cache at ' || model_id
            || '''s cache-read price, and leaves out the cache writes that would fill it'
            as lever_evidence,
        cast(null as string) as quality_risk,
        min(cache_signal) as evidence_signal,
        min(cache_signal_value) as evidence_value,
        min(cache_signal_threshold) as evidence_threshold,
        min(cache_signal_grain) as evidence_source_grain,
        min(cache_signal_buckets) as evidence_bucket_count,
        sum(lacks_request_count) = 0 as counts_calls,
        sum(request_count) as request_count,
        sum(current_contracted_cost_usd) as observed_current_cost_usd,
        sum(cache_signal_savings_usd) as observed_savings_usd,
        cast(null as {{ money_type() }}) as observed_stacked_savings_usd,
        {{ distinct_values_text('workspace') }} as workspaces,
        {{ distinct_values_text('api_key') }} as api_keys
    from usage
    where cache_signal_savings_usd is not null
    group by provider, model_id, feature
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
        {{ volume_text }} as volume,
        {{ rows_grain }} as source_grain,
        sum(is_bucket) as bucket_count,
        sum(lacks_request_count) = 0 as counts_calls,
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
        volume
            || ' with the levers stacked in the fixed order (tiering, then batch, then '
            || 'caching); each lever alone is its own finding' as lever_evidence,
        case when uses_tiering = 1 then
            'Assumes ' || optimized_model || ' is adequate for ' || task_class
            || ': see the tiering finding for how it was chosen and how to verify it.'
        end as quality_risk,
        'levers_stacked' as evidence_signal,
        cast(null as decimal(20, 6)) as evidence_value,
        cast(null as decimal(20, 6)) as evidence_threshold,
        source_grain as evidence_source_grain,
        bucket_count as evidence_bucket_count,
        counts_calls,
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
    select * from cache_candidates
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
            as monthly_stacked_savings_usd,
        -- the evidence as fields (docs/cost-semantics.md, Findings)
        evidence_signal,
        cast(evidence_value as decimal(20, 6)) as evidence_value,
        cast(evidence_threshold as decimal(20, 6)) as evidence_threshold,
        evidence_source_grain,
        cast(evidence_bucket_count as bigint) as evidence_bucket_count,
        counts_calls
    from findings
    cross join window_bounds
    cross join priced_spend
    where observed_savings_usd > 0
)

select * from final
