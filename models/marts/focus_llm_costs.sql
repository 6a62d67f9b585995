/*
    The usage in the FinOps FOCUS 1.2 cost-and-usage format: one row per day, account,
    sub-account (workspace), provider, model, service tier, inference geo, token kind,
    price tier, feature and task class, over priced rows (unpriced usage is reported in
    rpt_unpriced_usage, never here at $0).

    Quantities are tokens; unit prices are USD per token, exact; every cost is its
    quantity times its unit price. List cost is at list price on the day; contracted,
    effective and billed cost at the negotiated rate (seed contracted_discounts), which
    is list where no term applies. Columns outside the FOCUS set carry the `x_` prefix.
*/
{%- set kinds = {
    'input': 'Input Tokens', 'cache_write_5m': 'Cache Write Tokens (5m TTL)',
    'cache_write_1h': 'Cache Write Tokens (1h TTL)', 'cache_read': 'Cache Read Tokens',
    'output': 'Output Tokens'} %}
{%- set unit_price_type = 'decimal(38, 20)' %}

{%- set grouping_columns = [
    'usage_at', 'account', 'workspace', 'provider', 'model_id', 'service_tier', 'inference_geo',
    'is_long_context', 'feature', 'task_class', 'contract_rate', 'price_source'] %}

-- read once per token kind, only the columns used: cheaper than DuckDB keeping every
-- column of every priced row as a table for the five readers
with usage as {{ not_materialized() }} (
    select
        {%- for column in grouping_columns %}
        usage.{{ column }},
        {%- endfor %}
        {%- for kind in kinds %}
        usage.{{ kind }}_tokens,
        {{ effective_price('own_price.', kind, 'usage.is_long_context') }} as {{ kind }}_usd_per_mtok
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_usage_priced') }} as usage
    left join {{ ref('int_prices_effective') }} as own_price
        on {{ own_price_lookup('own_price') }}
    where usage.is_priced
),

by_kind as (
    {%- for kind, meter in kinds.items() %}
    select
        {{ grouping_columns | join(', ') }},
        '{{ kind }}' as token_kind,
        '{{ meter }}' as sku_meter,
        {{ kind }}_tokens as tokens,
        {{ kind }}_usd_per_mtok as usd_per_mtok
    from usage
    where {{ kind }}_tokens > 0
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

{%- set line_columns = [
    'charge_day', 'account', 'workspace', 'provider', 'model_id', 'service_tier', 'inference_geo',
    'is_long_context', 'token_kind', 'sku_meter', 'feature', 'task_class'] %}

-- summed per price before the unit prices are worked out: rescaling a 128-bit decimal is
-- costly per row and cheap per line
by_price as (
    select
        cast(usage_at as date) as charge_day,
        account,
        coalesce(workspace, 'default') as workspace,
        provider,
        model_id,
        service_tier,
        inference_geo,
        is_long_context,
        token_kind,
        sku_meter,
        coalesce(feature, '(none)') as feature,
        task_class,
        usd_per_mtok,
        contract_rate,
        price_source,
        sum(tokens) as tokens
    from by_kind
    group by all
),

unit_priced as (
    select
        {{ line_columns | join(', ') }},
        cast(usd_per_mtok * 0.000001 as {{ unit_price_type }}) as list_unit_price,
        contract_rate,
        price_source,
        tokens
    from by_price
),

grouped as (
    select
        {{ line_columns | join(', ') }},
        list_unit_price,
        cast(list_unit_price * contract_rate as {{ unit_price_type }}) as contracted_unit_price,
        price_source,
        sum(tokens) as tokens
    from unit_priced
    group by all
),

final as (
    select
        cast(null as string) as AvailabilityZone,
        cast(tokens * contracted_unit_price as {{ unit_price_type }}) as BilledCost,
        account as BillingAccountId,
        account as BillingAccountName,
        'Organization' as BillingAccountType,
        'USD' as BillingCurrency,
        cast(date_trunc('month', charge_day) as timestamp) as BillingPeriodStart,
        cast(date_trunc('month', charge_day) + interval 1 month as timestamp) as BillingPeriodEnd,
        cast(null as string) as CapacityReservationId,
        cast(null as string) as CapacityReservationStatus,
        'Usage' as ChargeCategory,
        cast(null as string) as ChargeClass,
        model_id || ' ' || lower(sku_meter) || ', ' || service_tier || ' tier' as ChargeDescription,
        'Usage-Based' as ChargeFrequency,
        cast(charge_day + interval 1 day as timestamp) as ChargePeriodEnd,
        cast(charge_day as timestamp) as ChargePeriodStart,
        cast(null as string) as CommitmentDiscountCategory,
        cast(null as string) as CommitmentDiscountId,
        cast(null as string) as CommitmentDiscountName,
        cast(null as {{ unit_price_type }}) as CommitmentDiscountQuantity,
        cast(null as string) as CommitmentDiscountStatus,
        cast(null as string) as CommitmentDiscountType,
        cast(null as string) as CommitmentDiscountUnit,
        cast(tokens as {{ unit_price_type }}) as ConsumedQuantity,
        'Tokens' as ConsumedUnit,
        cast(tokens * contracted_unit_price as {{ unit_price_type }}) as ContractedCost,
        contracted_unit_price as ContractedUnitPrice,
        cast(tokens * contracted_unit_price as {{ unit_price_type }}) as EffectiveCost,
        cast(null as string) as InvoiceId,  -- usage exports name no invoice
        {{ provider_display_name('provider') }} as InvoiceIssuerName,
        cast(tokens * list_unit_price as {{ unit_price_type }}) as ListCost,
        list_unit_price as ListUnitPrice,
        'Standard' as PricingCategory,
        'USD' as PricingCurrency,
        contracted_unit_price as PricingCurrencyContractedUnitPrice,
        cast(tokens * contracted_unit_price as {{ unit_price_type }}) as PricingCurrencyEffectiveCost,
        list_unit_price as PricingCurrencyListUnitPrice,
        cast(tokens as {{ unit_price_type }}) as PricingQuantity,
        'Tokens' as PricingUnit,
        {{ provider_display_name('provider') }} as ProviderName,
        {{ model_publisher_name('model_id', 'provider') }} as PublisherName,
        case when inference_geo <> 'global' then inference_geo end as RegionId,
        case when inference_geo <> 'global' then inference_geo end as RegionName,
        cast(null as string) as ResourceId,
        cast(null as string) as ResourceName,
        cast(null as string) as ResourceType,
        'AI and Machine Learning' as ServiceCategory,
        {{ provider_service_name('provider') }} as ServiceName,
        'Generative AI' as ServiceSubcategory,
        provider || '/' || model_id || '/' || token_kind as SkuId,
        sku_meter as SkuMeter,
        {{ key_value_json([
            ('ServiceTier', 'service_tier'), ('InferenceGeo', 'inference_geo'),
            ('LongContext', 'is_long_context'), ('TokenKind', 'token_kind')]) }} as SkuPriceDetails,
        provider || '/' || model_id || '/' || token_kind || '/' || service_tier || '/'
            || inference_geo || case when is_long_context then '/long-context' else '' end
            as SkuPriceId,
        workspace as SubAccountId,
        workspace as SubAccountName,
        'Workspace' as SubAccountType,
        {{ key_value_json([('feature', 'feature'), ('task_class', 'task_class')]) }} as Tags,
        price_source as x_PriceSource
    from grouped
)

select * from final
