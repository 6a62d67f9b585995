"""One module per source family; each stages a file into DuckDB TEMP tables.

Only the canonical format exists so far; provider formats (Anthropic, OpenAI, gateways)
join it here, each with its detector registered in `orchestration.ingest.detect`.
"""
