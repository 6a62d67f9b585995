/*
    The tags and metadata a request log carries (LiteLLM `request_tags` and
    `metadata.spend_logs_metadata`), one row per label, keyed by the record's usage_id:
    what the attribution rules match with `tag` and `metadata` (int_usage_labels).
    A metadata value that is itself an object or a list is kept as its JSON text.
*/
with source as (
    select usage_id, request_tags, request_metadata
    from {{ source('raw_request_logs', 'request_logs') }}
    where not is_gateway_cache_hit
        and (request_tags is not null or request_metadata is not null)
),

tags as (
    select usage_id, unnest(json_extract_string(request_tags, '$[*]')) as label_value
    from source
    where json_type(request_tags) = 'ARRAY'
),

metadata_keys as (
    select usage_id, request_metadata, unnest(json_keys(request_metadata)) as label_key
    from source
    where json_type(request_metadata) = 'OBJECT'
),

final as (
    select usage_id, 'tag' as label_kind, cast(null as varchar) as label_key, label_value
    from tags
    where label_value is not null
    union all
    select
        usage_id,
        'metadata' as label_kind,
        label_key,
        json_extract_string(request_metadata, '$."' || replace(label_key, '"', '\"') || '"')
            as label_value
    from metadata_keys
)

select * from final
