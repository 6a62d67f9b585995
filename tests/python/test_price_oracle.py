"""genai-prices as an independent oracle for the warehouse's price rules and arithmetic.

Hypothesis generates a few thousand calls across every priced model (the cloud channels
included), each spelled as exports spell it: the model id, any spelling genai-prices
knows for it (dated snapshots, compact dates, `-latest`, Bedrock and Vertex ids) or a
shape real exports use (tests/python/model_spellings.py: Console display names,
`models/...`); dates around every price change, cache mixes, service tiers, data
residency and inputs either side of long-context thresholds. They are priced through the
real pipeline in ONE run (a session fixture), and each call's `current_cost_usd` must
equal `genai_prices.calc_price` for the same call and spelling, exactly. The only
differences allowed are the documented exceptions below, each counted and checked its
own way.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import genai_prices
import pytest
from conftest import audit, query, write_canonical_csv
from genai_prices import Usage
from genai_prices.data_snapshot import get_snapshot
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from model_spellings import REAL_EXPORT_SPELLINGS, genai_resolution, genai_spellings

from orchestration.prices import BACKFILL_MARK, MAX_ROUNDING_PER_MTOK, ROUNDED_MARK
from orchestration.project import REPO_ROOT

SEEDS = REPO_ROOT / "seeds"
TOKEN_KEYS = (
    "input_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "cache_read_tokens",
    "output_tokens",
)
CALLS = 3000

CONTEXT = {
    "batch": {"processing": "batch"},
    "flex": {"service_tier": "flex"},
    "priority": {"service_tier": "priority"},
    "standard": None,
}

# Where the warehouse deliberately differs from calc_price, and why.
EXCEPTIONS = {
    "rule": (
        "batch / flex / priority where genai-prices has no variant on that date (before its "
        "variants begin on 2026-10-14, or for a model it carries none for): calc_price "
        "silently falls back to the standard price; the warehouse applies the provider's "
        "published rule (seed service_tier_rules), which test_rule_priced_batch_equals_"
        "genai_variant_rates holds to genai's own variant rates"
    ),
    "no_tier_price": (
        "a service tier the model has no price for on that date (no variant, no rule): "
        "calc_price prices it as standard; the warehouse leaves it unpriced and reports it"
    ),
    "held_back_priority": (
        "priority before genai-prices' variant starts (2026-10-12 for OpenAI): calc_price "
        "falls back to the standard price although OpenAI billed priority long before; the "
        "seeds hold the variant's first price back to the start of the standard-price span "
        "it belongs to (price_source says `held back`); expected is calc_price on the "
        "variant's first day"
    ),
    "no_output_price": (
        "output tokens on a model genai-prices prices on input only (embeddings): calc_price "
        "bills the output $0; the warehouse leaves the call unpriced (`no_output_price`), "
        "since no output is expected there"
    ),
    "rounded_price": (
        "a reseller's price listed with more decimals than the seed's 10 (OpenRouter's "
        "Gemini Flash cache writes, 0.0833333333333333: a float rendering of 1/12 $/Mtok) "
        "is rounded to 10 and price_source says so (docs/pricing.md): the cost may differ "
        "from calc_price's by half a unit of the 10th decimal per million tokens, no more"
    ),
    "residency": (
        "inference_geo other than global: genai-prices has no residency prices; expected "
        "is calc_price times the seed residency_pricing multiplier"
    ),
    "project_spelling": (
        "a spelling genai-prices' rules do not match (a Console display name, `models/...`, "
        "a routing prefix, an id it lists but does not match such as `ft:gpt-4o` or "
        "Bedrock's `regional.` placeholders): calc_price finds no model; the warehouse "
        "resolves it to the model named in model_spellings.py (or its own id), and expected "
        "is that model's calc_price"
    ),
    "seller_lists_fallback_model": (
        "a Vertex AI spelling only genai-prices' fallback to Anthropic's list matches "
        "(`claude-opus-5-latest`) for a model id Google lists too: calc_price prices "
        "Anthropic's entry, the warehouse Google's own row for that id (prices are keyed "
        "by seller and model id); expected is Google's entry's calc_price"
    ),
}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


PRICE_ROWS = _read(SEEDS / "generated" / "model_prices.csv")
MODELS = sorted({(r["provider"], r["model_id"]) for r in PRICE_ROWS})
# drawn seller first, then model: OpenRouter's hundreds of models would otherwise crowd
# out the sellers with the service-tier variants (OpenAI's flex and priority)
MODELS_BY_PROVIDER = {
    provider: [model for seller, model in MODELS if seller == provider]
    for provider in sorted({seller for seller, _ in MODELS})
}


def priced_spellings() -> dict[tuple[str, str], str]:
    """(provider, spelling) -> the model id the warehouse prices it as: each spelling
    genai-prices resolves to a model the seller has a price for (its own row, or the row of
    the seller it falls back to), and the shapes real exports use."""
    spellings = {}
    for provider, spelling in genai_spellings():
        found = genai_resolution(provider, spelling)
        if found and {(provider, found[1]), found} & set(MODELS):
            spellings[provider, spelling] = found[1]
    for provider, spelling, model_id, _ in REAL_EXPORT_SPELLINGS:
        spellings[provider, spelling] = model_id
    return spellings


PRICED_SPELLINGS = priced_spellings()
SPELLINGS_BY_PROVIDER = {
    provider: sorted(s for seller, s in PRICED_SPELLINGS if seller == provider)
    for provider in MODELS_BY_PROVIDER
}
# the tiers a model has its own price rows for (genai's variants): drawn more often, so
# every variant is priced somewhere in the mix, not only the tiers a rule prices
VARIANTS = {
    (provider, model_id): sorted(
        {
            r["price_variant"]
            for r in PRICE_ROWS
            if (r["provider"], r["model_id"]) == (provider, model_id)
            and r["price_variant"] != "standard"
        }
    )
    for provider, model_id in MODELS
}
# every date a price changes, and the day before it: where a wrong boundary would show.
# Only days already past: the loader refuses usage after the run's time (plus a day of
# clock skew) as absurd; a price genai-prices schedules for later is checked row by row
# in test_prices.py (test_every_seed_row_prices_like_genai).
CHANGE_DAYS = sorted(
    {
        day
        for r in PRICE_ROWS
        if r["valid_from"]
        for d in (-1, 0)
        if (day := date.fromisoformat(r["valid_from"]) + timedelta(days=d))
        <= datetime.now(UTC).date()
    }
)
THRESHOLDS = sorted(
    {
        int(r["long_context_threshold_tokens"])
        for r in PRICE_ROWS
        if r["long_context_threshold_tokens"]
    }
)
GENAI_MODELS = {
    (provider.id, model.id): (provider, model)
    for provider in get_snapshot().providers
    for model in provider.models
}
RESIDENCY = _read(SEEDS / "curated" / "residency_pricing.csv")
HELD_BACK_FROM = re.compile(r" from (\d{4}-\d{2}-\d{2}), " + BACKFILL_MARK)
PRIORITY_AT_LIST = "rule: Anthropic Priority Tier"


def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


def has_output_price(call: dict) -> bool:
    return any(
        (r["provider"], r["model_id"]) == (call["provider"], call["model_id"])
        and r["output_usd_per_mtok"]
        for r in PRICE_ROWS
    )


def has_variant_row(call: dict) -> bool:
    day = call["at"].date()
    return any(
        (r["provider"], r["model_id"], r["price_variant"])
        == (call["provider"], call["model_id"], call["service_tier"])
        and (not r["valid_from"] or date.fromisoformat(r["valid_from"]) <= day)
        and (not r["valid_to"] or day < date.fromisoformat(r["valid_to"]))
        for r in PRICE_ROWS
    )


def residency_multiplier(provider: str, model_id: str, geo: str) -> Decimal | None:
    if geo == "global":
        return Decimal(1)
    rules = [
        r
        for r in RESIDENCY
        if r["provider"] == provider
        and r["inference_geo"] == geo
        and _like(r["model_pattern"], model_id)
    ]
    if not rules:
        return None
    return Decimal(max(rules, key=lambda r: len(r["model_pattern"]))["multiplier"])


@st.composite
def calls(draw) -> dict:
    provider = draw(st.sampled_from(sorted(MODELS_BY_PROVIDER)))
    # the model id itself, or another spelling of a priced model
    spelling = draw(
        st.one_of(
            st.sampled_from(MODELS_BY_PROVIDER[provider]),
            st.sampled_from(SPELLINGS_BY_PROVIDER[provider]),
        )
    )
    model_id = PRICED_SPELLINGS.get((provider, spelling), spelling)
    day = draw(
        st.one_of(st.sampled_from(CHANGE_DAYS), st.dates(date(2024, 1, 1), date(2026, 11, 25)))
    )
    moment = draw(st.times(time(0), time(23, 59, 59, 999000)))
    cached = st.one_of(st.just(0), st.integers(0, 60_000))
    w5, w1, read = draw(cached), draw(cached), draw(cached)
    near_threshold = draw(st.booleans())
    if near_threshold:  # whole-request long-context pricing turns on one token past it
        target = draw(st.sampled_from(THRESHOLDS)) + draw(st.integers(-1, 1))
        w5, w1, read = (min(v, target // 4) for v in (w5, w1, read))
        uncached = target - w5 - w1 - read
    else:
        uncached = draw(st.integers(0, 150_000))
    return {
        "provider": provider,
        "model": spelling,
        "model_id": model_id,
        "at": datetime.combine(day, moment, tzinfo=UTC),
        "service_tier": draw(
            st.sampled_from(
                ["standard"] * 4
                + ["batch"] * 2
                + ["flex", "priority"]
                + VARIANTS.get((provider, model_id), []) * 6
            )
        ),
        "inference_geo": draw(st.sampled_from(["global", "us"]))
        if provider == "anthropic"
        else "global",
        "input_tokens": uncached,
        "cache_write_5m_tokens": w5,
        "cache_write_1h_tokens": w1,
        "cache_read_tokens": read,
        "output_tokens": draw(st.integers(0, 40_000)),
    }


def seller_lists_fallback_model(provider: str, spelling: str) -> bool:
    """genai-prices finds the spelling's model only in the list of the seller it falls back
    to, under a model id the seller lists as well."""
    found = genai_resolution(provider, spelling)
    return found is not None and found[0] != provider and (provider, found[1]) in GENAI_MODELS


def genai_cost(call: dict) -> tuple[Decimal, str]:
    """calc_price of the call as spelled, and which comparison it is: `exact`, or the
    exception that prices the warehouse's model by its genai-prices entry instead."""
    w5, w1, read = (
        call[k] for k in ("cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens")
    )
    usage = Usage(
        input_tokens=call["input_tokens"] + w5 + w1 + read,  # genai's input is the total
        cache_write_tokens=w5 + w1,
        cache_write_1h_tokens=w1 or None,
        cache_read_tokens=read,
        output_tokens=call["output_tokens"],
    )
    at, context = call["at"], CONTEXT[call["service_tier"]]
    if genai_resolution(call["provider"], call["model"]) is None:
        kind = "project_spelling"
    elif seller_lists_fallback_model(call["provider"], call["model"]):
        kind = "seller_lists_fallback_model"
    else:
        result = genai_prices.calc_price(
            usage,
            call["model"],
            provider_id=call["provider"],
            genai_request_timestamp=at,
            price_context=context,
        )
        return result.total_price, "exact"
    provider, model = GENAI_MODELS[call["provider"], call["model_id"]]
    cost = model.calc_price(usage, provider, genai_request_timestamp=at, price_context=context)
    return cost.total_price, kind


