/*
    The model each exported spelling means: one row per provider and lower-cased model
    spelling found in the usage or in a cost export, resolved once per distinct spelling
    (never per usage row) the way genai-prices resolves it (docs/pricing.md, "Which model
    a spelling means"):

    1. genai-prices' own match rules (seed model_match_rules): per seller, its models in
       genai-prices' order, then those of the sellers it falls back to (Vertex AI: Anthropic's);
       a model matches when every clause of one of its conjunctions holds; the first wins;
    2. as genai-prices does when nothing matched as is, the spelling with its compact date
       written out (`-20251211` -> `-2025-12-11`), through the same rules;
    then, where genai-prices finds nothing, the project's extra spellings:
    3. the exact spelling in seed model_aliases (display names of the Console's cost
       export, dotted versions, Bedrock region ids, ids genai-prices lists but does not
       match, such as `ft:gpt-4o`);
    4. the spelling without a routing prefix (`models/gemini-2.5-flash`, LiteLLM's
       `anthropic/claude-...`), through the rules, then the aliases;
    5. the spelling without its date suffix, in the aliases.

    `model_id` is the model priced: the matched model if the seller has a price for it,
    else null (`unknown_model`, as for a spelling nothing matches).
*/

{#- (name, what it looks in, the spelling it looks up), in order of precedence -#}
{%- set steps = [
    ('match_rule', 'rules', 'model_spelling'),
    ('match_rule_compact_date', 'rules', 'compact_dated'),
    ('alias', 'aliases', 'model_spelling'),
    ('match_rule_without_prefix', 'rules', 'without_prefix'),
    ('alias_without_prefix', 'aliases', 'without_prefix'),
    ('alias_undated', 'aliases', 'undated'),
] %}

-- The cost exports' spellings come from their raw tables, not their staging models: a
-- cost export that fails to stage must never stop usage from being priced.
with spellings as (
    select provider, lower(model) as model_spelling
    from {{ ref('int_usage_unioned') }}
    where model is not null
    {%- for provider, costs in [('anthropic', source('raw_anthropic', 'anthropic_costs')),
                                ('openai', source('raw_openai', 'openai_costs'))] %}
    union
    select '{{ provider }}' as provider, lower(model) as model_spelling
    from {{ costs }}
    where model is not null
    {%- endfor %}
),

rules as (
    select provider, model_position, conjunction_id, clause_kind, clause_value, is_negated
    from {{ ref('model_match_rules') }}
),

rule_models as (
    select distinct provider, model_position, model_provider, model_id
    from {{ ref('model_match_rules') }}
),

conjunction_sizes as (
    select provider, model_position, conjunction_id, count(*) as clause_count
    from rules
    group by provider, model_position, conjunction_id
),

aliases as (
    select alias, provider, model_id from {{ ref('model_aliases') }}
),

-- the other spellings tried, null where they are the spelling itself
rewritten as (
    select
        provider,
        model_spelling,
        nullif({{ normalize_compact_model_date('model_spelling') }}, model_spelling)
            as compact_dated,
        case when model_spelling like '%/%'
            then regexp_replace(model_spelling, '^[^/]+/', '') end as without_prefix,
        nullif({{ strip_model_date_suffix('model_spelling') }}, model_spelling) as undated
    from spellings
),

lookups as (
    {%- for name, looks_in, spelling in steps %}
    select
        provider,
        model_spelling,
        {{ loop.index }} as step,
        '{{ looks_in }}' as looks_in,
        {{ spelling }} as looked_up
    from rewritten
    where {{ spelling }} is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

-- every clause that holds for a spelling looked up in the rules
clauses_held as (
    select
        lookups.provider,
        lookups.model_spelling,
        lookups.step,
        rules.model_position,
        rules.conjunction_id
    from lookups
    inner join rules
        on rules.provider = lookups.provider
    where lookups.looks_in = 'rules'
        and case
            when rules.is_negated
                then not ({{ model_clause_matches('rules.clause_kind', 'rules.clause_value', 'lookups.looked_up') }})
            else {{ model_clause_matches('rules.clause_kind', 'rules.clause_value', 'lookups.looked_up') }}
        end
),

-- a model matches where all the clauses of one of its conjunctions hold
rule_matches as (
    select
        held.provider,
        held.model_spelling,
        held.step,
        held.model_position
    from clauses_held as held
    inner join conjunction_sizes as sizes
        on sizes.provider = held.provider
        and sizes.model_position = held.model_position
        and sizes.conjunction_id = held.conjunction_id
    group by
        held.provider, held.model_spelling, held.step, held.model_position,
        held.conjunction_id, sizes.clause_count
    having count(*) = sizes.clause_count
),

matches as (
    select
        rule_matches.provider,
        rule_matches.model_spelling,
        rule_matches.step,
        rule_matches.model_position,
        rule_models.model_provider,
        rule_models.model_id
    from rule_matches
    inner join rule_models
        on rule_models.provider = rule_matches.provider
        and rule_models.model_position = rule_matches.model_position

    union all

    select
        lookups.provider,
        lookups.model_spelling,
        lookups.step,
        0 as model_position,
        lookups.provider as model_provider,
        aliases.model_id
    from lookups
    inner join aliases
        on aliases.provider = lookups.provider
        and aliases.alias = lookups.looked_up
    where lookups.looks_in = 'aliases'
),

-- the earliest step, then genai-prices' order: first match wins
first_matches as (
    select provider, model_spelling, step, model_provider, model_id
    from (
        select
            matches.*,
            row_number() over (
                partition by provider, model_spelling
                order by step, model_position
            ) as match_rank
        from matches
    ) as ranked
    where match_rank = 1
),

priced_models as (
    select distinct provider, model_id from {{ ref('int_prices_effective') }}
),

final as (
    select
        spellings.provider,
        spellings.model_spelling,
        first_matches.model_provider,
        first_matches.model_id as matched_model_id,
        priced_models.model_id,
        case first_matches.step
            {%- for name, looks_in, spelling in steps %}
            when {{ loop.index }} then '{{ name }}'
            {%- endfor %}
        end as resolved_by
    from spellings
    left join first_matches
        on first_matches.provider = spellings.provider
        and first_matches.model_spelling = spellings.model_spelling
    left join priced_models
        on priced_models.provider = spellings.provider
        and priced_models.model_id = first_matches.model_id
)

select * from final
