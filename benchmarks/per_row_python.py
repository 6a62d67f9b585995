"""What a user would otherwise write: price every call in Python with genai-prices'
`calc_price`, the five scenarios per call, then the daily aggregate.

    .venv/bin/python benchmarks/per_row_python.py 'CALLS_GLOB' SAMPLE

Reads the first SAMPLE calls (in time order) of the canonical Parquet files, prints the
seconds spent pricing and the scenario totals. The rules are the baseline's (declared
classes only, the ladder's recommendation, batch for async calls, 5-minute caching of
declared prefixes): the point is the cost of a Python loop over calc_price.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import defaultdict
from datetime import UTC
from decimal import Decimal
from pathlib import Path

import duckdb
from genai_prices import Usage, calc_price

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CACHE_TTL_SECONDS = 300


def _read(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def recommendations() -> dict[tuple[str, str, str], str]:
    """(provider, model, task class) -> the cheapest rung that meets the class."""
    ladder = _read("curated/model_tiers.csv")
    policy = {
        r["task_class"]: int(r["required_tier_rank"])
        for r in _read("curated/task_class_policy.csv")
    }
    best: dict[tuple[str, str, str], tuple[tuple[int, int], str]] = {}
    for own in ladder:
        for task_class, required in policy.items():
            for candidate in ladder:
                if (
                    candidate["provider"] == own["provider"]
                    and required <= int(candidate["tier_rank"]) < int(own["tier_rank"])
                    and int(candidate["generation_rank"]) <= int(own["generation_rank"])
                ):
                    key = (own["provider"], own["model_id"], task_class)
                    rank = (int(candidate["tier_rank"]), -int(candidate["generation_rank"]))
                    if key not in best or rank < best[key][0]:
                        best[key] = (rank, candidate["model_id"])
    return {key: model for key, (_, model) in best.items()}


def _price(provider, model, at, tier, uncached, w5, w1, read, output) -> Decimal | None:
    context = {"processing": "batch"} if tier == "batch" else None
    try:
        return calc_price(
            Usage(
                input_tokens=uncached + w5 + w1 + read,
                cache_write_tokens=w5 + w1,
                cache_write_1h_tokens=w1 or None,
                cache_read_tokens=read,
                output_tokens=output,
            ),
            model,
            provider_id=provider,
            genai_request_timestamp=at,
            price_context=context,
        ).total_price
    except LookupError:
        return None  # no price: counted, never $0


def price_calls(rows) -> dict[tuple, list[Decimal]]:
    recommended = recommendations()
    last_seen: dict[tuple, float] = {}
    last_seen_recommended: dict[tuple, float] = {}
    daily: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 5)
    for (provider, model, feature, task_class, latency, tier, at, uncached, w5, w1, read, output,
         prefix_hash, prefix_tokens) in rows:  # fmt: skip
        at = at.replace(tzinfo=UTC)
        tier = "standard" if tier in (None, "default", "auto") else tier
        rec = recommended.get((provider, model, task_class), model)
        batch_tier = "batch" if latency == "async" and tier in ("standard", "priority") else tier
        current = _price(provider, model, at, tier, uncached, w5, w1, read, output)
        if current is None:
            continue
        tiered = _price(provider, rec, at, tier, uncached, w5, w1, read, output) or current
        batched = _price(provider, model, at, batch_tier, uncached, w5, w1, read, output)
        cached, optimized = current, tiered
        if prefix_hash and prefix_tokens:
            moved = min(prefix_tokens, uncached)
            for seen, name, scenario_tier, into in (
                (last_seen, model, tier, "cached"),
                (last_seen_recommended, rec, batch_tier, "optimized"),
            ):
                key = (provider, name, prefix_hash)
                hit = key in seen and at.timestamp() - seen[key] <= CACHE_TTL_SECONDS
                seen[key] = at.timestamp()
                cost = _price(
                    provider, name, at, scenario_tier, uncached - moved,
                    w5 + (0 if hit else moved), w1, read + (moved if hit else 0), output,
                )  # fmt: skip
                if into == "cached":
                    cached = min(cost or current, current)
                else:
                    optimized = min(cost or tiered, tiered)
        costs = daily[(at.date(), provider, model, feature, tier)]
        for i, value in enumerate((current, tiered, batched or current, cached, optimized)):
            costs[i] += value
    return daily


def main(calls_glob: str, sample: int) -> None:
    con = duckdb.connect()
    rows = con.execute(
        f"""
        select provider, lower(model), feature, task_class, latency_class, service_tier,
               cast(timestamp as timestamp), input_tokens,
               coalesce(cache_write_5m_tokens, 0), coalesce(cache_write_1h_tokens, 0),
               coalesce(cache_read_tokens, 0), output_tokens, prefix_hash, prefix_tokens
        from read_parquet('{calls_glob}')
        order by timestamp, request_id
        limit {sample}
        """
    ).fetchall()
    started = time.perf_counter()
    daily = price_calls(rows)
    elapsed = time.perf_counter() - started
    totals = [sum(costs[i] for costs in daily.values()) for i in range(5)]
    print(f"{elapsed:.3f}")
    print(" ".join(str(t) for t in totals))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
