"""Every provider format module, imported once so each registers its detector (in
`detect.DETECTORS`) and its loader (in `provider.PROVIDER_FORMATS`). OpenAI, Gemini and
gateway formats add their modules here."""

from orchestration.ingest.formats import (  # noqa: F401 (imported to register them)
    anthropic_console,
    anthropic_costs,
    anthropic_messages,
    anthropic_reports,
    anthropic_usage,
)

# The raw tables provider formats load into, and their DDL (run by ensure_raw_tables).
RAW_TABLES = (anthropic_usage.RAW_TABLE, anthropic_costs.RAW_TABLE)
RAW_DDL = (anthropic_usage.RAW_DDL, anthropic_costs.RAW_DDL)
