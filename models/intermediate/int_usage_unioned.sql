/*
    Every source family's staged usage in one shape. Each source added later (provider
    usage reports, per-request responses, gateway logs) stages to these columns and adds
    one union branch here; nothing downstream changes. Provider buckets and request logs
    of the same traffic are both here: int_usage_netted keeps each token once.
    `bucket_shape` (export format + group-by, null for request-level records) and
    `loaded_at` let it choose between overlapping bucket exports.
*/
{{ config(materialized='view') }}  -- a plain union: nothing to store twice

with canonical as (
    select * from {{ ref('stg_canonical__usage') }}
),

anthropic as (
    select * from {{ ref('stg_anthropic__usage') }}
),

openai as (
    select * from {{ ref('stg_openai__usage') }}
),

request_logs as (
    select * from {{ ref('stg_request_logs__usage') }}
),

unioned as (
    {%- for source in ['canonical', 'anthropic', 'openai', 'request_logs'] %}
    select {{ staged_usage_columns() | join(', ') }} from {{ source }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from unioned
