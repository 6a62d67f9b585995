{#-
    Whether a request is billed at the long-context rates of a price row (`prefix`).
    A single request: its total input (cache tokens included) strictly above the
    threshold, so a call exactly at the threshold stays on the base rates. A bucket of
    many requests: only the export's own flag decides (its summed input says nothing
    about any one request); a bucket without a flag stays on the base rates.
-#}
{% macro is_long_context(prefix, total_input_tokens, request_count, long_context_flag) -%}
    case
        when {{ prefix }}long_context_threshold_tokens is null then false
        when {{ request_count }} = 1
            then {{ total_input_tokens }} > {{ prefix }}long_context_threshold_tokens
        else coalesce({{ long_context_flag }}, false)
    end
{%- endmacro %}
