/*
    Every label (tag, or metadata key and value) a usage record's source gave it, keyed
    by usage_id: what attribution rules with match_column `tag` or `metadata` match
    (macro attribution_rule_matches). A source with labels adds one union branch here.
    Buckets and their remainders carry none.
*/
{{ config(materialized='view') }}  -- a plain union: nothing to store twice

select usage_id, label_kind, label_key, label_value
from {{ ref('stg_request_logs__labels') }}
