{#-
    Rows out of a JSON text column, as a select over `relation`: one row per element of a
    JSON array (`json_array_rows`: id, the element as text) or per member of a JSON
    object (`json_object_rows`: id, key, the value as text, an object or list value as its
    JSON). Rows whose column holds no array / object give none. Engine-specific, so
    dispatched.
-#}
{% macro json_array_rows(relation, id_column, json_column, value_alias) -%}
    {{ return(adapter.dispatch('json_array_rows', 'llm_cost_audit')(
        relation, id_column, json_column, value_alias)) }}
{%- endmacro %}

{% macro default__json_array_rows(relation, id_column, json_column, value_alias) -%}
    select {{ id_column }}, unnest(json_extract_string({{ json_column }}, '$[*]')) as {{ value_alias }}
    from {{ relation }}
    where json_type({{ json_column }}) = 'ARRAY'
{%- endmacro %}

{% macro spark__json_array_rows(relation, id_column, json_column, value_alias) -%}
    select {{ id_column }}, {{ value_alias }}
    from {{ relation }}
    lateral view explode(from_json({{ json_column }}, 'array<string>')) elements
        as {{ value_alias }}
    where substr(ltrim({{ json_column }}), 1, 1) = '['
{%- endmacro %}

{% macro json_object_rows(relation, id_column, json_column, key_alias, value_alias) -%}
    {{ return(adapter.dispatch('json_object_rows', 'llm_cost_audit')(
        relation, id_column, json_column, key_alias, value_alias)) }}
{%- endmacro %}

{% macro default__json_object_rows(relation, id_column, json_column, key_alias, value_alias) -%}
    select
        {{ id_column }},
        {{ key_alias }},
        json_extract_string(
            {{ json_column }}, '$."' || replace({{ key_alias }}, '"', '\"') || '"'
        ) as {{ value_alias }}
    from (
        select {{ id_column }}, {{ json_column }}, unnest(json_keys({{ json_column }})) as {{ key_alias }}
        from {{ relation }}
        where json_type({{ json_column }}) = 'OBJECT'
    ) as members
{%- endmacro %}

{% macro spark__json_object_rows(relation, id_column, json_column, key_alias, value_alias) -%}
    select {{ id_column }}, {{ key_alias }}, {{ value_alias }}
    from {{ relation }}
    lateral view explode(from_json({{ json_column }}, 'map<string,string>')) members
        as {{ key_alias }}, {{ value_alias }}
    where substr(ltrim({{ json_column }}), 1, 1) = '{'
{%- endmacro %}
