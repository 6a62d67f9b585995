/*
    Usage with its canonical model id, its service tier, and its task and latency class,
    each with where it came from.

    Feature: the record's own; else the first attribution rule that names one (matched on
    feature, api_key, workspace or account); else, for provider exports (which carry keys
    and workspaces, not features), the api key itself (`api_key:<key>`), else the
    workspace (`workspace:<name>`). Bucket remainders no request log covers stay without
    one (unattributed).

    Attribution order (DESIGN.md): the record's own fields (declared), then the user's
    attribution rules (seed `attribution_rules`), then a heuristic, else the defaults
    `unknown` / `realtime`. The heuristics: token shape (a feature whose calls answer in a
    few tokens behaves like classification) and timing (a feature whose calls, day after
    day, all come in the same hour or two of the day runs on a clock: a scheduled job
    that can wait). Headline savings count declared and rule rows only.
*/
with netted as (
    select * from {{ ref('int_usage_netted') }}
),

rules as (
    select * from {{ ref('attribution_rules') }}
),

feature_rule_matches as (
    select
        netted.usage_id,
        rules.rule_order,
        rules.feature
    from netted
    inner join rules
        on (rules.match_column = 'feature' and netted.feature like rules.match_pattern)
        or (rules.match_column = 'api_key' and netted.api_key like rules.match_pattern)
        or (rules.match_column = 'workspace' and netted.workspace like rules.match_pattern)
        or (rules.match_column = 'account' and netted.account like rules.match_pattern)
    where rules.feature is not null
),

rule_feature as (
    select usage_id, feature
    from (
        select
            usage_id,
            feature,
            row_number() over (partition by usage_id order by rule_order) as match_rank
        from feature_rule_matches
    ) as ranked
    where match_rank = 1
),

