"""llm-cost-audit: load LLM usage exports into DuckDB and audit what they cost."""
