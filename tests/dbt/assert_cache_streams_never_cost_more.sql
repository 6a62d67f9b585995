-- The caching what-if picks, per stream, the cheapest of not cached / 5m / 1h: a stream
-- may pay for a write on one call, but never costs more in total than today.
select provider, model_id, prefix_hash, sum(cached_cost_usd) as cached, sum(current_cost_usd) as current_total
from {{ ref('fct_llm_usage') }}
where is_priced and prefix_hash is not null
group by provider, model_id, prefix_hash
having sum(cached_cost_usd) > sum(current_cost_usd)
