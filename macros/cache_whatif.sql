{#-
    The caching what-if as CTEs named `<name>_*`, ending in `<name>` (one row per call:
    usage_id, cache_ttl_choice, cached_cost_usd). docs/cost-semantics.md ("Caching")
    defines it:

    - a stream is the calls sharing (provider, model, prefix_hash), in order of
      (usage_at, usage_id); under a TTL a call hits when the stream's previous call was at
      most the TTL before it (every call refreshes the cache), else it writes the prefix;
    - only prefix tokens billed as uncached input move (tokens already billed as cache
      reads or writes stay), and none when the prefix is under the model's minimum
      cacheable length;
    - each stream takes the cheapest of: not cached, 5-minute TTL, 1-hour TTL; an option
      the model's prices don't offer (no cache-read price; no 1-hour write price) costs as
      not cached, and a tie keeps the simpler choice.

    `calls` must carry: usage_id, provider, the `model_column` (the stream's model key),
    the `priced_model_column` (whose minimum cacheable length applies), prefix_hash,
    prefix_tokens, usage_at, the five token columns, price columns with `price_prefix`,
    the `base_cost_column` (cost without the what-if) and the `long_context_column`.
    `minimums` is a relation of (provider, model_id, min_cacheable_tokens).
-#}
{% macro cache_whatif(name, calls, minimums, model_column, priced_model_column, price_prefix,
                      base_cost_column, long_context_column) %}
{{ name }}_with_minimums as (
    select
        {{ calls }}.*,
        {{ minimums }}.min_cacheable_tokens
    from {{ calls }}
    left join {{ minimums }}
        on {{ minimums }}.provider = {{ calls }}.provider
        and {{ minimums }}.model_id = {{ calls }}.{{ priced_model_column }}
),

{{ name }}_ordered as (
    select
        {{ name }}_with_minimums.*,
        {{ epoch_seconds('usage_at') }} - {{ epoch_seconds(
            'lag(usage_at) over (partition by provider, ' ~ model_column
            ~ ', prefix_hash order by usage_at, usage_id)') }} as seconds_since_previous_call,
        case
            when prefix_tokens >= min_cacheable_tokens then greatest(
                0,
                least(
                    input_tokens,
                    prefix_tokens - cache_write_5m_tokens - cache_write_1h_tokens - cache_read_tokens
                )
            )
            else 0
        end as movable_prefix_tokens
    from {{ name }}_with_minimums
),

{{ name }}_calls as (
    select
        usage_id,
        provider,
        {{ model_column }},
        prefix_hash,
        {{ base_cost_column }} as uncached_cost_usd,
        {%- for ttl, ttl_var, write_column in [
            ('5m', 'cache_ttl_5m_seconds', 'cache_write_5m_tokens'),
            ('1h', 'cache_ttl_1h_seconds', 'cache_write_1h_tokens')] %}
        {%- set is_hit = 'coalesce(seconds_since_previous_call <= ' ~ var(ttl_var) ~ ', false)' %}
        {%- set offered = price_prefix ~ 'cache_read_usd_per_mtok is not null'
            ~ (' and ' ~ price_prefix ~ 'cache_write_1h_usd_per_mtok is not null' if ttl == '1h' else '') %}
        case when movable_prefix_tokens > 0 and {{ offered }} then
            {{ usage_cost(
                price_prefix,
                'input_tokens - movable_prefix_tokens',
                'cache_write_5m_tokens' ~ (' + case when ' ~ is_hit ~ ' then 0 else movable_prefix_tokens end' if ttl == '5m' else ''),
                'cache_write_1h_tokens' ~ (' + case when ' ~ is_hit ~ ' then 0 else movable_prefix_tokens end' if ttl == '1h' else ''),
                'cache_read_tokens + case when ' ~ is_hit ~ ' then movable_prefix_tokens else 0 end',
                'output_tokens',
                long_context_column, '') }}
            else {{ base_cost_column }}
        end as cost_{{ ttl }}_usd{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ name }}_ordered
),

{{ name }}_streams as (
    select
        provider,
        {{ model_column }},
        prefix_hash,
        case
            when sum(cost_5m_usd) < sum(uncached_cost_usd) and sum(cost_5m_usd) <= sum(cost_1h_usd) then '5m'
            when sum(cost_1h_usd) < sum(uncached_cost_usd) then '1h'
            else 'none'
        end as cache_ttl_choice
    from {{ name }}_calls
    group by provider, {{ model_column }}, prefix_hash
),

{{ name }} as (
    select
        {{ name }}_calls.usage_id,
        {{ name }}_streams.cache_ttl_choice,
        case {{ name }}_streams.cache_ttl_choice
            when '5m' then {{ name }}_calls.cost_5m_usd
            when '1h' then {{ name }}_calls.cost_1h_usd
            else {{ name }}_calls.uncached_cost_usd
        end as cached_cost_usd
    from {{ name }}_calls
    inner join {{ name }}_streams
        on {{ name }}_streams.provider = {{ name }}_calls.provider
        and {{ name }}_streams.{{ model_column }} = {{ name }}_calls.{{ model_column }}
        and {{ name }}_streams.prefix_hash = {{ name }}_calls.prefix_hash
)
{% endmacro %}
