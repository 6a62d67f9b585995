"""The parts of a call (docs/pricing.md, "Parts of a call"), loaded by the pipeline's loader
and priced by the dbt models up to int_usage_priced with their data tests, in ONE build:
OpenAI usage with audio tokens priced at the audio rates (no longer renamed and reported
unknown), Anthropic web searches billed per search, and a part with no price leaving its
call unpriced with the reason `no_part_price`, never billed as text.
The recorded responses of test_call_parts_replay.py hold the priced parts to genai-prices;
this module covers what that dataset does not carry."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import built_once, load_and_build, query
from genai_prices import Usage, calc_price
from openai_fixtures import DAY, SEPT_1, bucket, lines, page, usage_result, write

AT = datetime.fromtimestamp(SEPT_1, UTC)


def _write_exports(root: Path) -> Path:
    exports = root / "exports"
    realtime = usage_result("gpt-realtime", input=1_000_000, output=1_000_000)
    realtime.update(input_audio_tokens=500_000, output_audio_tokens=400_000)
    # cached tokens beside audio: how many of them are audio, the export does not say
    cached = usage_result(
        "gpt-realtime", input=1_000_000, cached=100_000, output=1_000_000, project="proj_cached"
    )
    cached.update(input_audio_tokens=500_000, output_audio_tokens=400_000)
    write(
        exports / "account=acme" / "openai_usage.json",
        json.dumps(page(bucket(SEPT_1, DAY, realtime, cached))),
    )
    write(
        # Messages responses carry no time: the day is the `date=` folder's
        exports / "account=acme" / f"date={AT:%Y-%m-%d}" / "messages.jsonl",
        lines(
            {"id": "msg_search", "type": "message", "model": "claude-sonnet-4-5-20250929",
             "stop_reason": "end_turn",
             "usage": {"input_tokens": 1000, "output_tokens": 200,
                       "server_tool_use": {"web_search_requests": 3}}},
            {"id": "msg_search_unpriced", "type": "message", "model": "claude-3-haiku-20240307",
             "stop_reason": "end_turn",
             "usage": {"input_tokens": 1000, "output_tokens": 200,
                       "server_tool_use": {"web_search_requests": 2}}},
        ),
    )  # fmt: skip
    write(
        exports / "account=acme" / "gemini.jsonl",
        lines(
            {"responseId": "live_cached_audio", "modelVersion": "gemini-live-2.5-flash",
             "createTime": "2026-09-01T00:00:00Z",
             "usageMetadata": {
                 "promptTokenCount": 500, "cachedContentTokenCount": 100,
                 "candidatesTokenCount": 50,
                 "promptTokensDetails": [{"modality": "AUDIO", "tokenCount": 300},
                                         {"modality": "TEXT", "tokenCount": 200}],
                 "cacheTokensDetails": [{"modality": "AUDIO", "tokenCount": 100}]}},
        ),
    )  # fmt: skip
    return exports


def _build(root: Path) -> dict[str, tuple]:
    warehouse = root / "warehouse.duckdb"
    load_and_build(_write_exports(root), warehouse, "int_usage_priced")
    rows = query(
        warehouse,
        """
        select coalesce(request_id, model || ':' || workspace), model, model_id, current_cost_usd,
            unpriced_reason, pricing_note
        from intermediate.int_usage_priced
        """,
    )
    return {row[0]: row[1:] for row in rows}


@pytest.fixture(scope="module")
def priced(tmp_path_factory) -> dict[str, tuple]:
    return built_once(tmp_path_factory, "call_parts", _build)


def _genai(model: str, provider: str, **usage: int) -> Decimal:
    return calc_price(
        Usage(**usage), model_ref=model, provider_id=provider, genai_request_timestamp=AT
    ).total_price


def test_openai_audio_tokens_are_priced_at_the_audio_rates(priced):
    model, model_id, cost, reason, _ = priced["gpt-realtime:proj_alpha"]
    assert (model, model_id, reason) == ("gpt-realtime", "gpt-realtime", None)
    expected = _genai(
        "gpt-realtime", "openai", input_tokens=1_000_000, input_audio_tokens=500_000,
        output_tokens=1_000_000, output_audio_tokens=400_000,
    )  # fmt: skip
    # 500k text input at $4, 500k audio at $32; 600k text output at $16, 400k audio at
    # $64 per million
    assert cost == expected == 2 + 16 + Decimal("9.6") + Decimal("25.6")


def test_web_searches_are_billed_per_search(priced):
    _, model_id, cost, reason, _ = priced["msg_search"]
    assert (model_id, reason) == ("claude-sonnet-4-5", None)
    expected = _genai(
        "claude-sonnet-4-5-20250929", "anthropic", input_tokens=1000, output_tokens=200,
        web_searches=3,
    )  # fmt: skip
    assert cost == expected == Decimal("0.003") + Decimal("0.003") + Decimal("0.03")


def test_a_part_without_a_price_leaves_the_call_unpriced(priced):
    # genai-prices bills the searches $0 and the cached audio at two prices: the warehouse
    # names the part instead of pricing the call on either
    for key, part in (
        ("msg_search_unpriced", "web searches"),
        ("live_cached_audio", "cached audio input"),
        # genai-prices refuses it too ("require explicit cache_audio_read_tokens")
        ("gpt-realtime:proj_cached", "cached audio input (the export does not split"),
    ):
        _, model_id, cost, reason, note = priced[key]
        assert model_id is not None, key
        assert (cost, reason) == (None, "no_part_price"), key
        assert f"no price for {part}" in note, key