def every_exception_spelling() -> list[dict]:
    """A plain call for each shape real exports use, for each spelling whose model Google
    lists and only the fallback finds, and for each family the seeds once left out (held
    back priority, Anthropic's Priority Tier, input-only and free models): every
    exception occurs, whatever is drawn."""
    plain = {
        "at": datetime(2026, 10, 20, 12, tzinfo=UTC),
        "service_tier": "standard",
        "inference_geo": "global",
        "input_tokens": 120_000,
        "cache_write_5m_tokens": 3_000,
        "cache_write_1h_tokens": 0,
        "cache_read_tokens": 40_000,
        "output_tokens": 9_000,
    }
    shapes = [(provider, spelling) for provider, spelling, _, _ in REAL_EXPORT_SPELLINGS]
    fallbacks = [key for key in PRICED_SPELLINGS if seller_lists_fallback_model(*key)]
    spelled = [
        {
            **plain,
            "provider": provider,
            "model": spelling,
            "model_id": PRICED_SPELLINGS[provider, spelling],
        }
        for provider, spelling in [*shapes, *fallbacks]
    ]
    # the families the seeds once left out: priority before genai-prices tracks it (held
    # back, and Anthropic's at list), input-only models with and without output, free ones
    families = [
        ("openai", "gpt-5", "priority", datetime(2026, 9, 1, 9, tzinfo=UTC), 9_000),
        ("openai", "o3", "priority", datetime(2025, 7, 1, 9, tzinfo=UTC), 9_000),
        ("anthropic", "claude-sonnet-4-5", "priority", plain["at"], 9_000),
        ("openai", "text-embedding-3-small", "standard", plain["at"], 0),
        ("openai", "text-embedding-3-small", "standard", plain["at"], 10),
        ("openrouter", "meta-llama/llama-3.3-70b-instruct:free", "standard", plain["at"], 9_000),
        # a cache write priced at a rounded figure (docs/pricing.md)
        ("openrouter", "google/gemini-2.5-flash", "standard", plain["at"], 9_000),
    ]
    return spelled + [
        {
            **plain,
            "provider": provider,
            "model": model_id,
            "model_id": model_id,
            "service_tier": tier,
            "at": at,
            "output_tokens": output,
        }
        for provider, model_id, tier, at, output in families
    ]


