"""Google Gemini `generateContent` responses (JSONL, one response per line), and the
batch result lines that wrap one (Gemini API `{key, response}`, Vertex AI batch
prediction `{request, response, status}`: the file is the flag, batch tier).

`usageMetadata` (docs/formats.md): `cachedContentTokenCount` is part of `promptTokenCount`
(cache reads); `toolUsePromptTokenCount` is input outside it; `thoughtsTokenCount` is not
in `candidatesTokenCount` and is billed as output. The `*TokensDetails` lists split
prompt, cached and candidate tokens by modality: audio, image (and document) and video
tokens are parts of the call priced at their own rates (docs/pricing.md). Zero counts are
usually absent: absent is 0. Only `responseId`, `modelVersion`, `createTime` and
`usageMetadata` are read: the candidates' text and a batch line's `request` (the prompt)
are never selected.

A response has a time only on Vertex AI (`createTime`); otherwise the record takes the day
of a `date=` folder or `run --undated-day`, flagged `is_time_from_file` (else refused).
Streamed chunks of one response share its `responseId`: the last one (cumulative usage)
is kept. A line without `usageMetadata` is a failed request when it carries `error`
(skipped: not billed) and a wrong record otherwise (the file is rejected).
"""

from __future__ import annotations

from orchestration.ingest.registry import ExportFormat, Signature
from orchestration.ingest.sniff import DetectedFormat, FileSniff, Match
from orchestration.ingest.staging import (
    FileContext,
    StagingError,
    json_text,
    new_table_name,
    sql_str,
)
from orchestration.ingest.tables import request_logs

RESPONSES = "gemini_responses"
BATCH_RESULTS = "gemini_batch_results"
FIELD_NAMES = {
    "request_time": "createTime",
    "model": "modelVersion",
    "provider": "provider",
    "cache_hit": "cache_hit",
    "input_total": "usageMetadata.promptTokenCount",
    "cache_read": "usageMetadata.cachedContentTokenCount",
    "cache_write_5m": "cache writes",
    "extra_input": "usageMetadata.toolUsePromptTokenCount",
    "output_base": "usageMetadata.candidatesTokenCount",
    "output_extra": "usageMetadata.thoughtsTokenCount",
    "reasoning": "usageMetadata.thoughtsTokenCount",
    **{
        f"{bucket}_{modality}": f"usageMetadata.{details} {modality}"
        for bucket, details in (
            ("input", "promptTokensDetails"),
            ("cache_read", "cacheTokensDetails"),
            ("output", "candidatesTokensDetails"),
        )
        for modality in ("audio", "image", "video")
    },
}


# Gemini counts tokens by modality in `*TokensDetails` lists ({modality, tokenCount}); a
# DOCUMENT (a PDF page) is billed as image, as genai-prices reads it.
MODALITIES = {"audio": ("AUDIO",), "image": ("IMAGE", "DOCUMENT"), "video": ("VIDEO",)}


def _modality_tokens(usage: str, details: str, modality: str) -> str:
    """SQL: the tokens of one modality in a details list, summed (NULL if none listed).
    A count that is not an integer fails the file's load: never a silent 0."""
    entries = f"from_json(json_extract({usage}, '$.{details}'), '[\"json\"]')"
    names = ", ".join(sql_str(name) for name in MODALITIES[modality])
    return (
        f"list_sum(list_transform(list_filter({entries}, "
        f"lambda d: json_extract_string(d, '$.modality') in ({names})), "
        f"lambda d: cast(json_extract_string(d, '$.tokenCount') as bigint)))"
    )


def _part_columns(usage: str) -> str:
    """The parts of the call (request_logs.PART_COLUMNS) as text: uncached input of a
    modality (prompt and tool-use prompt, less its cached share), cached input, output."""
    columns = []
    for modality in MODALITIES:
        prompt = _modality_tokens(usage, "promptTokensDetails", modality)
        tool = _modality_tokens(usage, "toolUsePromptTokensDetails", modality)
        cached = _modality_tokens(usage, "cacheTokensDetails", modality)
        output = _modality_tokens(usage, "candidatesTokensDetails", modality)
        columns += [
            f"cast(coalesce({prompt}, 0) + coalesce({tool}, 0) - coalesce({cached}, 0)"
            f" as varchar) as input_{modality}",
            f"cast({cached} as varchar) as cache_read_{modality}",
            f"cast({output} as varchar) as output_{modality}",
        ]
    return ",\n            ".join(columns)


