"""Real response bodies replayed as request logs, priced by the warehouse and by
genai-prices, call by call (issue 21: "Parts of a call are priced as text or not at all").

The bodies are genai-prices' own dataset of recorded Anthropic, OpenAI and Gemini
responses (tests/python/fixtures/genai_prices_dataset.json; its `origin` says where from,
fixtures/build_genai_dataset.py rebuilds it). Each is written as a line of the request-log
format its API produces (Anthropic Messages, OpenAI Chat Completions / Responses, Gemini
generateContent), loaded by the project's own loaders and priced by the dbt models (up to
int_usage_priced, with their data tests) in ONE build; each call's `current_cost_usd`
must equal `genai_prices.calc_price` of the usage genai-prices' own extractor reads from
the same body, exactly. A call genai-prices cannot price is not compared. The only
differences allowed are the named exceptions below.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import built_once, load_and_build, query
from genai_prices import calc_price
from genai_prices.data_snapshot import get_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "genai_prices_dataset.json"
# every call at one time: genai-prices' dataset prices its bodies at this moment too
AT = datetime(2025, 11, 6, 12, 0, tzinfo=UTC)

# Where the warehouse deliberately differs from calc_price, and why (unpriced_reason or
# pricing_note of the warehouse's row -> reason).
EXCEPTIONS = {
    "no_part_price": (
        "a part of the call with no price of its own where genai-prices bills it anyway: "
        "cached tokens of a modality whose uncached tokens have a price of their own but "
        "whose cached ones have none (calc_price counts them at both prices), or web "
        "searches on a model with no search price (calc_price bills them $0); the "
        "warehouse leaves the call unpriced and names the part (docs/pricing.md)"
    ),
}


def _records() -> list[dict]:
    return json.loads(FIXTURE.read_text())["records"]


def _line(index: int, record: dict) -> tuple[str, dict]:
    """The request-log file and line a record's body becomes (its id: `replay-<index>`)."""
    body = {key: value for key, value in record["body"].items() if key != "file"}
    key = f"replay-{index}"
    flavor = record["api_flavor"]
    if record["provider"] == "anthropic":
        return "anthropic_messages.jsonl", {
            "id": key, "type": "message", "stop_reason": "end_turn", **body
        }  # fmt: skip
    if record["provider"] == "google":
        return "gemini_responses.jsonl", {
            "responseId": key, "createTime": AT.isoformat().replace("+00:00", "Z"), **body
        }  # fmt: skip
    created = int(AT.timestamp())
    if flavor == "chat":
        return "openai_responses.jsonl", {"id": key, "created": created, "choices": [], **body}
    return "openai_responses.jsonl", {"id": key, "created_at": created, "output": [], **body}


def _build(root: Path) -> dict[str, tuple]:
    exports = root / "exports"
    # Messages responses carry no time: they take the day of their `date=` folder (the
    # other bodies keep their own time, the same instant)
    day = exports / f"date={AT:%Y-%m-%d}"
    day.mkdir(parents=True)
    files: dict[str, list[str]] = {}
    for index, record in enumerate(_records()):
        name, line = _line(index, record)
        files.setdefault(name, []).append(json.dumps(line))
    for name, lines in files.items():
        (day / name).write_text("\n".join(lines) + "\n")
    warehouse = root / "warehouse.duckdb"
    load_and_build(exports, warehouse, "int_usage_priced")
    rows = query(
        warehouse,
        """
        select request_id, model, model_id, current_cost_usd, unpriced_reason, pricing_note,
            bucket_start_at
        from intermediate.int_usage_priced
        """,
    )
    return {row[0]: row[1:] for row in rows}


@pytest.fixture(scope="module")
def priced(tmp_path_factory) -> dict[str, tuple]:
    return built_once(tmp_path_factory, "call_parts_replay", _build)


def _genai_price(record: dict) -> Decimal | None:
    providers = {provider.id: provider for provider in get_snapshot().providers}
    body = {key: value for key, value in record["body"].items() if key != "file"}
    provider = providers[record["provider"]]
    model_ref, usage = provider.extract_usage(body, api_flavor=record["api_flavor"])
    try:
        price = calc_price(
            usage, model_ref=model_ref, provider_id=provider.id, genai_request_timestamp=AT
        )
    except LookupError:
        return None
    return price.total_price


def _compare(priced: dict[str, tuple]) -> tuple[Counter, list[str], int]:
    outcomes: Counter = Counter()
    unexplained: list[str] = []
    compared = 0
    for index, record in enumerate(_records()):
        expected = _genai_price(record)
        if expected is None:
            outcomes["genai-prices cannot price"] += 1
            continue
        compared += 1
        model, model_id, cost, reason, note, _ = priced[f"replay-{index}"]
        if cost is not None and cost == expected:
            outcomes["agree"] += 1
        elif reason in EXCEPTIONS:
            outcomes[reason] += 1
        else:
            unexplained.append(
                f"{record['body']['file']} {model} ({model_id}): warehouse {cost} "
                f"({reason or note}), genai-prices {expected}"
            )
    return outcomes, unexplained, compared


def test_every_recorded_call_is_loaded(priced):
    assert len(priced) == len(_records())


def test_replayed_calls_price_as_genai_prices_does(priced):
    outcomes, unexplained, compared = _compare(priced)
    print(f"\nreplay: {outcomes['agree']} of {compared} agree; {dict(outcomes)}")
    assert unexplained == []
    # the dataset is mostly text calls: a regression in the common case shows here first
    assert outcomes["agree"] >= compared - sum(outcomes[name] for name in EXCEPTIONS)


def test_parts_are_priced_at_their_own_rates(priced):
    """The issue's own examples: Gemini audio and video prompt tokens, Anthropic web
    searches and the ids once unknown are priced, none at the text rate."""
    by_model: dict[str, list[tuple]] = {}
    for model, model_id, cost, reason, *_ in priced.values():
        by_model.setdefault(model, []).append((model_id, cost, reason))
    for model in ("gemini-2.0-flash-exp", "gpt-4o-audio-preview-2024-12-17"):
        if model in by_model:
            assert all(model_id is not None for model_id, _, _ in by_model[model]), model
    audio_calls = [
        (index, record)
        for index, record in enumerate(_records())
        if any(
            detail.get("modality") == "AUDIO"
            for detail in record["body"].get("usageMetadata", {}).get("promptTokensDetails", [])
        )
    ]
    searches = [
        (index, record)
        for index, record in enumerate(_records())
        if record["body"].get("usage", {}).get("server_tool_use", {}).get("web_search_requests")
    ]
    assert audio_calls and searches
    for index, record in audio_calls + searches:
        expected = _genai_price(record)
        cost = priced[f"replay-{index}"][2]
        assert expected is None or cost == expected, (record["body"]["file"], cost, expected)