def generate_calls() -> list[dict]:
    drawn: list[dict] = []

    @settings(
        max_examples=CALLS,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(calls())
    def collect(call: dict) -> None:
        drawn.append(call)

    collect()
    return drawn + every_exception_spelling()


# o3's price fell from $10/$40 to $2/$8 on 2025-06-10 (a real change in the history)
O3_CALLS = [
    {"request_id": "o3-before", "at": datetime(2025, 6, 9, 23, 59, 59, tzinfo=UTC)},
    {"request_id": "o3-after", "at": datetime(2025, 6, 10, 0, 0, 0, tzinfo=UTC)},
]


@pytest.fixture(scope="session")
def oracle_warehouse(tmp_path_factory) -> tuple[Path, list[dict]]:
    root = tmp_path_factory.mktemp("oracle")
    drawn = generate_calls()
    rows = [
        {
            **{k: v for k, v in call.items() if k not in ("at", "model_id")},
            "request_id": f"oracle-{n}",
            "timestamp": call["at"].isoformat(),
        }
        for n, call in enumerate(drawn)
    ] + [
        {
            "request_id": c["request_id"],
            "timestamp": c["at"].isoformat(),
            "provider": "openai",
            "model": "o3",
            "input_tokens": 1_000_000,
            "output_tokens": 100_000,
        }
        for c in O3_CALLS
    ]
    write_canonical_csv(root / "exports" / "calls.csv", rows)
    warehouse = root / "oracle.duckdb"
    assert audit(root / "exports", warehouse) == 0
    return warehouse, drawn


def test_current_cost_equals_calc_price_for_generated_calls(oracle_warehouse) -> None:
    warehouse, drawn = oracle_warehouse
    priced = {
        request_id: (cost, source, reason)
        for request_id, cost, source, reason in query(
            warehouse,
            "select request_id, current_cost_usd, price_source, unpriced_reason"
            " from marts.fct_llm_usage where request_id like 'oracle-%'",
        )
    }
    assert len(priced) == len(drawn) > CALLS
    counts = dict.fromkeys(["exact", *EXCEPTIONS], 0)
    mismatches = []
    for n, call in enumerate(drawn):
        cost, source, reason = priced[f"oracle-{n}"]
        if reason == "no_output_price":
            assert call["output_tokens"] > 0 and not has_output_price(call), call
            counts["no_output_price"] += 1
            continue
        if reason is not None:
            # unpriced only ever for a tier the model has no price for: never a $0
            assert (reason, call["service_tier"]) != ("no_price_for_tier_on_date", "standard")
            assert reason == "no_price_for_tier_on_date", (call, reason)
            counts["no_tier_price"] += 1
            continue
        if source.startswith("rule:") and not source.startswith(PRIORITY_AT_LIST):
            assert not has_variant_row(call), call  # a rule only where genai has no price
            counts["rule"] += 1
            continue
        multiplier = residency_multiplier(call["provider"], call["model_id"], call["inference_geo"])
        if BACKFILL_MARK in source:
            first_day = date.fromisoformat(HELD_BACK_FROM.search(source).group(1))
            assert call["at"].date() < first_day, (call, source)
            held = {**call, "at": datetime.combine(first_day, call["at"].timetz())}
            expected = genai_cost(held)[0] * multiplier
            counts["held_back_priority"] += 1
            if cost != expected:
                mismatches.append((call, cost, expected))
            continue
        # Anthropic Priority Tier at the standard list price: what calc_price gives it too
        genai, kind = genai_cost(call)
        expected = genai * multiplier
        if ROUNDED_MARK in source:
            counts["rounded_price"] += 1
            tokens = sum(call[k] for k in TOKEN_KEYS)
            if abs(cost - expected) > MAX_ROUNDING_PER_MTOK * tokens / 1_000_000 * multiplier:
                mismatches.append((call, cost, expected))
            continue
        counts["residency" if multiplier != 1 else kind] += 1
        if cost != expected:
            mismatches.append((call, cost, expected))
    assert mismatches == []
    # the exact comparison carries the weight; every exception actually occurred
    assert counts["exact"] > CALLS // 2, counts
    assert all(counts.values()), counts


def test_generated_calls_cover_the_rules(oracle_warehouse) -> None:
    """The generated mix reaches what the oracle is for, not one easy corner."""
    warehouse, _ = oracle_warehouse
    (providers, models, tiers, long_context, cache_1h, us_surcharged) = query(
        warehouse,
        """
        select count(distinct provider), count(distinct model_id),
               count(distinct service_tier) filter (where is_priced),
               count(*) filter (where is_long_context),
               count(*) filter (where cache_write_1h_tokens > 0 and is_priced),
               count(*) filter (where price_source like '%residency:%')
        from marts.fct_llm_usage where request_id like 'oracle-%'
        """,
    )[0]
    # every seller of the price seeds (anthropic, openai, google, aws, openrouter)
    assert providers == len({r["provider"] for r in PRICE_ROWS}) == 5
    assert models > 100 and tiers == 4
    assert long_context > 10 and cache_1h > 500 and us_surcharged > 20


def test_a_price_change_inside_the_window(oracle_warehouse) -> None:
    """o3 on 2025-06-10: each call at its own date's price, to the second."""
    warehouse, _ = oracle_warehouse
    costs = {
        request_id: (day, cost)
        for request_id, day, cost in query(
            warehouse,
            "select request_id, usage_date, current_cost_usd from marts.fct_llm_usage"
            " where request_id like 'o3-%'",
        )
    }
    # 1M input + 100k output: $10 + $4 before; $2 + $0.80 after
    assert costs == {
        "o3-before": (date(2025, 6, 9), Decimal("14")),
        "o3-after": (date(2025, 6, 10), Decimal("2.8")),
    }


def test_rule_priced_batch_equals_genai_variant_rates(worked_example_warehouse):
    """Before 2026-10-14 the batch rule (50%) stands in; it gives what genai-prices' own
    batch variant gives from that date on, so history isn't priced differently."""
    by_month = dict(
        query(
            worked_example_warehouse,
            "select strftime(usage_at, '%Y-%m'), sum(batched_cost_usd)"
            " from marts.fct_llm_usage group by 1",
        )
    )
    assert by_month["2026-09"] == by_month["2026-10"] == Decimal("250")