def _stage(con, context: FileContext, family: str, batch: bool) -> str:
    table = new_table_name(family)
    response = "json_extract(doc, '$.response')" if batch else "doc"
    usage = f"json_extract({response}, '$.usageMetadata')"
    created = json_text("response", "$.createTime")
    con.execute(
        f"""
        create temp table {table}_rows as
        with records as ({request_logs.jsonl_records(context)}),
        responses as (
            select
                source_line,
                doc is null as bad_line,
                {response} as response,
                {usage} as usage,
                coalesce(json_type({usage}) not in ('NULL'), false) as has_usage,
                coalesce(json_type(doc, '$.error') not in ('NULL'), false)
                    or coalesce(json_type({response}, '$.error') not in ('NULL'), false)
                    as is_error
            from records
        )
        select
            row_number() over (order by source_line) as source_record,
            'line ' || source_line as location,
            source_line,
            bad_line,
            not bad_line and not has_usage as missing_usage,
            {created} is null as time_from_file,
            coalesce({created}, {context.undated_time_sql}) as request_time,
            {json_text("response", "$.responseId")} as record_key,
            {json_text("response", "$.responseId")} as request_id,
            'gemini' as channel,
            'google' as provider,
            regexp_replace({json_text("response", "$.modelVersion")}, '^models/', '') as model,
            {"'batch'" if batch else "cast(null as varchar)"} as service_tier,
            cast(null as varchar) as api_key,
            cast(null as varchar) as workspace,
            cast(null as varchar) as feature,
            cast(null as varchar) as request_tags,
            cast(null as varchar) as request_metadata,
            cast(null as varchar) as upstream_provider,
            cast(null as varchar) as status,
            cast(null as varchar) as cache_hit,
            'inside' as cache_convention,
            {json_text("usage", "$.promptTokenCount")} as input_total,
            {json_text("usage", "$.cachedContentTokenCount")} as cache_read,
            cast(null as varchar) as cache_write_5m,
            cast(null as varchar) as cache_write_1h,
            {json_text("usage", "$.toolUsePromptTokenCount")} as extra_input,
            {json_text("usage", "$.candidatesTokenCount")} as output_base,
            {json_text("usage", "$.thoughtsTokenCount")} as output_extra,
            {json_text("usage", "$.thoughtsTokenCount")} as reasoning,
            {_part_columns("usage")},
            cast(null as varchar) as gateway_cost
        from responses
        -- a failed request carries no usage and is not billed
        where bad_line or has_usage or not is_error
        """
    )
    request_logs.raise_on_bad_lines(con, table)
    missing = con.execute(
        f"select location from {table}_rows where missing_usage order by source_record limit 1"
    ).fetchone()
    if missing is not None:
        raise StagingError(
            f"{missing[0]}: usageMetadata is missing (expected a generateContent response)"
        )
    request_logs.add_parsed_columns(con, table)
    return table


def stage_responses(con, context: FileContext, encoding: str) -> str:
    return _stage(con, context, RESPONSES, batch=False)


def stage_batch_results(con, context: FileContext, encoding: str) -> str:
    return _stage(con, context, BATCH_RESULTS, batch=True)


def detect_gemini(sniff: FileSniff) -> Match | None:
    if sniff.encoding != "jsonl":
        return None
    keys = set(sniff.columns)
    if "usageMetadata" in keys and keys & {"modelVersion", "candidates", "responseId"}:
        return Match(DetectedFormat(RESPONSES, "jsonl"), complete=True)
    # batch lines wrap a response; OpenAI batch output has `custom_id`, LiteLLM `request_id`
    if "response" in keys and keys & {"key", "request"} and not keys & {"custom_id", "request_id"}:
        return Match(DetectedFormat(BATCH_RESULTS, "jsonl"), complete=True)
    return None


FORMATS = (
    ExportFormat(
        family=RESPONSES,
        description=(
            "Google Gemini generateContent responses (JSONL with usageMetadata, modelVersion)"
        ),
        table=request_logs.TABLE,
        detect=detect_gemini,
        stage=stage_responses,
        signature=Signature(("responseId", "modelVersion", "usageMetadata"), ("jsonl",)),
        checks=request_logs.request_checks(FIELD_NAMES, ()),
    ),
    ExportFormat(
        family=BATCH_RESULTS,
        description=(
            "Google Gemini / Vertex AI batch prediction results (JSONL {key|request, response})"
        ),
        table=request_logs.TABLE,
        detect=detect_gemini,
        stage=stage_batch_results,
        signature=Signature(("key", "response"), ("jsonl",)),
        checks=request_logs.request_checks(FIELD_NAMES, ()),
    ),
)
