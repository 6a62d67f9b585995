"""Every provider format module, imported once so each registers its detector (in
`detect.DETECTORS`) and its loader (in `provider.PROVIDER_FORMATS`)."""

from orchestration.ingest.formats import (  # noqa: F401 (imported to register them)
    SourceFamily,
    anthropic_console,
    anthropic_costs,
    anthropic_messages,
    anthropic_reports,
    anthropic_usage,
    gemini_responses,
    litellm_spend_logs,
    openai_costs,
    openai_dashboard,
    openai_reports,
    openai_responses,
    openai_usage,
    openrouter_generations,
    otel_genai_spans,
    register_family,
    request_logs,
)
from orchestration.ingest.formats.provider import PROVIDER_FORMATS

# The raw tables provider formats load into, and their DDL (run by ensure_raw_tables).
RAW_TABLES = (
    anthropic_usage.RAW_TABLE,
    anthropic_costs.RAW_TABLE,
    openai_usage.RAW_TABLE,
    openai_costs.RAW_TABLE,
    request_logs.RAW_TABLE,
)
RAW_DDL = (
    anthropic_usage.RAW_DDL,
    anthropic_costs.RAW_DDL,
    openai_usage.RAW_DDL,
    openai_costs.RAW_DDL,
    request_logs.RAW_DDL,
    *request_logs.RAW_MIGRATIONS,
)

# One raw-load asset per raw table (Dagster: `raw/<table>`), taking every format that
# lands there.
for _raw_table, _description in (
    (
        anthropic_usage.RAW_TABLE,
        "Anthropic usage: usage report pages, Console token CSVs, Messages API responses "
        "and Message Batches results, each file validated before it is committed.",
    ),
    (
        anthropic_costs.RAW_TABLE,
        "Anthropic cost report pages and Console cost CSVs (what the provider billed), "
        "each file validated before it is committed.",
    ),
    (
        openai_usage.RAW_TABLE,
        "OpenAI usage: Usage API completions pages, dashboard usage CSVs, Chat Completions "
        "and Responses API responses and Batch API output, each file validated before it "
        "is committed.",
    ),
    (
        openai_costs.RAW_TABLE,
        "OpenAI Costs API pages and dashboard cost CSVs (what the provider billed), each "
        "file validated before it is committed.",
    ),
    (
        request_logs.RAW_TABLE,
        "Request-level usage from Gemini responses and gateway logs (LiteLLM spend logs, "
        "OpenRouter generations, OpenTelemetry GenAI spans), each file validated before it "
        "is committed; prompt and completion text never read.",
    ),
):
    register_family(
        SourceFamily(
            name=_raw_table.removeprefix("raw."),
            raw_table=_raw_table.removeprefix("raw."),
            description=_description,
            formats=tuple(f for f, p in PROVIDER_FORMATS.items() if p.raw_table == _raw_table),
        )
    )
