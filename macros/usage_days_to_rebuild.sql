{#-
    The usage days an incremental model rewrites in this run, as CTEs named `<name>_*`
    ending in `<name>` (one column: usage_date), each followed by a comma; nothing on a
    full build. docs/internals.md ("Incremental models") explains the rule:

    - pending: every day a load changed since the last complete build (raw.changed_days);
    - heuristic flips (`heuristic_flips`): every day of a (provider, model, feature) whose
      heuristic task or latency class differs from what this model's rows were built with;
    - cache streams (`cache_streams`, CTE `<name>_streams`): every prompt-prefix stream
      with a call on a pending day or in a flipped feature, before or after this run's
      loads. Its calls are rebuilt on whatever day they fall (`only_rows_to_rebuild`,
      strategy `replace_rows`), not the whole of their days: a month-long stream would
      otherwise reopen the month.

    Each model compares its own previous rows (`this`) with the current upstream, so a
    build that stopped half-way is caught up model by model on the next run.
    `upstream` must carry usage_date, provider, model_id and prefix_hash; `this` also
    model, feature, task_class(_source) and latency_class(_source) when `heuristic_flips`.
-#}
{% macro usage_days_to_rebuild(name, upstream, heuristic_flips=true, cache_streams=false) %}
{%- set ctes -%}
{{ days_to_rebuild_ctes(name, upstream, heuristic_flips, cache_streams) }}
{%- endset -%}
{{ ctes }}
{{- pin_days_to_rebuild(name, ctes) }}
{% endmacro %}


{% macro days_to_rebuild_ctes(name, upstream, heuristic_flips, cache_streams) %}
{#- named while parsing so dbt records both as parents of the model; at run time only on
    an incremental build (a unit test has no fixture for them) -#}
{%- if not execute or is_incremental() %}
    {%- set changed_days = source('raw', 'changed_days') -%}
    {%- if heuristic_flips %}
    {%- set heuristics = ref('int_usage_heuristics') -%}
    {%- endif %}
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

-- the prompt-prefix streams to recompute (cache_streams): a stream's cache choice weighs
-- all its calls, so a changed call changes the cost of every call in it, on any day
{{ name }}_streams as (
    {%- if cache_streams %}
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
    {%- else %}
    select cast(null as string) as provider, cast(null as string) as model_id,
        cast(null as string) as prefix_hash
    where false
    {%- endif %}
),

{{ name }} as (
    select usage_date from {{ name }}_pending
    union
    select usage_date from {{ name }}_flipped_days
    {%- if cache_streams %}
    {{ stream_days_to_rebuild(name, upstream) }}
    {%- endif %}
),
{%- endif %}
{% endmacro %}


{#- `where` clause keeping a relation's rows to the days being rebuilt; nothing on a full build -#}
{% macro only_days_to_rebuild(name, column='usage_date') %}
{%- if is_incremental() -%}
    where {{ is_day_to_rebuild(name, column) }}
{%- endif -%}
{% endmacro %}


{#- The condition "`column` is a day to rebuild" (incremental builds only): the days as
    date literals (macro pin_days_to_rebuild, rendered by days_condition). -#}
{% macro is_day_to_rebuild(name, column='usage_date') %}
    {{- days_condition(column, pinned_days_to_rebuild(name)) -}}
{% endmacro %}


{#- "`column` is one of `days`" (ISO date strings, in order), as literals: a filter each
    engine pushes down to the stored table's scan, where Spark lists only those day
    partitions and DuckDB reads only the matching rows (a row group it skips only where
    none of its rows falls on those days). A subquery would be a semi-join, which neither
    engine pushes through the joins of a view such as int_usage_tiered: a night then
    re-tiered every row to keep one day's. The range before the list is what DuckDB
    carries across a join's `usage_date = usage_date` to the other side (it does not
    carry an IN list); the list keeps the condition exact. No day: `false`. -#}
{% macro days_condition(column, days) %}
    {%- if days -%}
    ({{ column }} between date'{{ days | first }}' and date'{{ days | last }}'
        and {{ column }} in (date'{{ days | join("', date'") }}'))
    {%- else -%}
    false
    {%- endif -%}
{% endmacro %}


{#- After the CTEs of `usage_days_to_rebuild` (text `ctes`): on an incremental build the
    days are computed now, while the model compiles (its upstream is already built in
    this run), and kept in a temporary view of the model's connection for
    `pinned_days_to_rebuild`. The one place a model runs a query while compiling. -#}
{% macro pin_days_to_rebuild(name, ctes) %}
{%- if execute and is_incremental() -%}
    {%- set days = run_query(
        'with ' ~ (ctes | trim).rstrip(',') ~ ' select distinct cast(usage_date as string) from '
        ~ name ~ ' where usage_date is not null'
    ).columns[0].values() | list -%}
    {%- if days -%}
        {%- set rows = "select * from values (date'" ~ days | join("'), (date'") ~ "') as days(usage_date)" -%}
    {%- else -%}
        {%- set rows = 'select cast(null as date) as usage_date where false' -%}
    {%- endif -%}
    {%- do run_query('create or replace temporary view ' ~ pinned_days_view(name) ~ ' as ' ~ rows) -%}
{%- endif -%}
{% endmacro %}

{% macro pinned_days_view(name) -%}
    {{ this.identifier }}__{{ name }}
{%- endmacro %}

{% macro pinned_days_to_rebuild(name) %}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set days = run_query(
        'select cast(usage_date as string) from ' ~ pinned_days_view(name) ~ ' order by 1'
    ).columns[0].values() | list -%}
    {{- return(days) -}}
{% endmacro %}


{#- `where` clause keeping a relation's rows to those being rebuilt: the days to rebuild
    and every call of the streams to recompute, on whatever day (models built with the
    `replace_rows` strategy); nothing on a full build. `relation` qualifies the columns. -#}
{% macro only_rows_to_rebuild(name, relation=none) %}
    {{- return(adapter.dispatch('only_rows_to_rebuild', 'llm_cost_audit')(name, relation)) -}}
{% endmacro %}

{% macro default__only_rows_to_rebuild(name, relation=none) %}
{%- set q = relation ~ '.' if relation else '' -%}
{%- if is_incremental() -%}
    where {{ is_day_to_rebuild(name, q ~ 'usage_date') }}
        or {{ q }}provider || '|' || {{ q }}model_id || '|' || {{ q }}prefix_hash in (
            select provider || '|' || model_id || '|' || prefix_hash from {{ name }}_streams
        )
{%- endif -%}
{% endmacro %}

{#- Spark writes whole day partitions (insert_overwrite): the rows to rebuild are every
    row of the days to rebuild, which there include each day a stream to recompute has a
    call on (macro stream_days_to_rebuild). -#}
{% macro spark__only_rows_to_rebuild(name, relation=none) %}
{%- set q = relation ~ '.' if relation else '' -%}
{{- only_days_to_rebuild(name, q ~ 'usage_date') -}}
{% endmacro %}


{#- Further days to rebuild (`union select ...`) for the streams to recompute: none where
    a model can replace single rows (DuckDB, replace_rows); on Spark, every day any call of
    those streams falls on, before or after this run's loads. -#}
{% macro stream_days_to_rebuild(name, upstream) %}
    {{- return(adapter.dispatch('stream_days_to_rebuild', 'llm_cost_audit')(name, upstream)) -}}
{% endmacro %}

{% macro default__stream_days_to_rebuild(name, upstream) %}{% endmacro %}

{% macro spark__stream_days_to_rebuild(name, upstream) %}
    {%- for relation in [this, upstream] %}
    union
    select calls.usage_date
    from {{ relation }} as calls
    inner join {{ name }}_streams as streams
        on streams.provider = calls.provider
        and streams.model_id = calls.model_id
        and streams.prefix_hash = calls.prefix_hash
    {%- endfor %}
{% endmacro %}
