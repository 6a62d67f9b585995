{#- Whether one atomic clause of genai-prices' match rules (seed model_match_rules) holds
    for a lower-cased spelling, as genai-prices evaluates it: `equals`, `starts_with`,
    `ends_with`, `contains` on lower case (the seed's values are lower case already) and
    `regex` as Python's re.search, a match anywhere unless the pattern anchors it (the
    generator admits only patterns that read alike in Python, RE2 and Java). An empty
    cell is the empty text, which every spelling starts with. -#}
{% macro model_clause_matches(kind, value, spelling) -%}
    {{ return(adapter.dispatch('model_clause_matches', 'llm_cost_audit')(kind, value, spelling)) }}
{%- endmacro %}

{% macro default__model_clause_matches(kind, value, spelling) -%}
    case {{ kind }}
        when 'equals' then {{ spelling }} = coalesce({{ value }}, '')
        when 'starts_with' then starts_with({{ spelling }}, coalesce({{ value }}, ''))
        when 'ends_with' then ends_with({{ spelling }}, coalesce({{ value }}, ''))
        when 'contains' then contains({{ spelling }}, coalesce({{ value }}, ''))
        when 'regex' then regexp_matches({{ spelling }}, {{ value }})
    end
{%- endmacro %}

{#- rlike is Java's Matcher.find: a match anywhere, as re.search -#}
{% macro spark__model_clause_matches(kind, value, spelling) -%}
    case {{ kind }}
        when 'equals' then {{ spelling }} = coalesce({{ value }}, '')
        when 'starts_with' then startswith({{ spelling }}, coalesce({{ value }}, ''))
        when 'ends_with' then endswith({{ spelling }}, coalesce({{ value }}, ''))
        when 'contains' then contains({{ spelling }}, coalesce({{ value }}, ''))
        when 'regex' then {{ spelling }} rlike {{ value }}
    end
{%- endmacro %}


{#- genai-prices' retry for a spelling nothing matched as is (types.py,
    `_normalize_compact_dated_ref`): every compact date `-YYYYMMDD` that ends the spelling
    or is followed by `-` or `:` becomes `-YYYY-MM-DD` (`gpt-5.2-20251211` ->
    `gpt-5.2-2025-12-11`), if it is a real calendar day. Neither RE2 nor the replacement
    can look ahead or check a date, so the valid days are spelled out (months of 31 and 30
    days, February to the 28th, the 29th in leap years: 2000-2099, every fourth year) and
    the delimiter after a date is captured and put back. Two dates sharing that delimiter
    (`-20250101-20250202`) need a second pass, as the first one consumed it. -#}
{% macro normalize_compact_model_date(expr) -%}
    {%- set day = "-(20[0-9]{2})(?:(0[13578]|1[02])(0[1-9]|[12][0-9]|3[01])|(0[469]|11)(0[1-9]|[12][0-9]|30)|(02)(0[1-9]|1[0-9]|2[0-8]))(-|:|$)" -%}
    {%- set leap_day = "-(20(?:[02468][048]|[13579][26]))(02)(29)(-|:|$)" -%}
    {%- set text = namespace(sql=expr) -%}
    {%- for _ in range(2) -%}
        {%- set text.sql = replace_every_match(text.sql, day, ['-', 1, '-', 2, 4, 6, '-', 3, 5, 7, 8]) -%}
        {%- set text.sql = replace_every_match(text.sql, leap_day, ['-', 1, '-', 2, '-', 3, 4]) -%}
    {%- endfor -%}
    {{ text.sql }}
{%- endmacro %}


{#- regexp_replace of every match; `parts` is the replacement as a list of group numbers
    and literal text (a group that did not take part in the match gives '' on both
    engines), written in each engine's own syntax. -#}
{% macro replace_every_match(expr, pattern, parts) -%}
    {{ return(adapter.dispatch('replace_every_match', 'llm_cost_audit')(expr, pattern, parts)) }}
{%- endmacro %}

{% macro default__replace_every_match(expr, pattern, parts) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '
    {%- for part in parts %}{{ '\\' ~ part if part is number else part }}{% endfor -%}
    ', 'g')
{%- endmacro %}

{#- Java's replacement syntax ($1), and Spark replaces every match by itself -#}
{% macro spark__replace_every_match(expr, pattern, parts) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '
    {%- for part in parts %}{{ '$' ~ part if part is number else part }}{% endfor -%}
    ')
{%- endmacro %}
