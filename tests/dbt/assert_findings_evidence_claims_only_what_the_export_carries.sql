-- Every finding has evidence, and it claims only what its exports carry: no count of
-- calls where a bucket export counts no requests (Anthropic's; where request logs are
-- netted against such a bucket, only the calls they counted, said so: "N calls counted
-- and M usage buckets that count no requests"), and no time of day read from daily
-- buckets (a daily bucket starts at midnight whenever its usage ran).
{%- set matches = 'rlike' if target.type == 'spark' else 'similar to' %}
select finding_id, lever, feature, evidence_source_grain, counts_calls, evidence
from {{ ref('savings_findings') }}
where evidence is null
    or evidence_signal is null
    or (not counts_calls
        and regexp_replace(evidence, '[0-9,]+ calls? counted and', '') {{ matches }} '.*[0-9] call.*')
    or (evidence_source_grain = 'day' and evidence {{ matches }} '.*([0-9]:[0-9][0-9]|UTC).*')