usage as (
    select
        {%- for column in ['usage_id', 'request_id', 'source_format', 'source_file', 'source_record', 'usage_at', 'bucket_start_at', 'bucket_end_at', 'is_time_from_file', 'account', 'provider', 'model', 'declared_task_class', 'declared_latency_class', 'service_tier_raw', 'request_count', 'input_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'cache_read_tokens', 'output_tokens', 'long_context_flag', 'prefix_hash', 'prefix_tokens', 'workspace', 'api_key', 'inference_geo'] %}
        netted.{{ column }},
        {%- endfor %}
        coalesce(
            netted.feature,
            rule_feature.feature,
            case when netted.source_format not like 'canonical%' then
                coalesce('api_key:' || netted.api_key, 'workspace:' || netted.workspace)
            end
        ) as feature,
        case
            when netted.feature is not null then 'declared'
            when rule_feature.feature is not null then 'rule'
            when netted.source_format like 'canonical%' then null
            when netted.api_key is not null then 'api_key'
            when netted.workspace is not null then 'workspace'
        end as feature_source
    from netted
    left join rule_feature
        on rule_feature.usage_id = netted.usage_id
),

aliases as (
    select alias, provider, model_id from {{ ref('model_aliases') }}
),

tier_spellings as (
    select provider, spelling, service_tier from {{ ref('service_tier_spellings') }}
),

policy as (
    select * from {{ ref('task_class_policy') }}
),

-- exported spelling -> canonical model id: the exact alias first, then the undated one
model_mapped as (
    select
        usage.*,
        coalesce(exact_alias.model_id, undated_alias.model_id) as model_id
    from usage
    left join aliases as exact_alias
        on exact_alias.provider = usage.provider
        and exact_alias.alias = lower(usage.model)
    left join aliases as undated_alias
        on undated_alias.provider = usage.provider
        and undated_alias.alias = {{ strip_model_date_suffix('lower(usage.model)') }}
),

-- provider spellings of the service tier; a provider's own mapping beats the generic one
tier_mapped as (
    select
        model_mapped.*,
        coalesce(provider_spelling.service_tier, any_spelling.service_tier) as service_tier
    from model_mapped
    left join tier_spellings as provider_spelling
        on provider_spelling.provider = model_mapped.provider
        and provider_spelling.spelling = model_mapped.service_tier_raw
    left join tier_spellings as any_spelling
        on any_spelling.provider = '*'
        and any_spelling.spelling = model_mapped.service_tier_raw
),

rule_matches as (
    select
        tier_mapped.usage_id,
        rules.rule_order,
        rules.task_class,
        rules.latency_class
    from tier_mapped
    inner join rules
        on (rules.match_column = 'feature' and tier_mapped.feature like rules.match_pattern)
        or (rules.match_column = 'api_key' and tier_mapped.api_key like rules.match_pattern)
        or (rules.match_column = 'workspace' and tier_mapped.workspace like rules.match_pattern)
        or (rules.match_column = 'account' and tier_mapped.account like rules.match_pattern)
),

-- the first matching rule (lowest rule_order) that sets each class
rule_task_class as (
    select usage_id, task_class
    from (
        select
            usage_id,
            task_class,
            row_number() over (partition by usage_id order by rule_order) as match_rank
        from rule_matches
        where task_class is not null
    ) as ranked
    where match_rank = 1
),

rule_latency_class as (
    select usage_id, latency_class
    from (
        select
            usage_id,
            latency_class,
            row_number() over (partition by usage_id order by rule_order) as match_rank
        from rule_matches
        where latency_class is not null
    ) as ranked
    where match_rank = 1
),

-- token shape per feature and model: enough calls that all answer in a few tokens
call_shapes as (
    select
        provider,
        model,
        coalesce(feature, '') as feature_key,
        sum(request_count) as shape_requests,
        sum(output_tokens) as shape_output_tokens
    from tier_mapped
    group by provider, model, coalesce(feature, '')
),

heuristic_task_class as (
    select
        provider,
        model,
        feature_key,
        'classification' as task_class
    from call_shapes
    where shape_requests >= {{ var('heuristic_min_requests') }}
        and shape_output_tokens <= shape_requests * {{ var('heuristic_max_output_tokens_per_request') }}
),

-- timing per feature and model: requests on enough days, all within a few hours of the day
call_clocks as (
    select
        provider,
        model,
        coalesce(feature, '') as feature_key,
        count(distinct cast(usage_at as date)) as active_days,
        count(distinct extract(hour from usage_at)) as active_hours_of_day
    from tier_mapped
    where request_count = 1
    group by provider, model, coalesce(feature, '')
),

heuristic_latency_class as (
    select
        provider,
        model,
        feature_key,
        'async' as latency_class
    from call_clocks
    where active_days >= {{ var('heuristic_async_min_days') }}
        and active_hours_of_day <= {{ var('heuristic_async_max_hours_of_day') }}
),

attributed as (
    select
        tier_mapped.*,
        coalesce(
            tier_mapped.declared_task_class,
            rule_task_class.task_class,
            heuristic_task_class.task_class,
            'unknown'
        ) as task_class,
        case
            when tier_mapped.declared_task_class is not null then 'declared'
            when rule_task_class.task_class is not null then 'rule'
            when heuristic_task_class.task_class is not null then 'heuristic'
            else 'default'
        end as task_class_source,
        coalesce(
            tier_mapped.declared_latency_class,
            rule_latency_class.latency_class,
            heuristic_latency_class.latency_class,
            'realtime'
        ) as latency_class,
        case
            when tier_mapped.declared_latency_class is not null then 'declared'
            when rule_latency_class.latency_class is not null then 'rule'
            when heuristic_latency_class.latency_class is not null then 'heuristic'
            else 'default'
        end as latency_class_source
    from tier_mapped
    left join rule_task_class
        on rule_task_class.usage_id = tier_mapped.usage_id
    left join rule_latency_class
        on rule_latency_class.usage_id = tier_mapped.usage_id
    left join heuristic_task_class
        on heuristic_task_class.provider = tier_mapped.provider
        and heuristic_task_class.model = tier_mapped.model
        and heuristic_task_class.feature_key = coalesce(tier_mapped.feature, '')
    left join heuristic_latency_class
        on heuristic_latency_class.provider = tier_mapped.provider
        and heuristic_latency_class.model = tier_mapped.model
        and heuristic_latency_class.feature_key = coalesce(tier_mapped.feature, '')
),

-- a task class the policy doesn't know keeps the large tier: never downgrade on a guess
final as (
    select
        attributed.*,
        coalesce(policy.required_tier_rank, 3) as required_tier_rank,
        attributed.input_tokens
            + attributed.cache_write_5m_tokens
            + attributed.cache_write_1h_tokens
            + attributed.cache_read_tokens as total_input_tokens
    from attributed
    left join policy
        on policy.task_class = attributed.task_class
)

select * from final
