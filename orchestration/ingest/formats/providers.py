"""Every provider format module, imported once so each registers its detector (in
`detect.DETECTORS`) and its loader (in `provider.PROVIDER_FORMATS`)."""

from orchestration.ingest.detect import CANONICAL_DESCRIPTION, register_signature
from orchestration.ingest.formats import (  # noqa: F401 (imported to register them)
    SourceFamily,
    anthropic_console,
    anthropic_costs,
    anthropic_messages,
    anthropic_reports,
    anthropic_usage,
    gemini_responses,
    helicone_requests,
    langfuse_observations,
    litellm_spend_logs,
    openai_costs,
    openai_dashboard,
    openai_reports,
    openai_responses,
    openai_usage,
    openrouter_activity,
    openrouter_generations,
    otel_genai_spans,
    register_family,
    request_logs,
)
from orchestration.ingest.formats.canonical import REQUIRED_COLUMNS
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
        "OpenRouter generations, OpenTelemetry GenAI spans, Helicone requests, Langfuse "
        "observations) and OpenRouter's daily activity, each file validated before it is "
        "committed; prompt and completion text never read.",
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


# What each format's records carry: an unrecognised file is told which one it comes
# closest to and what it lacks (detect.closest_format).
_SIGNATURES = {
    anthropic_console.CONSOLE_USAGE: (anthropic_console.USAGE_REQUIRED, "csv"),
    anthropic_console.CONSOLE_COST: (anthropic_console.COST_REQUIRED, "csv"),
    anthropic_messages.MESSAGES: (sorted(anthropic_messages.MESSAGE_KEYS), "jsonl"),
    anthropic_messages.BATCH_RESULTS: (sorted(anthropic_messages.BATCH_KEYS), "jsonl"),
    anthropic_reports.USAGE_REPORT: (("starting_at", "ending_at", "results",
                                      *sorted(anthropic_reports.USAGE_RESULT_KEYS)), "json"),
    anthropic_reports.COST_REPORT: (("starting_at", "ending_at", "results",
                                     *sorted(anthropic_reports.COST_RESULT_KEYS)), "json"),
    gemini_responses.RESPONSES: (("responseId", "modelVersion", "usageMetadata"), "jsonl"),
    gemini_responses.BATCH_RESULTS: (("key", "response"), "jsonl"),
    litellm_spend_logs.SPEND_LOGS: (litellm_spend_logs.REQUIRED, "jsonl", "csv", "json_array"),
    helicone_requests.HELICONE: (helicone_requests.REQUIRED, "jsonl", "csv"),
    langfuse_observations.OBSERVATIONS: (langfuse_observations.SIGNATURE, "json"),
    openrouter_activity.ACTIVITY: (openrouter_activity.SIGNATURE, "json", "csv"),
    openai_dashboard.DASHBOARD_USAGE: (("start_time", "end_time",
                                        *openai_dashboard.USAGE_REQUIRED), "csv"),
    openai_dashboard.DASHBOARD_COST: (("start_time", "end_time",
                                       *openai_dashboard.COST_REQUIRED), "csv"),
    openai_reports.USAGE_PAGES: (("start_time", "end_time", "results",
                                  *sorted(openai_reports.USAGE_RESULT_KEYS)), "json"),
    openai_reports.COST_PAGES: (("start_time", "end_time", "results",
                                 *sorted(openai_reports.COST_RESULT_KEYS)), "json"),
    openai_responses.RESPONSES: (("id", "model", "created", "usage", "choices"), "jsonl"),
    openai_responses.BATCH_OUTPUT: (sorted(openai_responses.BATCH_KEYS), "jsonl"),
    openrouter_generations.GENERATIONS: (openrouter_generations.REQUIRED, "csv"),
    otel_genai_spans.SPANS: (("resourceSpans",), "jsonl"),
}  # fmt: skip
register_signature(CANONICAL_DESCRIPTION, REQUIRED_COLUMNS, "csv", "jsonl", "parquet")
for _family, (_columns, *_encodings) in _SIGNATURES.items():
    register_signature(PROVIDER_FORMATS[_family].description, tuple(_columns), *_encodings)
