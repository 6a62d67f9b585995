"""Gemini and gateway export fixtures written by hand, ugly on purpose (BOMs, a Unicode `≤`,
a key alias with a comma in a quoted CSV cell, float counts `3120.0`, `TRUE`/`FALSE`, a
header-only file, an older OpenRouter header, null dimensions, absent zero counts, JSON
metadata as text, a streamed response repeated, a failed line, a non-GenAI span), and
prompt text carrying PROMPT_MARKER in every place a log can carry it. Costs computed by
hand from the seed list prices (USD per million tokens):

    gemini-2.5-flash 0.30 in / 2.50 out / 0.03 cache read; gemini-2.5-pro 1.25 / 10
    claude-sonnet-4-6 3 / 15, 5m write 3.75, 1h write 6, read 0.3 (same on OpenRouter)
    claude-haiku-4-5 1 / 5, 5m write 1.25, read 0.1
    gpt-5 1.25 / 10, read 0.125 (same on OpenRouter); gpt-4o-mini 0.15 / 0.60

Account `acme`, 2026-09-14:
- Gemini: g1 flash, 100,000 prompt of which 40,000 cached, 2,000 tool-use prompt, 10,000
  candidates + 5,000 thoughts: 62,000 x 0.30 + 40,000 x 0.03 + 15,000 x 2.50
  = 0.0186 + 0.0012 + 0.0375 = $0.0573. g2 pro, streamed (the last chunk counts): 1,000
  prompt + 3,120 (`3120.0`) candidates: 0.00125 + 0.0312 = $0.03245. A failed line: skipped.
- Anthropic usage report, 1d bucket, Sonnet 4.6: 80,000 input, 4,000 5m + 6,000 1h writes,
  50,000 reads, 5,000 output = 0.24 + 0.015 + 0.036 + 0.015 + 0.075 = $0.381. LiteLLM
  lite-1 is part of it (110,000 prompt incl. 50,000 reads and 10,000 writes -> 50,000 input,
  2,000 output): it keeps its detail, the bucket keeps the remainder 30,000 input + 3,000
  output; the day's Sonnet total stays $0.381.
- LiteLLM lite-2: a response-cache hit (no provider call): left out. lite-3 Gemini via
  LiteLLM (`gemini/gemini-2.5-flash`), 3,120 prompt + 1,000 completion: 0.000936 + 0.0025
  = $0.003436. lite-4 on Azure (`gpt-4o`): unpriced, 700 + 300 = 1,000 tokens reported.
- OTel: Haiku 4.5 span whose input (500) excludes its cache (1,000 read, 2,000 written):
  0.0005 + 0.0025 + 0.0001 + 0.0005 = $0.0036 (exported twice: counted once); gpt-4o-mini
  span (old attribute names) 1,000 + 200: 0.00015 + 0.00012 = $0.00027.
  Day: 0.0573 + 0.03245 + 0.381 + 0.003436 + 0.0036 + 0.00027 = $0.478056.

Account `globex`, 2026-09-15:
- LiteLLM JSONL: gpt-5 20,000 prompt (8,000 cached) + 5,000 completion (4,000 reasoning):
  12,000 x 1.25 + 8,000 x 0.125 + 5,000 x 10 = 0.015 + 0.001 + 0.05 = $0.066.
- OpenRouter (older header): Sonnet 4.6 10,000 prompt (4,000 cached) + 1,000 completion:
  0.018 + 0.0012 + 0.015 = $0.0342; gpt-5 2,000 + 100: 0.0025 + 0.001 = $0.0035.
  Day: 0.066 + 0.0342 + 0.0035 = $0.1037.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from anthropic_fixtures import bucket, page, usage_result, write

PROMPT_MARKER = "PROMPT-TEXT-MARKER-7f3c"

EXPECTED_COST = {
    ("acme", "2026-09-14"): Decimal("0.478056"),
    ("globex", "2026-09-15"): Decimal("0.1037"),
}


def gemini_response(response_id: str | None, model: str, usage: dict, **extra: object) -> dict:
    return {
        "candidates": [
            {"content": {"parts": [{"text": PROMPT_MARKER}], "role": "model"}, "index": 0}
        ],
        "usageMetadata": usage,
        "modelVersion": model,
        **({"responseId": response_id} if response_id else {}),
        **extra,
    }


def jsonl(*records: dict) -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"


def write_gemini(directory: Path) -> None:
    g1 = gemini_response(
        "g1",
        "gemini-2.5-flash",
        {
            "promptTokenCount": 100_000,
            "cachedContentTokenCount": 40_000,
            "toolUsePromptTokenCount": 2_000,
            "candidatesTokenCount": 10_000,
            "thoughtsTokenCount": 5_000,
            "totalTokenCount": 117_000,
        },
        createTime="2026-09-14T08:00:00.123456Z",
    )
    chunk = {"promptTokenCount": 1_000, "candidatesTokenCount": 10}  # no cache: absent
    final = {"promptTokenCount": 1_000, "candidatesTokenCount": 3120.0}
    at = {"createTime": "2026-09-14T09:00:00Z"}
    failed = {"error": {"code": 429, "message": "RESOURCE_EXHAUSTED"}}
    text = jsonl(
        g1,
        gemini_response("g2", "models/gemini-2.5-pro", chunk, **at),
        failed,
        gemini_response("g2", "models/gemini-2.5-pro", final, **at),
    )
    write(directory / "gemini_responses.jsonl", text, bom=True)


def litellm_metadata(
    alias: str | None, team: str | None, usage_object: dict | None, labels: dict | None = None
) -> dict:
    return {
        "user_api_key_alias": alias,
        "user_api_key_team_alias": team,
        "spend_logs_metadata": labels,
        "requester_ip_address": "10.0.0.1",
        "usage_object": usage_object,
    }


LITELLM_CSV_HEADER = (
    "request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens,"
    "startTime,endTime,model,model_group,custom_llm_provider,user,metadata,cache_hit,"
    "cache_key,request_tags,team_id,end_user,messages,response,status"
)


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return '"' + text.replace('"', '""') + '"'


def write_litellm_csv(directory: Path) -> None:
    sonnet_usage = {
        "prompt_tokens": 110_000,
        "completion_tokens": 2_000,
        "cache_read_input_tokens": 50_000,
        "cache_creation_input_tokens": 10_000,
        "prompt_tokens_details": {
            "cached_tokens": 50_000,
            "cache_creation_tokens": 10_000,
            "cache_creation_token_details": {
                "ephemeral_5m_input_tokens": 4_000,
                "ephemeral_1h_input_tokens": 6_000,
            },
        },
    }
    messages = [{"role": "user", "content": f"{PROMPT_MARKER}, with a comma"}]
    rows = [
        # a key alias with a comma, a team with a Unicode `≤`, a bogus `spend`
        ("lite-1", "99.5", "110000", "2000", "2026-09-14 10:00:00.000+00", "claude-sonnet-4-6",
         "anthropic", litellm_metadata("search, prod", "≤200k team", sonnet_usage,
                                       {"team": "search", "cost_center": "cc-42"}), "FALSE",
         '["prod", "answer-gen"]', "success"),
        ("lite-2", "0.0", "110000", "2000", "2026-09-14 10:05:00.000+00", "claude-sonnet-4-6",
         "anthropic", litellm_metadata("search, prod", "≤200k team", sonnet_usage), "TRUE",
         "[]", "success"),
        ("lite-3", "0.0034", "3120.0", "1000", "2026-09-14T11:00:00Z", "gemini/gemini-2.5-flash",
         "gemini", None, "False", None, "success"),
        ("lite-4", "0.001", "700", "300", "2026-09-14T12:00:00Z", "gpt-4o", "azure",
         litellm_metadata(None, None, None), "False", "[]", "success"),
    ]  # fmt: skip
    lines = [LITELLM_CSV_HEADER]
    for (
        request_id,
        spend,
        prompt,
        completion,
        start,
        model,
        provider,
        meta,
        hit,
        tags,
        status,
    ) in rows:  # noqa: E501
        cells = [request_id, "acompletion", "88ab" + request_id, spend, "", prompt, completion,
                 start, start, model, model, provider, "", _csv_cell(meta), hit, "",
                 _csv_cell(tags), "", "", _csv_cell(messages), _csv_cell({"text": PROMPT_MARKER}),
                 status]  # fmt: skip
        lines.append(",".join(cells))
    write(directory / "litellm_spend_logs.csv", "\n".join(lines) + "\n", bom=True)


def write_litellm_jsonl(directory: Path) -> None:
    usage_object = {
        "prompt_tokens": 20_000,
        "completion_tokens": 5_000,
        "prompt_tokens_details": {"cached_tokens": 8_000},
        "completion_tokens_details": {"reasoning_tokens": 4_000},
    }
    record = {
        "request_id": "chatcmpl-globex-1",
        "call_type": "acompletion",
        "api_key": "6f0c1de5abec",
        "spend": 1.024e-05,
        "prompt_tokens": 20_000,
        "completion_tokens": 5_000,
        "startTime": "2026-09-15T10:00:00.000000Z",
        "model": "gpt-5-2025-08-07",
        "custom_llm_provider": "openai",
        # metadata written as JSON text, as some exports do
        "metadata": json.dumps(litellm_metadata(None, None, usage_object, {"team": "research"})),
        "cache_hit": None,
        "request_tags": None,
        "team_id": None,
        "messages": [{"role": "user", "content": PROMPT_MARKER}],
        "response": {"choices": [{"message": {"content": PROMPT_MARKER}}]},
        "status": "success",
    }
    write(directory / "spend.jsonl", jsonl(record))


# An older export: no tokens_reasoning, variant, app_name or cost breakdown columns.
OPENROUTER_OLD_HEADER = (
    "generation_id,created_at,cost_total,tokens_prompt,tokens_completion,tokens_cached,"
    "model_permaslug,provider_name,api_key_name"
)
OPENROUTER_HEADER = (
    "generation_id,created_at,cost_total,cost_web_search,cost_cache,cost_file_processing,"
    "byok_usage_inference,tokens_prompt,tokens_completion,tokens_reasoning,tokens_cached,"
    "model_permaslug,provider_name,variant,cancelled,streamed,user,finish_reason_raw,"
    "finish_reason_normalized,generation_time_ms,time_to_first_token_ms,api_key_disabled,"
    "api_key_name,app_name"
)


def write_openrouter(directory: Path) -> None:
    rows = [
        "gen-1,2026-09-15 11:00:00.000,0.0123,10000,1000,4000,"
        'anthropic/claude-4.6-sonnet-20260217,Anthropic,"eval, nightly"',
        "gen-2,2026-09-15 11:30:00.000,0.0035,2000,100,,openai/gpt-5-2025-08-07,OpenAI,",
    ]
    write(directory / "openrouter.csv", "\n".join([OPENROUTER_OLD_HEADER, *rows]) + "\n", bom=True)
    write(directory / "openrouter_empty.csv", OPENROUTER_HEADER + "\n")


def attribute(key: str, value: object) -> dict:
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": value}}


def span(trace: str, span_id: str, start_nanos: int, attributes: dict) -> dict:
    return {
        "traceId": trace,
        "spanId": span_id,
        "name": f"chat {PROMPT_MARKER}",
        "kind": 3,
        "startTimeUnixNano": str(start_nanos),
        "endTimeUnixNano": str(start_nanos + 1_000_000_000),
        "attributes": [attribute(k, v) for k, v in attributes.items()],
        "status": {},
    }


def otlp(service: str | None, *spans: dict) -> dict:
    resource = {"attributes": [attribute("service.name", service)] if service else []}
    return {"resourceSpans": [{"resource": resource, "scopeSpans": [{"scope": {"name": "t"},
            "spans": list(spans)}]}]}  # fmt: skip


SEPT_14_13H_NANOS = 1_789_390_800 * 1_000_000_000  # 2026-09-14T13:00:00Z
HAIKU_SPAN = span(
    "aaaa0000000000000000000000000001",
    "bbbb000000000001",
    SEPT_14_13H_NANOS,
    {
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-haiku-4-5",
        "gen_ai.response.id": "msg_otel_1",
        "gen_ai.usage.input_tokens": 500,
        "gen_ai.usage.cache_read.input_tokens": 1_000,
        "gen_ai.usage.cache_creation.input_tokens": 2_000,
        "gen_ai.usage.output_tokens": 100,
        "gen_ai.input.messages": PROMPT_MARKER,
    },
)


def write_otel(directory: Path) -> None:
    mini = span(
        "aaaa0000000000000000000000000002",
        "bbbb000000000002",
        SEPT_14_13H_NANOS + 60_000_000_000,
        {
            "gen_ai.system": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
            "gen_ai.usage.prompt_tokens": 1_000,
            "gen_ai.usage.completion_tokens": 200,
            "gen_ai.openai.response.service_tier": "default",
        },
    )
    http = span("aaaa0000000000000000000000000003", "bbbb000000000003", SEPT_14_13H_NANOS,
                {"http.request.method": "POST"})  # fmt: skip
    write(directory / "spans-1.otlp.jsonl", jsonl(otlp("search-api", HAIKU_SPAN, http),
                                                 otlp(None, mini)))  # fmt: skip
    # the next export repeats the Haiku span: one record
    write(directory / "spans-2.otlp.jsonl", jsonl(otlp("search-api", HAIKU_SPAN)))


def write_anthropic_bucket(directory: Path) -> None:
    result = usage_result(model="claude-sonnet-4-6", input=80_000, cw5=4_000, cr=50_000,
                          output=5_000)  # fmt: skip
    result["cache_creation"]["ephemeral_1h_input_tokens"] = 6_000
    day = bucket("2026-09-14T00:00:00Z", "2026-09-15T00:00:00Z", result)
    write(directory / "usage_report.json", json.dumps(page(day)))


def write_gateway_exports(root: Path) -> None:
    acme, globex = root / "account=acme", root / "account=globex"
    write_gemini(acme)
    write_litellm_csv(acme)
    write_otel(acme)
    write_anthropic_bucket(acme)
    write_litellm_jsonl(globex)
    write_openrouter(globex)
