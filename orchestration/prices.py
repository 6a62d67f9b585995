"""genai-prices -> the versioned price seeds (`seeds/generated/*.csv`).

The warehouse prices usage with dbt from CSV seeds, not by calling a library at run time:
every price is then reviewable in a diff and dbt stays the only engine. This module turns
the price data bundled in the *installed* genai-prices package (offline, no network) into
those seeds, following the columns fixed in docs/internals.md ("Seeds"):

- `model_prices.csv`: one row per (provider, model, price variant, effective-dated
  interval), resolved with genai-prices' own `ModelInfo.get_prices`, so a variant that does
  not override a price keeps the standard one exactly as `calc_price` would.
- `model_match_rules.csv`: genai-prices' own match logic, which the warehouse evaluates to
  find the model a spelling means, as genai-prices does (orchestration/model_match.py).
- `model_context_windows.csv`: each priced model's context window (tokens), as
  genai-prices states it; the loader refuses a call above the largest one as absurd
  (orchestration/ingest/bounds.py).
- `model_aliases.csv`: the project's extra spellings for a model (display names, dotted
  versions, `provider/` prefixes, Bedrock region ids), mapped to the canonical (provider,
  model_id), for spellings the match rules leave unresolved. Ambiguous spellings are
  dropped, never guessed.

Run `llm-cost-audit prices update` (or `python -m orchestration.prices update`) after
upgrading the package; tests/python/test_prices.py fails until the committed seeds match
a fresh run.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import genai_prices
from genai_prices.data_snapshot import get_snapshot
from genai_prices.types import (
    ClauseAnd,
    ClauseContains,
    ClauseEquals,
    ClauseOr,
    ClauseStartsWith,
    ConditionalPrice,
    ModelInfo,
    ModelPrice,
    PriceVariant,
    Provider,
    StartDateConstraint,
    TieredPrices,
)

from orchestration.model_match import (
    RULE_COLUMNS,
    RULES_FILE,
    UnsupportedMatchRule,
    build_rule_rows,
)

SOURCE = f"genai-prices {genai_prices.__version__}"

# The repository's seed folder, found relative to this package (never the working directory).
DEFAULT_SEED_DIR = Path(__file__).resolve().parent.parent / "seeds" / "generated"

PRICES_FILE = "model_prices.csv"
ALIASES_FILE = "model_aliases.csv"
CONTEXT_WINDOWS_FILE = "model_context_windows.csv"
CONTEXT_WINDOW_COLUMNS = ("provider", "model_id", "context_window_tokens", "source")

# genai-prices provider ids, kept as the seeds' `provider`: the seller that bills the usage.
# `google` is the Gemini API and Vertex AI (Claude on Vertex included: Google bills it);
# `aws` is Amazon Bedrock (`global.`/`regional.` model ids, as genai-prices lists them).
PROVIDERS = ("anthropic", "openai", "google", "aws", "openrouter")

# Of Bedrock, only the three providers' own models are audited.
CHANNEL_MODEL_PREFIXES: dict[str, tuple[str, ...]] = {
    "aws": (
        "global.anthropic.",
        "regional.anthropic.",
        "global.openai.",
        "regional.openai.",
        "openai.",
        "google.",
    ),
}
# Sellers of other makers' models under their own ids (Bedrock's region ids, OpenRouter's
# `anthropic/claude-...`): their match patterns become aliases too. OpenRouter is a seller
# of its own (docs/formats.md): every model genai-prices lists for it is carried.
RESELLERS = ("aws", "openrouter")
# Resellers whose odd rows do not stop `prices update` (any other seller's odd row does):
# a price with more than the seed's 10 decimals (OpenRouter's cache writes listed as
# 0.0833333333333333: a float rendering of 1/12 $/Mtok) is rounded half-even to 10 and the
# row's `source` says so (docs/pricing.md); a row the seed cannot hold at all (two
# long-context tiers) leaves its model out with a warning naming it, its usage unpriced.
SKIP_UNREPRESENTABLE = frozenset({"openrouter"})

# dbt types prices as decimal(18,10) (seeds/_seeds.yml): a price needing more decimals
# would be rounded silently, one needing more integer digits would not load.
MAX_PRICE_DECIMALS = 10
MAX_PRICE_INTEGER_DIGITS = 8

# Variants whose first price holds back to the start of the standard-price span it
# belongs to (docs/pricing.md, "Flex and priority"): OpenAI billed priority long before
# genai-prices started tracking it, at a premium that differs per model, so the variant's
# own first price is the best evidence; batch and flex have published rules instead.
BACKFILLED_VARIANTS = ("priority",)
BACKFILL_MARK = "held back"

# Seed column -> genai-prices price key. genai's `cache_write_mtok` is the 5-minute write.
PRICE_KEYS: dict[str, str] = {
    "input_usd_per_mtok": "input_mtok",
    "output_usd_per_mtok": "output_mtok",
    "cache_write_5m_usd_per_mtok": "cache_write_mtok",
    "cache_write_1h_usd_per_mtok": "cache_write_1h_mtok",
    "cache_read_usd_per_mtok": "cache_read_mtok",
}

# Seed column -> genai-prices price key of the parts of a call priced apart from its text
# tokens (docs/pricing.md, "Parts of a call"): tokens by modality, reasoning, and web
# searches (per thousand). None has a long-context tier in genai-prices; one that gets
# one stops `prices update` (_part_prices) rather than being priced flat on a guess.
# Keys left out have no export that carries their quantity (storage searches, audio
# hours, characters): a model priced only by them has no token price and is not seeded.
PART_PRICE_KEYS: dict[str, str] = {
    "input_audio_usd_per_mtok": "input_audio_mtok",
    "input_image_usd_per_mtok": "input_image_mtok",
    "input_video_usd_per_mtok": "input_video_mtok",
    "cache_read_audio_usd_per_mtok": "cache_audio_read_mtok",
    "cache_read_image_usd_per_mtok": "cache_image_read_mtok",
    "cache_read_video_usd_per_mtok": "cache_video_read_mtok",
    "output_audio_usd_per_mtok": "output_audio_mtok",
    "output_image_usd_per_mtok": "output_image_mtok",
    "output_video_usd_per_mtok": "output_video_mtok",
    "output_reasoning_usd_per_mtok": "output_reasoning_mtok",
    "web_search_usd_per_kcall": "web_searches_kcount",
}

PRICE_COLUMNS: tuple[str, ...] = (
    "provider",
    "model_id",
    "price_variant",
    "valid_from",
    "valid_to",
    *PRICE_KEYS,
    "long_context_threshold_tokens",
    *(f"lc_{column}" for column in PRICE_KEYS),
    *PART_PRICE_KEYS,
    "source",
)

ALIAS_COLUMNS: tuple[str, ...] = ("alias", "provider", "model_id", "source")

# Request contexts that select each seed price variant. `standard` is the base price set.
VARIANT_CONTEXTS: dict[str, dict[str, str]] = {
    "batch": {"processing": "batch"},
    "flex": {"service_tier": "flex"},
    "priority": {"service_tier": "priority"},
}
# genai-prices' OpenAI data prices service_tier=fast like priority; use it as the priority
# variant only when a model has no explicit priority variant.
PRIORITY_FALLBACK_CONTEXT = {"service_tier": "fast"}

# Variants deliberately not turned into seed rows, with the reason.
IGNORED_VARIANTS: dict[tuple[tuple[str, str], ...], str] = {
    (("service_tier", "default"),): "same as standard",
    (("service_tier", "fast"),): "used only as the priority variant when there is none",
    (("speed", "fast"),): "Anthropic fast mode is not a service tier of the usage contract",
}

Prices = tuple[str, ...]  # one resolved row's price columns, already formatted


def format_decimal(value: Decimal) -> str:
    """Exact decimal text: no float, no exponent, no trailing zeros ('2.50' -> '2.5')."""
    if not value.is_finite():
        raise ValueError(f"price is not a finite decimal: {value!r}")
    text = format(value.normalize(), "f")
    whole, _, decimals = text.lstrip("-").partition(".")
    if len(decimals) > MAX_PRICE_DECIMALS:
        raise ValueError(f"price {text} has more than {MAX_PRICE_DECIMALS} decimals")
    if len(whole.lstrip("0")) > MAX_PRICE_INTEGER_DIGITS:
        raise ValueError(f"price {text} has more than {MAX_PRICE_INTEGER_DIGITS} integer digits")
    return text


def _is_free(price_set: ModelPrice) -> bool:
    """No price at all: genai-prices bills every call $0 (OpenRouter's `:free` models,
    Gemma on the Gemini API, OpenAI's moderation)."""
    return all(v is None for k, v in vars(price_set).items() if not k.startswith("_"))


def _wanted(provider: Provider, model: ModelInfo) -> bool:
    prefixes = CHANNEL_MODEL_PREFIXES.get(provider.id)
    if prefixes is not None and not model.id.startswith(prefixes):
        return False
    # Billed per token, or free; an input-only model (embeddings) has no output price.
    # A model billed by audio hour or character (whisper, tts) has no token price to seed.
    if not all(
        price_set.input_mtok is not None or _is_free(price_set)
        for price_set in _standard_price_sets(model)
    ):
        return False
    if provider.id in SKIP_UNREPRESENTABLE:
        try:
            list(_model_rows(provider, model))
        except ValueError as exc:
            print(
                f"warning: {provider.id}/{model.id} left out (its usage is unpriced): {exc}",
                file=sys.stderr,
            )
            return False
    return True


def _standard_price_sets(model: ModelInfo) -> list[ModelPrice]:
    if isinstance(model.prices, ModelPrice):
        return [model.prices]
    return [conditional.prices for conditional in model.prices]


def _start_date(constraint: object, where: str) -> date | None:
    if constraint is None:
        return None
    if isinstance(constraint, StartDateConstraint):
        return constraint.start_date
    # Time-of-day prices (off-peak) cannot be expressed as effective-dated rows.
    raise ValueError(f"{where}: unsupported price constraint {constraint!r}")


def _boundaries(model: ModelInfo) -> list[date]:
    dates: set[date] = set()
    conditionals: Sequence[ConditionalPrice] = (
        [] if isinstance(model.prices, ModelPrice) else model.prices
    )
    for conditional in conditionals:
        if (start := _start_date(conditional.constraint, model.id)) is not None:
            dates.add(start)
    for variant in model.price_variants or ():
        if (start := _start_date(variant.constraint, model.id)) is not None:
            dates.add(start)
    return sorted(dates)


def _variant_contexts(provider: Provider, model: ModelInfo) -> dict[str, dict[str, str]]:
    """Seed variant -> the price context that selects it, for the variants this model has."""
    whens = [dict(variant.when) for variant in model.price_variants or ()]
    contexts = {name: ctx for name, ctx in VARIANT_CONTEXTS.items() if ctx in whens}
    if "priority" not in contexts and PRIORITY_FALLBACK_CONTEXT in whens:
        contexts["priority"] = PRIORITY_FALLBACK_CONTEXT
    known = [*VARIANT_CONTEXTS.values(), *(dict(key) for key in IGNORED_VARIANTS)]
    for when in whens:
        if when not in known:
            print(
                f"warning: {provider.id}/{model.id}: price variant {when} not carried to the seeds",
                file=sys.stderr,
            )
    return contexts


def _active(variant: PriceVariant, context: Mapping[str, str], day: date) -> bool:
    start = _start_date(variant.constraint, "variant")
    return dict(variant.when) == dict(context) and (start is None or start <= day)


def _fit(value: Decimal, where: str, key: str) -> str:
    if _is_rounded(value, where):
        value = value.quantize(PRICE_QUANTUM, rounding=ROUND_HALF_EVEN)
    try:
        return format_decimal(value)
    except ValueError as exc:
        raise ValueError(f"{where}: {key}: {exc}; the seed's decimal(18,10) can't hold it") from exc


PRICE_QUANTUM = Decimal(1).scaleb(-MAX_PRICE_DECIMALS)
# What a rounded row's `source` says, and how far its price may then be from
# genai-prices' (half the quantum, per million tokens): the tests read both from here.
ROUNDED_MARK = f"rounded to {MAX_PRICE_DECIMALS} decimals"
MAX_ROUNDING_PER_MTOK = PRICE_QUANTUM / 2


def _is_rounded(value: Decimal, where: str) -> bool:
    """A reseller's price with more decimals than the seed holds: rounded, not refused
    (`where` starts with the seller's id)."""
    return (
        where.split("/", 1)[0] in SKIP_UNREPRESENTABLE
        and value.is_finite()
        and -value.normalize().as_tuple().exponent > MAX_PRICE_DECIMALS
    )


def _rounding_note(resolved: ModelPrice, where: str) -> str:
    """What the row's `source` adds when a price of it was rounded: each key and the
    price genai-prices lists."""
    rounded = []
    for key in (*PRICE_KEYS.values(), *PART_PRICE_KEYS.values()):
        value = getattr(resolved, key)
        flat = (
            [value.base, *(t.price for t in value.tiers)]
            if isinstance(value, TieredPrices)
            else [value]
        )
        rounded += [f"{key} {v}" for v in flat if v is not None and _is_rounded(v, where)]
    return f"; {ROUNDED_MARK} from {', '.join(rounded)}" if rounded else ""


def _part_prices(resolved: ModelPrice, where: str) -> list[str]:
    """The part price columns of one resolved price set ('' = no price of its own)."""
    parts: list[str] = []
    for key in PART_PRICE_KEYS.values():
        value: Decimal | TieredPrices | None = getattr(resolved, key)
        if isinstance(value, TieredPrices):
            raise ValueError(f"{where}: {key} has price tiers; the seed holds a flat part price")
        parts.append("" if value is None else _fit(value, where, key))
    return parts


def _row_prices(resolved: ModelPrice, where: str) -> Prices:
    """Price columns for one resolved price set; tiers checked so they fit one threshold."""
    return (*_token_prices(resolved, where), *_part_prices(resolved, where))


def _token_prices(resolved: ModelPrice, where: str) -> Prices:
    """Token price columns and their long-context tier."""
    if _is_free(resolved):
        # $0 as a price, not an unknown one: input and output 0, cache kinds bill as input
        free = ["0" if key in ("input_mtok", "output_mtok") else "" for key in PRICE_KEYS.values()]
        return (*free, "", *([""] * len(PRICE_KEYS)))
    base: list[str] = []
    long_context: list[str] = []
    starts: set[int] = set()
    for key in PRICE_KEYS.values():
        value: Decimal | TieredPrices | None = getattr(resolved, key)
        if isinstance(value, TieredPrices):
            if len(value.tiers) != 1:
                raise ValueError(
                    f"{where}: {key} has {len(value.tiers)} price tiers; the seed holds exactly one"
                )
            starts.add(value.tiers[0].start)
            base.append(_fit(value.base, where, key))
            long_context.append(_fit(value.tiers[0].price, where, key))
        elif value is None:
            base.append("")
            long_context.append("")
        else:
            # A flat price applies on both sides of the threshold (genai's calc_unit_price).
            base.append(_fit(value, where, key))
            long_context.append(_fit(value, where, key))
    if len(starts) > 1:
        raise ValueError(
            f"{where}: tiers start at different input sizes {sorted(starts)}; "
            "the seed has one long-context threshold per row"
        )
    if not starts:
        return (*base, "", *([""] * len(PRICE_KEYS)))
    return (*base, str(starts.pop()), *long_context)


@dataclass
class _Span:
    valid_from: date | None
    valid_to: date | None
    prices: Prices
    source: str = SOURCE


def _backfill(variant: list[_Span], standard: list[_Span], name: str) -> None:
    """The variant's first price, in force from the start of the standard-price span its
    start date falls in (open start: from the beginning): a row of its own, marked."""
    first = variant[0] if variant else None
    if first is None or first.valid_from is None:
        return
    start = first.valid_from
    span = next(
        s
        for s in standard
        if (s.valid_from is None or s.valid_from <= start)
        and (s.valid_to is None or start < s.valid_to)
    )
    if span.valid_from != start:
        source = f"{SOURCE} {name} from {start.isoformat()}, {BACKFILL_MARK} to the standard span"
        variant.insert(0, _Span(span.valid_from, start, first.prices, source))


def _model_rows(provider: Provider, model: ModelInfo) -> Iterator[dict[str, str]]:
    bounds = _boundaries(model)
    starts: list[date | None] = [None, *bounds]
    ends: list[date | None] = [*bounds, None]
    contexts = _variant_contexts(provider, model)
    spans: dict[str, list[_Span]] = {"standard": [], **{name: [] for name in contexts}}

    for valid_from, valid_to in zip(starts, ends, strict=True):
        # Every day in the interval resolves alike: take its first (open start: its last).
        day = valid_from or (valid_to - timedelta(days=1) if valid_to else date(2000, 1, 1))
        at = datetime(day.year, day.month, day.day, tzinfo=UTC)
        active: dict[str, Mapping[str, str] | None] = {"standard": None}
        for name, context in contexts.items():
            if any(_active(v, context, day) for v in model.price_variants or ()):
                active[name] = context
        for name, context in active.items():
            where = f"{provider.id}/{model.id} {name} from {valid_from or 'start'}"
            resolved = model.get_prices(at, context)
            prices = _row_prices(resolved, where)
            previous = spans[name][-1] if spans[name] else None
            if previous and previous.valid_to == valid_from and previous.prices == prices:
                previous.valid_to = valid_to  # same prices as the interval before: extend it
            else:
                source = SOURCE + _rounding_note(resolved, where)
                spans[name].append(_Span(valid_from, valid_to, prices, source))

    for name in BACKFILLED_VARIANTS:
        _backfill(spans.get(name, []), spans["standard"], name)

    for name, variant_spans in spans.items():
        for span in variant_spans:
            yield dict(
                zip(
                    PRICE_COLUMNS,
                    (
                        provider.id,
                        model.id,
                        name,
                        span.valid_from.isoformat() if span.valid_from else "",
                        span.valid_to.isoformat() if span.valid_to else "",
                        *span.prices,
                        span.source,
                    ),
                    strict=True,
                )
            )


def _models() -> Iterator[tuple[Provider, ModelInfo]]:
    providers = {provider.id: provider for provider in get_snapshot().providers}
    for provider_id in PROVIDERS:
        provider = providers[provider_id]
        for model in provider.models:
            if _wanted(provider, model):
                yield provider, model


def build_price_rows() -> list[dict[str, str]]:
    """Every effective-dated price row, sorted (provider, model_id, price_variant, valid_from)."""
    rows = [row for provider, model in _models() for row in _model_rows(provider, model)]
    rows.sort(key=lambda r: (r["provider"], r["model_id"], r["price_variant"], r["valid_from"]))
    return rows


def build_context_window_rows() -> list[dict[str, str]]:
    """The context window of every priced model genai-prices gives one for."""
    rows = [
        {
            "provider": provider.id,
            "model_id": model.id,
            "context_window_tokens": str(model.context_window),
            "source": SOURCE,
        }
        for provider, model in _models()
        if model.context_window
    ]
    rows.sort(key=lambda r: (r["provider"], r["model_id"]))
    return rows


def _equals_values(clause: Any) -> Iterator[str]:
    """Exact spellings in a model's match logic. starts_with/regex/contains can't be listed."""
    if isinstance(clause, ClauseEquals):
        yield clause.equals
    elif isinstance(clause, ClauseOr):
        for sub in clause.or_:
            yield from _equals_values(sub)
    elif isinstance(clause, ClauseAnd):
        # An `and` narrows its parts; only a part that is itself an exact spelling is exact.
        equals = [sub for sub in clause.and_ if isinstance(sub, ClauseEquals)]
        if equals:
            yield from _equals_values(equals[0])


def _pattern_values(clause: Any) -> Iterator[str]:
    """starts_with / contains values of a model's match logic (Bedrock's region prefixes)."""
    if isinstance(clause, ClauseStartsWith):
        yield clause.starts_with
    elif isinstance(clause, ClauseContains):
        yield clause.contains
    elif isinstance(clause, ClauseOr):
        for sub in clause.or_:
            yield from _pattern_values(sub)


def _bedrock_spellings(model: ModelInfo) -> Iterator[str]:
    """`us.anthropic.claude-x-20250929` -> itself and `...-v1:0`, the id Bedrock logs carry:
    the model id's tail after the longest end of the pattern that the id contains."""
    for value in _pattern_values(model.match):
        yield value
        stem = next((value[k:] for k in range(len(value)) if value[k:] in model.id), "")
        if len(stem) > len(value) // 2:
            yield value + model.id.split(stem, 1)[1]


# '4-5' -> '4.5' where both sides are single digits (not dates such as 2024-05-13).
_DASHED_VERSION = re.compile(r"(?<![0-9])([0-9])-([0-9])(?![0-9])")

# Rule precedence: a model's own id is never ambiguous, then the package's exact spellings.
ALIAS_RULES = (
    "model_id",
    "provider_model_id",
    "match_equals",
    "match_pattern",
    "display_name",
    "dotted_version",
    "provider_prefix",
)
OWN_ID_RULES = ("model_id", "provider_model_id")


def _alias_candidates(provider: Provider, model: ModelInfo) -> Iterator[tuple[str, str]]:
    spellings: list[tuple[str, str]] = [(model.id.lower(), "model_id")]
    spellings += [(value.lower(), "match_equals") for value in _equals_values(model.match)]
    if provider.id in RESELLERS:
        spellings += [(value.lower(), "match_pattern") for value in _bedrock_spellings(model)]
    dotted = [
        (_DASHED_VERSION.sub(r"\1.\2", alias), "dotted_version")
        for alias, _ in spellings
        if _DASHED_VERSION.search(alias)
    ]
    spellings += dotted
    yield from spellings
    if model.name:
        # Anthropic console cost exports name models by display name ("claude sonnet 4.5").
        yield " ".join(model.name.lower().split()), "display_name"
    for alias, rule in spellings:
        prefix_rule = "provider_model_id" if rule == "model_id" else "provider_prefix"
        yield f"{provider.id}/{alias}", prefix_rule


def build_alias_rows() -> list[dict[str, str]]:
    """(provider, alias) -> model_id; usage is matched within its own provider, so only a
    spelling two models of one provider claim is ambiguous: dropped with a warning."""
    claims: dict[tuple[str, str], dict[str, str]] = {}
    for provider, model in _models():
        for alias, rule in _alias_candidates(provider, model):
            by_model = claims.setdefault((provider.id, alias), {})
            current = by_model.get(model.id)
            if current is None or ALIAS_RULES.index(rule) < ALIAS_RULES.index(current):
                by_model[model.id] = rule

    rows: list[dict[str, str]] = []
    for (provider_id, alias), by_model in claims.items():
        if len(by_model) > 1:
            own = [model_id for model_id, rule in by_model.items() if rule in OWN_ID_RULES]
            if len(own) != 1:
                names = ", ".join(f"{provider_id}/{m} ({r})" for m, r in sorted(by_model.items()))
                print(f"warning: alias {alias!r} is ambiguous, dropped: {names}", file=sys.stderr)
                continue
            # The exact model id wins over another model's looser spelling.
            others = ", ".join(f"{provider_id}/{m}" for m in sorted(by_model) if m != own[0])
            print(
                f"warning: alias {alias!r} is {provider_id}/{own[0]}'s id; also claimed by "
                f"{others}, ignored there",
                file=sys.stderr,
            )
            by_model = {own[0]: by_model[own[0]]}
        ((model_id, rule),) = by_model.items()
        rows.append(
            {
                "alias": alias,
                "provider": provider_id,
                "model_id": model_id,
                "source": f"{SOURCE} {rule}",
            }
        )
    rows.sort(key=lambda r: (r["alias"], r["provider"]))
    return rows


def render_csv(columns: Sequence[str], rows: Sequence[Mapping[str, str]]) -> str:
    """The exact file text written for `rows` (also used by the drift test)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _write_atomic(path: Path, text: str) -> None:
    # A reader (dbt seed, a test) never sees a half-written seed.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_match_rule_rows() -> list[dict[str, str]]:
    """Every model's match rule of the sellers read, in genai-prices' search order."""
    providers = {provider.id: provider for provider in get_snapshot().providers}
    return build_rule_rows(PROVIDERS, providers, SOURCE)


def render_seeds() -> dict[str, str]:
    """File name -> the text a fresh generation writes."""
    return {
        PRICES_FILE: render_csv(PRICE_COLUMNS, build_price_rows()),
        ALIASES_FILE: render_csv(ALIAS_COLUMNS, build_alias_rows()),
        RULES_FILE: render_csv(RULE_COLUMNS, build_match_rule_rows()),
        CONTEXT_WINDOWS_FILE: render_csv(CONTEXT_WINDOW_COLUMNS, build_context_window_rows()),
    }


def write_seeds(seed_dir: Path, seeds: Mapping[str, str] | None = None) -> dict[str, int]:
    """Write the generated seeds (`seeds`: render_seeds()'s, rendered here if not given)
    into `seed_dir`; returns data rows written per file."""
    seed_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name, text in (seeds if seeds is not None else render_seeds()).items():
        _write_atomic(seed_dir / name, text)
        counts[name] = text.count("\n") - 1
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="llm-cost-audit prices",
        description=f"The generated price seeds and the installed {SOURCE}.",
    )
    parser.add_argument(
        "action",
        choices=("update", "check"),
        help="update: regenerate the seeds; check: write nothing, exit 1 if they are stale",
    )
    parser.add_argument(
        "--seed-dir",
        type=Path,
        default=DEFAULT_SEED_DIR,
        help=f"folder for {PRICES_FILE}, {ALIASES_FILE}, {RULES_FILE} and {CONTEXT_WINDOWS_FILE}"
        " (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    seed_dir: Path = args.seed_dir
    try:
        seeds = render_seeds()
    except (UnsupportedMatchRule, ValueError) as exc:
        # a rule SQL would evaluate differently from genai-prices, or a price the seed
        # cannot hold exactly: no seed, not a wrong one
        print(f"error: {SOURCE}: {exc}; the seeds were not changed", file=sys.stderr)
        return 1

    if args.action == "check":
        stale = [
            name
            for name, text in seeds.items()
            if not (seed_dir / name).is_file()
            or (seed_dir / name).read_text(encoding="utf-8") != text
        ]
        for name in stale:
            print(
                f"{seed_dir / name} is not what {SOURCE} generates; "
                "run `llm-cost-audit prices update`"
            )
        if not stale:
            print(f"seeds in {seed_dir} match {SOURCE}")
        return 1 if stale else 0

    for name, count in write_seeds(seed_dir, seeds).items():
        print(f"wrote {count} rows to {seed_dir / name} ({SOURCE})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
