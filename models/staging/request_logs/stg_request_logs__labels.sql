/*
    The tags and metadata a request log carries (LiteLLM `request_tags` and
    `metadata.spend_logs_metadata`), one row per label, keyed by the record's usage_id:
    what the attribution rules match with `tag` and `metadata` (int_usage_labels).
    JSON is taken apart by the dispatched macros json_array_rows / json_object_rows.
*/
with source as (
    select usage_id, request_tags, request_metadata
    from {{ source('raw_request_logs', 'request_logs') }}
    where not is_gateway_cache_hit
        and (request_tags is not null or request_metadata is not null)
),

tags as (
    {{ json_array_rows('source', 'usage_id', 'request_tags', 'label_value') }}
),

metadata_pairs as (
    {{ json_object_rows('source', 'usage_id', 'request_metadata', 'label_key', 'label_value') }}
),

final as (
    select usage_id, 'tag' as label_kind, cast(null as string) as label_key, label_value
    from tags
    where label_value is not null
    union all
    select usage_id, 'metadata' as label_kind, label_key, label_value
    from metadata_pairs
)

select * from final
