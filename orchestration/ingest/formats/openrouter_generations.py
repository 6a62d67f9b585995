"""OpenRouter activity export: the generations CSV (one row per generation).

Columns are mapped by header name: OpenRouter added columns over time, so older files lack
some (every one but the id, time, model and token counts is optional).

OpenRouter is the seller here: it bills the generation from its credits, at its own price
per model, whichever upstream provider (`provider_name`, kept as `upstream_provider`)
served it. So the provider is `openrouter` (a channel is a seller of its own:
docs/formats.md), priced from OpenRouter's own price rows in the seeds (genai-prices' openrouter
provider), else unpriced; and these records never net against a provider's own buckets,
which do not contain them. `model_permaslug` (`anthropic/claude-4.6-sonnet-20260217`)
maps to OpenRouter's model id through the alias seed; a `variant` other than `standard`
(`free`, ...) is part of the model id (`openai/gpt-oss-120b:free`), as OpenRouter prices it.

Tokens: `tokens_cached` is part of `tokens_prompt` (cache reads); `tokens_reasoning` is
part of `tokens_completion`. `cost_total` is kept as `gateway_cost_usd`, not used to price.
"""

from __future__ import annotations

from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import (
    FileContext,
    StagingError,
    new_table_name,
    text,
)
from orchestration.ingest.tables import request_logs

GENERATIONS = "openrouter_generations"
REQUIRED = ("generation_id", "created_at", "tokens_prompt", "tokens_completion")
MODEL_COLUMNS = ("model_permaslug", "model")
READ_COLUMNS = frozenset({
    *REQUIRED, *MODEL_COLUMNS, "variant", "api_key_name", "app_name", "provider_name",
    "cancelled", "tokens_cached", "tokens_reasoning", "cost_total",
})  # fmt: skip
FIELD_NAMES = {
    "request_time": "created_at",
    "model": "model_permaslug",
    "provider": "provider",
    "cache_hit": "cache_hit",
    "input_total": "tokens_prompt",
    "cache_read": "tokens_cached",
    "output_base": "tokens_completion",
    "reasoning": "tokens_reasoning",
}


def stage(con, context: FileContext, encoding: str) -> str:
    table = new_table_name(GENERATIONS)
    header = request_logs.csv_header(con, context)
    missing = [name for name in REQUIRED if name not in header]
    if not any(name in header for name in MODEL_COLUMNS):
        missing.append("model_permaslug")
    if missing:
        raise StagingError(f"missing required column(s): {', '.join(missing)}")

    def column(*names: str) -> str:
        for name in names:
            if name in header:
                return text(f'"{name}"')
        return "cast(null as varchar)"

    # only the columns read below, in file order (rowid numbers the rows)
    read = [name for name in header if name in READ_COLUMNS]
    con.execute(
        f"create temp table {table}_lines as select "
        + ", ".join(f'"{name}"' for name in read)
        + f" from {request_logs.csv_reader(context)}"
    )
    variant = f"lower({column('variant')})"
    con.execute(
        f"""
        create temp table {table}_rows as
        select
            rowid + 1 as source_record,
            'row ' || (rowid + 1) || ' (line ' || (rowid + 2) || ')' as location,
            false as time_from_file,
            {column("created_at")} as request_time,
            {column("generation_id")} as record_key,
            {column("generation_id")} as request_id,
            'openrouter' as channel,
            'openrouter' as provider,
            {column(*MODEL_COLUMNS)}
                || case when {variant} is null or {variant} = 'standard' then ''
                    else ':' || {variant} end as model,
            cast(null as varchar) as service_tier,
            {column("api_key_name")} as api_key,
            {column("app_name")} as workspace,
            cast(null as varchar) as feature,
            cast(null as varchar) as request_tags,
            cast(null as varchar) as request_metadata,
            {column("provider_name")} as upstream_provider,
            case lower({column("cancelled")}) when 'true' then 'cancelled' end as status,
            cast(null as varchar) as cache_hit,
            'inside' as cache_convention,
            {column("tokens_prompt")} as input_total,
            {column("tokens_cached")} as cache_read,
            cast(null as varchar) as cache_write_5m,
            cast(null as varchar) as cache_write_1h,
            cast(null as varchar) as extra_input,
            {column("tokens_completion")} as output_base,
            cast(null as varchar) as output_extra,
            {column("tokens_reasoning")} as reasoning,
            {column("cost_total")} as gateway_cost
        from {table}_lines
        """
    )
    request_logs.add_parsed_columns(con, table)
    return table


def detect_openrouter(sniff: FileSniff) -> Match | None:
    if sniff.encoding != "csv" or "generation_id" not in sniff.columns:
        return None
    complete = set(REQUIRED) <= set(sniff.columns)
    return Match(DetectedFormat(GENERATIONS, "csv"), complete=complete)


FORMATS = (
    ExportFormat(
        family=GENERATIONS,
        description=(
            "OpenRouter generations CSV (generation_id, created_at, model_permaslug, "
            "tokens_prompt, tokens_completion, tokens_cached, ...; older headers too)"
        ),
        table=request_logs.TABLE,
        detect=detect_openrouter,
        stage=stage,
        signature=Signature(REQUIRED, ("csv",)),
        checks=request_logs.request_checks(FIELD_NAMES, ("input_total", "output_base")),
    ),
)
