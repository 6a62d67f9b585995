-- The hand-written baseline: ONE DuckDB statement that reads the canonical Parquet files
-- and computes the five scenario costs per call and the daily aggregate, the way a user
-- would write it without this project (no validation, no tests, no lineage). It uses the
-- same seeds and the same rules, simplified where a hand-written query would simplify:
-- declared classes only (no attribution rules, no heuristics, no evals), availability
-- dates ignored, and the stacked scenario caches on the recommended model only (no
-- per-stream choice of staying on the own model). benchmarks/bench_scale.py compares its
-- totals with the pipeline's.
-- Placeholders filled by bench_scale.py: {calls} (a Parquet glob), {seeds} (seeds folder).
create table baseline_daily as
with calls as (
    select
        request_id, provider, lower(model) as model, feature, task_class, latency_class,
        coalesce(service_tier, 'standard') as service_tier_raw,
        cast(timestamp as timestamp) as called_at,
        coalesce(request_count, 1) as request_count,
        input_tokens, coalesce(cache_write_5m_tokens, 0) as w5,
        coalesce(cache_write_1h_tokens, 0) as w1, coalesce(cache_read_tokens, 0) as cr,
        output_tokens, prefix_hash, coalesce(prefix_tokens, 0) as prefix_tokens
    from read_parquet('{calls}')
),
aliases as (from read_csv('{seeds}/generated/model_aliases.csv')),
spellings as (from read_csv('{seeds}/curated/service_tier_spellings.csv')),
prices as (
    select *, coalesce(valid_from, date '1900-01-01') as vf, coalesce(valid_to, date '9999-12-31') as vt
    from read_csv('{seeds}/generated/model_prices.csv',
                  types = {'valid_from': 'DATE', 'valid_to': 'DATE'})
),
ladder as (from read_csv('{seeds}/curated/model_tiers.csv')),
policy as (from read_csv('{seeds}/curated/task_class_policy.csv')),
minimums as (from read_csv('{seeds}/curated/cache_min_prompt_tokens.csv')),
mapped as (
    select calls.*, aliases.model_id,
        coalesce(own.service_tier, any_provider.service_tier) as service_tier,
        w5 + w1 + cr + input_tokens as total_input
    from calls
    left join aliases on aliases.provider = calls.provider and aliases.alias = calls.model
    left join spellings as own on own.provider = calls.provider and own.spelling = calls.service_tier_raw
    left join spellings as any_provider on any_provider.provider = '*' and any_provider.spelling = calls.service_tier_raw
),
-- the cheapest rung meeting the task class, same generation first, then older
recommendations as (
    select provider, model_id, task_class, recommended_model from (
        select own.provider, own.model_id, policy.task_class, candidate.model_id as recommended_model,
            row_number() over (partition by own.provider, own.model_id, policy.task_class
                order by candidate.tier_rank, candidate.generation_rank desc) as rank
        from ladder as own
        cross join policy
        join ladder as candidate on candidate.provider = own.provider
            and candidate.tier_rank >= policy.required_tier_rank
            and candidate.tier_rank < own.tier_rank
            and candidate.generation_rank <= own.generation_rank
    ) where rank = 1
),
with_models as (
    select mapped.*, coalesce(recommendations.recommended_model, mapped.model_id) as rec_model,
        coalesce(latency_class = 'async' and service_tier in ('standard', 'priority'), false) as can_batch
    from mapped
    left join recommendations on recommendations.provider = mapped.provider
        and recommendations.model_id = mapped.model_id and recommendations.task_class = mapped.task_class
),
-- prices of the own model at the call's tier (a batch call before the batch price rows
-- begin: half the standard input and output price, the providers' rule) and at batch;
-- the recommended model's likewise. Calls with no price keep null costs (left joins).
priced as (
    select c.*,
        coalesce(p.input_usd_per_mtok, case when c.service_tier = 'batch' then s.input_usd_per_mtok * 0.5 end) as pi,
        coalesce(p.output_usd_per_mtok, case when c.service_tier = 'batch' then s.output_usd_per_mtok * 0.5 end) as po,
        coalesce(s.cache_write_5m_usd_per_mtok, s.input_usd_per_mtok) as pw5,
        coalesce(s.cache_write_1h_usd_per_mtok, s.cache_write_5m_usd_per_mtok, s.input_usd_per_mtok) as pw1,
        coalesce(s.cache_read_usd_per_mtok, s.input_usd_per_mtok) as pr,
        c.total_input > coalesce(s.long_context_threshold_tokens, 9e18) as lc,
        coalesce(s.lc_input_usd_per_mtok, s.input_usd_per_mtok) as lpi,
        coalesce(s.lc_output_usd_per_mtok, s.output_usd_per_mtok) as lpo,
        coalesce(b.input_usd_per_mtok, s.input_usd_per_mtok * 0.5) as bi,
        coalesce(b.output_usd_per_mtok, s.output_usd_per_mtok * 0.5) as bo,
        r.input_usd_per_mtok as ri, r.output_usd_per_mtok as ro,
        coalesce(r.cache_write_5m_usd_per_mtok, r.input_usd_per_mtok) as rw5,
        coalesce(r.cache_read_usd_per_mtok, r.input_usd_per_mtok) as rr,
        coalesce(rb.input_usd_per_mtok, r.input_usd_per_mtok * 0.5) as rbi,
        coalesce(rb.output_usd_per_mtok, r.output_usd_per_mtok * 0.5) as rbo,
        coalesce(m.min_cacheable_tokens, d.min_cacheable_tokens, 1024) as min_cache
    from with_models as c
    left join prices as s on s.provider = c.provider and s.model_id = c.model_id
        and s.price_variant = 'standard' and cast(c.called_at as date) >= s.vf and cast(c.called_at as date) < s.vt
    left join prices as p on p.provider = c.provider and p.model_id = c.model_id
        and p.price_variant = c.service_tier and cast(c.called_at as date) >= p.vf and cast(c.called_at as date) < p.vt
    left join prices as b on b.provider = c.provider and b.model_id = c.model_id
        and b.price_variant = 'batch' and cast(c.called_at as date) >= b.vf and cast(c.called_at as date) < b.vt
    left join prices as r on r.provider = c.provider and r.model_id = c.rec_model
        and r.price_variant = 'standard' and cast(c.called_at as date) >= r.vf and cast(c.called_at as date) < r.vt
    left join prices as rb on rb.provider = c.provider and rb.model_id = c.rec_model
        and rb.price_variant = 'batch' and cast(c.called_at as date) >= rb.vf and cast(c.called_at as date) < rb.vt
    left join minimums as m on m.provider = c.provider and m.model_id = c.model_id
    left join minimums as d on d.provider = c.provider and d.model_id is null
),
costed as (
    select *,
        (input_tokens * case when lc then lpi else pi end + w5 * pw5 + w1 * pw1 + cr * pr
            + output_tokens * case when lc then lpo else po end) * 0.000001 as current_cost,
        (input_tokens * ri + (w5 + w1) * rw5 + cr * rr + output_tokens * ro) * 0.000001 as tiered_cost,
        case when can_batch then (input_tokens * bi + w5 * pw5 + w1 * pw1 + cr * pr + output_tokens * bo) * 0.000001
            else (input_tokens * pi + w5 * pw5 + w1 * pw1 + cr * pr + output_tokens * po) * 0.000001
        end as batched_cost,
        -- caching: a call is a hit when its stream's previous call came within 5 minutes
        prefix_hash is not null and prefix_tokens >= min_cache and request_count = 1 as streams,
        epoch(called_at) - lag(epoch(called_at)) over (partition by provider, model_id, prefix_hash order by called_at, request_id) as gap_s,
        epoch(called_at) - lag(epoch(called_at)) over (partition by provider, rec_model, prefix_hash order by called_at, request_id) as rec_gap_s
    from priced
),
scenarios as (
    select *,
        case when streams then current_cost + least(prefix_tokens, input_tokens) * 0.000001 *
            (case when gap_s <= 300 then pr else pw5 end - pi) else current_cost end as cached_5m,
        case when streams then
            (case when can_batch
                then (input_tokens * rbi + (w5 + w1) * rw5 + cr * rr + output_tokens * rbo) * 0.000001
                else tiered_cost end)
            + least(prefix_tokens, input_tokens) * 0.000001 *
              (case when rec_gap_s <= 300 then rr else rw5 end - ri)
        else case when can_batch
            then (input_tokens * rbi + (w5 + w1) * rw5 + cr * rr + output_tokens * rbo) * 0.000001
            else tiered_cost end
        end as optimized_5m
    from costed
),
-- each stream caches only where that saves money in total
stream_choice as (
    select *,
        sum(cached_5m - current_cost) over (partition by provider, model_id, prefix_hash) < 0 as own_stream_pays
    from scenarios
)
select cast(called_at as date) as usage_date, provider, model_id, feature, service_tier,
    sum(request_count) as request_count,
    sum(current_cost) as current_cost_usd,
    sum(tiered_cost) as tiered_cost_usd,
    sum(batched_cost) as batched_cost_usd,
    sum(case when own_stream_pays then cached_5m else current_cost end) as cached_cost_usd,
    sum(least(optimized_5m, tiered_cost)) as optimized_cost_usd
from stream_choice
group by all
