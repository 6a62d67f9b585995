/*
    Usage with its canonical model id, its service tier (`tier_assumed`: standard, as the
    export did not state it), and its task and latency class, each with where it came
    from (its feature is int_usage_featured's).

    Attribution order (docs/cost-semantics.md): the record's own fields (declared), then
    the user's attribution rules (seed `attribution_rules`), then a heuristic
    (`int_usage_heuristics`: token shape and timing), else the defaults `unknown` /
    `realtime`. Headline savings count declared and rule rows only.
*/
{{ config(**per_call_step_config('replace_days', 'usage_date')) }}
-- incremental: rebuilds the days loads changed and a flipped heuristic class reaches

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_featured')) }}

usage as {{ not_materialized() }} (
    select * from {{ ref('int_usage_featured') }}
    {{ only_days_to_rebuild('days_to_rebuild') }}
),

heuristics as (
    select * from {{ ref('int_usage_heuristics') }}
),

model_resolution as (
    select provider, model_spelling, model_id from {{ ref('int_model_resolution') }}
),

tier_spellings as (
    select provider, spelling, service_tier from {{ ref('service_tier_spellings') }}
),

rules as (
    select * from {{ ref('settings_attribution_rules') }}
),

labels as (
    select * from {{ ref('int_usage_labels') }}
),

policy as (
    select * from {{ ref('task_class_policy') }}
),

-- exported spellings -> canonical model id and service tier
tier_mapped as {{ not_materialized() }} (
    select
        usage.*,
        {{ canonical_model_id() }} as model_id,
        {{ canonical_service_tier('usage') }} as service_tier,
        -- the export did not state the tier: priced at standard on that assumption
        {{ tier_assumed('usage') }} as tier_assumed
    from usage
    {{ canonical_model_and_tier_joins('usage') }}
),

rule_matches as (
    {{ attribution_rule_matches('tier_mapped', 'rules', 'labels') }}
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

attributed as (
    select
        tier_mapped.*,
        coalesce(
            tier_mapped.declared_task_class,
            rule_task_class.task_class,
            heuristics.heuristic_task_class,
            'unknown'
        ) as task_class,
        case
            when tier_mapped.declared_task_class is not null then 'declared'
            when rule_task_class.task_class is not null then 'rule'
            when heuristics.heuristic_task_class is not null then 'heuristic'
            else 'default'
        end as task_class_source,
        coalesce(
            tier_mapped.declared_latency_class,
            rule_latency_class.latency_class,
            heuristics.heuristic_latency_class,
            'realtime'
        ) as latency_class,
        case
            when tier_mapped.declared_latency_class is not null then 'declared'
            when rule_latency_class.latency_class is not null then 'rule'
            when heuristics.heuristic_latency_class is not null then 'heuristic'
            else 'default'
        end as latency_class_source
    from tier_mapped
    left join rule_task_class
        on rule_task_class.usage_id = tier_mapped.usage_id
    left join rule_latency_class
        on rule_latency_class.usage_id = tier_mapped.usage_id
    left join heuristics
        on heuristics.provider = tier_mapped.provider
        and heuristics.model = tier_mapped.model
        and heuristics.feature_key = coalesce(tier_mapped.feature, '')
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
