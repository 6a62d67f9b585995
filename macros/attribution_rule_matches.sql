{#-
    Every (usage record, attribution rule) pair where the rule matches, as one select:
    usage_id, rule_order and the rule's task_class, latency_class and feature. A rule
    matches on one column of the record (`feature`, `api_key`: a key's name or id as the
    export has it, `workspace`, `project`: OpenAI's project, staged as the workspace,
    `account`), or on one of its labels (int_usage_labels): `tag` on any tag, `metadata`
    on any `key=value` pair. Patterns are SQL LIKE. Written once: the feature
    (int_usage_featured) and the classes (int_usage_attributed) are matched the same way.
-#}
{% macro attribution_rule_matches(usage, rules, labels) %}
    select {{ usage }}.usage_id, {{ rules }}.rule_order, {{ rules }}.task_class,
        {{ rules }}.latency_class, {{ rules }}.feature
    from {{ usage }}
    inner join {{ rules }}
        on ({{ rules }}.match_column = 'feature' and {{ usage }}.feature like {{ rules }}.match_pattern)
        or ({{ rules }}.match_column = 'api_key' and {{ usage }}.api_key like {{ rules }}.match_pattern)
        or ({{ rules }}.match_column in ('workspace', 'project')
            and {{ usage }}.workspace like {{ rules }}.match_pattern)
        or ({{ rules }}.match_column = 'account' and {{ usage }}.account like {{ rules }}.match_pattern)
    union all
    -- labels are few and keyed by usage_id: matched on their own, joined to rows later
    select {{ labels }}.usage_id, {{ rules }}.rule_order, {{ rules }}.task_class,
        {{ rules }}.latency_class, {{ rules }}.feature
    from {{ labels }}
    inner join {{ rules }}
        on ({{ rules }}.match_column = 'tag' and {{ labels }}.label_kind = 'tag'
            and {{ labels }}.label_value like {{ rules }}.match_pattern)
        or ({{ rules }}.match_column = 'metadata' and {{ labels }}.label_kind = 'metadata'
            and {{ labels }}.label_key || '=' || coalesce({{ labels }}.label_value, '')
                like {{ rules }}.match_pattern)
{% endmacro %}
