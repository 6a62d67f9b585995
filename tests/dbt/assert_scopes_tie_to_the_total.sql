-- Every scope type partitions the same priced rows: each one's totals equal the whole.
select scopes.scope_type
from (
    select scope_type, sum(current_cost_usd) as current_cost_usd, sum(optimized_savings_usd) as saved
    from {{ ref('rpt_savings_by_scope') }}
    group by scope_type
) as scopes
cross join (
    select
        current_contracted_cost_usd as current_cost_usd,
        current_contracted_cost_usd - optimized_contracted_cost_usd as saved
    from {{ ref('rpt_scenario_totals') }}
    where confidence_scope = 'all'
) as whole
where scopes.current_cost_usd <> whole.current_cost_usd or scopes.saved <> whole.saved
