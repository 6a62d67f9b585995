{#-
    The per-million-token price of one token kind from a price row whose columns carry
    `prefix` (e.g. 'p_'), on the long-context tier when `is_long_context` holds.

    A kind with no price of its own is billed as its parent, as genai-prices does: a 1-hour
    cache write as a 5-minute write, then as input; a cache read as input. A kind whose
    long-context price is missing keeps its base price (it is not tiered).
-#}
{% macro effective_price(prefix, kind, is_long_context) -%}
    {%- set tiered -%}
        case when {{ is_long_context }} and {{ prefix }}lc_{{ kind }}_usd_per_mtok is not null
            then {{ prefix }}lc_{{ kind }}_usd_per_mtok
            else {{ prefix }}{{ kind }}_usd_per_mtok end
    {%- endset -%}
    {%- if kind == 'cache_write_1h' -%}
        coalesce({{ tiered }}, {{ effective_price(prefix, 'cache_write_5m', is_long_context) }})
    {%- elif kind == 'cache_write_5m' or kind == 'cache_read' -%}
        coalesce({{ tiered }}, {{ effective_price(prefix, 'input', is_long_context) }})
    {%- else -%}
        {{ tiered }}
    {%- endif -%}
{%- endmacro %}
