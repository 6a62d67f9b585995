"""The model spellings the warehouse's model resolution is held to (int_model_resolution),
for the sellers the project reads (orchestration.prices.PROVIDERS):

- every spelling genai-prices knows: each model id its search reaches for the seller (its
  own list, then the lists it falls back to), every exact spelling its match rules list,
  and the compact-dated form (`-20240806`) of every dashed date among them;
- the shapes real exports use, each with where the shape comes from;
- ids genai-prices does not know, which must stay unpriced and be named.

`genai_resolution` is the oracle: genai-prices' own `find_provider_model`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from genai_prices.data_snapshot import get_snapshot
from genai_prices.types import ClauseAnd, ClauseEquals, ClauseOr, Provider

from orchestration.prices import PROVIDERS

SNAPSHOT = get_snapshot()
SELLERS: dict[str, Provider] = {provider.id: provider for provider in SNAPSHOT.providers}


def search_order(provider_id: str) -> list[Provider]:
    """The sellers whose lists genai-prices searches for `provider_id`, in order."""
    provider = SELLERS[provider_id]
    fallbacks = [SELLERS[f] for f in provider.fallback_model_providers or () if f in SELLERS]
    return [provider, *fallbacks]


def genai_resolution(provider_id: str, spelling: str) -> tuple[str, str] | None:
    """(seller whose list holds the model, model id) as genai-prices resolves the
    spelling for that seller, or None where it finds no model."""
    try:
        _, model = SNAPSHOT.find_provider_model(spelling, None, provider_id, None)
    except LookupError:
        return None
    owner = next(p for p in search_order(provider_id) if any(m is model for m in p.models))
    return owner.id, model.id


def _equals_values(clause: Any) -> Iterator[str]:
    if isinstance(clause, ClauseEquals):
        yield clause.equals
    elif isinstance(clause, ClauseOr | ClauseAnd):
        for sub in clause.or_ if isinstance(clause, ClauseOr) else clause.and_:
            yield from _equals_values(sub)


_DASHED_DATE = re.compile(r"-(20\d{2})-(\d{2})-(\d{2})(?=-|:|$)")


def genai_spellings() -> list[tuple[str, str]]:
    """(provider, lower-case spelling) for every spelling genai-prices knows, sorted."""
    spellings: set[tuple[str, str]] = set()
    for provider_id in PROVIDERS:
        for seller in search_order(provider_id):
            for model in seller.models:
                for spelling in (model.id, *_equals_values(model.match)):
                    spellings.add((provider_id, spelling.lower()))
    compact = {
        (provider_id, _DASHED_DATE.sub(r"-\1\2\3", spelling))
        for provider_id, spelling in spellings
        if _DASHED_DATE.search(spelling)
    }
    return sorted(spellings | compact)


# Spellings real exports carry: (provider, as exported, the model id priced, where the
# shape comes from). Where genai-prices resolves the spelling, it must agree.
REAL_EXPORT_SPELLINGS: list[tuple[str, str, str, str]] = [
    # Anthropic's Messages API and usage report name dated snapshots (the issue's
    # Message Batches results file was all claude-3-opus-20240229)
    ("anthropic", "claude-3-7-sonnet-20250219", "claude-3-7-sonnet-latest", "Messages API `model`"),
    ("anthropic", "claude-3-opus-20240229", "claude-3-opus-latest", "Message Batches results"),
    ("anthropic", "claude-3-5-haiku-20241022", "claude-3-5-haiku-latest", "usage report `model`"),
    ("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5", "usage report `model`"),
    # Anthropic's `-latest` aliases, accepted by the Messages API and logged as sent
    ("anthropic", "claude-3-5-sonnet-latest", "claude-3-5-sonnet", "Messages API alias"),
    # the Console's cost export names models by display name (anthropic_fixtures.py)
    ("anthropic", "Claude Sonnet 4", "claude-sonnet-4-0", "Console cost export `model`"),
    ("anthropic", "Claude Haiku 4.5", "claude-haiku-4-5", "Console cost export `model`"),
    # LiteLLM logs keep its routing prefix in `model` (`anthropic/<id>`)
    ("anthropic", "anthropic/claude-3-opus-20240229", "claude-3-opus-latest", "LiteLLM `model`"),
    # OpenAI's usage and responses name dated snapshots; ChatGPT's rolling alias
    ("openai", "gpt-4o-2024-08-06", "gpt-4o", "Chat Completions response `model`"),
    ("openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini", "usage API `model`"),
    ("openai", "chatgpt-4o-latest", "chatgpt-4o-latest", "Chat Completions `model`"),
    # LiteLLM and OpenRouter write snapshot dates compactly (genai-prices' own comment)
    ("openai", "gpt-4o-20240806", "gpt-4o", "LiteLLM compact-dated `model`"),
    # Vertex AI's stable versions end in -001/-002; Gemini API preview ids carry a date
    ("google", "gemini-2.0-flash-001", "gemini-2.0-flash", "Vertex AI model version"),
    ("google", "gemini-1.5-pro-002", "gemini-1.5-pro", "Vertex AI model version"),
    ("google", "gemini-2.5-flash-preview-05-20", "gemini-2.5-flash-preview", "Gemini API id"),
    ("google", "gemini-1.5-flash-latest", "gemini-1.5-flash", "Gemini API `-latest` alias"),
    # the Gemini API's resource name (`models/...`, as models.list and OTel spans give it)
    ("google", "models/gemini-2.5-flash", "gemini-2.5-flash", "Gemini API resource name"),
    ("google", "models/gemini-2.0-flash-001", "gemini-2.0-flash", "Gemini API resource name"),
    # Vertex AI names a Claude version `<model>@<date>` (Google's Claude on Vertex docs)
    ("google", "claude-sonnet-4-5@20250929", "claude-sonnet-4-5", "Vertex AI model id"),
    ("google", "claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet", "Vertex AI model id"),
    # Bedrock: cross-region inference profiles (`us.`/`eu.`) and base model ids, with the
    # version suffix (`-v1:0`) Bedrock's invocation logs carry
    (
        "aws",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "regional.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "Bedrock inference profile id",
    ),
    (
        "aws",
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "Bedrock global inference profile id",
    ),
    # OpenRouter's own model slugs (its generation records' `model`)
    ("openrouter", "anthropic/claude-sonnet-4.5", "anthropic/claude-sonnet-4.5", "OpenRouter slug"),
    ("openrouter", "openai/gpt-4o-mini", "openai/gpt-4o-mini", "OpenRouter slug"),
]

# Ids genai-prices does not know (checked by the tests): unpriced, `unknown_model`, named.
UNKNOWN_SPELLINGS: list[tuple[str, str]] = [
    ("anthropic", "claude-mystery-9"),
    ("openai", "gpt-imaginary-1"),
    ("google", "gemini-0.1-nonexistent"),
    ("aws", "us.acme.llm-v1:0"),
]
