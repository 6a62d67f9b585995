{#-
    The parts of a call priced apart from its text tokens (docs/pricing.md, "Parts of a
    call"), written once: every usage row carries each part's quantity in its own column,
    every price row each part's price, and every cost is made of them here.

    A token part is a share of one of the five disjoint token buckets (`bucket`): audio,
    image and video tokens of uncached input, of cache reads and of output, and reasoning
    tokens of output. Its bucket's own price bills the rest of the bucket. A fee part is
    counted apart (web searches, priced per thousand).
-#}
{% macro token_parts() -%}
{{ return([
    {'name': 'input_audio', 'bucket': 'input', 'label': 'audio input'},
    {'name': 'input_image', 'bucket': 'input', 'label': 'image input'},
    {'name': 'input_video', 'bucket': 'input', 'label': 'video input'},
    {'name': 'cache_read_audio', 'bucket': 'cache_read', 'modality': 'audio', 'label': 'cached audio input'},
    {'name': 'cache_read_image', 'bucket': 'cache_read', 'modality': 'image', 'label': 'cached image input'},
    {'name': 'cache_read_video', 'bucket': 'cache_read', 'modality': 'video', 'label': 'cached video input'},
    {'name': 'output_audio', 'bucket': 'output', 'label': 'audio output'},
    {'name': 'output_image', 'bucket': 'output', 'label': 'image output'},
    {'name': 'output_video', 'bucket': 'output', 'label': 'video output'},
    {'name': 'output_reasoning', 'bucket': 'output', 'label': 'reasoning output'},
]) }}
{%- endmacro %}

{#- quantity column, price column and the thousand a price is per -#}
{% macro fee_parts() -%}
{{ return([
    {'name': 'web_search', 'quantity': 'web_search_requests', 'price': 'web_search_usd_per_kcall',
     'label': 'web searches'},
]) }}
{%- endmacro %}

{#- Every part quantity column of a usage row, in one order. -#}
{% macro part_quantity_columns() -%}
    {%- set columns = [] -%}
    {%- for part in token_parts() %}{% do columns.append(part.name ~ '_tokens') %}{% endfor -%}
    {%- for part in fee_parts() %}{% do columns.append(part.quantity) %}{% endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- Every part price column of a price row, in one order. -#}
{% macro part_price_columns() -%}
    {%- set columns = [] -%}
    {%- for part in token_parts() %}{% do columns.append(part.name ~ '_usd_per_mtok') %}{% endfor -%}
    {%- for part in fee_parts() %}{% do columns.append(part.price) %}{% endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- A part quantity of a usage row (`row`: '' or 'alias.'). A request log's staged
    quantity is never null (tested); a hand-made row without it (a dbt unit test) has none. -#}
{% macro part_quantity(row, column) -%}
    coalesce({{ row }}{{ column }}, 0)
{%- endmacro %}

{#- Minus each part of one token bucket of a usage row (`row`: '' or 'alias.'): appended
    to the bucket's tokens, it leaves its text tokens (` - coalesce(input_audio_tokens, 0)
    - ...`). -#}
{% macro less_bucket_parts(bucket, row) -%}
    {%- for part in token_parts() | selectattr('bucket', 'equalto', bucket) %} - {{ part_quantity(row, part.name ~ '_tokens') }}{% endfor -%}
{%- endmacro %}

{#-
    The per-million-token price of a token part at a price row (`prefix`), or null where
    the part has no price: as genai-prices prices it, a modality (or reasoning) with no
    price of its own bills at its bucket's price; but cached tokens of a modality whose
    uncached tokens have a price of their own and whose cached ones have none are left
    unpriced (genai-prices then counts them twice, at the modality's and the cache price).
-#}
{% macro part_price(prefix, part, is_long_context) -%}
    {%- set bucket_price = effective_price(prefix, part.bucket, is_long_context) -%}
    {%- if part.modality is defined -%}
        case
            when {{ prefix }}{{ part.name }}_usd_per_mtok is not null
                then {{ prefix }}{{ part.name }}_usd_per_mtok
            when {{ prefix }}input_{{ part.modality }}_usd_per_mtok is null then {{ bucket_price }}
        end
    {%- else -%}
        coalesce({{ prefix }}{{ part.name }}_usd_per_mtok, {{ bucket_price }})
    {%- endif -%}
{%- endmacro %}

{#- `tokens` times `price`, 0 where there are none (also where the price is missing). -#}
{% macro priced_tokens(tokens, price) -%}
    case when ({{ tokens }}) = 0 then 0 else ({{ tokens }}) * {{ price }} end
{%- endmacro %}

{#-
    One token bucket's amount (tokens x USD per million tokens, macro usd_from_mtok_amount
    makes it USD): `tokens` (the bucket's tokens, an expression) less its parts at the
    bucket's price, each part of the row (`row`) at its own. Null where a part present
    has no price.
-#}
{% macro bucket_amount(prefix, bucket, tokens, row, is_long_context) -%}
    {%- set parts = token_parts() | selectattr('bucket', 'equalto', bucket) | list -%}
    {%- set rest -%}
        ({{ tokens }}){% for part in parts %} - {{ part_quantity(row, part.name ~ '_tokens') }}{% endfor %}
    {%- endset -%}
    {%- if bucket == 'output' -%}
        {#- an input-only model has no output price: no output costs nothing there -#}
        {{ priced_tokens(rest, effective_price(prefix, bucket, is_long_context)) }}
    {%- else -%}
        ({{ rest }}) * {{ effective_price(prefix, bucket, is_long_context) }}
    {%- endif -%}
    {%- for part in parts %}
        + {{ priced_tokens(part_quantity(row, part.name ~ '_tokens'), part_price(prefix, part, is_long_context)) }}
    {%- endfor -%}
{%- endmacro %}

{#- A fee part's amount in the same unit (per thousand = per million x 1000). -#}
{% macro fee_amount(prefix, part, row) -%}
    {{ priced_tokens(part_quantity(row, part.quantity), prefix ~ part.price ~ ' * 1000') }}
{%- endmacro %}

{% macro fees_amount(prefix, row) -%}
    {%- for part in fee_parts() -%}
        {{ ' + ' if not loop.first }}{{ fee_amount(prefix, part, row) }}
    {%- endfor -%}
{%- endmacro %}

{#- The label of the first part of the row with no price at `prefix`, else null: the
    row is then unpriced (`no_part_price`), never billed as text. A cached share the
    export does not split by modality (null: OpenAI's cached audio) is unknown where the
    model prices it apart. -#}
{% macro unpriced_part(prefix, row, is_long_context) -%}
    case
        {%- for part in token_parts() if part.modality is defined %}
        when {{ row }}{{ part.name }}_tokens is null and {{ prefix }}{{ part.name }}_usd_per_mtok is not null
            then '{{ part.label }} (the export does not split cached tokens by modality)'
        {%- endfor %}
        {%- for part in token_parts() %}
        when {{ part_quantity(row, part.name ~ '_tokens') }} > 0
            and ({{ part_price(prefix, part, is_long_context) }}) is null then '{{ part.label }}'
        {%- endfor %}
        {%- for part in fee_parts() %}
        when {{ part_quantity(row, part.quantity) }} > 0 and {{ prefix }}{{ part.price }} is null
            then '{{ part.label }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- What netting sets apart (int_bucket_remainders, int_usage_netted): each token bucket
    and each part, as (token_bucket name, usage column, bucket it is a share of). -#}
{% macro netted_quantities() -%}
    {%- set quantities = [] -%}
    {%- for bucket in ['input', 'cache_write_5m', 'cache_write_1h', 'cache_read', 'output'] -%}
        {%- do quantities.append({'name': bucket, 'column': bucket ~ '_tokens', 'bucket': none}) -%}
    {%- endfor -%}
    {%- for part in token_parts() -%}
        {%- do quantities.append({'name': part.name, 'column': part.name ~ '_tokens', 'bucket': part.bucket}) -%}
    {%- endfor -%}
    {%- for part in fee_parts() -%}
        {%- do quantities.append({'name': part.name, 'column': part.quantity, 'bucket': none}) -%}
    {%- endfor -%}
    {{ return(quantities) }}
{%- endmacro %}

{#- A staging model's part columns its source does not carry: 0 (`carried`: the part
    columns it selects itself, each never null). -#}
{% macro absent_parts(carried=[]) -%}
    {%- for column in part_quantity_columns() if column not in carried %}
        cast(0 as bigint) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
