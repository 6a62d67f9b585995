{#-
    The usage days an incremental model rewrites in this run, as CTEs named `<name>_*`
    ending in `<name>` (one column: usage_date), each followed by a comma; nothing on a
    full build. docs/internals.md ("Incremental models") explains the rule:

    - pending: every day a load changed since the last complete build (raw.changed_days);
    - heuristic flips (`heuristic_flips`): every day of a (provider, model, feature) whose
      heuristic task or latency class differs from what this model's rows were built with;
    - cache streams (`cache_streams`): every day of a prompt-prefix stream with a call on
      a pending day or in a flipped feature, before or after this run's loads.

    Each model compares its own previous rows (`this`) with the current upstream, so a
    build that stopped half-way is caught up model by model on the next run.
    `upstream` must carry usage_date, provider, model_id and prefix_hash; `this` also
    model, feature, task_class(_source) and latency_class(_source) when `heuristic_flips`.
-#}
{% macro usage_days_to_rebuild(name, upstream, heuristic_flips=true, cache_streams=false) %}
{#- named while parsing so dbt records both as parents of the model; at run time only on
    an incremental build (a unit test has no fixture for them) -#}
{%- if not execute or is_incremental() %}
    {%- set changed_days = source('raw', 'changed_days') -%}
    {%- set heuristics = ref('int_usage_heuristics') -%}
{%- endif %}
{%- if is_incremental() %}
{{ name }}_pending as (
    select distinct usage_date from {{ changed_days }}
),

{%- if heuristic_flips %}
-- features whose rows rely on a heuristic (or its absence) that no longer holds
{{ name }}_flipped_keys as (
    select distinct
        previous.provider,
        previous.model,
        coalesce(previous.feature, '') as feature_key
    from {{ this }} as previous
    left join {{ heuristics }} as heuristics
        on heuristics.provider = previous.provider
        and heuristics.model = previous.model
        and heuristics.feature_key = coalesce(previous.feature, '')
    where (
            previous.task_class_source in ('heuristic', 'default')
            and case when previous.task_class_source = 'heuristic' then previous.task_class end
                is distinct from heuristics.heuristic_task_class
        )
        or (
            previous.latency_class_source in ('heuristic', 'default')
            and case when previous.latency_class_source = 'heuristic' then previous.latency_class end
                is distinct from heuristics.heuristic_latency_class
        )
),

{{ name }}_flipped_days as (
    select distinct previous.usage_date
    from {{ this }} as previous
    inner join {{ name }}_flipped_keys as flipped
        on flipped.provider = previous.provider
        and flipped.model = previous.model
        and flipped.feature_key = coalesce(previous.feature, '')
),
{%- else %}
{{ name }}_flipped_days as (
    select cast(null as date) as usage_date where false
),
{%- endif %}

{{ name }}_stream_days as (
    {%- if cache_streams %}
    -- a stream's cache choice spans all its calls: any changed call reopens every day of it
    with changed_streams as (
        select previous.provider, previous.model_id, previous.prefix_hash
        from {{ this }} as previous
        where previous.prefix_hash is not null
            and (
                previous.usage_date in (select usage_date from {{ name }}_pending)
                {%- if heuristic_flips %}
                or exists (
                    select 1
                    from {{ name }}_flipped_keys as flipped
                    where flipped.provider = previous.provider
                        and flipped.model = previous.model
                        and flipped.feature_key = coalesce(previous.feature, '')
                )
                {%- endif %}
            )
        union
        select provider, model_id, prefix_hash
        from {{ upstream }}
        where prefix_hash is not null
            and usage_date in (select usage_date from {{ name }}_pending)
    )

    select previous.usage_date
    from {{ this }} as previous
    inner join changed_streams
        on changed_streams.provider = previous.provider
        and changed_streams.model_id = previous.model_id
        and changed_streams.prefix_hash = previous.prefix_hash
    union
    select current_rows.usage_date
    from {{ upstream }} as current_rows
    inner join changed_streams
        on changed_streams.provider = current_rows.provider
        and changed_streams.model_id = current_rows.model_id
        and changed_streams.prefix_hash = current_rows.prefix_hash
    {%- else %}
    select cast(null as date) as usage_date where false
    {%- endif %}
),

{{ name }} as (
    select usage_date from {{ name }}_pending
    union
    select usage_date from {{ name }}_flipped_days
    union
    select usage_date from {{ name }}_stream_days
),
{%- endif %}
{% endmacro %}


{#- `where` clause keeping a relation's rows to the days being rebuilt; nothing on a full build -#}
{% macro only_days_to_rebuild(name, column='usage_date') %}
{%- if is_incremental() -%}
    where {{ column }} in (select usage_date from {{ name }})
{%- endif -%}
{% endmacro %}
