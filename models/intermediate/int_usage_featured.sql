/*
    Usage with every token counted once (int_usage_netted) and its feature, with where
    that came from (`feature_source`): the record's own (`declared`); else the first
    attribution rule that names one (`rule`: macro attribution_rule_matches); else, for provider exports (which carry keys and workspaces, not features),
    the api key itself (`api_key:<key>`), else the workspace (`workspace:<name>`). Bucket
    remainders no request log covers stay without one (unattributed).

    Its own model because the heuristics (int_usage_heuristics) work per feature, so they
    need the feature resolved first; int_usage_attributed then adds the classes.
*/
{{ config(**usage_incremental_config('replace_days', 'usage_date')) }}
-- incremental: each record's feature is its own, so only the days loads changed are read
-- (rules and seeds changing trigger a full build); no heuristic is read here

with {{ usage_days_to_rebuild('days_to_rebuild', ref('int_usage_netted'), heuristic_flips=false) }}

netted as {{ not_materialized() }} (
    select * from {{ ref('int_usage_netted') }}
    {{ only_days_to_rebuild('days_to_rebuild') }}
),

rules as (
    select * from {{ ref('settings_attribution_rules') }} where feature is not null
),

labels as (
    select * from {{ ref('int_usage_labels') }}
),

feature_rule_matches as (
    {{ attribution_rule_matches('netted', 'rules', 'labels') }}
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
        {%- for column in staged_usage_columns() if column != 'feature' %}
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

final as (
    -- the UTC day a record belongs to: the unit the incremental models rebuild
    select usage.*, cast(usage.usage_at as date) as usage_date from usage
)

select * from final
